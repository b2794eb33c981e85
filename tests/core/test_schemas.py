"""The bundled JSON Schemas: well-formed, offline, accept every real policy, and map errors to spans."""

from __future__ import annotations

import json
import pathlib

import pytest
from jsonschema import Draft202012Validator

from iam_lsp.core import schema
from iam_lsp.core.jsontree import parse
from iam_lsp.core.policytype import PolicyType

CORPUS = pathlib.Path("/work/shared/corpus")
FILES = sorted(schema.SCHEMA_DIR.glob("*.json"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_schema_is_valid_draft_2020_12_with_local_relative_refs(path):
    doc = json.loads(path.read_text())
    Draft202012Validator.check_schema(doc)
    assert doc["$id"] == f"https://iam-lsp.dev/schemas/{path.name}"
    assert doc["title"] and doc["description"]
    refs = [line for line in path.read_text().splitlines() if '"$ref"' in line]
    assert all("http" not in r for r in refs)


def _properties(node, out):
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            out.append((name, sub))
        for v in node.values():
            _properties(v, out)
    elif isinstance(node, list):
        for v in node:
            _properties(v, out)
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_property_has_hover_docs(path):
    props = _properties(json.loads(path.read_text()), [])
    assert props
    for name, sub in props:
        assert sub.get("description") and sub.get("markdownDescription"), name


def test_every_policy_type_has_a_schema():
    for ptype in PolicyType:
        assert schema.schema_path(ptype).is_file()
        assert schema.load_schema(ptype)["$id"].endswith(schema.SCHEMA_FILES[ptype])


def _corpus(folder):
    return sorted((CORPUS / folder).glob("*.json"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
@pytest.mark.parametrize("folder,ptype", [("managed", PolicyType.IDENTITY), ("trust", PolicyType.TRUST)])
def test_corpus_validates(folder, ptype):
    files = _corpus(folder)
    assert len(files) > 100
    failures = {p.name: schema.validate(parse(p.read_text()), ptype) for p in files}
    assert {k: v for k, v in failures.items() if v} == {}


ACCEPTED_SHAPES = [
    ("identity", '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}'),
    ("identity", '{"Statement": [{"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "arn:aws:iam::*:role/x", '
                 '"Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}, "Bool": {"aws:SecureTransport": false}, '
                 '"ForAnyValue:StringLike": {"aws:TagKeys": ["a*", "b"]}}}]}'),
    ("trust", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}'),
    ("resource", '{"Version": "2008-10-17", "Id": "q", "Statement": [{"Sid": "a b", "Effect": "Allow", '
                 '"Principal": {"AWS": ["111122223333"], "CanonicalUser": "abc"}, "Action": "sqs:*", "Resource": "*"}]}'),
    ("scp", '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}'),
    ("rcp", '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}'),
    ("boundary", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'),
]


@pytest.mark.parametrize("ptype,text", ACCEPTED_SHAPES)
def test_accepts_real_world_shapes(ptype, text):
    assert schema.validate(parse(text), ptype) == []


def _errors(text, ptype):
    return [(text[e.span.start:e.span.end], e.validator) for e in schema.validate(parse(text), ptype)]


def test_errors_point_at_exact_spans():
    text = '{"Version": "2012-10-18", "Statement": [{"effect": "Allow", "Action": ["s3:x", 3], "Resource": "*", "NotResource": "y"}]}'
    assert _errors(text, "identity") == [
        ('"2012-10-18"', "enum"),
        ("{", "required"),
        ('"effect"', "additionalProperties"),
        ("3", "type"),
        ('"NotResource"', "dependentSchemas"),
    ]


def test_policy_type_specific_elements():
    scp = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}'
    assert _errors(scp, "scp") == [('"Principal"', "additionalProperties")]
    rcp = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "x"}, "NotAction": "s3:*", "Resource": "*"}]}'
    assert sorted(_errors(rcp, "rcp")) == sorted([("{", "required"), ('"NotAction"', "additionalProperties")])
    trust = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "arn:aws:iam::1:root", "Action": "sts:AssumeRole"}]}'
    assert _errors(trust, "trust") == [('"arn:aws:iam::1:root"', "const")]


def test_missing_statement_and_non_ascii():
    text = '{"Version": "2012-10-17", "Sid\u00e9": 1}'
    errs = _errors(text, "identity")
    assert ("{", "required") in errs and ('"Sid\u00e9"', "additionalProperties") in errs


def test_depth_limit():
    deep = parse('{"Statement": ' + "[" * 80 + "]" * 80 + "}")
    with pytest.raises(schema.DepthExceeded):
        schema.validate(deep, "identity")


