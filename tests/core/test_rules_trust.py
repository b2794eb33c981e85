"""Trust policy rules (IAM4xx): exact spans, fixes, edge cases and the trust corpus."""

from __future__ import annotations

import json
import pathlib

import pytest
from policy_helpers import doc, spans

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.findings import Severity
from iam_lsp.core.policytype import PolicyType

CORPUS = pathlib.Path("/work/shared/corpus/trust")
GH = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
SAML = "arn:aws:iam::111122223333:saml-provider/Corp"
EKS = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EX1"


def run(text: str, code: str, options: dict | None = None):
    cfg = Config(select=[code], options={code: options} if options else {})
    a = analyze(text, config=cfg, policy_type=PolicyType.TRUST)
    assert not [f for f in a.findings if f.code == "IAM000"], a.findings
    return [f for f in a.findings if f.code == code]





def st(principal, action="sts:AssumeRole", condition=None, **extra) -> dict:
    out = {"Effect": "Allow", "Principal": principal, "Action": action, **extra}
    if condition is not None:
        out["Condition"] = condition
    return out


def test_iam400_resource_removed_by_fix():
    text = doc(st({"Service": "ec2.amazonaws.com"}, Resource="*", NotResource=["x"]))
    fs = run(text, "IAM400")
    assert spans(text, fs) == ['"Resource"', '"NotResource"']
    fixed = json.loads(fs[0].fixes[0].apply(text))
    assert "Resource" not in fixed["Statement"][0] and "NotResource" in fixed["Statement"][0]


def test_iam401_not_principal():
    text = doc({"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"})
    assert spans(text, run(text, "IAM401")) == ['"NotPrincipal"']


def test_iam402_wildcards():
    bare = doc(st("*"))
    fs = run(bare, "IAM402")
    assert spans(bare, fs) == ['"*"'] and fs[0].severity == Severity.ERROR
    aws = doc(st({"AWS": ["123456789012", "*"]}))
    fs = run(aws, "IAM402")
    assert spans(aws, fs) == ['"*"'] and fs[0].severity == Severity.SECURITY
    org = doc(st({"AWS": "*"}, condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}))
    assert run(org, "IAM402")[0].severity == Severity.SUGGESTION
    mfa_only = doc(st({"AWS": "*"}, condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    assert run(mfa_only, "IAM402")[0].severity == Severity.SECURITY
    assert run(doc({**st({"AWS": "*"}), "Effect": "Deny"}), "IAM402") == []


def test_iam403_whole_account():
    text = doc(st({"AWS": ["arn:aws:iam::111122223333:root", "444455556666", "arn:aws:iam::111122223333:role/R"]}))
    assert spans(text, run(text, "IAM403")) == ['"arn:aws:iam::111122223333:root"', '"444455556666"']
    narrowed = doc(st({"AWS": "444455556666"}, condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}}))
    assert run(narrowed, "IAM403") == []
    third_party = doc(st({"AWS": "444455556666"}, condition={"StringEquals": {"sts:ExternalId": "abc-123"}}))
    assert run(third_party, "IAM403") == []


def test_iam404_cross_account_with_trusted_accounts_option():
    text = doc(st({"AWS": ["arn:aws:iam::444455556666:role/Vendor", "111122223333"]}))
    assert run(text, "IAM404") == []  # owner unknown: quiet
    fs = run(text, "IAM404", {"trusted-accounts": ["111122223333"]})
    assert spans(text, fs) == ["444455556666"]
    guarded = doc(st({"AWS": "444455556666"}, condition={"StringEquals": {"sts:ExternalId": "vendor-1"}}))
    assert run(guarded, "IAM404", {"trusted-accounts": ["111122223333"]}) == []
    org = doc(st({"AWS": "444455556666"}, condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}))
    assert run(org, "IAM404", {"trusted-accounts": ["111122223333"]}) == []


