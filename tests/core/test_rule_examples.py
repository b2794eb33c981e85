"""Every rule's bad example must make it fire and its good example must not."""

from __future__ import annotations

import pytest

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.rules import all_rules

RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_bad_example_fires(rule):
    result = analyze(rule.bad, config=Config(enable=[rule.code]), policy_type=rule.example_type)
    codes = {f.code for f in result.findings}
    assert rule.code in codes, f"{rule.code} did not fire on its bad example; got {sorted(codes)}"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_good_example_is_quiet(rule):
    result = analyze(rule.good, config=Config(enable=[rule.code]), policy_type=rule.example_type)
    hits = [f for f in result.findings if f.code == rule.code]
    assert not hits, f"{rule.code} fired on its good example: {[f.message for f in hits]}"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_metadata_is_complete(rule):
    assert rule.code.startswith("IAM") and len(rule.code) == 6
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.title and "\n" not in rule.title
    assert len(rule.explanation) > 40
    assert rule.bad.strip() != rule.good.strip()
