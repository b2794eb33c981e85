"""Policy variables: find `${...}` in a string value, with offsets, defaults and syntax problems.

Grammar (IAM): `${key}` or `${key, 'default'}`; `${*}`, `${?}` and `${$}` stand for a literal `*`, `?`
and `$`. Offsets are indexes into the decoded string; map them to the source with `Item.sub_span`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SPECIALS = {"*": "*", "?": "?", "$": "$"}

# Characters a variable name may hold: a condition key, including tag keys (+ - = . _ : / @).
_NAME_OK = re.compile(r"^[A-Za-z0-9:/_.\-+=@]+$")

# Problems, in the vocabulary of Access Analyzer's VARIABLE checks.
MISSING_BRACE = "missing-brace"
EMPTY = "empty"
SPACE = "space"
MISSING_QUOTE = "missing-quote"
SYMBOL = "symbol"


@dataclass(frozen=True, slots=True)
class VariableRef:
    start: int  # offset of "$" in the decoded string
    end: int  # one past "}" (or the end of the scanned text when the brace is missing)
    name: str  # the text naming the key, as written (not stripped)
    name_start: int
    name_end: int
    default: str | None = None  # the default value without quotes, when given and well quoted
    issue: str | None = None

    @property
    def special(self) -> bool:
        return self.name in SPECIALS and self.default is None

    @property
    def key(self) -> str:
        return self.name.strip()


def _parse_body(s: str, start: int, close: int) -> VariableRef:
    body_start = start + 2
    body = s[body_start:close]
    name, comma, default_raw = body.partition(",")
    ns, ne = body_start, body_start + len(name)
    end = close + 1
    if not body.strip():
        return VariableRef(start, end, name, ns, ne, issue=EMPTY)
    if name in SPECIALS and not comma:
        return VariableRef(start, end, name, ns, ne)
    default = None
    issue = None
    if comma:
        d = default_raw.strip()
        if len(d) >= 2 and d[0] == "'" and d[-1] == "'":
            default = d[1:-1]
        else:
            issue = MISSING_QUOTE
    if any(c.isspace() for c in name):
        issue = SPACE
    elif issue is None and not _NAME_OK.match(name):
        issue = SYMBOL if name else EMPTY
    return VariableRef(start, end, name, ns, ne, default, issue)


def scan_variables(s: str) -> list[VariableRef]:
    """Every `${...}` in `s`, in order, including malformed ones (with `issue` set)."""
    out: list[VariableRef] = []
    i = s.find("${")
    while i >= 0:
        close = s.find("}", i + 2)
        nxt = s.find("${", i + 2)
        if close < 0 or (0 <= nxt < close):
            # No closing brace before the next variable (or the end): the name runs to a separator.
            stop = nxt if nxt >= 0 else len(s)
            m = re.match(r"[A-Za-z0-9:/_.\-+=@]*", s[i + 2:stop])
            ne = i + 2 + (m.end() if m else 0)
            out.append(VariableRef(i, ne, s[i + 2:ne], i + 2, ne, issue=MISSING_BRACE))
            i = nxt
            continue
        out.append(_parse_body(s, i, close))
        i = s.find("${", close + 1)
    return out


def has_variable(s: str) -> bool:
    return "${" in s


def strip_variables(s: str) -> str:
    """The text with every well-formed variable removed (specials become their literal character)."""
    parts: list[str] = []
    pos = 0
    for v in scan_variables(s):
        parts.append(s[pos:v.start])
        if v.special:
            parts.append("\0")  # a literal character that is never a wildcard
        pos = v.end
    parts.append(s[pos:])
    return "".join(parts)
