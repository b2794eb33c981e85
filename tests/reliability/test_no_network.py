"""No network, ever: lint and a server session run with socket creation blocked; $ref never fetches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from referencing import Registry
from referencing.exceptions import Unresolvable

from iam_lsp.core import schema
from iam_lsp.core.policytype import PolicyType
from tests.reliability.corpus import CORPUS
from tests.reliability.rawlsp import POLICY, RawServer

SITECUSTOMIZE = '''
import socket

_Real = socket.socket


def _refuse(*args, **kwargs):
    raise OSError("network access attempted (blocked by the no-network test)")


class _LocalOnly(_Real):
    # asyncio's self-pipe is an AF_UNIX socketpair (local, no network): only that is allowed.
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if family != socket.AF_UNIX:
            _refuse()
        super().__init__(family, type, proto, fileno)


socket.socket = _LocalOnly
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
'''


@pytest.fixture(scope="module")
def offline_env(tmp_path_factory):
    d = tmp_path_factory.mktemp("offline")
    (d / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(d), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


@pytest.mark.parametrize("code", ["import socket; socket.create_connection(('example.com', 80))",
                                  "import socket; socket.socket()",
                                  "import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)",
                                  "import urllib.request; urllib.request.urlopen('http://example.com')"])
def test_the_block_works(offline_env, code):
    proc = subprocess.run([sys.executable, "-c", code], env=offline_env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "network access attempted" in proc.stderr


def test_lint_corpus_offline(offline_env):
    proc = subprocess.run([sys.executable, "-m", "iam_lsp", "lint", "--no-config", "--jobs", "1", "-f", "json",
                           str(CORPUS / "trust"), str(CORPUS / "managed" / "AdministratorAccess.json")],
                          env=offline_env, capture_output=True, text=True, timeout=600)
    assert "network access attempted" not in proc.stderr + proc.stdout
    report = json.loads(proc.stdout)
    assert len(report["files"]) >= 100 and not report.get("errors")


def test_lint_parallel_offline(offline_env, tmp_path):
    # The process pool must not need a socket either (it uses pipes).
    for i in range(160):
        (tmp_path / f"p{i}.json").write_text(POLICY)
    proc = subprocess.run([sys.executable, "-m", "iam_lsp", "lint", "--no-config", "--jobs", "2", str(tmp_path)],
                          env=offline_env, capture_output=True, text=True, timeout=600)
    assert "network access attempted" not in proc.stderr + proc.stdout
    assert proc.stdout.count("IAM103") == 160


def test_server_session_offline(offline_env):
    s = RawServer(env=offline_env)
    try:
        s.initialize()
        uri = "file:///tmp/iam-lsp-offline/policy.json"
        s.open(uri)
        pub = s.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        assert [d["code"] for d in pub["params"]["diagnostics"]] == ["IAM103"]
        col = POLICY.splitlines()[3].index("s3:GetObjekt") + 4
        hover = s.hover(uri, 3, col)
        assert "GetObjekt" in json.dumps(hover["result"])
        comp = s.call("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 3, "character": col}})
        assert comp["result"]["items"]
    finally:
        assert s.close() == 0
    assert "network access attempted" not in s.stderr()


def test_schema_refs_resolve_only_from_the_bundled_files(monkeypatch):
    # A registry that refuses every URI it was not given: validation must not need any other.
    bundled = schema._registry()
    fetched: list[str] = []

    def refuse(uri: str):
        fetched.append(uri)
        raise Unresolvable(uri)

    strict = Registry(retrieve=refuse).with_resources(
        [(uri, bundled[uri]) for uri in bundled])  # the same resources, no network fallback
    monkeypatch.setattr(schema, "_registry", lambda: strict)
    schema.validator_for.cache_clear()
    try:
        from iam_lsp.core.jsontree import parse

        for ptype in PolicyType:
            errors = schema.validate(parse(POLICY), ptype)
            assert isinstance(errors, list)
        bad = '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": 5, "Resource": {}}]}'
        assert schema.validate(parse(bad), PolicyType.IDENTITY)
    finally:
        schema.validator_for.cache_clear()
    assert fetched == []
    for path in Path(schema.SCHEMA_DIR).glob("*.json"):
        refs = [v for v in _walk(json.loads(path.read_text())) if isinstance(v, str) and v.startswith("http")]
        assert all(r.startswith(schema.BASE_URI) or "json-schema.org" in r for r in refs), (path, refs)


def _walk(value):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("$ref", "$id", "$schema"):
                yield v
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
