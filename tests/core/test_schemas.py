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
