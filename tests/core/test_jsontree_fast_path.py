"""The strict fast path of `parse` must build exactly the tree the tolerant parser builds, and hand
anything that is not well-formed JSON (or has duplicate keys) to the tolerant parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iam_lsp.core.jsontree import Node, _parse_valid, parse, parse_tolerant

ROOT = Path(__file__).resolve().parents[2]


def shape(node: Node | None, parent: Node | None = None) -> list:
    """Everything the parser sets on a tree, flattened (and checking parent links on the way)."""
    if node is None:
        return [None]
    assert node.parent is parent
    out: list = [(node.kind, node.start, node.end, node.value, node.terminated, node._raw_escapes, node._offsets)]
    for m in node.members:
        assert m.key_node.parent is node
        out.append((m.key, m.colon, m.key_node.start, m.key_node.end, m.key_node.value, m.key_node._offsets))
        out.extend(shape(m.value, node))
    for item in node.items:
        out.extend(shape(item, node))
    return out


def assert_same_as_tolerant(text: str) -> None:
    fast = _parse_valid(text)
    slow = parse_tolerant(text)
    if fast is None:
        return
    assert not slow.errors and not slow.duplicates and not slow.comments
    assert shape(fast.root) == shape(slow.root)
    assert fast.max_depth == slow.max_depth


@pytest.mark.parametrize("text", [
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}',
    '{"a": "caf\\u00e9 \\"q\\" \\\\ \\/", "b": [1, -2.5e3, true, false, null, {}, []], "c": {"d": {}}}',
    '\ufeff  {"a": "ünïcødé 🎉"}\n\n',
    "[]",
    '{"\\u0041": 1}',
])
def test_well_formed_documents_take_the_fast_path_with_the_same_tree(text: str) -> None:
    assert _parse_valid(text) is not None
    assert_same_as_tolerant(text)


@pytest.mark.parametrize("text", [
    "", "   ", '"just a string"', "42",
    '{"a": 1,}', '{"a": 1} x', '{"a": 1}}', '{"a" x: 1}', '{"a": 01}', '{"a": 1.}', '{"a": tru}',
    '{"a": 1 "b": 2}', '{"a": 1, "a": 2}', '{"a": "x\ny"}', '{"a": "\\q"}', '{"a": 1 // c\n}',
    '{"a": [1, 2}', '{"a": 1', '{"a": "unterminated}', "{'a': 1}", '{"a": NaN}', '{"a": -}', '{a: 1}',
    '{"a": 1e5x}', '[1 2]', '[,]', '{"a"}', '{"a":}', '{:1}', '{"a": 1}{"b": 2}',
])
def test_anything_else_goes_to_the_tolerant_parser(text: str) -> None:
    assert _parse_valid(text) is None
    result = parse(text)
    assert shape(result.root) == shape(parse_tolerant(text).root)
    assert result.errors == parse_tolerant(text).errors


def test_every_corpus_and_example_document_gets_the_same_tree() -> None:
    files = sorted((ROOT.parent / "shared" / "corpus").glob("*/*.json")) + sorted((ROOT / "examples").rglob("*.json"))
    assert files
    for path in files:
        assert_same_as_tolerant(path.read_text(encoding="utf-8"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2]), st.booleans())
def test_generated_json_parses_the_same_both_ways(value: object, indent: int | None, ascii_only: bool) -> None:
    text = json.dumps({"root": value}, indent=indent, ensure_ascii=ascii_only)
    assert _parse_valid(text) is not None
    assert_same_as_tolerant(text)


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(min_value=0, max_value=200), st.sampled_from(list('{}[]:,"\\ x1-')))
def test_damaged_json_never_differs_from_the_tolerant_parser(value: object, where: int, char: str) -> None:
    text = json.dumps({"root": value})
    where = min(where, len(text))
    for damaged in (text[:where] + char + text[where:], text[:where] + text[where + 1:]):
        fast = _parse_valid(damaged)
        if fast is None:
            continue
        json.loads(damaged)  # the fast path only accepts well-formed JSON
        assert_same_as_tolerant(damaged)
