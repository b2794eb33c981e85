"""The principal classifier: kinds, accounts, providers and the spans of their parts."""

from __future__ import annotations

import pytest

from iam_lsp.core import principals as P
from iam_lsp.core.jsontree import parse
from iam_lsp.core.knowledge import knowledge_base
from iam_lsp.core.model import items_of


@pytest.mark.parametrize(
    ("value", "ptype", "kind", "account"),
    [
        ("*", "AWS", P.WILDCARD, None),
        ("123456789012", "AWS", P.ACCOUNT_ID, "123456789012"),
        ("arn:aws:iam::123456789012:root", "AWS", P.ACCOUNT_ROOT, "123456789012"),
        ("arn:aws-cn:iam::123456789012:root", "aws", P.ACCOUNT_ROOT, "123456789012"),
        ("arn:aws:iam::123456789012:user/Bob", "AWS", P.IAM_USER, "123456789012"),
        ("arn:aws:iam::123456789012:role/path/to/Deploy", "AWS", P.IAM_ROLE, "123456789012"),
        ("arn:aws:iam::123456789012:group/Admins", "AWS", P.IAM_GROUP, "123456789012"),
        ("arn:aws:sts::123456789012:assumed-role/Deploy/session-1", "AWS", P.ASSUMED_ROLE, "123456789012"),
        ("arn:aws:sts::123456789012:federated-user/Carol", "AWS", P.FEDERATED_USER, "123456789012"),
        ("AROA1234567890EXAMPLE", "AWS", P.UNIQUE_ID, None),
        ("AIDAJQABLZS4A3QDU576Q", "AWS", P.UNIQUE_ID, None),
        ("arn:aws:iam::*:root", "AWS", P.ACCOUNT_ROOT, "*"),
        ("arn:aws:s3:::bucket", "AWS", P.INVALID, ""),
        ("alice", "AWS", P.INVALID, None),
        ("ec2.amazonaws.com", "Service", P.SERVICE, None),
        ("logs.us-east-1.amazonaws.com", "Service", P.SERVICE, None),
        ("ec2.amazonaws.com.cn", "Service", P.SERVICE, None),
        ("ec2", "Service", P.INVALID, None),
        ("arn:aws:iam::111122223333:saml-provider/Corp", "Federated", P.SAML_PROVIDER, "111122223333"),
        ("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", "Federated",
         P.OIDC_PROVIDER, "111122223333"),
        ("accounts.google.com", "Federated", P.WEB_IDENTITY, None),
        ("cognito-identity.amazonaws.com", "federated", P.WEB_IDENTITY, None),
        ("token.actions.githubusercontent.com", "Federated", P.INVALID, None),
        ("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "CanonicalUser", P.CANONICAL_USER, None),
        ("not-hex", "CanonicalUser", P.INVALID, None),
    ],
)
def test_kinds(value, ptype, kind, account):
    info = P.classify(value, ptype)
    assert info.kind == kind
    assert info.account == account


def test_role_path_and_name():
    info = P.classify("arn:aws:iam::123456789012:role/path/to/Deploy")
    assert (info.path, info.name) == ("/path/to/", "Deploy")
    assert info.value[slice(*info.parts["name"])] == "Deploy"
    assert P.classify("arn:aws:iam::123456789012:role/Deploy").path == "/"


def test_assumed_role_parts():
    info = P.classify("arn:aws:sts::123456789012:assumed-role/Deploy/alice@example.com")
    assert info.name == "Deploy" and info.session == "alice@example.com"
    assert info.value[slice(*info.parts["name"])] == "Deploy"
    assert info.value[slice(*info.parts["session"])] == "alice@example.com"
    assert info.value[slice(*info.parts["account"])] == "123456789012"


def test_problems():
    assert "12 digits" in P.classify("arn:aws:iam::12345678901:root").problem
    assert "12 digits" in P.classify("1234567890").problem
    assert "groups" in P.classify("arn:aws:iam::123456789012:group/G").problem
    assert P.classify("arn:aws:iam::123456789012:role/R").problem is None
    assert "empty region" in P.classify("arn:aws:iam:us-east-1:123456789012:root").problem
    assert "lowercase" in P.classify("EC2.amazonaws.com", "Service").problem


def test_wildcards():
    assert P.classify("*").has_wildcard and not P.classify("*").is_partial_wildcard
    assert P.classify("arn:aws:iam::123456789012:role/*").is_partial_wildcard
    assert not P.classify("123456789012").has_wildcard


def test_service_status_and_base():
    kb = knowledge_base()
    info = P.classify("lambda.amazonaws.com", "Service", kb)
    assert info.status is not None and info.service_name == "lambda"
    assert P.classify("logs.eu-west-1.amazonaws.com", "Service", kb).service_name == "logs"
    assert P.classify("lamda.amazonaws.com", "Service", kb).status is None
    assert P.service_base("not-a-service") is None


def test_providers():
    oidc = P.classify("arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC", "Federated")
    assert oidc.provider == "oidc.eks.us-west-2.amazonaws.com/id/ABC" and oidc.is_oidc
    assert oidc.value[slice(*oidc.parts["provider"])] == oidc.provider
    saml = P.classify("arn:aws:iam::111122223333:saml-provider/Corp", "Federated")
    assert saml.name == "Corp" and saml.is_federated and not saml.is_oidc
    assert P.classify("www.amazon.com", "Federated").provider == "www.amazon.com"


def test_span_through_escapes():
    text = '["arn:aws:iam::123456789012:role\\/Deploy"]'
    item = items_of(parse(text).root)[0]
    info = P.classify_item(item, "AWS")
    assert info.kind == P.IAM_ROLE
    assert text[info.span(item, "account").start:info.span(item, "account").end] == "123456789012"
    assert text[info.span(item, "name").start:info.span(item, "name").end] == "Deploy"


def test_classify_item_non_string():
    item = items_of(parse("[5]").root)[0]
    assert P.classify_item(item, "AWS") is None
