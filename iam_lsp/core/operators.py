"""Condition operators: the 27 base operators, what values they take, and a parser of their spellings.

An operator as written is `[ForAllValues:|ForAnyValue:]<Base>[IfExists]`. Operator names are
case-sensitive in IAM, so `stringequals` is unknown; `suggest_operator` proposes the right spelling.
Used by the condition rules and by hover and completion.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

QUALIFIERS = ("ForAllValues", "ForAnyValue")
IF_EXISTS = "IfExists"


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    name: str
    value_type: str  # String, Numeric, Date, Bool, Binary, IPAddress, ARN, Null
    if_exists: bool  # may take the IfExists suffix
    wildcards: bool  # * and ? in values are wildcards
    variables: bool  # ${...} policy variables are substituted
    negated: bool = False
    ignore_case: bool = False
    description: str = ""


def _specs() -> dict[str, OperatorSpec]:
    out: dict[str, OperatorSpec] = {}

    def add(name: str, vtype: str, *, wild: bool = False, var: bool = False, neg: bool = False,
            ic: bool = False, ifx: bool = True, desc: str = "") -> None:
        out[name] = OperatorSpec(name, vtype, ifx, wild, var, neg, ic, desc)

    add("StringEquals", "String", var=True, desc="Exact match, case-sensitive")
    add("StringNotEquals", "String", var=True, neg=True, desc="Negated exact match, case-sensitive")
    add("StringEqualsIgnoreCase", "String", var=True, ic=True, desc="Exact match, ignoring case")
    add("StringNotEqualsIgnoreCase", "String", var=True, neg=True, ic=True, desc="Negated exact match, ignoring case")
    add("StringLike", "String", wild=True, var=True, desc="Case-sensitive match with * and ? wildcards")
    add("StringNotLike", "String", wild=True, var=True, neg=True, desc="Negated case-sensitive match with wildcards")
    for n, d in (("Equals", "Equal to"), ("NotEquals", "Not equal to"), ("LessThan", "Less than"),
                 ("LessThanEquals", "Less than or equal to"), ("GreaterThan", "Greater than"),
                 ("GreaterThanEquals", "Greater than or equal to")):
        add("Numeric" + n, "Numeric", neg=n == "NotEquals", desc=f"{d} (numbers)")
        add("Date" + n, "Date", neg=n == "NotEquals", desc=f"{d} (ISO 8601 dates or epoch seconds)")
    add("Bool", "Bool", var=True, desc="Boolean match: true or false")
    add("BinaryEquals", "Binary", desc="Byte-for-byte match of a base64-encoded value")
    add("IpAddress", "IPAddress", desc="The IP address is in one of the CIDR ranges")
    add("NotIpAddress", "IPAddress", neg=True, desc="The IP address is in none of the CIDR ranges")
    add("ArnEquals", "ARN", wild=True, var=True, desc="ARN match, segment by segment (wildcards allowed)")
    add("ArnLike", "ARN", wild=True, var=True, desc="ARN match with wildcards, segment by segment")
    add("ArnNotEquals", "ARN", wild=True, var=True, neg=True, desc="Negated ARN match")
    add("ArnNotLike", "ARN", wild=True, var=True, neg=True, desc="Negated ARN match with wildcards")
    add("Null", "Null", ifx=False, desc="true: the key is absent; false: the key is present")
    return out


OPERATORS: dict[str, OperatorSpec] = _specs()
_LOWER = {k.lower(): k for k in OPERATORS}


@dataclass(frozen=True, slots=True)
class ParsedOperator:
    raw: str
    qualifier: str | None  # ForAllValues / ForAnyValue, as written when valid
    base: str  # the base operator as written (without qualifier and IfExists)
    if_exists: bool
    spec: OperatorSpec | None  # None: unknown base operator (or wrong case)

    @property
    def known(self) -> bool:
        return self.spec is not None and (not self.if_exists or self.spec.if_exists) and self.qualifier_ok

    @property
    def qualifier_ok(self) -> bool:
        head = self.raw.partition(":")
        return not head[1] or head[0] in QUALIFIERS


@lru_cache(maxsize=4096)  # a pure function of a short string; rules ask for the same spellings all the time
def parse_operator(raw: str) -> ParsedOperator:
    """Split an operator spelling into qualifier, base and IfExists (case-sensitive, like IAM)."""
    head, sep, rest = raw.partition(":")
    qualifier = head if sep and head in QUALIFIERS else None
    body = rest if sep else raw
    if_exists = body.endswith(IF_EXISTS) and body != IF_EXISTS
    base = body[: -len(IF_EXISTS)] if if_exists else body
    return ParsedOperator(raw, qualifier, base, if_exists, OPERATORS.get(base))


def is_valid_operator(raw: str) -> bool:
    p = parse_operator(raw)
    return p.known


def all_operator_spellings() -> list[str]:
    """Every valid spelling: 27 bases, 26 IfExists forms, each with no qualifier or one of two."""
    bases = [*OPERATORS, *(n + IF_EXISTS for n, s in OPERATORS.items() if s.if_exists)]
    return [*bases, *(f"{q}:{b}" for q in QUALIFIERS for b in bases)]


def _fix_base(base: str) -> str | None:
    if base in OPERATORS:
        return base
    if base.lower() in _LOWER:
        return _LOWER[base.lower()]
    # Common slips: a missing or extra trailing 's' (StringEqual, NumericLessThanEqual), IPAddress.
    for cand in (base + "s", base[:-1] if base.endswith("s") else None):
        if cand and cand.lower() in _LOWER:
            return _LOWER[cand.lower()]
    got = difflib.get_close_matches(base.lower(), list(_LOWER), n=1, cutoff=0.75)
    return _LOWER[got[0]] if got else None


def _fix_qualifier(head: str) -> str | None:
    for q in QUALIFIERS:
        if head.lower() == q.lower():
            return q
    got = difflib.get_close_matches(head.lower(), [q.lower() for q in QUALIFIERS], n=1, cutoff=0.7)
    return next((q for q in QUALIFIERS if got and q.lower() == got[0]), None)


def suggest_operator(raw: str) -> str | None:
    """The valid spelling closest to `raw`, or None. Keeps the qualifier and IfExists parts."""
    head, sep, rest = raw.partition(":")
    qualifier = None
    body = raw
    if sep:
        qualifier = _fix_qualifier(head)
        if qualifier is None:
            return None
        body = rest
    ifx = body.lower().endswith("ifexists") and body.lower() != "ifexists"
    base = _fix_base(body[: -len(IF_EXISTS)] if ifx else body)
    if base is None:
        return None
    if ifx and not OPERATORS[base].if_exists:
        ifx = False
    out = base + (IF_EXISTS if ifx else "")
    out = f"{qualifier}:{out}" if qualifier else out
    return out if out != raw else None
