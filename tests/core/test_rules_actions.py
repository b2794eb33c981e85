"""Action rules IAM101-IAM106: exact spans, fixes, wildcards, case, shapes."""

from __future__ import annotations

import json

from policy_helpers import spans

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.policytype import PolicyType


def doc(action, key="Action", resource="*", **extra):
    st = {"Effect": "Allow", key: action, "Resource": resource, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def run(text, code, policy_type=None):
    res = analyze(text, config=Config(select=[code]), policy_type=policy_type)
    return [f for f in res.findings if f.code == code]




def test_syntax_points_at_value():
    t = doc(["s3:GetObject", "s3GetObject", "s3:", ":Get", "s3:Get:Object", "*"])
    assert spans(t, run(t, "IAM101")) == ['"s3GetObject"', '"s3:"', '":Get"', '"s3:Get:Object"']


def test_syntax_fix_strips_spaces():
    t = doc(" s3:GetObject ")
    (f,) = run(t, "IAM101")
    assert json.loads(f.fixes[0].apply(t))["Statement"][0]["Action"] == "s3:GetObject"


def test_unknown_service_points_at_prefix_with_fix():
    t = doc(["s33:GetObject"])
    (f,) = run(t, "IAM102")
    assert t[f.span.start:f.span.end] == "s33"
    assert "Did you mean 's3'" in f.message
    assert '"s3:GetObject"' in f.fixes[0].apply(t)


def test_unknown_service_in_notaction_and_single_object_statement():
    t = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": "ec3:Run*", "Resource": "*"}})
    assert spans(t, run(t, "IAM102")) == ["ec3"]  # a wildcard in the name does not hide the prefix
    t = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": "ec3:RunInstances",
                                                           "Resource": "*"}})
    assert spans(t, run(t, "IAM102")) == ["ec3"]


def test_unknown_action_points_at_name_with_fix():
    t = doc("iam:PassRoles")
    (f,) = run(t, "IAM103")
    assert t[f.span.start:f.span.end] == "PassRoles"
    assert "iam:PassRole" in f.message
    assert json.loads(f.fixes[0].apply(t))["Statement"][0]["Action"] == "iam:PassRole"


def test_action_names_are_case_insensitive():
    t = doc(["S3:getobject", "IAM:PASSROLE"])
    assert run(t, "IAM103") == [] and run(t, "IAM102") == []


def test_unknown_action_with_escape_keeps_exact_span():
    t = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get\\u004fbjekt", "Resource": "*"}]}'
    (f,) = run(t, "IAM103")
    assert t[f.span.start:f.span.end] == "Get\\u004fbjekt"


def test_wildcard_matching_nothing():
    t = doc(["s3:Gett*", "s3:Get*", "s3:?etObject", "s3:*", "*", "s*:Zzz*", "s3:PutObj?ct"])
    assert spans(t, run(t, "IAM104")) == ['"s3:Gett*"', '"s*:Zzz*"']


def test_uncatalogued_service_is_a_suggestion_not_an_error():
    t = doc(["codestar:ListProjects", "budgets:DescribeBudgets"])
    assert run(t, "IAM102") == [] and run(t, "IAM103") == []
    found = run(t, "IAM105")
    assert spans(t, found) == ["codestar", "DescribeBudgets"]
    assert {f.severity.value for f in found} == {"suggestion"}


def test_action_rules_share_one_split_per_document():
    # Malformed, well-formed and wildcard actions side by side: each rule sees its own ones.
    t = doc(["s3 :GetObject", "s3:GetObjekt", "s33:GetObject", "s3:Gett*", "*", " s3:GetObject"])
    assert spans(t, run(t, "IAM101")) == ['"s3 :GetObject"', '" s3:GetObject"']
    assert spans(t, run(t, "IAM102")) == ["s33"]
    assert spans(t, run(t, "IAM103")) == ["GetObjekt"]
    assert spans(t, run(t, "IAM104")) == ['"s3:Gett*"']
    res = analyze(t, config=Config(select=["IAM101", "IAM102", "IAM103", "IAM104"]))
    assert sorted(f.code for f in res.findings) == ["IAM101", "IAM101", "IAM102", "IAM103", "IAM104"]


def test_whitespace_inside_an_action_is_malformed():
    # Any Unicode whitespace (here a no-break space and a tab) makes the action malformed, as IAM says.
    t = doc(["s3:Get\u00a0Object", "s3:Get\tObject"])
    assert len(run(t, "IAM101")) == 2


def resource_doc(actions, resource="arn:aws:s3:::amzn-s3-demo-bucket/*"):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": actions, "Resource": resource}]})


def test_unsupported_action_in_bucket_policy():
    t = resource_doc(["s3:GetObject", "kms:Decrypt", "s3:*", "*"])
    res = analyze(t, config=Config(select=["IAM106"]))
    assert res.detection.type == PolicyType.RESOURCE and res.detection.resource_kind == "AWS::S3::Bucket"
    assert spans(t, [f for f in res.findings if f.code == "IAM106"]) == ["kms"]


def test_unsupported_action_ignores_identity_policies_and_statements_without_principal():
    t = doc(["s3:GetObject", "kms:Decrypt"])
    assert run(t, "IAM106", PolicyType.RESOURCE) == []
    assert run(t, "IAM106") == []
