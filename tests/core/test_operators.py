"""The condition operator table and the operator-spelling parser."""

from __future__ import annotations

import pytest

from iam_lsp.core.operators import (
    OPERATORS,
    all_operator_spellings,
    is_valid_operator,
    parse_operator,
    suggest_operator,
)


def test_table_has_27_base_operators_and_159_spellings():
    assert len(OPERATORS) == 27
    spellings = all_operator_spellings()
    assert len(spellings) == 159
    assert len(set(spellings)) == 159
    assert "NullIfExists" not in spellings and "ForAnyValue:StringLikeIfExists" in spellings


@pytest.mark.parametrize("name,vtype,wild,var", [
    ("StringLike", "String", True, True),
    ("StringEquals", "String", False, True),
    ("NumericLessThan", "Numeric", False, False),
    ("DateGreaterThanEquals", "Date", False, False),
    ("IpAddress", "IPAddress", False, False),
    ("BinaryEquals", "Binary", False, False),
    ("ArnLike", "ARN", True, True),
    ("Bool", "Bool", False, True),
    ("Null", "Null", False, False),
])
def test_operator_specs(name, vtype, wild, var):
    spec = OPERATORS[name]
    assert (spec.value_type, spec.wildcards, spec.variables) == (vtype, wild, var)


def test_null_takes_no_if_exists():
    assert not OPERATORS["Null"].if_exists
    assert all(s.if_exists for n, s in OPERATORS.items() if n != "Null")


def test_parse_full_spelling():
    p = parse_operator("ForAllValues:StringEqualsIgnoreCaseIfExists")
    assert (p.qualifier, p.base, p.if_exists, p.known) == ("ForAllValues", "StringEqualsIgnoreCase", True, True)
    assert p.spec is not None and p.spec.ignore_case


@pytest.mark.parametrize("raw", ["stringequals", "StringEqual", "ForAnyvalue:StringEquals", "NullIfExists",
                                 "Foo:StringEquals", "IfExists", ""])
def test_invalid_spellings(raw):
    assert not is_valid_operator(raw)


@pytest.mark.parametrize("raw,want", [
    ("StringEqual", "StringEquals"),
    ("stringequals", "StringEquals"),
    ("StringEqualsIgnorecase", "StringEqualsIgnoreCase"),
    ("ForAnyvalue:StringLike", "ForAnyValue:StringLike"),
    ("forallvalues:stringlikeifexists", "ForAllValues:StringLikeIfExists"),
    ("NumericLessThanEqual", "NumericLessThanEquals"),
    ("IPAddress", "IpAddress"),
    ("ArnLik", "ArnLike"),
    ("NullIfExists", "Null"),
])
def test_suggestions(raw, want):
    assert suggest_operator(raw) == want


def test_no_suggestion_for_valid_or_hopeless():
    assert suggest_operator("StringEquals") is None
    assert suggest_operator("Xyzzy") is None
    assert suggest_operator("Bogus:StringEquals") is None
