"""jsonschema's verdicts on statement shapes, kept between runs: the same errors, without jsonschema."""

from __future__ import annotations

import json
import os

import pytest

from iam_lsp.core import schema
from iam_lsp.core.jsontree import parse
from iam_lsp.core.policytype import PolicyType
from tests.core.test_schemas import _mutants, _plain, _triples
from tests.processes import run_python


@pytest.fixture()
def fresh(tmp_path, monkeypatch):
    """A private cache folder and an empty in-memory shape cache; `restart()` forgets memory, as a new
    process would, after saving."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("IAM_LSP_NO_DATA_CACHE", raising=False)

    def restart():
        schema.save_verdicts()
        schema._cache.clear()
        monkeypatch.setattr(schema, "_verdicts", schema._Verdicts())

    monkeypatch.setattr(schema, "_verdicts", schema._Verdicts())
    schema._cache.clear()
    yield restart
    schema._cache.clear()


@pytest.mark.parametrize("ptype", list(PolicyType))
def test_stored_verdicts_give_the_same_errors_as_jsonschema(fresh, ptype):
    texts = list(_mutants(60, seed=11))
    first = [_triples(schema.validate(parse(t), ptype)) for t in texts]
    fresh()
    again = [_triples(schema.validate(parse(t), ptype)) for t in texts]
    assert again == first == [_triples(_plain(t, ptype)) for t in texts]
    assert sum(map(len, first)) > 30


def test_known_shapes_build_no_validator(fresh, monkeypatch):
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", 3], "Resource": "*"}]}'
    expected = _triples(schema.validate(parse(text), "identity"))
    assert expected  # an Action that is not a string
    fresh()

    def no_jsonschema(*_):
        raise AssertionError("jsonschema used for a known shape")
    monkeypatch.setattr(schema, "_statement_validator", no_jsonschema)
    monkeypatch.setattr(schema, "validator_for", no_jsonschema)
    assert _triples(schema.validate(parse(text), "identity")) == expected


def test_saving_merges_with_what_another_process_stored(fresh):
    one = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    two = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["s3:*"], "Resource": 5}]}'
    schema.validate(parse(one), "identity")
    fresh()  # "process 1" saved its shapes
    schema._verdicts.loaded = True  # "process 2" never read them, found others, and saves
    schema.validate(parse(two), "identity")
    fresh()
    schema._verdicts.load()
    keys = {k[1] for k in schema._cache}
    assert any('"Action"' in k for k in keys) and any('"NotAction"' in k for k in keys)


@pytest.mark.parametrize("content", ['{"key": "x", "value": 1}', "[", '{"value": [["identity", "top"]]}'])
def test_damaged_store_is_ignored(fresh, content):
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": 7, "Resource": "*"}]}'
    expected = _triples(schema.validate(parse(text), "identity"))
    fresh()
    (stored,) = (p for p in schema._verdicts.slot().path.parent.glob("data-schema-verdicts-*.json"))
    stored.write_text(content)
    assert schema._decode_verdicts(json.loads(content) if content != "[" else None) == []
    assert _triples(schema.validate(parse(text), "identity")) == expected


def test_a_second_lint_of_known_shapes_never_imports_jsonschema(tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", 3], '
                      '"Resource": "arn:aws:s3:::b/*"}]}')
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    loaded, reports = [], []
    for n in range(2):
        report = tmp_path / f"report{n}.json"
        code = (
            "import sys\n"
            "from iam_lsp.cli.main import main\n"
            f"assert main(['lint', '--no-cache', '--format', 'json', '--output', {str(report)!r}, {str(policy)!r}]) == 1\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'jsonschema', 'referencing'}))\n"
        )
        r = run_python(code, env=env, cwd=tmp_path)
        loaded.append(r.stdout.strip())
        reports.append(json.loads(report.read_text()))
    assert loaded == ["['jsonschema', 'referencing']", "[]"]
    assert reports[0] == reports[1] and "IAM033" in json.dumps(reports[0])
