"""Hover: markdown and exact spans for keys, actions, principals, condition keys, operators, findings."""

from __future__ import annotations

from iam_lsp.core.analyze import analyze
from iam_lsp.core.hover import hover_at
from iam_lsp.core.policytype import PolicyType

TRUST = """{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {
      "Service": "lambda.amazonaws.com",
      "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      "AWS": ["123456789012", "arn:aws:sts::123456789012:assumed-role/Deploy/alice", "*"]
    },
    "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
    "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "x", "sts:ExternalId": "e"}}
  }]
}"""

IDENTITY = """{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["iam:PassRole", "s3:Get*", "s3:GetObjekt", "foo:Bar", "*"],
    "Resource": "arn:aws:s3:::bucket/key",
    "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
  }]
}"""


def hover(text: str, needle: str, delta: int = 1, **kw):
    h = hover_at(text, text.index(needle) + delta, **kw)
    assert h is not None, needle
    return h, text[h.span.start:h.span.end]


def test_element_key():
    h, tok = hover(TRUST, '"Principal"')
    assert tok == '"Principal"'
    assert h.markdown.startswith("**Principal** (policy element)")
    assert "trust policy" in h.markdown and "permissions policy" in h.markdown
    assert "reference_policies_elements_principal.html" in h.markdown


def test_principal_type_key():
    h, tok = hover(TRUST, '"Federated"')
    assert tok == '"Federated"' and h.markdown.startswith("**Federated** (principal type)")


def test_service_principal():
    h, tok = hover(TRUST, "lambda.amazonaws")
    assert tok == '"lambda.amazonaws.com"'
    assert "AWS Lambda" in h.markdown and "Known service principal" in h.markdown
    assert "aws:SourceArn" in h.markdown


def test_unknown_service_principal():
    text = '{"Statement": {"Principal": {"Service": "lamda.amazonaws.com"}}}'
    h, _ = hover(text, "lamda")
    assert "Unknown service principal" in h.markdown


def test_github_oidc_provider():
    h, tok = hover(TRUST, "oidc-provider")
    assert tok.startswith('"arn:aws:iam::123456789012:oidc-provider/')
    assert "GitHub Actions OIDC provider" in h.markdown
    assert "token.actions.githubusercontent.com:sub" in h.markdown and "sts.amazonaws.com" in h.markdown


def test_account_and_assumed_role_and_star():
    h, tok = hover(TRUST, '"123456789012"')
    assert tok == '"123456789012"' and "whole account" in h.markdown
    h, _ = hover(TRUST, "assumed-role")
    assert "Assumed-role session** `alice` of role `Deploy`" in h.markdown
    h, tok = hover(TRUST, '"*"')
    assert tok == '"*"' and "any AWS principal" in h.markdown


def test_federated_builtin_and_saml():
    text = ('{"Statement": {"Principal": {"Federated": ["cognito-identity.amazonaws.com", '
            '"arn:aws:iam::123456789012:saml-provider/Okta"]}}}')
    h, _ = hover(text, "cognito")
    assert "Amazon Cognito" in h.markdown and "AssumeRoleWithWebIdentity" in h.markdown
    h, _ = hover(text, "saml-provider")
    assert "SAML provider** `Okta`" in h.markdown and "SAML:aud" in h.markdown


def test_sts_actions_explain_credentials():
    h, tok = hover(TRUST, "sts:AssumeRole\"")
    assert tok == '"sts:AssumeRole"'
    assert "12 hours" in h.markdown and "API_AssumeRole.html" in h.markdown
    h, _ = hover(TRUST, "sts:AssumeRoleWithWeb")
    assert "OIDC token" in h.markdown
    h, _ = hover(TRUST, "sts:TagSession")
    assert "session tags" in h.markdown


def test_passrole_recommends_passed_to_service():
    h, tok = hover(IDENTITY, "iam:PassRole")
    assert tok == '"iam:PassRole"'
    assert "Access level: **Write**" in h.markdown
    assert "pass a role to a service" in h.markdown
    assert "`iam:PassedToService`" in h.markdown and "id_roles_use_passrole.html" in h.markdown


def test_wildcard_action_expanded_and_truncated():
    h, tok = hover(IDENTITY, "s3:Get*")
    assert tok == '"s3:Get*"'
    assert "matches **" in h.markdown and "Amazon S3 actions" in h.markdown
    assert "- `s3:GetObject`" not in h.markdown or "... and" in h.markdown
    assert "... and" in h.markdown  # more than 15 matches


def test_unknown_action_and_service_and_star():
    h, _ = hover(IDENTITY, "s3:GetObjekt")
    assert "Unknown action `s3:GetObjekt`" in h.markdown and "`s3:GetObject`" in h.markdown
    h, _ = hover(IDENTITY, "foo:Bar")
    assert "Unknown service prefix `foo`" in h.markdown
    h, tok = hover(IDENTITY, '"*"')
    assert tok == '"*"' and "every action of every AWS service" in h.markdown


def test_resource_arn():
    h, tok = hover(IDENTITY, "arn:aws:s3:::bucket")
    assert tok == '"arn:aws:s3:::bucket/key"'
    assert "`object`" in h.markdown


def test_operator_with_qualifier_and_if_exists():
    h, tok = hover(TRUST, "ForAnyValue:")
    assert tok == '"ForAnyValue:StringLikeIfExists"'
    assert "(condition operator)" in h.markdown
    assert "`IfExists`" in h.markdown and "`ForAnyValue:`" in h.markdown


def test_condition_keys():
    h, tok = hover(TRUST, "aws:TagKeys")
    assert tok == '"aws:TagKeys"' and "multivalued" in h.markdown and "Type: **String**" in h.markdown
    h, _ = hover(TRUST, "sts:ExternalId")
    assert "confused deputy" in h.markdown
    h, _ = hover(IDENTITY, "iam:PassedToService")
    assert "Recommended on every `iam:PassRole` Allow" in h.markdown


def test_passed_to_service_value_is_a_service_principal():
    h, tok = hover(IDENTITY, "ec2.amazonaws.com")
    assert tok == '"ec2.amazonaws.com"' and "Amazon EC2" in h.markdown


def test_cursor_right_after_token_and_nothing_on_punctuation():
    text = '{"Statement": {"Effect": "Allow"}}'
    assert hover_at(text, text.index('"Allow"') + len('"Allow"')) is not None
    assert hover_at(text, 0) is None


def test_findings_are_appended_with_rule_explanation():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",}]}'
    analysis = analyze(text)
    comma = text.index(",}")
    h = hover_at(text, comma, analysis)
    assert h is not None
    assert "**IAM010** (error)" in h.markdown and "strict JSON" in h.markdown
    assert text[h.span.start:h.span.end] == ","


def test_non_ascii_before_token():
    text = '{"Id": "Política 🚀", "Statement": {"Action": "s3:GetObject"}}'
    h, tok = hover(text, "s3:GetObject")
    assert tok == '"s3:GetObject"' and h.markdown.startswith("**s3:GetObject** (Amazon S3)")


def test_hover_on_half_typed_document():
    text = '{"Statement": [{"Action": "iam:PassRole'
    h = hover_at(text, len(text) - 2)
    assert h is not None and h.markdown.startswith("**iam:PassRole**")
    assert text[h.span.start:h.span.end] == '"iam:PassRole'


def test_policy_type_passed_to_analysis():
    analysis = analyze(TRUST, policy_type=PolicyType.TRUST)
    h = hover_at(TRUST, TRUST.index("sts:AssumeRole") + 1, analysis)
    assert h is not None and "sts:AssumeRole" in h.markdown
