"""The tolerant parser: exact spans, recovery from half-typed input, and never raising."""

from __future__ import annotations

from iam_lsp.core.jsontree import ARRAY, OBJECT, STRING, node_at, parse, to_python


def spans(result):
    return [(e.message, result.text[e.span.start:e.span.end]) for e in result.errors]


def test_valid_document_keeps_every_range():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"]}]}'
    r = parse(text)
    assert r.ok
    action = r.find(["Statement", 0, "Action"])
    assert action.kind == ARRAY
    assert [text[i.start:i.end] for i in action.items] == ['"s3:GetObject"', '"s3:PutObject"']
    member = r.find_member(["Statement", 0, "Effect"])
    assert text[member.key_node.start:member.key_node.end] == '"Effect"'
    assert r.root.to_python() == {"Version": "2012-10-17",
                                  "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"]}]}


def test_document_cut_off_mid_string_keeps_structure():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get'
    r = parse(text)
    node = r.find(["Statement", 0, "Action"])
    assert node.kind == STRING and node.value == "s3:Get" and not node.terminated
    assert node.end == len(text)
    messages = [m for m, _ in spans(r)]
    assert "Unterminated string" in messages
    assert sum("to close the" in m for m in messages) == 3


def test_missing_comma_colon_and_value_are_reported_with_ranges():
    text = '{"a": 1 "b": 2, "c" 3, "d": }'
    r = parse(text)
    assert to_python(r.root) == {"a": 1, "b": 2, "c": 3}
    got = spans(r)
    assert ("Expected ',' between members", "1") in got
    assert ("Expected ':' after the property name", '"') in got
    assert ("Expected a value", ":") in got


def test_trailing_commas_and_comments_are_errors_but_parse():
    text = '{"a": [1, 2,], // note\n "b": 3,}'
    r = parse(text)
    assert to_python(r.root) == {"a": [1, 2], "b": 3}
    kinds = sorted(e.kind for e in r.errors)
    assert kinds == ["comment", "trailing-comma", "trailing-comma"]


def test_duplicate_keys_are_reported_not_dropped():
    text = '{"Effect": "Deny", "Effect": "Allow"}'
    r = parse(text)
    assert len(r.root.members) == 2
    first, dup = r.duplicates[0]
    assert text[dup.key_node.start:dup.key_node.end] == '"Effect"' and dup.key_node.start == 19
    assert r.root.value_of("Effect").value == "Allow"


def test_mismatched_brackets_recover():
    r = parse('{"a": [1, 2}, "b": 3}')
    assert r.errors
    assert r.root.kind == OBJECT


def test_escaped_strings_map_back_to_source_offsets():
    text = '{"a": "x\\ty\\u0041z"}'
    r = parse(text)
    node = r.find(["a"])
    assert node.value == "x\tyAz"
    sp = node.text_span(3, 4)  # the decoded "A"
    assert text[sp.start:sp.end] == "\\u0041"
    sp = node.text_span(4, 5)
    assert text[sp.start:sp.end] == "z"


def test_non_ascii_offsets_are_code_points():
    text = '{"Sid": "Allów", "x": 1 "y": 2}'
    r = parse(text)
    err = r.errors[0]
    assert text[err.span.start:err.span.end] == "1"
    assert r.find(["Sid"]).value == "Allów"


def test_deep_nesting_does_not_recurse():
    depth = 100_000
    r = parse("[" * depth + "]" * depth)
    assert r.ok and r.max_depth == depth
    assert isinstance(to_python(r.root), list)


def test_garbage_never_raises():
    for text in ["", "   ", "}", "]]]", "{:", '{"a"', '{"a":', "nul", "tru", "'x'", "{'a': 1}", "\x00\x01",
                 '"\ud800"', "1e999999", "-", "{,,,}", "[,]", '{"a":1}}', "/* open", "[1,2"]:
        r = parse(text)
        for e in r.errors:
            assert 0 <= e.span.start <= e.span.end <= len(text)


def test_huge_number_does_not_raise():
    r = parse('{"n": 1' + "0" * 10000 + "}")
    assert r.find(["n"]).value == float("inf")


def test_node_at_finds_the_innermost_value():
    text = '{"Statement": [{"Action": "s3:GetObject"}]}'
    r = parse(text)
    chain = node_at(r.root, text.index("GetObject"))
    assert chain[-1].kind == STRING and chain[-1].value == "s3:GetObject"