def test_registry_never_fetches(monkeypatch):
    import urllib.request

    def boom(*a, **k):
        raise AssertionError("network access")

    monkeypatch.setattr(urllib.request, "urlopen", boom)
    schema.validator_for.cache_clear()
    schema._registry.cache_clear()
    assert schema.validate(parse('{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}'), "scp") == []


# --- per-statement validation with a cache: same errors as one plain jsonschema pass ----------------


def _plain(text, ptype):
    """Reference: one jsonschema pass over the real, unshortened document, mapped the same way."""
    tree = parse(text)
    out = []
    for leaf in schema._leaf_records(schema.validator_for(ptype), tree.root.to_python()):
        out.extend(schema._to_schema_errors(tree, leaf, ()))
    unique, seen = [], set()
    for e in sorted(out, key=lambda e: (e.span.start, e.span.end, e.message)):
        if (e.span, e.message) not in seen:
            seen.add((e.span, e.message))
            unique.append(e)
    return unique


BASES = [
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}, "Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["arn:aws:iam::*:role/x"]}]},
    {"Version": "2012-10-17", "Id": "q", "Statement": {
        "Effect": "Allow", "Principal": {"AWS": ["111122223333", "444455556666"], "Service": "sqs.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": "*", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:t"}}}},
]
JUNK = ["allow", 1, None, True, 2.5, {}, [], {"AWS": ["p", "q"]}, ["x", 3], ["a", "b"], {"k": [None, "a"]},
        {"Action": ["a", "b"]}, [["a", "b"], "c"], {"StringEquals": {"k": {"x": 1}}}, "*"]


def _spots(value, out):
    if isinstance(value, dict):
        for k in value:
            out.append((value, k))
            _spots(value[k], out)
    elif isinstance(value, list):
        for i in range(len(value)):
            out.append((value, i))
            _spots(value[i], out)
    return out


def _mutants(n, seed=7):
    import copy
    import random

    rng = random.Random(seed)
    for _ in range(n):
        doc = copy.deepcopy(rng.choice(BASES))
        for _ in range(rng.randrange(1, 4)):
            spots = _spots(doc, [])
            container, key = rng.choice(spots)
            if rng.random() < 0.2 and isinstance(container, dict):
                container[rng.choice(["Foo", "Effect", "NotAction", "NotPrincipal", "Condition", "AWS"])] = copy.deepcopy(rng.choice(JUNK))
            else:
                container[key] = copy.deepcopy(rng.choice(JUNK))
        yield json.dumps(doc, indent=rng.choice([None, 2]))


def _triples(errors):
    return [(e.span, e.message, e.path, e.validator) for e in errors]


@pytest.mark.parametrize("ptype", list(PolicyType))
def test_validate_matches_one_plain_jsonschema_pass(ptype):
    found = 0
    for text in _mutants(80):
        expected = _triples(_plain(text, ptype))
        assert _triples(schema.validate(parse(text), ptype)) == expected, text
        assert _triples(schema.validate(parse(text), ptype)) == expected, text  # again, from the cache
        found += len(expected)
    assert found > 50  # the mutants do break the schema


def test_cached_shape_maps_errors_to_each_statements_own_condition_names():
    st = '{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {{"{op}": {{"{key}": {{"bad": 1}}}}}}}}'
    text = ('{"Version": "2012-10-17", "Statement": [' + st.format(op="StringEquals", key="aws:PrincipalTag/a") + ", "
            + st.format(op="ArnLike", key="aws:SourceArn") + "]}")
    errors = schema.validate(parse(text), "identity")
    assert [(text[e.span.start:e.span.end], e.path) for e in errors] == [
        ('{"bad": 1}', ("Statement", 0, "Condition", "StringEquals", "aws:PrincipalTag/a")),
        ('{"bad": 1}', ("Statement", 1, "Condition", "ArnLike", "aws:SourceArn")),
    ]


def test_shortcut_keys_are_derived_from_the_schemas():
    blank, cut = schema._blank_keys()
    assert {"Action", "NotAction", "Resource", "NotResource", "AWS", "Service", "Federated", "CanonicalUser"} <= cut
    assert not {"Version", "Effect", "Principal", "NotPrincipal"} & blank  # enum / const: their strings matter
    assert set(schema._statement_maps(PolicyType.IDENTITY)) == {"Condition"}


def test_enum_message_quotes_the_real_value():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": {"AWS": ["a", "b"]}, "Action": "s3:x", "Resource": "*"}]}'
    messages = [e.message for e in schema.validate(parse(text), "identity") if e.validator == "enum"]
    assert messages == ['{"AWS": ["a", "b"]} is not one of "Allow", "Deny"']
