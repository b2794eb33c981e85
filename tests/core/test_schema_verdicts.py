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
from tests.test_corpus import CORPUS


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


def _doc(statement: str) -> str:
    return '{"Version": "2012-10-17", "Statement": [' + statement + "]}"


def test_stored_order_is_the_order_of_use(fresh):
    shapes = [_doc(f'{{"Effect": "Allow", "Action": {v}, "Resource": "*"}}') for v in ("1", "true", "null")]
    for text in shapes[:2]:
        schema.validate(parse(text), "identity")
    fresh()
    schema.validate(parse(shapes[2]), "identity")  # newest
    fresh()
    fresh()  # a load and save that adds nothing keeps the order too
    schema._verdicts.load()
    order = [k[1] for k in schema._cache if k[0][1] == "statement"]
    assert ['"Action": 1' in k for k in order].index(True) < ['"Action": null' in k for k in order].index(True)
    assert '"Action": null' in order[-1]


def test_only_shapes_in_the_schemas_words_are_written(fresh):
    secret = _doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Comment": "rotate prod db password"}')
    plain = _doc('{"Effect": "Allow", "Action": 5, "Resource": "arn:aws:s3:::b/*", "Condition": '
                 '{"StringEquals": {"aws:PrincipalTag/team": "red"}}}')
    first = [_triples(schema.validate(parse(t), "identity")) for t in (secret, plain)]
    fresh()
    stored = next(schema._verdicts.slot().path.parent.glob("data-schema-verdicts-*.json")).read_text()
    assert "rotate prod db password" not in stored and "Comment" not in stored
    assert "StringEquals" not in stored and "PrincipalTag" not in stored and "arn:aws" not in stored  # blanked
    assert '\\"Action\\":5' in stored or '\\"Action\\": 5' in stored
    assert [_triples(schema.validate(parse(t), "identity")) for t in (secret, plain)] == first


def test_finding_new_shapes_keeps_a_flag_not_a_list(fresh):
    for n in range(50):
        schema.validate(parse(_doc(f'{{"Effect": "Allow", "Action": "s3:x", "Resource": "*", "X{n}": 1}}')), "identity")
    assert schema._verdicts.dirty and all(not isinstance(v, list) for v in vars(schema._verdicts).values())
    schema.save_verdicts()
    assert not schema._verdicts.dirty


def test_a_damaged_entry_is_left_out_and_the_others_load(fresh):
    good = _doc('{"Effect": "Allow", "Action": 5, "Resource": "*"}')
    bad = _doc('{"Effect": "Allow", "Action": "s3:x"}')  # Resource missing: an 'anyOf' leaf naming the choices
    expected = [_triples(schema.validate(parse(t), "identity")) for t in (good, bad)]
    fresh()
    slot = schema._verdicts.slot()
    data = slot.load()
    for entry in data:
        for leaf in entry[3]:
            if leaf[1] == "anyOf":
                leaf[2] = [1, 2]  # a value span mapping cannot use (it reads each branch's "required")
    slot.store(data + [["identity", "statement"], "junk", ["identity", "top", "{}", [[1, 2]]]])
    schema._verdicts.load()
    assert len(schema._cache) == len(data) - 1
    assert [_triples(schema.validate(parse(t), "identity")) for t in (good, bad)] == expected


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_lint_workers_store_what_they_learn(tmp_path):
    files = sorted((CORPUS / "managed").glob("*.json"))[::8][:160]  # over the batch size that starts worker processes
    folder = tmp_path / "policies"
    folder.mkdir()
    for f in files:
        (folder / f.name).write_text(f.read_text())
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    run_python("from iam_lsp.cli.main import main\n"
               f"main(['lint', '--no-cache', '--no-config', '--jobs', '2', '-f', 'json', '-o', {str(tmp_path / 'r.json')!r}, "
               f"{str(folder)!r}])\n", env=env)
    (stored,) = (tmp_path / "cache" / "iam-lsp").glob("data-schema-verdicts-*.json")
    statement_shapes = [e for e in json.loads(stored.read_text())["value"] if e[1] == "statement"]
    assert len(statement_shapes) > 20  # the parent's warm-up alone knows three
