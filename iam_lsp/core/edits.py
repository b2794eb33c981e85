"""Text edits that remove a JSON member or array element cleanly, shared by the rules' fixes."""

from __future__ import annotations

import bisect

from iam_lsp.core.findings import Edit
from iam_lsp.core.jsontree import Member, Node
from iam_lsp.core.text import Span


def remove_member_edit(obj: Node, member: Member) -> Edit:
    """Delete `member` from `obj` together with the comma that separates it from a neighbour."""
    members = obj.members
    i = next(k for k, m in enumerate(members) if m is member)
    if i + 1 < len(members):  # delete "member, " up to the next key
        return Edit(Span(member.key_node.start, members[i + 1].key_node.start), "")
    if i > 0:  # the last member: delete ", member"
        prev = members[i - 1]
        prev_end = prev.value.end if prev.value is not None else prev.key_node.end
        return Edit(Span(prev_end, member.span.end), "")
    return Edit(member.span, "")


def remove_item_edit(item: Node) -> Edit:
    """Delete an array element together with one separating comma (its parent must be the array)."""
    items = item.parent.items if item.parent is not None else []
    # Items are in source order: a binary search keeps removing many elements linear overall.
    i = bisect.bisect_left(items, item.start, key=lambda n: n.start)
    if i >= len(items) or items[i] is not item:
        return Edit(item.span, "")
    if i + 1 < len(items):  # delete "item, " up to the next element
        return Edit(Span(item.start, items[i + 1].start), "")
    if i > 0:  # the last element: delete ", item"
        return Edit(Span(items[i - 1].end, item.end), "")
    return Edit(item.span, "")
