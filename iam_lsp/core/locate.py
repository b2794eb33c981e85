"""Where is the cursor? Offset -> JSON path, key or value position, partial text and the token span.

Works on half-typed documents: the tolerant parser's tree gives the containers, and where the tree has
no node at the cursor (after a colon, after a comma, in an empty array) the raw text decides.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from iam_lsp.core.jsontree import ARRAY, INVALID, OBJECT, STRING, Member, Node, ParseResult, node_at, parse
from iam_lsp.core.text import Span

Path = tuple[str | int, ...]

KEY = "key"
VALUE = "value"
NONE = "none"


@dataclass(frozen=True, slots=True)
class Location:
    """The cursor's context.

    kind KEY: a property name of the object at `path` is being typed (or could be).
    kind VALUE: the value at `path` (a member's value; inside an array the path ends with the index).
    kind NONE: nowhere useful (after a complete value, outside the document).
    """

    kind: str
    path: Path
    partial: str  # decoded text of the token before the cursor (no quote)
    span: Span  # the token to replace: the whole string with its quotes, a bare word, or empty
    in_string: bool = False
    token: Node | None = None  # the string (or bare word) under the cursor
    container: Node | None = None  # the object (KEY) or the object/array holding the value (VALUE)
    member: Member | None = None  # the member whose value (or key) this is
    has_colon: bool = False  # KEY: a colon already follows the key

    @property
    def value_text(self) -> str:
        """The token's whole decoded value (the partial plus what follows the cursor)."""
        if self.token is not None and isinstance(self.token.value, str):
            return self.token.value
        return self.partial


def chain_path(chain: list[Node | Member]) -> Path:
    """The JSON path of the last element of a node_at chain."""
    path: list[str | int] = []
    prev: Node | Member | None = None
    for el in chain:
        if isinstance(el, Member):
            path.append(el.key)
        elif isinstance(prev, Node) and prev.kind == ARRAY:
            path.append(prev.items.index(el))
        prev = el
    return tuple(path)


def _inside_token(node: Node, offset: int) -> bool:
    """The cursor is within a string (after its opening quote, before its closing one) or a word."""
    if node.kind == STRING:
        if not node.terminated:
            return node.start < offset <= node.end
        return node.start < offset < node.end
    return node.kind == INVALID and node.start < offset <= node.end


def _partial(node: Node, offset: int, text: str) -> str:
    if node.kind != STRING:
        return text[node.start:offset]
    raw = text[node.start + 1:offset]
    if "\\" not in raw:
        return raw
    # Map the raw prefix back to decoded characters (escapes count as one).
    value = node.value if isinstance(node.value, str) else raw
    for i in range(len(value) + 1):
        if node.text_span(0, i).end >= offset:
            return value[:i]
    return value


def _prev_significant(text: str, offset: int, floor: int) -> int:
    i = offset - 1
    while i >= floor and text[i] in " \t\r\n\ufeff":
        i -= 1
    return i


def _colon_follows(text: str, end: int) -> bool:
    i = end
    n = len(text)
    while i < n and text[i] in " \t":
        i += 1
    return i < n and text[i] == ":"


def locate(text: str, offset: int, tree: ParseResult | None = None) -> Location:
    """Describe the cursor at `offset` (a code-point offset) in `text`."""
    offset = max(0, min(offset, len(text)))
    tree = tree or parse_cached(text)
    root = tree.root
    empty = Span(offset, offset)
    if root is None or not (root.start <= offset <= root.end):
        return Location(NONE, (), "", empty)
    chain = node_at(root, offset)
    last = chain[-1]
    # 1. The cursor is inside a string or a bare word.
    if isinstance(last, Node) and _inside_token(last, offset):
        parent = chain[-2] if len(chain) > 1 else None
        partial = _partial(last, offset, text)
        if isinstance(parent, Member):
            container = chain[-3] if len(chain) > 2 else None
            return Location(VALUE, chain_path(chain[:-1]), partial, last.span, last.kind == STRING, last,
                            container if isinstance(container, Node) else None, parent)
        if isinstance(parent, Node) and parent.kind == ARRAY:
            member = chain[-3] if len(chain) > 2 and isinstance(chain[-3], Member) else None
            return Location(VALUE, chain_path(chain), partial, last.span, last.kind == STRING, last, parent, member)
        return Location(VALUE, (), partial, last.span, last.kind == STRING, last)
    if isinstance(last, Member) and _inside_token(last.key_node, offset):
        obj = chain[-2]
        return Location(KEY, chain_path(chain[:-1]), _partial(last.key_node, offset, text), last.key_node.span,
                        True, last.key_node, obj if isinstance(obj, Node) else None, last,
                        _colon_follows(text, last.key_node.end))
    # 2. Between tokens: find the innermost open container and look at the previous character.
    idx = len(chain) - 1
    while idx >= 0:
        el = chain[idx]
        if isinstance(el, Node) and el.kind in (OBJECT, ARRAY) and el.start < offset and (
                offset < el.end or not el.terminated):
            break
        idx -= 1
    if idx < 0:
        return Location(NONE, (), "", empty)
    container = chain[idx]
    assert isinstance(container, Node)
    path = chain_path(chain[:idx + 1])
    prev = _prev_significant(text, offset, container.start)
    ch = text[prev] if prev >= 0 else ""
    if container.kind == OBJECT:
        if ch in ("{", ","):
            return Location(KEY, path, "", empty, container=container)
        if ch == ":":
            for m in container.members:
                if m.colon == prev:
                    return Location(VALUE, (*path, m.key), "", empty, container=container, member=m)
        return Location(NONE, path, "", empty, container=container)
    if ch in ("[", ","):
        index = sum(1 for item in container.items if item.end <= offset)
        member = chain[idx - 1] if idx > 0 and isinstance(chain[idx - 1], Member) else None
        return Location(VALUE, (*path, index), "", empty, container=container, member=member)
    return Location(NONE, path, "", empty, container=container)


_CACHE: OrderedDict[str, ParseResult] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def parse_cached(text: str) -> ParseResult:
    """Parse, reusing the tree of a recent identical text (hover and completion on one version)."""
    with _CACHE_LOCK:
        hit = _CACHE.get(text)
        if hit is not None:
            _CACHE.move_to_end(text)
            return hit
    tree = parse(text)
    with _CACHE_LOCK:
        _CACHE[text] = tree
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return tree


def element_path(path: Path) -> Path:
    """The path without array indices: ("Statement", 0, "Action", 2) -> ("Statement", "Action")."""
    return tuple(p for p in path if isinstance(p, str))


def statement_node(tree: ParseResult, path: Path) -> Node | None:
    """The statement object enclosing `path` (Statement may be an object or an array of objects)."""
    if not path or path[0] != "Statement":
        return None
    if len(path) > 1 and isinstance(path[1], int):
        node = tree.find(path[:2])
    else:
        node = tree.find(("Statement",))
    return node if node is not None and node.kind == OBJECT else None
