"""Hostile documents through the core, the CLI and the server: each gets a clear diagnostic, in bounded time."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from iam_lsp.core.analyze import analyze
from iam_lsp.core.complete import complete_at
from iam_lsp.core.config import Config
from iam_lsp.core.hover import hover_at
from iam_lsp.core.outline import document_links, document_symbols, folding_ranges
from tests.reliability.rawlsp import RawServer

P = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": %s}]}'
DEEP = 100_000
BOUND = 60.0  # seconds per document and front end: generous for a loaded CI machine, far from a hang

# name -> (text, {code: exact text of its span (None: do not check the span)})
HOSTILE: dict[str, tuple[str, dict[str, str | None]]] = {
    "ten-megabytes": ('{"Version": "2012-10-17", "Statement": [{"Sid": "' + "x" * 10_000_000 + '"}]}',
                      {"IAM001": "{"}),
    "deep-resource": (P % ("[" * DEEP + "]" * DEEP), {"IAM033": "{"}),
    "deep-unclosed": ("[" * DEEP, {"IAM010": None}),
    "deep-objects": ('{"a":' * DEEP, {"IAM010": None}),
    "nul": (P % '"arn:aws:s3:::b\x00/*"', {"IAM010": "\x00", "IAM012": "\x00"}),
    "lone-surrogate": (P % '"arn:aws:s3:::b\ud800/*"', {"IAM012": "\ud800"}),
    "huge-exponent": (P % '"*", "Sid": 1e999999', {"IAM013": "1e999999"}),
    "many-digits": (P % ('"*", "Sid": ' + "7" * 100_000), {"IAM013": "7" * 100_000, "IAM800": '"Statement"'}),
    "long-string": (P % ('"arn:aws:s3:::' + "b" * 1_000_000 + '"'), {"IAM800": '"Statement"'}),
    "duplicate-keys": ('{"Version": "2012-10-17", "Statement": [{'
                       + ", ".join(['"Effect": "Allow"'] * 100_000) + ', "Action": "s3:GetObject", "Resource": "*"}]}',
                       {"IAM011": '"Effect"'}),
}


def check_findings(name: str, text: str, findings: list) -> None:
    expected = HOSTILE[name][1]
    codes = {f.code for f in findings}
    assert set(expected) <= codes, (name, sorted(codes))
    assert "IAM000" not in codes
    for f in findings:
        assert 0 <= f.span.start <= f.span.end <= len(text)
        want = expected.get(f.code)
        if want is not None:
            assert text[f.span.start:f.span.end] == want, (name, f.code, text[f.span.start:f.span.end][:40])


@pytest.mark.parametrize("name", list(HOSTILE))
def test_core(name):
    text = HOSTILE[name][0]
    t0 = time.monotonic()
    a = analyze(text)
    check_findings(name, text, a.findings)
    for off in (0, 1, len(text) // 2, len(text) - 2, len(text)):
        hover_at(text, off, analysis=a)
        complete_at(text, off)
    document_symbols(a.policy)
    folding_ranges(a.tree)
    document_links(a.policy)
    assert time.monotonic() - t0 < BOUND
    if name == "duplicate-keys":  # every Effect but the last (the one JSON parsers keep), once each
        assert len([f for f in a.findings if f.code == "IAM011"]) == 99_999


def test_configured_size_limit_skips_analysis_with_iam001():
    text = P % '"*"'
    a = analyze(text, config=Config.from_mapping({"max-size": 50}))
    assert a.skipped and [f.code for f in a.findings] == ["IAM001"]
    assert "size limit of 50" in a.findings[0].message


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    for name, (text, _) in HOSTILE.items():
        (d / f"{name}.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    return d


def test_cli(hostile_dir):
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "iam_lsp", "lint", "--no-config", "--all-json", "-f", "json",
                           str(hostile_dir)], capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    by_name = {f["path"].rsplit("/", 1)[-1][:-5]: f for f in report["files"]}
    errors = {e["path"].rsplit("/", 1)[-1][:-5]: e["message"] for e in report.get("errors", [])}
    # The 10 MB file is over the read limit (4 bytes per allowed character): refused with a reason.
    assert "too large" in errors.pop("ten-megabytes")
    # A lone surrogate cannot be stored as UTF-8: the file holds invalid bytes and says so.
    assert "not UTF-8" in errors.pop("lone-surrogate")
    assert "binary file" in errors.pop("nul")  # NUL bytes in a file: binary, said so
    assert not errors, errors
    for name in set(HOSTILE) - {"ten-megabytes", "lone-surrogate", "nul"}:
        codes = {f["code"] for f in by_name[name]["findings"]}
        assert set(HOSTILE[name][1]) <= codes, (name, codes)
    assert proc.returncode == 2  # per-file errors
    assert time.monotonic() - t0 < BOUND * 4


def test_cli_size_limit_from_config(tmp_path):
    (tmp_path / ".iam-lsp.toml").write_text("max-size = 40\n")
    (tmp_path / "p.json").write_text(P % '"*"')
    proc = subprocess.run([sys.executable, "-m", "iam_lsp", "lint", "-f", "json", str(tmp_path / "p.json")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    findings = json.loads(proc.stdout)["files"][0]["findings"]
    assert [f["code"] for f in findings] == ["IAM001"]


# Bare nested arrays/objects are not IAM policies: the server leaves such JSON alone (no diagnostics).
NOT_POLICIES = {"deep-unclosed", "deep-objects"}


def test_server():
    s = RawServer()
    try:
        s.initialize()
        uris = {}
        for name, (text, _) in HOSTILE.items():
            if name in NOT_POLICIES:
                continue
            uri = uris[name] = f"file:///tmp/iam-lsp-hostile/{name}.json"
            s.open(uri, text)
        for name, uri in uris.items():
            t0 = time.monotonic()
            pub = s.wait(lambda m, u=uri: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == u, timeout=BOUND * 2)
            codes = {d["code"] for d in pub["params"]["diagnostics"]}
            assert set(HOSTILE[name][1]) <= codes, (name, codes)
            doc = {"textDocument": {"uri": uri}}
            for method, extra in (("textDocument/hover", {"position": {"line": 0, "character": 5}}),
                                  ("textDocument/completion", {"position": {"line": 0, "character": 45}}),
                                  ("textDocument/documentSymbol", {}), ("textDocument/foldingRange", {})):
                res = s.call(method, {**doc, **extra}, timeout=BOUND)
                assert "error" not in res, (name, method, res)
            assert time.monotonic() - t0 < BOUND * 2
        logged = [m for m in s.seen if m.get("method") == "window/logMessage" and m["params"]["type"] == 1]
        assert not logged, logged[:3]
    finally:
        assert s.close(timeout=60) == 0
