"""Pins the exact range and message of every rule's finding on its bad example.

The snapshot lives in tests/core/snapshots/rule_examples.json. After a deliberate change, regenerate it
with `IAM_LSP_UPDATE_SNAPSHOTS=1 python -m pytest tests/core/test_rule_ranges.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.rules import all_rules
from iam_lsp.core.text import LineIndex

SNAPSHOT = Path(__file__).parent / "snapshots" / "rule_examples.json"
RULES = all_rules()


def findings_of(rule) -> list[dict]:
    result = analyze(rule.bad, config=Config(enable=[rule.code]), policy_type=rule.example_type)
    lines = LineIndex(rule.bad)
    out = []
    for f in result.findings:
        if f.code != rule.code:
            continue
        s, e = lines.position(f.span.start), lines.position(f.span.end)
        out.append({"range": f"{s.line + 1}:{s.column + 1}-{e.line + 1}:{e.column + 1}",
                    "text": rule.bad[f.span.start:f.span.end][:120], "message": f.message})
    return out


def current() -> dict[str, list[dict]]:
    return {r.code: findings_of(r) for r in RULES}


def test_snapshot_covers_every_rule():
    if os.environ.get("IAM_LSP_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    saved = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(saved) == [r.code for r in RULES]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_bad_example_findings_match_the_snapshot(rule):
    saved = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert findings_of(rule) == saved[rule.code]
    assert saved[rule.code], f"{rule.code} has no finding on its bad example"
