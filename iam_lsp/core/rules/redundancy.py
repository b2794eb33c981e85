"""Redundancy and style rules (IAM9xx): duplicate statements, actions and resources covered by a wildcard.

Each finding is tagged "unnecessary" (editors fade the text) and carries a fix that deletes the redundant
entry together with its separating comma.
"""

from __future__ import annotations

import re
from functools import lru_cache

from iam_lsp.core.context import Context
from iam_lsp.core.edits import remove_item_edit
from iam_lsp.core.findings import Fix, Related
from iam_lsp.core.jsontree import ARRAY, OBJECT, STRING, Node
from iam_lsp.core.model import Item, Statement
from iam_lsp.core.rules.base import rule
from iam_lsp.core.rules.risk import facts, glob_match

UNCOVERED: dict[int, str] = {}

_UNNECESSARY = ("unnecessary",)


def _remove_fix(title: str, node: Node) -> list[Fix]:
    parent = node.parent
    if parent is None or parent.kind != ARRAY or len(parent.items) < 2:
        return []  # the only element: removing it would leave an empty list
    return [Fix(title, (remove_item_edit(node),))]


# --- duplicate statements ------------------------------------------------------------------------------

_LISTS = ("Action", "NotAction", "Resource", "NotResource")


def _canon(value: object, key: str | None = None) -> object:
    """A comparable form: string-or-list shapes become sorted tuples; actions compare case-insensitively.

    Only equality of the results matters (they are dict keys), so a list of strings, the usual case,
    becomes its sorted set without the repr-keyed dedup that mixed lists need.
    """
    if isinstance(value, str):
        return value.lower() if key in ("Action", "NotAction") else value
    if isinstance(value, dict):
        return tuple(sorted((k, _canon(v, k)) for k, v in value.items()))
    if isinstance(value, list):
        parts = [_canon(v, key) for v in value]
        if all(type(v) is str for v in parts):
            return tuple(sorted(set(parts)))
        return tuple(sorted({repr(v): v for v in parts}.values(), key=repr))
    return value


_SIGNATURES: dict[str, object] = {}


def _signature_of_text(text: str, st: Statement) -> object:
    sig = _SIGNATURES.get(text, _SIGNATURES)
    if sig is _SIGNATURES:
        if len(_SIGNATURES) > 1024:  # texts come from documents: bound the cache
            _SIGNATURES.clear()
        sig = _SIGNATURES[text] = statement_signature(st)
    return sig


def statement_signature(st: Statement) -> object:
    data = st.node.to_python()
    if not isinstance(data, dict):
        return None
    data = {k: v for k, v in data.items() if k != "Sid"}
    for k in _LISTS:  # "x" and ["x"] mean the same
        if isinstance(data.get(k), str):
            data[k] = [data[k]]
    try:
        return _canon(data)
    except RecursionError:  # nested thousands deep: broken input, not worth comparing
        return None


