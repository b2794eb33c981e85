"""Redundancy rules (IAM9xx): spans, tags, and the removal fixes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

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


# --- time roughly linear in the document's size (these families were quadratic at some point) ---------

BIG = Path("/work/shared/corpus/managed/AWSSupportServiceRolePolicy.json")  # 230 KB, ~4,500 actions


def _family_seconds(text: str) -> float:
    """CPU seconds of the IAM6xx, IAM7xx and IAM9xx rules (every one, off-by-default ones included) on
    `text`, best of three after a warm-up run (parsing is left out: it is not these rules' cost)."""
    from iam_lsp.core.context import Context
    from iam_lsp.core.jsontree import parse
    from iam_lsp.core.model import build_policy
    from iam_lsp.core.policytype import PolicyType, detect
    from iam_lsp.core.rules import all_rules

    tree = parse(text)
    policy = build_policy(tree)
    config = Config(select=["IAM6", "IAM7", "IAM9"])
    detection = detect(policy, None, PolicyType.IDENTITY, {})
    rules = [r for r in all_rules() if r.code[3] in "679" and r.applies_to(detection.type)]

    def once() -> float:
        ctx = Context(text, tree, policy, detection, config)
        start = time.process_time()
        for r in rules:
            ctx.begin(r)
            r.check(ctx)
        return time.process_time() - start

    once()
    return min(once() for _ in range(3))


def _quarter(data: dict) -> dict:
    """The first quarter of every Action and Resource list."""
    out = []
    for st in data["Statement"]:
        st = dict(st)
        for key in ("Action", "Resource"):
            if isinstance(st.get(key), list):
                st[key] = st[key][:max(1, len(st[key]) // 4)]
        out.append(st)
    return {**data, "Statement": out}


def _assert_linear(small: str, large: str) -> None:
    size_ratio = len(large) / len(small)
    assert size_ratio > 3
    t_small, t_large = _family_seconds(small), _family_seconds(large)
    # Linear: ~size_ratio; quadratic would be ~size_ratio squared. Twice the size ratio leaves room for noise.
    assert t_large < 2 * size_ratio * t_small + 0.01, (t_small, t_large, size_ratio)


def test_big_managed_policy_time_is_linear_in_size():
    if not BIG.exists():
        pytest.skip("corpus not available")
    large = BIG.read_text(encoding="utf-8")
    small = json.dumps(_quarter(json.loads(large)), indent=4)
    assert len(large) > 100_000
    _assert_linear(small, large)


SENSITIVE = ("s3:GetObject", "iam:CreateAccessKey", "iam:PutUserPolicy", "kms:PutKeyPolicy", "ssm:GetParameter")


def _many_statements(n: int) -> str:
    """n statements mixing duplicates, PassRole, NotAction, blanket Denies and bucket ARNs (a stress shape)."""
    sts = []
    for i in range(n):
        acts = [f"s3:Get{i}Object", f"ec2:Describe{i}*", "iam:PassRole" if i % 3 else "s3:PutBucketPolicy",
                SENSITIVE[i % len(SENSITIVE)]]
        res = "*" if i % 4 else [f"arn:aws:s3:::b{i}", f"arn:aws:s3:::b{i}/*", "arn:aws:iam::*:role/*"]
        sts.append({"Sid": f"S{i}", "Effect": "Allow", "Action": acts, "Resource": res})
        if i % 10 == 0:
            sts.append({"Effect": "Allow", "NotAction": acts, "Resource": "*"})
            sts.append({"Effect": "Deny", "Action": acts[:1], "Resource": "*"})
            sts.append(dict(sts[-3], Sid=f"Again{i}"))  # a duplicate statement
    return json.dumps({"Version": "2012-10-17", "Statement": sts}, indent=2)


def test_many_statements_time_is_linear_in_count():
    _assert_linear(_many_statements(200), _many_statements(800))


def test_covers_agrees_with_the_regex_definition():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from iam_lsp.core.rules.redundancy import _cover_regex

    text = st.text(alphabet="aAsS*?:/-.\n\u017f\u00e9", max_size=9)

    @settings(max_examples=800, deadline=None)
    @given(text, text, st.booleans())
    def check(a: str, b: str, fold: bool) -> None:
        assert covers(a, b, fold) == bool(_cover_regex(a, fold).match(b))

    check()


def test_duplicate_statement_grouping_equals_comparing_every_signature():
    # IAM900 compares full signatures only within groups sharing a cheap key; the findings must be those of
    # comparing every statement's signature with all earlier ones.
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from iam_lsp.core.rules.redundancy import statement_signature

    action = st.sampled_from(["s3:GetObject", "S3:GETOBJECT", "s3:Get*", "ec2:*", 1, None])
    value = st.one_of(action, st.lists(action, max_size=3))
    statement = st.fixed_dictionaries(
        {"Effect": st.sampled_from(["Allow", "Deny", True, 1])},
        optional={"Sid": st.sampled_from(["A", "B"]), "Action": value, "NotAction": value,
                  "Resource": st.sampled_from(["*", ["*"], ["arn:aws:s3:::b", "*"]]),
                  "Condition": st.sampled_from([{}, {"Bool": {"aws:SecureTransport": ["true"]}}])})

    @settings(max_examples=300, deadline=None)
    @given(st.lists(statement, min_size=2, max_size=6))
    def check(statements: list[dict]) -> None:
        text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=1)
        found = [(f.span.start, f.related[0].span.start) for f in run(text, "IAM900")]
        policy = analyze(text).policy
        seen: dict[object, object] = {}
        expected = []
        for s in policy.statements:
            sig = statement_signature(s)
            if sig is None:
                continue
            first = seen.setdefault(sig, s)
            if first is not s:
                expected.append((s.node.start, first.node.start))
        assert found == expected

    check()
