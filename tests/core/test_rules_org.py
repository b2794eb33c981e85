"""Size quota, SCP and RCP rules (IAM800-IAM815): exact spans and edge cases."""

from __future__ import annotations

import json

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.policytype import PolicyType


def run(text: str, code: str, ptype: str | None = None, config: Config | None = None, path: str | None = None):
    cfg = config or Config(select=[code])
    res = analyze(text, path=path, config=cfg, policy_type=PolicyType(ptype) if ptype else None)
    return [f for f in res.findings if f.code == code]


def spans(text: str, code: str, ptype: str | None = None) -> list[str]:
    return [text[f.span.start:f.span.end] for f in run(text, code, ptype)]


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


CARVE = {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
         "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}


def identity(n: int, indent: int | None = None) -> str:
    arns = [f"arn:aws:s3:::bucket/p{i:05d}/*" for i in range(n)]
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": arns}]}, indent=indent)


def test_identity_size_ignores_whitespace_and_points_at_statement_key():
    small = identity(185, indent=8)  # long only because of whitespace
    assert len(small) > 6144 and run(small, "IAM800") == []
    big = identity(240)
    found = run(big, "IAM800")
    assert [big[f.span.start:f.span.end] for f in found] == ['"Statement"']
    counted = [i for i, c in enumerate(big) if c not in " \t\n\r"]
    assert found[0].related[0].span.start == counted[6144]
    assert found[0].data["size"] == len(counted)


def test_identity_size_limit_is_an_option():
    text = identity(10)
    cfg = Config(select=["IAM800"], options={"IAM800": {"max-characters": 100}})
    assert len(run(text, "IAM800", config=cfg)) == 1


def test_trust_size_default_and_raised_quota():
    roles = [f"arn:aws:iam::111122223333:role/r{i:03d}" for i in range(60)]
    text = doc({"Effect": "Allow", "Principal": {"AWS": roles}, "Action": "sts:AssumeRole"})
    assert len(run(text, "IAM801", "trust")) == 1
    cfg = Config(select=["IAM801"], options={"trust-policy-size": {"max-characters": 4096}})
    assert run(text, "IAM801", "trust", config=cfg) == []


def test_resource_size_per_service():
    arns = [f"arn:aws:sqs:us-east-1:111122223333:queue-{i:04d}" for i in range(200)]
    text = doc({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sqs:SendMessage", "Resource": arns})
    found = run(text, "IAM802", "resource")
    assert len(found) == 1 and "AWS::SQS::Queue" in found[0].message and found[0].data["limit"] == 8192
    s3 = text.replace("sqs:SendMessage", "s3:GetObject").replace("arn:aws:sqs:us-east-1:111122223333:", "arn:aws:s3:::b/")
    assert run(s3, "IAM802", "resource") == []  # S3 allows 20 KB


def test_resource_size_counts_a_lone_surrogate_instead_of_crashing():
    # Editors can hold a lone surrogate (half of a pasted emoji); it must not make the rule fail.
    arns = [f"arn:aws:sqs:us-east-1:111122223333:queue-{i:04d}" for i in range(200)]
    text = doc({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sqs:SendMessage",
                "Resource": arns, "Sid": "x"}).replace('"x"', '"\ud800"')
    assert "\ud800" in text
    found = analyze(text, config=Config(), policy_type=PolicyType.RESOURCE).findings
    assert not [f for f in found if f.code == "IAM000"]
    assert [f.code for f in found if f.code == "IAM802"] == ["IAM802"]


def test_scp_size_counts_whitespace_and_suggests_minifying():
    arns = [f"arn:aws:s3:::bucket/p{i:04d}/*" for i in range(100)]
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": arns}]}, indent=12)
    found = run(text, "IAM803", "scp")
    assert len(found) == 1 and "minify" in found[0].message
    assert run(text, "IAM803", "identity") == []  # SCP rule only for SCPs


def test_rcp_size():
    arns = [f"arn:aws:s3:::bucket/p{i:04d}/*" for i in range(200)]
    text = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": arns, "Condition": CARVE})
    assert len(run(text, "IAM804", "rcp")) == 1


def test_scp_action_wildcard_only_trailing():
    text = doc({"Effect": "Deny", "Action": ["iam:*Role", "s3:*", "*", "ec2:Describe*", "s3:Get?bject"], "Resource": "*"},
               {"Effect": "Deny", "NotAction": "kms:*Key", "Resource": "*"})
    found = run(text, "IAM805", "scp")
    assert [text[f.span.start:f.span.end] for f in found] == ['"iam:*Role"', '"s3:Get?bject"', '"kms:*Key"']
    w = found[0].data["wildcard"]
    assert text[w.start:w.end] == "*"
    assert run(text, "IAM805", "identity") == []


def test_rcp_principal():
    text = doc({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*", "Condition": CARVE},
               {"Effect": "Deny", "NotPrincipal": {"AWS": "x"}, "Action": "s3:*", "Resource": "*", "Condition": CARVE},
               {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": CARVE},
               {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": CARVE})
    found = run(text, "IAM806", "rcp")
    got = [text[f.span.start:f.span.end] for f in found]
    assert got == ['{"AWS": "*"}', '"NotPrincipal"', "{"]
    assert found[0].fixes[0].preferred and found[0].fixes[0].edits[0].new_text == '"*"'


def test_rcp_allow_shape():
    full = doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
    assert run(full, "IAM807", "rcp") == []
    assert run(full, "IAM809", "rcp") == []  # bare * is fine in the full-access Allow
    text = doc({"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}}})
    assert spans(text, "IAM807", "rcp") == ['["s3:GetObject"]', '"Condition"']


def test_rcp_notaction_and_unsupported_action():
    text = doc({"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*", "Condition": CARVE},
               {"Effect": "Deny", "Principal": "*", "Action": ["ec2:RunInstances", "S3:GetObject", "*"], "Resource": "*",
                "Condition": CARVE})
    assert spans(text, "IAM808", "rcp") == ['"NotAction"']
    assert spans(text, "IAM809", "rcp") == ["ec2", '"*"']  # the service part; S3 in any case is supported


def test_rcp_carveouts():
    principal_only = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                          "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}}})
    assert spans(principal_only, "IAM810", "rcp") == ['"aws:PrincipalOrgID"']
    assert run(principal_only, "IAM810", "identity") == []
    source = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                  "Condition": {"StringNotEqualsIfExists": {"AWS:SourceOrgID": "o-1"}}})
    assert spans(source, "IAM811", "rcp") == ['"AWS:SourceOrgID"']
    assert spans(source, "IAM812", "rcp") == ['"AWS:SourceOrgID"']
    complete = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                    "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-1"},
                                  "Null": {"aws:SourceAccount": "false"},
                                  "BoolIfExists": {"aws:PrincipalIsAWSService": "true"}}})
    assert run(complete, "IAM811", "rcp") == [] and run(complete, "IAM812", "rcp") == []


def test_rcp_carveout_bool_fix():
    text = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-1"},
                              "Bool": {"aws:PrincipalIsAWSService": "false"}}})
    found = run(text, "IAM813", "rcp")
    assert [text[f.span.start:f.span.end] for f in found] == ['"Bool"']
    assert found[0].fixes[0].edits[0].new_text == '"BoolIfExists"'
    mixed = text.replace('"Bool": {', '"Bool": {"aws:SecureTransport": "false", ')
    assert run(mixed, "IAM813", "rcp")[0].fixes == ()  # renaming would change the other key too


def test_rcp_blanket_deny():
    text = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    assert spans(text, "IAM814", "rcp") == ['"Deny"']
    assert run(doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": CARVE}),
               "IAM814", "rcp") == []


def test_rcp_rules_stand_down_for_a_file_name_guess_without_principal():
    text = doc({"Effect": "Allow", "Action": "budgets:ViewBudget", "Resource": "*"})
    path = "policies/BudgetsWithResourceControlAccess.json"
    res = analyze(text, path=path, config=Config(select=["IAM8"]))
    if res.policy_type == PolicyType.RCP:
        assert [f.code for f in res.findings] == ["IAM815"]
    res = analyze(text, config=Config(select=["IAM8"]), policy_type=PolicyType.RCP)
    assert {"IAM806", "IAM807"} <= {f.code for f in res.findings}  # a declared type is trusted


def test_policy_type_hint():
    text = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    found = run(text, "IAM815", "resource")
    assert [text[f.span.start:f.span.end] for f in found] == ['"Statement"'] and "identity policy" in found[0].message
    rcp_like = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": CARVE})
    assert "RCP" in run(rcp_like, "IAM815")[0].message
    assert run(rcp_like, "IAM815", "rcp") == []