@rule(
    "IAM900", "duplicate-statement", "A statement repeats another statement's permissions", "suggestion",
    """
    Two statements with the same Effect, actions, resources, principals and conditions (only the Sid or the
    order of list entries differing) grant the same thing twice (Access Analyzer REDUNDANT_STATEMENT).
    Remove the duplicate: it costs policy size and makes later edits error-prone.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "Again", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(26,), tags=_UNNECESSARY,
)
def duplicate_statement(ctx: Context) -> None:
    # Full signatures only within groups of statements that agree on a cheap key: most documents have
    # none, and building the signature of every statement was most of this rule's time.
    groups: dict[object, list[Statement]] = {}
    for st in ctx.statements:
        groups.setdefault(_quick_key(ctx, st), []).append(st)
    pairs: list[tuple[Statement, Statement]] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        seen: dict[object, Statement] = {}
        for st in group:
            # Cached by the statement's text: while a document is edited, most statements are unchanged.
            sig = _signature_of_text(ctx.text[st.node.start:st.node.end], st)
            if sig is None:
                continue
            first = seen.setdefault(sig, st)
            if first is not st:
                pairs.append((st, first))
    order = {id(st): n for n, st in enumerate(ctx.statements)}
    for st, first in sorted(pairs, key=lambda pair: order[id(pair[0])]):
        ctx.report(st.node, f"{st.label().capitalize()} repeats the permissions of {first.label()}: remove it",
                   fixes=_remove_fix("Remove the duplicate statement", st.node),
                   related=[Related(first.node.span, "the first statement")])


def _quick_key(ctx: Context, st: Statement) -> object:
    """A key that statements with equal signatures share: their element names (Sid aside), the Effect value
    and the set of lowered Action strings. Read from the tree as `to_python` would (the last of duplicate
    keys wins, members without a value are skipped)."""
    node = st.node
    if node.kind != OBJECT:
        return None
    top = {m.key: m.value for m in node.members if m.value is not None}
    effect = top.get("Effect")
    action = top.get("Action")
    if action is None:
        acts: object = None
    elif action.kind == STRING:
        acts = frozenset((action.value.lower(),))
    elif action.kind == ARRAY and len((sf := facts(ctx).of(st)).actions) == len(action.items):  # only strings
        acts = sf.index.lowered  # shared by content: unchanged lists cost nothing on a re-run
    else:
        acts = "other"  # mixed or nested: compared by the full signature
    scalar = effect is not None and effect.kind not in (OBJECT, ARRAY)
    return frozenset(k for k in top if k != "Sid"), effect.value if scalar else None, acts


# --- entries covered by a wildcard ------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _cover_regex(pattern: str, fold: bool) -> re.Pattern[str]:
    # The pattern's '*' matches anything (wildcards of the other entry included); its '?' matches one
    # character but not a '*' of the other entry (which stands for many); literals match only literals.
    rx = "".join(".*" if c == "*" else "[^*]" if c == "?" else re.escape(c) for c in pattern)
    return re.compile("^" + rx + "$", (re.IGNORECASE if fold else 0) | re.S)


def covers(a: str, b: str, fold: bool) -> bool:
    """Whether every value matched by pattern `b` is matched by pattern `a` (b may itself have wildcards).

    Matched without a regex where that gives the same answer (compiling one per wildcard entry dominated
    the first analysis of a document): case-folded text only when ASCII, and never a `b` ending in a
    newline, which the regex's `$` treats specially.
    """
    if b.endswith("\n") or (fold and not (a.isascii() and b.isascii())):
        return bool(_cover_regex(a, fold).match(b))
    return glob_match(a.lower(), b.lower(), star_safe=True) if fold else glob_match(a, b, star_safe=True)


def _redundant_items(items: list[Item], fold: bool) -> list[tuple[Item, Item]]:
    """(redundant item, the item covering it); of two equal entries the later one is redundant."""
    strs = [i for i in items if i.is_string]
    if len(strs) < 2:  # a single entry repeats or is covered by nothing (most lists are one "*" or one ARN)
        return []
    pairs = _redundant_positions(tuple(i.text for i in strs), fold)  # type: ignore[misc]
    return [(strs[b], strs[a]) for b, a in pairs]


@lru_cache(maxsize=1024)
def _redundant_positions(texts: tuple[str, ...], fold: bool) -> tuple[tuple[int, int], ...]:
    """(position of a redundant entry, position of the entry covering it) in a list of strings.

    Cached by content: while a document is edited, every list but the one being typed in is unchanged.
    Only wildcard entries can cover a different entry, so each entry is checked against those (after a
    cheap literal-prefix test) and against earlier equal entries: lists of thousands of actions stay fast.
    """
    keys = [t.lower() for t in texts] if fold else list(texts)
    # Wildcard entries (position, key) by their literal head, the text before the first wildcard.
    wild: dict[str, list[tuple[int, str]]] = {}
    for n, (a, ka) in enumerate(zip(texts, keys, strict=True)):
        if "*" in a or "?" in a:
            wild.setdefault(ka[:_head(a)], []).append((n, ka))
    head_lengths = sorted({len(h) for h in wild})  # only these prefixes can hit: long entries stay linear
    first: dict[str, int] = {}
    out = []
    for n, kb in enumerate(keys):
        earlier = first.setdefault(kb, n)
        if earlier != n:
            out.append((n, earlier))
        elif head_lengths and (cover := _cover_of(texts, n, kb, wild, head_lengths, fold)) is not None:
            out.append((n, cover))
    return tuple(out)


def _cover_of(texts: tuple[str, ...], n: int, kb: str, wild: dict[str, list[tuple[int, str]]],
              head_lengths: list[int], fold: bool) -> int | None:
    """The first wildcard entry (shortest head first) that covers entry `n` and is not equal to it."""
    b = texts[n]
    for size in head_lengths:
        if size > len(kb):
            break
        for a, ka in wild.get(kb[:size], ()):
            if ka != kb and covers(texts[a], b, fold):
                return a
    return None


def _head(pattern: str) -> int:
    return min((k for k in (pattern.find("*"), pattern.find("?")) if k >= 0), default=len(pattern))


def _report_redundant(ctx: Context, element: str, fold: bool, kind: str) -> None:
    for st in ctx.statements:
        items = {"Action": st.action, "NotAction": st.not_action,
                 "Resource": st.resource, "NotResource": st.not_resource}[element]
        for b, a in _redundant_items(items or [], fold):
            how = "repeats" if (b.text.lower() == a.text.lower() if fold else b.text == a.text) else "is covered by"
            ctx.report(b, f"{kind} '{b.text}' {how} '{a.text}' in the same {element}: remove it",
                       fixes=_remove_fix(f"Remove '{b.text}'", b.node),
                       related=[Related(a.span, f"'{a.text}' already covers it")])


@rule(
    "IAM901", "redundant-action", "An action is already covered by another entry of the same list", "suggestion",
    """
    An entry such as `s3:GetObject` next to `s3:Get*` or `s3:*` in the same Action (or NotAction) list adds
    nothing (Access Analyzer REDUNDANT_ACTION); nor does the same action listed twice (action names are
    case-insensitive). Remove it to keep the policy short and clear.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:GetObject"], "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "*"}]}',
    rows=(27,), tags=_UNNECESSARY,
    scope="statement",
)
def redundant_action(ctx: Context) -> None:
    _report_redundant(ctx, "Action", True, "Action")
    _report_redundant(ctx, "NotAction", True, "Action")


@rule(
    "IAM902", "redundant-resource", "A resource is already covered by another entry of the same list", "suggestion",
    """
    An ARN such as `arn:aws:s3:::bucket/reports/*` next to `arn:aws:s3:::bucket/*` or `*` in the same
    Resource (or NotResource) list adds nothing (Access Analyzer REDUNDANT_RESOURCE); nor does the same ARN
    listed twice. ARNs compare case-sensitively; policy variables like `${aws:username}` count as text,
    so `bucket/*` covers `bucket/${aws:username}`.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket/reports/*"]}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::my-bucket/*"]}]}',
    rows=(28,), tags=_UNNECESSARY,
    scope="statement",
)
def redundant_resource(ctx: Context) -> None:
    _report_redundant(ctx, "Resource", False, "Resource")
    _report_redundant(ctx, "NotResource", False, "Resource")
