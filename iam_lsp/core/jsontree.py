"""A tolerant JSON parser that keeps the source range of every key and value.

It never raises: malformed input (missing commas, colons or brackets, unterminated strings, trailing
commas, a document cut off mid-way) yields a best-effort tree plus a list of syntax errors with
ranges. The parser is iterative, so nesting depth is bounded by memory, not by Python's stack.
Offsets are code-point offsets into the text (what Python's str indexes).
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass, field

from iam_lsp.core.text import Span

# Node kinds
OBJECT = "object"
ARRAY = "array"
STRING = "string"
NUMBER = "number"
BOOL = "boolean"
NULL = "null"
INVALID = "invalid"  # a bare word or other token that is not JSON

_KIND_NAMES = {
    OBJECT: "an object",
    ARRAY: "an array",
    STRING: "a string",
    NUMBER: "a number",
    BOOL: "a boolean",
    NULL: "null",
    INVALID: "an invalid value",
}


class Node:
    """A JSON value with its source span. `value` is the decoded Python value for scalars."""

    __slots__ = ("kind", "start", "end", "value", "_parent", "members", "items", "terminated", "_raw_escapes",
                 "_offsets", "__weakref__")

    def __init__(self, kind: str, start: int, end: int, value: object = None) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self._parent: weakref.ref[Node] | None = None
        self.members: list[Member] = [] if kind == OBJECT else _EMPTY_MEMBERS
        self.items: list[Node] = [] if kind == ARRAY else _EMPTY_ITEMS
        self.terminated = True  # False for an unterminated string or an unclosed container
        self._raw_escapes = False
        self._offsets: list[int] | None = None

    @property
    def parent(self) -> Node | None:
        """The containing object or array. A weak reference, so that a tree has no reference cycles and
        is freed as soon as it is dropped: the language server re-parses on every keystroke, and cyclic
        trees left that work to the garbage collector (pauses of 100 ms on large documents)."""
        ref = self._parent
        return ref() if ref is not None else None

    @parent.setter
    def parent(self, node: Node | None) -> None:
        self._parent = weakref.ref(node) if node is not None else None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    @property
    def kind_name(self) -> str:
        return _KIND_NAMES[self.kind]

    def get(self, key: str) -> Member | None:
        """The last member with this key (JSON parsers keep the last duplicate)."""
        for member in reversed(self.members):
            if member.key == key:
                return member
        return None

    def value_of(self, key: str) -> Node | None:
        member = self.get(key)
        return member.value if member else None

    def content_span(self) -> Span:
        """For a string: the span of its content between the quotes."""
        if self.kind != STRING:
            return self.span
        end = self.end - 1 if self.terminated and self.end - self.start >= 2 else self.end
        return Span(min(self.start + 1, end), end)

    def text_span(self, start: int, end: int) -> Span:
        """Span in the source of decoded-string characters [start, end).

        Exact for strings without escapes; with escapes, offsets are mapped through a re-scan.
        """
        if self.kind != STRING:
            return self.span
        base = self.start + 1
        if not self._raw_escapes:
            return Span(base + start, base + end)
        return Span(base + _escaped_offset(self, start), base + _escaped_offset(self, end))

    def to_python(self) -> object:
        """The plain Python value (iteratively, so deep nesting is safe)."""
        return to_python(self)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Node({self.kind}, {self.start}-{self.end}, {self.value!r})"


_EMPTY_MEMBERS: list = []
_EMPTY_ITEMS: list = []


@dataclass(slots=True)
class Member:
    """A key/value pair of an object. `value` is None when the value is missing (half-typed input)."""

    key: str
    key_node: Node
    value: Node | None = None
    colon: int = -1  # offset of the colon, -1 when missing

    @property
    def key_span(self) -> Span:
        return self.key_node.span

    @property
    def span(self) -> Span:
        end = self.value.end if self.value is not None else self.key_node.end
        return Span(self.key_node.start, end)


@dataclass(frozen=True, slots=True)
class SyntaxIssue:
    message: str
    span: Span
    kind: str = "syntax"  # syntax | duplicate-key | comment | trailing-comma | control-char


@dataclass(slots=True)
class ParseResult:
    text: str
    root: Node | None
    errors: list[SyntaxIssue] = field(default_factory=list)
    duplicates: list[tuple[Member, Member]] = field(default_factory=list)  # (earlier, later)
    comments: list[Span] = field(default_factory=list)
    max_depth: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def find(self, path: tuple | list) -> Node | None:
        """The node at a JSON path (keys and indices), or None."""
        node = self.root
        for part in path:
            if node is None:
                return None
            if isinstance(part, int):
                node = node.items[part] if node.kind == ARRAY and 0 <= part < len(node.items) else None
            else:
                node = node.value_of(part) if node.kind == OBJECT else None
        return node

    def find_member(self, path: tuple | list) -> Member | None:
        """The member whose value is at `path` (last part must be a key)."""
        if not path or isinstance(path[-1], int):
            return None
        parent = self.find(path[:-1])
        if parent is None or parent.kind != OBJECT:
            return None
        return parent.get(path[-1])


# --- scanning -------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f]")



# One master pattern: optional JSON whitespace, then one token. Scanning runs in C; only the token
# loop is Python. Any character JSON does not allow ends up in a "word" token, so nothing is skipped.
_TOKEN = re.compile(
    r"""[ \t\n\r\ufeff]*(?:
      (?P<punct>[{}\[\]:,])
    | (?P<string>"(?:[^"\\\n\r]|\\[^\n\r]|\\(?![^\n\r]))*"?)
    | (?P<comment>//[^\n\r]*|/\*.*?(?:\*/|\Z))
    | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?=[ \t\n\r,:\]}/\[{"]|\Z)
    | (?P<word>[^ \t\n\r\ufeff{}\[\]:,"/]+|/)
    )""",
    re.S | re.X,
)
_LITERALS = {"true": "true", "false": "false", "null": "null"}


def _tokens(text: str, errors: list[SyntaxIssue], comments: list[Span]) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    append = out.append
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        s = m.start(kind)
        e = m.end()
        if kind == "punct":
            append((text[s], s, e))
        elif kind == "string":
            append(("string" if e - s >= 2 and text[e - 1] == '"' and _closed(text, s, e) else "ustring", s, e))
        elif kind == "number":
            append(("number", s, e))
        elif kind == "word":
            append((_LITERALS.get(text[s:e], "word"), s, e))
        else:
            comments.append(Span(s, e))
    return out


def _closed(text: str, s: int, e: int) -> bool:
    """A string token ending in a quote is closed unless that quote is escaped (a lone '"\\"')."""
    if e - s < 2:
        return False
    i = e - 2
    backslashes = 0
    while i > s and text[i] == "\\":
        backslashes += 1
        i -= 1
    return backslashes % 2 == 0


def _decode_string(text: str, start: int, end: int, terminated: bool, node: Node, errors: list[SyntaxIssue]) -> str:
    raw = text[start + 1 : end - 1] if terminated else text[start + 1 : end]
    if "\\" not in raw:
        if _CONTROL.search(raw):
            m = _CONTROL.search(raw)
            errors.append(SyntaxIssue("Control character in string; use an escape", Span(start + 1 + m.start(), start + 2 + m.start()), "control-char"))
        return raw
    node._raw_escapes = True
    try:
        return json.loads('"' + raw + '"')
    except (ValueError, RecursionError):
        pass
    # Best effort: decode valid escapes, keep the rest literally and report each bad one.
    out: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != "\\" or i + 1 >= len(raw):
            out.append(c)
            i += 1
            continue
        nxt = raw[i + 1]
        simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", raw[i + 2 : i + 6] or ""):
            out.append(chr(int(raw[i + 2 : i + 6], 16)))
            i += 6
        else:
            errors.append(SyntaxIssue(f"Invalid escape sequence '\\{nxt}'", Span(start + 1 + i, start + 3 + i)))
            out.append(nxt)
            i += 2
    return "".join(out)


def _number_value(raw: str) -> object:
    try:
        if any(c in raw for c in ".eE"):
            return float(raw)
        return int(raw)
    except ValueError:  # e.g. more digits than int() accepts
        return float("inf") if not raw.startswith("-") else float("-inf")


# --- parsing --------------------------------------------------------------------------------------

_STRINGS = frozenset(("string", "ustring"))  # a string token followed by ':' starts the next member
_VALUE_TOKENS = frozenset(("{", "[", "string", "ustring", "number", "true", "false", "null", "word"))


class _Frame:
    __slots__ = ("node", "state", "member", "after_comma", "discard")

    def __init__(self, node: Node, state: str, discard: bool = False) -> None:
        self.node = node
        self.state = state  # object: key|colon|value|comma; array: value|comma
        self.member: Member | None = None
        self.after_comma = -1  # offset of a comma that has not yet been followed by an element
        self.discard = discard


def parse(text: str) -> ParseResult:
    """Parse `text` tolerantly. Comments and trailing commas are reported as errors (IAM rejects them).

    Well-formed documents (nearly every saved file) take a strict fast path; anything it does not accept
    goes to the tolerant parser, which builds the same tree for valid input.
    """
    fast = _parse_valid(text)
    return fast if fast is not None else parse_tolerant(text)


# Strict JSON tokens with the whitespace before them, for findall (no Match objects: about twice as fast
# as finditer). A character that fits no token is skipped by findall, which the length check catches.
_VALID_TOKEN = re.compile(
    r'([ \t\n\r\ufeff]*)([{}\[\]:,]|"[^"\\\x00-\x1f]*(?:\\.[^"\\\x00-\x1f]*)*"'
    r"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)"
)
_WS = " \t\n\r\ufeff"
# States of the strict parser: what the next token may be.
_S_VALUE, _S_VALUE_OR_CLOSE, _S_KEY, _S_KEY_OR_CLOSE, _S_COLON, _S_AFTER, _S_DONE = range(7)


def _parse_valid(text: str) -> ParseResult | None:
    """The tree of a well-formed JSON object or array, or None for anything else (duplicate keys too).

    Builds exactly what parse_tolerant builds for such input; tests compare the two.
    """
    pos = 0
    stack: list[Node] = []
    refs: list[weakref.ref[Node]] = []  # a weak reference to each container of the stack, for children
    root: Node | None = None
    state = _S_VALUE
    max_depth = 0
    for ws, tok in _VALID_TOKEN.findall(text):
        s = pos + len(ws)
        pos = e = s + len(tok)
        c = tok[0]
        if state == _S_AFTER:
            top = stack[-1]
            if c == ",":
                state = _S_KEY if top.kind == OBJECT else _S_VALUE
                continue
            if c != ("}" if top.kind == OBJECT else "]"):
                return None
            node = stack.pop()
            refs.pop()
            node.end = e
            node.terminated = True
        elif state == _S_COLON:
            if c != ":":
                return None
            stack[-1].members[-1].colon = s
            state = _S_VALUE
            continue
        elif state == _S_KEY or state == _S_KEY_OR_CLOSE:
            top = stack[-1]
            if c == '"':
                key_node = _valid_string(text, tok, s, e)
                if key_node is None:
                    return None
                key = key_node.value
                for other in top.members:
                    if other.key == key:
                        return None  # the tolerant parser reports duplicates
                key_node._parent = refs[-1]
                top.members.append(Member(key, key_node))  # type: ignore[arg-type]
                state = _S_COLON
                continue
            if c != "}" or state != _S_KEY_OR_CLOSE:
                return None
            node = stack.pop()
            refs.pop()
            node.end = e
            node.terminated = True
        elif state == _S_VALUE or state == _S_VALUE_OR_CLOSE:
            if c == "{" or c == "[":
                node = Node(OBJECT if c == "{" else ARRAY, s, e)
                node.terminated = False
                if stack:
                    node._parent = refs[-1]
                elif root is not None:
                    return None
                stack.append(node)
                refs.append(weakref.ref(node))
                if len(stack) > max_depth:
                    max_depth = len(stack)
                state = _S_KEY_OR_CLOSE if c == "{" else _S_VALUE_OR_CLOSE
                continue
            if c == "]" and state == _S_VALUE_OR_CLOSE:
                node = stack.pop()
                refs.pop()
                node.end = e
                node.terminated = True
            elif not stack:
                return None  # a scalar document: rare, the tolerant parser handles it
            elif c == '"':
                node = _valid_string(text, tok, s, e)  # type: ignore[assignment]
                if node is None:
                    return None
            elif c == "t" or c == "f":
                node = Node(BOOL, s, e, c == "t")
            elif c == "n":
                node = Node(NULL, s, e, None)
            elif c == "-" or c.isdigit():
                node = Node(NUMBER, s, e, _number_value(tok))
            else:
                return None
        else:  # _S_DONE: something after the document
            return None
        # Attach a completed value (a scalar or a container just closed) to its container.
        if not stack:
            root = node
            state = _S_DONE
            continue
        top = stack[-1]
        node._parent = refs[-1]
        if top.kind == OBJECT:
            top.members[-1].value = node
        else:
            top.items.append(node)
        state = _S_AFTER
    if state != _S_DONE or text[pos:].strip(_WS):
        return None
    result = ParseResult(text, root)
    result.max_depth = max_depth
    return result


def _valid_string(text: str, tok: str, s: int, e: int) -> Node | None:
    if "\\" not in tok:
        return Node(STRING, s, e, tok[1:-1])
    node = Node(STRING, s, e)
    errors: list[SyntaxIssue] = []
    node.value = _decode_string(text, s, e, True, node, errors)
    if errors:
        return None
    _attach_offset_map(node, text)
    return node


def parse_tolerant(text: str) -> ParseResult:
    """The tolerant parser: recovers from any error and reports it with its range."""
    errors: list[SyntaxIssue] = []
    comments: list[Span] = []
    result = ParseResult(text, None, errors, [], comments)
    toks = _tokens(text, errors, comments)
    for c in comments:
        errors.append(SyntaxIssue("Comments are not allowed in JSON policy documents", c, "comment"))
    n = len(toks)
    stack: list[_Frame] = []
    root: Node | None = None
    done = False
    i = 0
    max_depth = 0

    def err(msg: str, start: int, end: int, kind: str = "syntax") -> None:
        errors.append(SyntaxIssue(msg, Span(start, end), kind))

    def make_scalar(kind: str, s: int, e: int) -> Node:
        if kind == "string":
            raw = text[s + 1:e - 1]
            if "\\" not in raw and not _CONTROL.search(raw):  # the common case: nothing to decode
                return Node(STRING, s, e, raw)
        if kind in ("string", "ustring"):
            terminated = kind == "string"
            node = Node(STRING, s, e)
            node.terminated = terminated
            if not terminated:
                err("Unterminated string", s, e)
            node.value = _decode_string(text, s, e, terminated, node, errors)
            if node._raw_escapes:
                _attach_offset_map(node, text)
            return node
        if kind == "number":
            return Node(NUMBER, s, e, _number_value(text[s:e]))
        if kind == "true" or kind == "false":
            return Node(BOOL, s, e, kind == "true")
        if kind == "null":
            return Node(NULL, s, e, None)
        word = text[s:e]
        if word.lower() in ("true", "false", "null"):
            err(f"'{word}' must be lowercase", s, e)
        elif word.startswith("'"):
            err("Strings must use double quotes", s, e)
        else:
            err(f"Unexpected '{word}': expected a value (strings need double quotes)", s, e)
        return Node(INVALID, s, e, word)

    def attach(value: Node) -> None:
        """Attach a completed value to the current container (or make it the root)."""
        nonlocal root, done
        if not stack:
            root = value
            done = True
            return
        top = stack[-1]
        value.parent = top.node
        if top.node.kind == OBJECT:
            if top.member is not None and not top.discard:
                top.member.value = value
            top.member = None
            top.state = "comma"
        else:
            if not top.discard:
                top.node.items.append(value)
            top.state = "comma"

    def open_container(tok: str, s: int, discard: bool = False) -> None:
        nonlocal max_depth
        node = Node(OBJECT if tok == "{" else ARRAY, s, s + 1)
        node.terminated = False
        if stack:
            node.parent = stack[-1].node
        stack.append(_Frame(node, "key" if tok == "{" else "value", discard))
        max_depth = max(max_depth, len(stack))

    def close_top(end: int, closed: bool = False) -> None:
        """Pop the innermost container; `closed` when its own bracket closed it."""
        frame = stack.pop()
        frame.node.end = end
        frame.node.terminated = closed
        if frame.discard:
            if stack:
                top = stack[-1]
                top.state = "comma"
                top.member = None
            return
        attach(frame.node)

    def add_key(s: int, e: int, kind: str, top: _Frame) -> None:
        key_node = make_scalar(kind if kind != "word" else "string", s, e) if kind != "word" else Node(STRING, s, e, text[s:e])
        if kind == "word":
            err("Property names must be strings in double quotes", s, e)
        if kind == "number":
            key_node = Node(STRING, s, e, text[s:e])
        key = key_node.value if isinstance(key_node.value, str) else text[s:e]
        key_node.parent = top.node
        member = Member(key, key_node)
        if not top.discard:
            for other in top.node.members:
                if other.key == key:
                    result.duplicates.append((other, member))
                    err(f"Duplicate key '{key}'", s, e, "duplicate-key")
                    break
            top.node.members.append(member)
        top.member = member
        top.state = "colon"

    while i < n:
        tok, s, e = toks[i]
        if done:
            err("End of document expected", s, toks[-1][2])
            break
        if not stack:
            # Top level: expect a value.
            if tok in ("{", "["):
                open_container(tok, s)
            elif tok in _VALUE_TOKENS:
                attach(make_scalar(tok, s, e))
            else:
                err(f"Unexpected '{text[s:e]}': expected a value", s, e)
            i += 1
            continue

        top = stack[-1]
        node = top.node
        if node.kind == OBJECT:
            st = top.state
            if st == "key":
                if tok in ("string", "ustring", "word", "number", "true", "false", "null"):
                    top.after_comma = -1
                    add_key(s, e, tok if tok in ("string", "ustring") else "word", top)
                elif tok == "}":
                    if top.after_comma >= 0:
                        err("Trailing comma", top.after_comma, top.after_comma + 1, "trailing-comma")
                    close_top(e, True)
                elif tok == ",":
                    err("Unexpected comma: expected a property name", s, e)
                elif tok == "]":
                    err("Expected '}' to close the object, found ']'", s, e)
                    close_top(s)
                    continue  # let the parent see the ']'
                elif tok in ("{", "["):
                    err("Expected a property name", s, e)
                    open_container(tok, s, discard=True)
                else:  # ':'
                    err("Expected a property name before ':'", s, e)
            elif st == "colon":
                if tok == ":":
                    top.member.colon = s  # type: ignore[union-attr]
                    top.state = "value"
                else:
                    key_end = top.member.key_node.end  # type: ignore[union-attr]
                    err("Expected ':' after the property name", key_end - 1 if key_end > 0 else 0, key_end)
                    if tok == ",":
                        top.state = "key"
                        top.member = None
                        top.after_comma = s
                    elif tok == "}":
                        top.member = None
                        close_top(e, True)
                    elif tok in _VALUE_TOKENS and not (tok in _STRINGS and i + 1 < n and toks[i + 1][0] == ":"):
                        top.state = "value"
                        continue
                    else:
                        top.state = "key"
                        top.member = None
                        continue
            elif st == "value":
                if tok in _VALUE_TOKENS and not (tok in _STRINGS and i + 1 < n and toks[i + 1][0] == ":"):
                    if tok in ("{", "["):
                        open_container(tok, s)
                    else:
                        attach(make_scalar(tok, s, e))
                else:
                    colon = top.member.colon if top.member else s  # type: ignore[union-attr]
                    err("Expected a value", colon, colon + 1)
                    top.member = None
                    if tok == ",":
                        top.state = "key"
                        top.after_comma = s
                    elif tok == "}":
                        close_top(e, True)
                    elif tok == "]":
                        err("Expected '}' to close the object, found ']'", s, e)
                        close_top(s)
                        continue
                    else:
                        top.state = "key"
                        continue
            else:  # comma
                if tok == ",":
                    top.state = "key"
                    top.after_comma = s
                elif tok == "}":
                    close_top(e, True)
                elif tok == "]":
                    err("Expected '}' to close the object, found ']'", s, e)
                    close_top(s)
                    continue
                else:
                    prev_end = toks[i - 1][2]
                    err("Expected ',' between members", prev_end - 1, prev_end)
                    top.state = "key"
                    continue
        else:  # array
            st = top.state
            if st == "value":
                if tok in _VALUE_TOKENS:
                    top.after_comma = -1
                    if tok in ("{", "["):
                        open_container(tok, s)
                    else:
                        attach(make_scalar(tok, s, e))
                elif tok == "]":
                    if top.after_comma >= 0:
                        err("Trailing comma", top.after_comma, top.after_comma + 1, "trailing-comma")
                    close_top(e, True)
                elif tok == ",":
                    err("Expected a value before ','", s, e)
                elif tok == "}":
                    err("Expected ']' to close the array, found '}'", s, e)
                    close_top(s)
                    continue
                else:
                    err(f"Unexpected '{text[s:e]}' in array", s, e)
            else:  # comma
                if tok == ",":
                    top.state = "value"
                    top.after_comma = s
                elif tok == "]":
                    close_top(e, True)
                elif tok == "}":
                    err("Expected ']' to close the array, found '}'", s, e)
                    close_top(s)
                    continue
                elif tok == ":":
                    err("Unexpected ':' in array", s, e)
                else:
                    prev_end = toks[i - 1][2]
                    err("Expected ',' between array items", prev_end - 1, prev_end)
                    top.state = "value"
                    continue
        i += 1

    end = len(text)
    if stack:
        # Document cut off: close every open container at the end.
        while stack:
            frame = stack[-1]
            if frame.node.kind == OBJECT and frame.state in ("colon", "value") and frame.member is not None:
                err("Expected a value", max(end - 1, 0), end)
                frame.member = None
            err(f"Expected '{'}' if frame.node.kind == OBJECT else ']'}' to close the {'object' if frame.node.kind == OBJECT else 'array'} opened here", frame.node.start, frame.node.start + 1)
            close_top(end)
    if root is None and not errors:
        err("Empty document: expected a JSON object", 0, end)
    elif root is None:
        pass
    result.root = root
    result.max_depth = max_depth
    return result


def _attach_offset_map(node: Node, text: str) -> None:
    """For strings with escapes, remember the raw offset of each decoded character."""
    raw = text[node.start + 1 : node.end - 1] if node.terminated else text[node.start + 1 : node.end]
    offsets: list[int] = []
    i = 0
    while i < len(raw):
        offsets.append(i)
        if raw[i] == "\\" and i + 1 < len(raw):
            i += 6 if raw[i + 1] == "u" else 2
        else:
            i += 1
    offsets.append(len(raw))
    node._offsets = offsets


def _escaped_offset(node: Node, index: int) -> int:
    offsets = node._offsets
    if not offsets:
        return index
    return offsets[min(max(index, 0), len(offsets) - 1)]


def to_python(node: Node | None) -> object:
    """Convert a tree to plain Python values without recursion."""
    if node is None:
        return None
    if node.kind not in (OBJECT, ARRAY):
        return node.value
    out_root: object = {} if node.kind == OBJECT else []
    stack: list[tuple[Node, object]] = [(node, out_root)]
    while stack:
        src, dst = stack.pop()
        if src.kind == OBJECT:
            for m in src.members:
                v = m.value
                if v is None:
                    continue
                if v.kind in (OBJECT, ARRAY):
                    child: object = {} if v.kind == OBJECT else []
                    dst[m.key] = child  # type: ignore[index]
                    stack.append((v, child))
                else:
                    dst[m.key] = v.value  # type: ignore[index]
        else:
            for v in src.items:
                if v.kind in (OBJECT, ARRAY):
                    child = {} if v.kind == OBJECT else []
                    dst.append(child)  # type: ignore[attr-defined]
                    stack.append((v, child))
                else:
                    dst.append(v.value)  # type: ignore[attr-defined]
    return out_root


def node_at(root: Node | None, offset: int) -> list[Node | Member]:
    """The chain of nodes and members from the root down to the innermost one touching `offset`."""
    chain: list[Node | Member] = []
    node = root
    while node is not None:
        if not (node.start <= offset <= node.end):
            break
        chain.append(node)
        nxt: Node | None = None
        if node.kind == OBJECT:
            for m in node.members:
                end = m.value.end if m.value is not None else m.key_node.end
                if m.key_node.start <= offset <= max(end, m.key_node.end):
                    chain.append(m)
                    if m.value is not None and m.value.start <= offset <= m.value.end:
                        nxt = m.value
                    break
        elif node.kind == ARRAY:
            for item in node.items:
                if item.start <= offset <= item.end:
                    nxt = item
                    break
        node = nxt
    return chain
