"""Redundancy rules (IAM9xx): spans, tags, and the removal fixes."""

from __future__ import annotations

import json

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.rules.redundancy import covers


def run(text: str, code: str):
    return [f for f in analyze(text, config=Config(select=[code])).findings if f.code == code]


def apply(text: str, finding) -> str:
    [edit] = finding.fixes[0].edits
    return text[:edit.span.start] + edit.new_text + text[edit.span.end:]


def test_covers_pattern_inclusion():
    assert covers("s3:*", "s3:Get*", True)
    assert covers("s3:Get*", "S3:GETOBJECT", True)
    assert not covers("s3:Get?", "s3:Get*", True)  # '?' is one character, the other entry many
    assert not covers("s3:GetObject", "s3:Get*", True)
    assert covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}/*", False)
    assert not covers("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", False)  # ARNs are case-sensitive


def test_redundant_action_middle_element_fix():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:GetObject", "s3:PutObject"], "Resource": "*"}]}'
    [f] = run(text, "IAM901")
    assert text[f.span.start:f.span.end] == '"s3:GetObject"'
    assert f.tags == ("unnecessary",)
    assert text[f.related[0].span.start:f.related[0].span.end] == '"s3:Get*"'
    assert apply(text, f) == text.replace('"s3:GetObject", ', "")
    json.loads(apply(text, f))


def test_redundant_action_last_element_and_case_duplicate():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [\n  "s3:GetObject",\n  "S3:getobject"\n], "Resource": "*"}]}'
    [f] = run(text, "IAM901")
    assert text[f.span.start:f.span.end] == '"S3:getobject"'
    assert "repeats" in f.message
    fixed = apply(text, f)
    assert fixed == text.replace(',\n  "S3:getobject"', "")
    json.loads(fixed)


def test_redundant_action_in_not_action_and_string_shape_quiet():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "iam:ChangePassword"], "Resource": "*"}]}'
    assert [text[f.span.start:f.span.end] for f in run(text, "IAM901")] == ['"iam:ChangePassword"']
    single = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}'
    assert run(single, "IAM901") == []


def test_redundant_resource_star_covers_all_but_variables_are_text():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/${aws:username}/*", "*"]}]}'
    [f] = run(text, "IAM902")
    assert text[f.span.start:f.span.end] == '"arn:aws:s3:::b/${aws:username}/*"'
    json.loads(apply(text, f))
    distinct = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/shared/*"]}]}'
    assert run(distinct, "IAM902") == []


def test_duplicate_statement_ignores_sid_order_and_shape():
    text = ('{"Version": "2012-10-17", "Statement": [\n'
            '  {"Sid": "A", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*"},\n'
            '  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},\n'
            '  {"Sid": "B", "Effect": "Allow", "Action": ["S3:GetObject", "s3:PutObject"], "Resource": ["*"]}\n]}')
    [f] = run(text, "IAM900")
    dup = text[f.span.start:f.span.end]
    assert dup.startswith('{"Sid": "B"') and dup.endswith("}")
    assert text[f.related[0].span.start:f.related[0].span.end].startswith('{"Sid": "A"')
    fixed = apply(text, f)
    assert len(json.loads(fixed)["Statement"]) == 2 and '"Sid": "B"' not in fixed


def test_duplicate_statement_differs_by_effect_or_condition():
    a = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    b = {**a, "Effect": "Deny"}
    c = {**a, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    text = json.dumps({"Version": "2012-10-17", "Statement": [a, b, c]})
    assert run(text, "IAM900") == []