def test_iam404_owner_inferred_from_document():
    text = doc(st({"Service": "cloudformation.amazonaws.com"},
                  condition={"StringEquals": {"aws:SourceAccount": "111122223333"}}),
               st({"AWS": "arn:aws:iam::444455556666:root"}),
               st({"AWS": "arn:aws:iam::111122223333:role/Admin"}))
    assert spans(text, run(text, "IAM404")) == ["444455556666"]


def test_iam405_action_principal_mismatch_fix():
    text = doc(st({"Federated": SAML}, condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}))
    fs = run(text, "IAM405")
    assert spans(text, fs) == ['"sts:AssumeRole"']
    assert json.loads(fs[0].fixes[0].apply(text))["Statement"][0]["Action"] == "sts:AssumeRoleWithSAML"
    assert fs[0].related and text[fs[0].related[0].span.start:fs[0].related[0].span.end] == f'"{SAML}"'


def test_iam405_mixed_and_session_only():
    mixed = doc(st({"AWS": "123456789012", "Federated": "accounts.google.com"}, ["sts:AssumeRole", "sts:TagSession"]))
    fs = run(mixed, "IAM405")
    assert spans(mixed, fs) == ['"accounts.google.com"'] and "AssumeRoleWithWebIdentity" in fs[0].message
    session_only = doc(st({"Federated": SAML}, "sts:SetSourceIdentity"))
    assert run(session_only, "IAM405") == []
    wildcard = doc(st({"Federated": SAML}, "sts:AssumeRole*"))
    assert run(wildcard, "IAM405") == []
    web_to_service = doc(st({"Service": "ec2.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity"))
    assert json.loads(run(web_to_service, "IAM405")[0].fixes[0].apply(web_to_service))["Statement"][0][
        "Action"] == "sts:AssumeRole"


def test_iam406_federated_syntax():
    text = doc(st({"Federated": ["token.actions.githubusercontent.com", "arn:aws:iam::111122223333:role/X",
                                 "arn:aws:iam::1111:saml-provider/Corp", "accounts.google.com", GH]},
                  ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"]))
    fs = run(text, "IAM406")
    assert spans(text, fs) == ['"token.actions.githubusercontent.com"', '"arn:aws:iam::111122223333:role/X"', "1111"]
    assert "oidc-provider/token.actions.githubusercontent.com" in fs[0].fixes[0].edits[0].new_text


def test_iam407_saml_audience_case_insensitive():
    text = doc(st({"Federated": SAML}, "sts:AssumeRoleWithSAML"))
    assert spans(text, run(text, "IAM407")) == [f'"{SAML}"']
    lower = doc(st({"Federated": SAML}, "sts:AssumeRoleWithSAML",
                   {"StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml"}}))
    assert run(lower, "IAM407") == []


def test_iam408_to_iam410_oidc_conditions():
    none = doc(st({"Federated": EKS}, "sts:AssumeRoleWithWebIdentity"))
    assert spans(none, run(none, "IAM408")) == [f'"{EKS}"']
    assert run(none, "IAM409") == [] and run(none, "IAM410") == []
    sub_only = doc(st({"Federated": EKS}, "sts:AssumeRoleWithWebIdentity",
                      {"StringEquals": {"oidc.eks.us-west-2.amazonaws.com/id/EX1:sub": "system:serviceaccount:a:b"}}))
    assert run(sub_only, "IAM408") == [] and run(sub_only, "IAM410") == []
    assert spans(sub_only, run(sub_only, "IAM409")) == [f'"{EKS}"']
    aud_only = doc(st({"Federated": EKS}, "sts:AssumeRoleWithWebIdentity",
                      {"StringEquals": {"OIDC.EKS.us-west-2.amazonaws.com/id/EX1:aud": "sts.amazonaws.com"}}))
    fs = run(aud_only, "IAM410")
    assert len(fs) == 1 and fs[0].severity == Severity.WARNING
    assert run(aud_only, "IAM409") == []


def test_iam410_github_security_cognito_suggestion_google_exempt():
    gh = doc(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity",
                {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}))
    assert run(gh, "IAM410")[0].severity == Severity.SECURITY
    cognito = doc(st({"Federated": "cognito-identity.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity",
                     {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}}))
    assert run(cognito, "IAM410")[0].severity == Severity.SUGGESTION
    google = doc(st({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity",
                    {"StringEquals": {"accounts.google.com:aud": "1234"}}))
    assert run(google, "IAM410") == []
    amazon = doc(st({"Federated": "www.amazon.com"}, "sts:AssumeRoleWithWebIdentity",
                    {"StringEquals": {"www.amazon.com:app_id": "amzn1.application-oa2-123"}}))
    assert run(amazon, "IAM409") == [] and run(amazon, "IAM410") == []


@pytest.mark.parametrize(
    ("op", "value", "severity"),
    [
        ("StringLike", "*", Severity.SECURITY),
        ("StringLike", "repo:octo-org/*", Severity.SECURITY),
        ("StringLike", "repo:*", Severity.SECURITY),
        ("StringLike", "repo:octo-org/app:*", Severity.SUGGESTION),
        ("StringEquals", "environment:prod", Severity.WARNING),
        ("StringLike", "workflow:deploy", Severity.WARNING),
        ("StringEquals", "octo-org", Severity.WARNING),
        ("StringLike", "repo:octo-org/app:ref:refs/heads/main", None),
        ("StringLike", "repo:octo-org/app:environment:prod", None),
        ("StringEquals", "repo:octo-org/*", None),  # compared literally: a conditions-family matter
        ("StringNotLike", "*", None),
    ],
)
def test_iam411_github_subject(op, value, severity):
    condition = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
    condition.setdefault(op, {})["token.actions.githubusercontent.com:sub"] = [value]
    text = doc(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", condition))
    fs = run(text, "IAM411")
    if severity is None:
        assert fs == []
    else:
        assert spans(text, fs) == [json.dumps(value)] and fs[0].severity == severity


def test_iam410_and_iam411_github_enterprise_issuer():
    ghe = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com/octo-enterprise"
    key = "token.actions.githubusercontent.com/octo-enterprise"
    text = doc(st({"Federated": ghe}, "sts:AssumeRoleWithWebIdentity",
                  {"StringEquals": {key + ":aud": "sts.amazonaws.com"}}))
    assert run(text, "IAM410")[0].severity == Severity.SECURITY
    broad = doc(st({"Federated": ghe}, "sts:AssumeRoleWithWebIdentity",
                   {"StringEquals": {key + ":aud": "sts.amazonaws.com"}, "StringLike": {key + ":sub": "repo:octo/*"}}))
    assert spans(broad, run(broad, "IAM411")) == ['"repo:octo/*"']


def test_iam412_audience_set_operator_fix():
    text = doc(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity",
                  {"ForAnyValue:StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                   "ForAllValues:StringLike": {"SAML:aud": "x", "saml:iss": "y"}}))
    fs = run(text, "IAM412")
    assert spans(text, fs) == ['"ForAnyValue:StringEquals"', '"ForAllValues:StringLike"']
    assert [f.severity for f in fs] == [Severity.SECURITY, Severity.WARNING]
    fixed = json.loads(fs[0].fixes[0].apply(text))["Statement"][0]["Condition"]
    assert fixed["StringEquals"] == {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    assert not fs[1].fixes  # the operator block holds another key: renaming it would change that key too
    amr = doc(st({"Federated": "cognito-identity.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity",
                 {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}))
    assert run(amr, "IAM412") == []


def test_iam413_roles_anywhere_across_statements_and_fix():
    ra = {"Service": "rolesanywhere.amazonaws.com"}
    text = doc(st(ra))
    fs = run(text, "IAM413")
    assert spans(text, fs) == ['"rolesanywhere.amazonaws.com"']
    fixed = json.loads(fs[0].fixes[0].apply(text))
    assert fixed["Statement"][0]["Action"] == ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
    split = doc(st(ra, ["sts:TagSession", "sts:SetSourceIdentity"]), st(ra))
    assert run(split, "IAM413") == []
    assert run(doc(st(ra, "sts:*")), "IAM413") == []


def test_iam414_condition_key_needs_action():
    user = {"AWS": "arn:aws:iam::111122223333:user/u"}
    text = doc(st(user, condition={"StringLike": {"aws:RequestTag/Project": "*"},
                                   "StringEquals": {"sts:SourceIdentity": "${aws:username}"}}))
    fs = run(text, "IAM414")
    assert spans(text, fs) == ['"aws:RequestTag/Project"', '"sts:SourceIdentity"']
    fixed = json.loads(fs[0].fixes[0].apply(text))
    assert fixed["Statement"][0]["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    elsewhere = doc(st(user, condition={"StringLike": {"aws:RequestTag/Project": "*"}}), st(user, "sts:TagSession"))
    assert run(elsewhere, "IAM414") == []


def test_iam415_redundant_session_principal():
    role = "arn:aws:iam::111122223333:role/ops/Ops"
    session = "arn:aws:sts::111122223333:assumed-role/Ops/alice"
    text = doc(st({"AWS": [role, session, "arn:aws:sts::111122223333:assumed-role/Other/bob"]}))
    fs = run(text, "IAM415")
    assert spans(text, fs) == [f'"{session}"'] and fs[0].tags == ("unnecessary",)
    assert json.loads(fs[0].fixes[0].apply(text))["Statement"][0]["Principal"]["AWS"] == [
        role, "arn:aws:sts::111122223333:assumed-role/Other/bob"]
    other_account = doc(st({"AWS": [role, "arn:aws:sts::444455556666:assumed-role/Ops/alice"]}))
    assert run(other_account, "IAM415") == []


def test_iam416_off_by_default_and_enabled():
    text = doc(st({"Service": ["ec2.amazonaws.com", "codebuild.amazonaws.com"]}))
    a = analyze(text, policy_type=PolicyType.TRUST)
    assert not [f for f in a.findings if f.code == "IAM416"]
    assert spans(text, run(text, "IAM416")) == ['"ec2.amazonaws.com"']


def test_iam417_service_trust_without_source():
    text = doc(st({"Service": ["ec2.amazonaws.com", "codebuild.amazonaws.com", "lambda.amazonaws.com"]}))
    fs = run(text, "IAM417")
    assert spans(text, fs) == ['"codebuild.amazonaws.com"'] and fs[0].severity == Severity.SUGGESTION
    ok = doc(st({"Service": "codebuild.amazonaws.com"}, condition={"ArnLike": {"AWS:SourceArn": "arn:aws:x"}}))
    assert run(ok, "IAM417") == []


def test_iam418_permissive_values():
    text = doc(st({"Service": "codebuild.amazonaws.com"},
                  condition={"StringLike": {"aws:SourceAccount": ["*", "1111*"]},
                             "StringEquals": {"sts:ExternalId": "${aws:PrincipalAccount}", "aws:SourceArn": "*"},
                             "StringNotLike": {"aws:PrincipalArn": "*"}}))
    assert spans(text, run(text, "IAM418")) == ['"*"', '"${aws:PrincipalAccount}"']


def _corpus_files():
    return sorted(CORPUS.glob("*.json")) if CORPUS.exists() else []


@pytest.mark.skipif(not CORPUS.exists(), reason="trust corpus not available")
def test_trust_corpus_has_no_errors_from_these_families():
    errors = []
    for p in _corpus_files():
        a = analyze(p.read_text(), path=str(p))
        assert a.policy_type == PolicyType.TRUST, p.name
        errors += [(p.name, f.code, f.message) for f in a.findings
                   if f.code[3] in "34" and f.severity == Severity.ERROR or f.code == "IAM000"]
    assert errors == []
