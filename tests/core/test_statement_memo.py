"""Statement-scoped rules and the server's per-document StatementMemo.

A rule marked scope="statement" must find on a document exactly the union of what it finds on each
statement alone; analyze() with a memo must give exactly the findings of a fresh analysis, whatever edits
came before.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from iam_lsp.core.analyze import StatementMemo, analyze
from iam_lsp.core.config import Config
from iam_lsp.core.context import Context
from iam_lsp.core.jsontree import parse
from iam_lsp.core.model import Policy, build_policy
from iam_lsp.core.policytype import PolicyType, detect
from iam_lsp.core.rules import all_rules

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


def _example_statements() -> dict[str | None, list[tuple[dict, dict]]]:
    """(statement, top-level members) of every rule example, by the type the examples are analysed as."""
    out: dict[str | None, list[tuple[dict, dict]]] = {}
    for r in all_rules():
        for example in (r.bad, r.good):
            try:
                doc = json.loads(example)
            except ValueError:
                continue  # the syntax rules' examples are not JSON
            if not isinstance(doc, dict):
                continue
            sts = doc.get("Statement")
            for st in sts if isinstance(sts, list) else [sts]:
                if isinstance(st, dict):
                    top = {k: v for k, v in doc.items() if k != "Statement"}
                    out.setdefault(r.example_type.value if r.example_type else None, []).append((st, top))
    return out


def mixtures(seed: int = 2026, per_statement: int = 2) -> list[tuple[str, PolicyType | None]]:
    """Documents mixing each example statement with 1-3 statements of other examples."""
    rnd = random.Random(seed)
    docs = []
    for ptype, pool in _example_statements().items():
        for st, top in pool:
            for _ in range(per_statement):
                sts = [st] + [other for other, _ in rnd.sample(pool, min(len(pool), rnd.randint(1, 3)))]
                rnd.shuffle(sts)
                docs.append((json.dumps({**top, "Statement": sts}, indent=2), PolicyType(ptype) if ptype else None))
    return docs


def _run(rule, text: str, tree, policy: Policy, det, config: Config) -> list:
    ctx = Context(text, tree, policy, det, config, None)
    ctx.begin(rule, rule.severity, rule.options)
    rule.check(ctx)
    return ctx.findings


def test_statement_scoped_rules_find_the_union_of_what_they_find_per_statement() -> None:
    config = Config()
    local = [r for r in all_rules() if r.scope == "statement"]
    assert len(local) > 100
    checked = 0
    for text, ptype in mixtures():
        tree = parse(text)
        policy = build_policy(tree)
        det = detect(policy, None, ptype, ())
        for r in local:
            if not r.applies_to(det.type):
                continue
            whole = _run(r, text, tree, policy, det, config)
            parts = []
            for st in policy.statements:
                alone = Policy.build(**{**policy.__dict__, "statements": [st]})
                parts.extend(_run(r, text, tree, alone, det, config))
            assert sorted(whole, key=repr) == sorted(parts, key=repr), (r.code, text)
            checked += bool(whole)
    assert checked > 100  # the mixtures do make the rules fire


def _corpus_texts(step: int) -> list[tuple[str, str]]:
    files = sorted((CORPUS / "managed").glob("*.json"))[::step] + sorted((CORPUS / "trust").glob("*.json"))
    return [(str(p), p.read_text(encoding="utf-8")) for p in files]


def test_a_memo_gives_the_findings_of_a_fresh_analysis_on_the_corpus() -> None:
    hits = 0
    for path, text in _corpus_texts(step=3):
        memo = StatementMemo()  # one per document, as the server keeps them
        fresh = analyze(text, path=path).findings
        assert analyze(text, path=path, memo=memo).findings == fresh, path
        assert analyze(text, path=path, memo=memo).findings == fresh, path  # second time: from the memo
        hits += memo.hits
    assert hits > 1000


def test_a_memo_keeps_one_copy_of_each_context_and_forgets_when_there_are_many() -> None:
    memo = StatementMemo()
    text = _big_policy()
    for i in range(70):  # typing in the Id: a new context each time
        edited = text.replace('"Version"', f'"Id": "x{i}", "Version"', 1)
        assert analyze(edited, memo=memo).findings == analyze(edited).findings
    assert len(memo._bases) <= 64


def _big_policy() -> str:
    return (CORPUS / "managed" / "SageMakerStudioAdminIAMDefaultExecutionPolicy.json").read_text(encoding="utf-8")


EDITS = [
    ("change an action", lambda t: t.replace('"iam:PassRole"', '"iam:PassRoles"', 1)),
    ("add a statement in front", lambda t: t.replace('"Statement": [', '"Statement": [{"Effect": "Allow", '
                                                     '"Action": "s3:GetObjekt", "Resource": "*"}, ', 1)),
    ("remove the first statement", lambda t: json.dumps({**json.loads(t), "Statement": json.loads(t)["Statement"][1:]},
                                                        indent=4)),
    ("change the Version", lambda t: t.replace('"2012-10-17"', '"2008-10-17"', 1)),
    ("non-ASCII before a statement", lambda t: t.replace('"Statement": [', '"Statement":  [', 1).replace(
        '"Version"', '"Id": "é😀", "Version"', 1)),
    ("a broken document", lambda t: t[: len(t) // 2]),
]


@pytest.mark.parametrize("name,edit", EDITS, ids=[e[0] for e in EDITS])
def test_a_memo_stays_exact_through_edits(name: str, edit) -> None:
    memo = StatementMemo()
    text = _big_policy()
    assert analyze(text, memo=memo).findings == analyze(text).findings
    hits = memo.hits
    edited = edit(text)
    assert edited != text
    assert analyze(edited, memo=memo).findings == analyze(edited).findings
    if name == "change an action":
        assert memo.hits > hits  # the statements the edit did not touch came from the memo
        assert memo.misses <= len(json.loads(text)["Statement"]) + 1


def test_the_memo_is_bounded() -> None:
    memo = StatementMemo(max_entries=5)
    analyze(_big_policy(), memo=memo)
    assert len(memo._entries) <= 5
