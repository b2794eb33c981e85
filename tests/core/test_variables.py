"""The policy-variable scanner."""

from __future__ import annotations

from iam_lsp.core.variables import (
    EMPTY,
    MISSING_BRACE,
    MISSING_QUOTE,
    SPACE,
    SYMBOL,
    has_variable,
    scan_variables,
    strip_variables,
)


def test_plain_variable_offsets():
    s = "arn:aws:s3:::b/${aws:username}/*"
    (v,) = scan_variables(s)
    assert s[v.start:v.end] == "${aws:username}"
    assert s[v.name_start:v.name_end] == "aws:username"
    assert v.issue is None and v.default is None and not v.special


def test_default_value():
    (v,) = scan_variables("${aws:PrincipalTag/team, 'none'}")
    assert (v.key, v.default, v.issue) == ("aws:PrincipalTag/team", "none", None)


def test_default_without_quotes():
    (v,) = scan_variables("${aws:username, nobody}")
    assert v.issue == MISSING_QUOTE


def test_specials():
    refs = scan_variables("a${*}b${?}c${$}")
    assert [r.name for r in refs] == ["*", "?", "$"]
    assert all(r.special and r.issue is None for r in refs)


def test_missing_brace_runs_to_separator():
    s = "home/${aws:username/*"
    (v,) = scan_variables(s)
    assert v.issue == MISSING_BRACE
    assert s[v.start:v.end] == "${aws:username/"


def test_missing_brace_before_next_variable():
    s = "${aws:userid${aws:username}"
    a, b = scan_variables(s)
    assert a.issue == MISSING_BRACE and s[a.start:a.end] == "${aws:userid"
    assert b.issue is None and s[b.start:b.end] == "${aws:username}"


def test_empty_space_and_symbol():
    assert scan_variables("${}")[0].issue == EMPTY
    assert scan_variables("${ }")[0].issue == EMPTY
    assert scan_variables("${aws:user name}")[0].issue == SPACE
    assert scan_variables("${ aws:username}")[0].issue == SPACE
    assert scan_variables("${aws:user*name}")[0].issue == SYMBOL


def test_tag_key_characters_are_allowed():
    (v,) = scan_variables("${aws:PrincipalTag/cost-center_1.a+b=c@d:e}")
    assert v.issue is None


def test_helpers():
    assert has_variable("x${aws:username}") and not has_variable("$x{}")
    assert strip_variables("a${aws:username}*b") == "a*b"
    assert "*" not in strip_variables("a${*}b")
    assert scan_variables("no variables here") == []
