"""Removal edits shared by the rules' fixes leave valid JSON behind."""

from __future__ import annotations

import json

from iam_lsp.core.edits import remove_item_edit, remove_member_edit
from iam_lsp.core.findings import Fix
from iam_lsp.core.jsontree import parse


def after(text: str, edit) -> object:
    return json.loads(Fix("x", (edit,)).apply(text))


def test_remove_member_first_middle_last_and_only():
    text = '{"a": 1, "b": [2], "c": {"d": 3}}'
    root = parse(text).root
    for m, expected in zip(root.members, ({"b": [2], "c": {"d": 3}}, {"a": 1, "c": {"d": 3}}, {"a": 1, "b": [2]}),
                           strict=True):
        assert after(text, remove_member_edit(root, m)) == expected
    only = '{"a": 1}'
    r = parse(only).root
    assert after(only, remove_member_edit(r, r.members[0])) == {}


def test_remove_item_first_middle_last_and_only():
    text = '["x", "y", "z"]'
    arr = parse(text).root
    for node, expected in zip(arr.items, (["y", "z"], ["x", "z"], ["x", "y"]), strict=True):
        assert after(text, remove_item_edit(node)) == expected
    only = '["x"]'
    assert after(only, remove_item_edit(parse(only).root.items[0])) == []
