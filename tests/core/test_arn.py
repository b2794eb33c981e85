"""ARN parsing (fields with offsets) and tolerant matching against resource-type formats."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iam_lsp.core.arn import (
    action_accepts,
    arn_matches_format,
    candidate_formats,
    format_tokens,
    formats_for_service,
    parse_arn,
    policy_meets_format,
    policy_tokens,
    resource_part_matches,
    tokens_intersect,
)
from iam_lsp.core.knowledge import knowledge_base


def test_parse_fields_and_offsets():
    text = "arn:aws:iam::111122223333:role/path/Name"
    p = parse_arn(text)
    assert p is not None and p.complete
    assert (p.partition, p.service, p.region, p.account, p.resource) == (
        "aws", "iam", "", "111122223333", "role/path/Name")
    acct = p.field("account")
    assert text[acct.start:acct.end] == "111122223333"
    res = p.field("resource")
    assert text[res.start:res.end] == "role/path/Name"


def test_resource_part_keeps_colons_and_variables_do_not_split():
    p = parse_arn("arn:aws:logs:us-east-1:111122223333:log-group:/aws/x:log-stream:*")
    assert p.resource == "log-group:/aws/x:log-stream:*"
    p = parse_arn("arn:aws:s3:::b/${aws:username}/*")
    assert p.resource == "b/${aws:username}/*"
    p = parse_arn("arn:${aws:partition}:s3:::b")
    assert p.partition == "${aws:partition}" and p.service == "s3"


def test_not_an_arn_and_short():
    assert parse_arn("bucket/key") is None
    assert parse_arn("ARN:aws:s3:::b") is None
    p = parse_arn("arn:aws:iam:role/x")
    assert p is not None and not p.complete and len(p.fields) == 4


def test_glob_intersection():
    assert tokens_intersect(policy_tokens("a*c"), policy_tokens("ab?"))
    assert not tokens_intersect(policy_tokens("a*c"), policy_tokens("ab?d"))
    assert tokens_intersect(policy_tokens("*"), policy_tokens(""))


def test_resource_part_matching_respects_bucket_names():
    assert resource_part_matches("bucket", "${BucketName}")
    assert not resource_part_matches("bucket/*", "${BucketName}")
    assert resource_part_matches("bucket/*", "${BucketName}/${ObjectName}")
    assert resource_part_matches("b/${aws:username}/*", "${BucketName}/${ObjectName}")
    assert resource_part_matches("*", "${BucketName}/${ObjectName}")


def test_matches_format_fields():
    fmt = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
    assert arn_matches_format("arn:aws:iam::111122223333:role/a/b", fmt)
    assert arn_matches_format("arn:aws:iam::*:role/*", fmt)
    assert not arn_matches_format("arn:aws:iam:us-east-1:111122223333:role/a", fmt)
    assert not arn_matches_format("arn:aws:iam:::role/a", fmt)
    assert not arn_matches_format("arn:aws:iam::111122223333:user/a", fmt)
    assert arn_matches_format("arn:aws:IAM::111122223333:role/a", fmt)  # case-insensitive service compare


def test_candidate_formats_and_action_accepts():
    kb = knowledge_base()
    keys = {r.resource_type.key for r in candidate_formats(kb, parse_arn("arn:aws:s3:::b/*"))}
    assert keys == {"object"}
    catalog = candidate_formats(kb, parse_arn("arn:aws:catalog:*:*:product/*"))  # servicecatalog's ARN name
    assert catalog and all(r.resource_type.service == "servicecatalog" for r in catalog)
    assert action_accepts(kb, kb.action("s3:ListBucket"), "arn:aws:s3:::b")
    assert not action_accepts(kb, kb.action("s3:ListBucket"), "arn:aws:s3:::b/*")
    assert action_accepts(kb, kb.action("s3:GetObject"), "arn:aws:s3:::*")
    assert action_accepts(kb, kb.action("iam:PassRole"), "arn:aws:iam::${aws:PrincipalAccount}:role/x")


# --- the fast paths must agree with the plain algorithms -------------------------------------------------

_POLICY_CHARS = st.sampled_from(["a", "B", "/", ":", "-", "*", "?", "${aws:username}", "${*}", "${?}"])
_FORMAT_PARTS = st.sampled_from(["a", "b", "/", ":", "-", "${Name}", "${BucketName}", "${Id}"])


@settings(max_examples=600, deadline=None)
@given(st.lists(_POLICY_CHARS, max_size=8).map("".join), st.lists(_FORMAT_PARTS, max_size=6).map("".join))
def test_policy_vs_format_match_agrees_with_the_product_search(policy, fmt):
    a, b = policy_tokens(policy), format_tokens(fmt)
    assert policy_meets_format(a, b) == tokens_intersect.__wrapped__(a, b)


@settings(max_examples=400, deadline=None)
@given(st.lists(_POLICY_CHARS, max_size=8).map("".join), st.lists(_POLICY_CHARS, max_size=8).map("".join))
def test_policy_vs_policy_match_agrees_with_the_product_search(x, y):
    a, b = policy_tokens(x), policy_tokens(y)
    assert policy_meets_format(a, b) == tokens_intersect.__wrapped__(a, b)


def _fields_by_scan(text):
    """The character scan parse_arn uses for ARNs with variables, applied to any text."""
    fields, start, i, n = [], 0, 0, len(text)
    while i <= n and len(fields) < 5:
        if i == n or text[i] == ":":
            fields.append((text[start:i], start, i))
            start = i + 1
            if i == n:
                return fields
        i += 1
    fields.append((text[start:], start, n))
    return fields


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", ":", "/", "*", "::"]), max_size=12).map(lambda xs: "arn:" + "".join(xs)))
def test_plain_arn_split_matches_the_scan(text):
    p = parse_arn(text)
    assert [(f.value, f.start, f.end) for f in p.fields] == _fields_by_scan(text)
    assert p.service == (p.fields[2].value if len(p.fields) > 2 else "")


def test_parse_is_shared_and_variables_keep_their_colons():
    assert parse_arn("arn:aws:s3:::b") is parse_arn("arn:aws:s3:::b")  # cached, immutable
    p = parse_arn("arn:aws:iam::${aws:PrincipalAccount}:role/x")
    assert p.account == "${aws:PrincipalAccount}" and p.resource == "role/x"


def test_candidate_formats_equal_resource_part_matching_on_every_format():
    kb = knowledge_base()
    for arn in ("arn:aws:s3:::b/*", "arn:aws:ec2:*:*:instance/*", "arn:aws:iam::*:role/aws-service-role/*",
                "arn:aws:logs:*:*:log-group:/aws/x:*", "arn:aws:dynamodb:*:*:table/T/index/*"):
        parsed = parse_arn(arn)
        expected = [ref for ref in formats_for_service(kb, parsed.service)
                    if resource_part_matches.__wrapped__(parsed.resource, ref.parsed.resource)]
        assert candidate_formats(kb, parsed) == expected and expected, arn
