"""ARN parsing (fields with offsets) and tolerant matching against resource-type formats."""

from __future__ import annotations

from iam_lsp.core.arn import (
    action_accepts,
    arn_matches_format,
    candidate_formats,
    parse_arn,
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
