"""Property tests on the core: parse/analyze/hover/complete never raise and keep every range in bounds."""

from __future__ import annotations

import json
import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_lsp.core.analyze import analyze
from iam_lsp.core.complete import complete_at
from iam_lsp.core.hover import hover_at
from iam_lsp.core.jsontree import parse
from tests.reliability.corpus import TOKENS, apply, random_edit, sample_policies, walk

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any code point, NUL and lone surrogates included (st.characters excludes surrogates by default).
any_char = st.characters(codec=None, categories=None) | st.sampled_from(["\x00", "\ud800", "\udfff", "\r"])
any_text = st.text(any_char, max_size=300)
json_ish = st.lists(st.sampled_from(TOKENS + ("true", "false", "0", "-", "e", "x", "/*", "*/", "//")),
                    max_size=80).map("".join)
POLICIES = sample_policies(30)


@st.composite
def mutated_policy(draw) -> str:
    text = draw(st.sampled_from(POLICIES))
    rng = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(0, 6))):
        text = apply(text, random_edit(rng, text))
    return text


def check_tree(text: str) -> None:
    tree = parse(text)
    n = len(text)
    for issue in tree.errors:
        assert 0 <= issue.span.start <= issue.span.end <= n, (issue, n)
    for node in walk(tree.root):
        assert 0 <= node.start <= node.end <= n, (node, n)
        for m in node.members:
            assert node.start <= m.key_node.start and m.span.end <= node.end or not node.terminated
    if tree.root is not None:
        # Everything before/after the root is whitespace, comments or reported as an error.
        assert text[:tree.root.start].strip() == "" or tree.errors or tree.comments
        assert text[tree.root.end:].strip() == "" or tree.errors or tree.comments


def check_analysis(text: str) -> None:
    first = analyze(text)
    n = len(text)
    for f in first.findings:
        assert 0 <= f.span.start <= f.span.end <= n, (f.code, f.span, n)
        for r in f.related:
            assert 0 <= r.span.start <= r.span.end <= n, (f.code, r.span, n)
        for fix in f.fixes:
            for e in fix.edits:
                assert 0 <= e.span.start <= e.span.end <= n, (f.code, e.span, n)
    assert not [f for f in first.findings if f.code == "IAM000"], "a rule crashed"
    again = analyze(text)
    assert [(f.code, f.span, f.message) for f in again.findings] == \
           [(f.code, f.span, f.message) for f in first.findings]


@FAST
@given(any_text)
def test_parse_never_raises_on_any_text(text):
    check_tree(text)


@FAST
@given(json_ish)
def test_parse_never_raises_on_json_tokens(text):
    check_tree(text)


@FAST
@given(mutated_policy())
def test_parse_of_mutated_policies(text):
    check_tree(text)


def test_root_covers_a_valid_document():
    for text in POLICIES[:10]:
        tree = parse(text)
        assert not tree.errors
        assert tree.root.start == len(text) - len(text.lstrip())
        assert tree.root.end == len(text.rstrip())
        assert tree.root.to_python() == json.loads(text)


@SLOW
@given(any_text)
def test_analyze_any_text(text):
    check_analysis(text)


@SLOW
@given(json_ish)
def test_analyze_json_tokens(text):
    check_analysis(text)


@SLOW
@given(mutated_policy())
def test_analyze_mutated_policies(text):
    check_analysis(text)


@SLOW
@given(mutated_policy(), st.data())
def test_hover_and_completion_anywhere(text, data):
    analysis = analyze(text)
    offsets = data.draw(st.lists(st.integers(-2, len(text) + 2), min_size=1, max_size=8))
    for off in offsets:
        h = hover_at(text, off, analysis=analysis)
        if h is not None:
            assert 0 <= h.span.start <= h.span.end <= len(text)
            assert h.markdown
        res = complete_at(text, off)
        for c in res.items:
            assert c.label
            if c.replace_span is not None:
                assert 0 <= c.replace_span.start <= c.replace_span.end <= len(text), (c.label, c.replace_span)


def _cpu_time(text: str, reps: int = 3) -> float:
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        analyze(text)
        best = min(best, time.process_time() - t0)
    return max(best, 1e-3)


def _assert_roughly_linear(make, sizes=(1, 2, 4, 8)) -> None:
    times = [_cpu_time(make(k)) for k in sizes]
    # 8x the input may cost at most 40x the time (linear would be 8x): catches quadratic blow-ups only.
    assert times[-1] <= 40 * times[0], times


def _statements(k: int) -> str:
    stmts = []
    for text in POLICIES[:6]:
        doc = json.loads(text)
        body = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
        stmts.extend(body)
    return json.dumps({"Version": "2012-10-17", "Statement": stmts * (4 * k)})


def test_time_is_roughly_linear_in_statement_count():
    _assert_roughly_linear(_statements)


def test_time_is_roughly_linear_in_repeated_statements():
    # Identical unconditional Allows: every one is a duplicate (fix edits) and a risk finding.
    one = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    _assert_roughly_linear(lambda k: json.dumps({"Version": "2012-10-17", "Statement": [one] * (60 * k)}))


def test_deep_statement_does_not_crash_a_rule():
    text = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": '
            + "[" * 5000 + "]" * 5000 + "}, {}]}")
    codes = {f.code for f in analyze(text).findings}
    assert "IAM000" not in codes, codes


def test_time_is_roughly_linear_in_string_length():
    _assert_roughly_linear(lambda k: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:GetObject", "s3:" + "Get" * 3000 * k],
        "Resource": ["arn:aws:s3:::" + "b" * 10000 * k, "*"]}]}))


def test_time_is_roughly_linear_in_nesting_depth():
    _assert_roughly_linear(lambda k: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                           '"Action": "s3:*", "Resource": ' + "[" * 2000 * k + "]" * 2000 * k + "}]}")
