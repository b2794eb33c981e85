"""Cursor location on complete and half-typed documents."""

from __future__ import annotations

from iam_lsp.core.locate import KEY, NONE, VALUE, element_path, locate


def at_end(text: str):
    return locate(text, len(text))


def test_unterminated_value_string_at_end():
    text = '{"Statement": [{"Action": "s3:Get'
    loc = at_end(text)
    assert loc.kind == VALUE
    assert loc.path == ("Statement", 0, "Action")
    assert loc.partial == "s3:Get"
    assert loc.in_string
    assert text[loc.span.start:loc.span.end] == '"s3:Get'


def test_empty_unterminated_value():
    text = '{"Statement": [{"Effect": "'
    loc = at_end(text)
    assert (loc.kind, loc.path, loc.partial) == (VALUE, ("Statement", 0, "Effect"), "")
    assert text[loc.span.start:loc.span.end] == '"'


def test_value_inside_array_has_index():
    text = '{"Statement": [{"Action": ["s3:GetObject", "iam:Pa'
    loc = at_end(text)
    assert loc.path == ("Statement", 0, "Action", 1)
    assert loc.partial == "iam:Pa"
    assert element_path(loc.path) == ("Statement", "Action")


def test_key_being_typed_in_statement():
    text = '{"Statement": [{"Effect": "Allow", "Ac'
    loc = at_end(text)
    assert (loc.kind, loc.path, loc.partial) == (KEY, ("Statement", 0), "Ac")
    assert text[loc.span.start:loc.span.end] == '"Ac'
    assert not loc.has_colon


def test_key_position_after_comma_without_quote():
    text = '{"Statement": [{"Effect": "Allow", '
    loc = at_end(text)
    assert loc.kind == KEY and loc.path == ("Statement", 0)
    assert loc.span.start == loc.span.end == len(text)
    assert loc.token is None


def test_value_position_after_colon():
    text = '{"Statement": [{"Effect": '
    loc = at_end(text)
    assert (loc.kind, loc.path) == (VALUE, ("Statement", 0, "Effect"))
    assert loc.member is not None and loc.member.key == "Effect"


def test_empty_array_item_position():
    text = '{"Statement": [{"Action": [], "Effect": "Allow"}]}'
    loc = locate(text, text.index("[]") + 1)
    assert (loc.kind, loc.path) == (VALUE, ("Statement", 0, "Action", 0))


def test_cursor_in_middle_of_terminated_string():
    text = '{"Statement": {"Effect": "Allow"}}'
    off = text.index("Allow") + 2
    loc = locate(text, off)
    assert (loc.kind, loc.path, loc.partial, loc.value_text) == (VALUE, ("Statement", "Effect"), "Al", "Allow")
    assert text[loc.span.start:loc.span.end] == '"Allow"'


def test_after_complete_value_is_nowhere():
    text = '{"Statement": [{"Effect": "Allow"}]}'
    loc = locate(text, text.index('"Allow"') + len('"Allow"'))
    assert loc.kind == NONE


def test_unterminated_string_followed_by_more_lines():
    text = '{\n  "Statement": {\n    "Effect": "Al\n    "Action": "s3:GetObject"\n  }\n}'
    off = text.index("Al\n") + 2
    loc = locate(text, off)
    assert (loc.kind, loc.path, loc.partial) == (VALUE, ("Statement", "Effect"), "Al")
    assert text[loc.span.start:loc.span.end] == '"Al'


def test_condition_key_position_and_existing_colon():
    text = '{"Statement": [{"Condition": {"StringEquals": {"aws:Sou": "x"}}}]}'
    loc = locate(text, text.index("aws:Sou") + 7)
    assert (loc.kind, loc.path, loc.partial) == (KEY, ("Statement", 0, "Condition", "StringEquals"), "aws:Sou")
    assert loc.has_colon


def test_non_ascii_before_cursor():
    text = '{"Id": "ünïcødé 🚀", "Statement": [{"Action": "s3:Get'
    loc = at_end(text)
    assert loc.partial == "s3:Get"
    assert text[loc.span.start:loc.span.end] == '"s3:Get'


def test_escaped_partial_is_decoded():
    text = '{"Statement": [{"Sid": "a\\u0041b'
    loc = at_end(text)
    assert loc.partial == "aAb"


def test_empty_document_is_nowhere():
    assert locate("", 0).kind == NONE
