"""Headless Emacs + Eglot with editors/emacs/iam-lsp.el, against the real `iam-lsp serve`.

Needs Debian's emacs-nox and elpa-eglot (Emacs 28 + Eglot 1.9) or Emacs 29+ (Eglot built in).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest

from tests.editors.helpers import (
    EDITORS,
    HERE,
    PASSROLE,
    TRUST,
    copy_fixtures,
    expected_diagnostics,
    server_available,
    server_bin_dir,
    server_command,
)

EMACS = shutil.which("emacs")


def eglot_available() -> bool:
    if EMACS is None:
        return False
    probe = subprocess.run([EMACS, "--batch", "--no-init-file", "--eval",
                            "(progn (require 'package) (package-initialize) (require 'eglot))"],
                           capture_output=True, text=True, timeout=60)
    return probe.returncode == 0


pytestmark = [
    pytest.mark.skipif(not eglot_available(), reason="emacs with eglot not found (apt-get install emacs-nox elpa-eglot)"),
    pytest.mark.skipif(server_available() is not None, reason=str(server_available())),
]

# Flymake types Eglot gives LSP severities 1 / 2 / 3-4.
EGLOT_TYPE = {1: "eglot-error", 2: "eglot-warning", 3: "eglot-note", 4: "eglot-note"}


@pytest.fixture(scope="module")
def eglot_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("eglot")
    files = copy_fixtures(work)
    expected = {name: expected_diagnostics(path, security_error=True) for name, path in files.items()}
    spec = {
        "out": str(work / "report.json"),
        # Use the shipped command (iam-lsp on PATH) when the test venv has the console script.
        "command": None if server_bin_dir() else server_command(),
        "securitySeverity": "error",
        "files": [{"path": str(files[n]), "expected_count": len(expected[n])} for n in (TRUST, PASSROLE)],
    }
    (work / "spec.json").write_text(json.dumps(spec))
    env = dict(os.environ, IAM_LSP_SPEC=str(work / "spec.json"), IAM_LSP_EL=str(EDITORS / "emacs" / "iam-lsp.el"))
    if server_bin_dir() is not None:
        env["PATH"] = f"{server_bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    started = time.monotonic()
    proc = subprocess.run([EMACS, "--batch", "--no-init-file", "-l", str(HERE / "eglot_driver.el")],
                          cwd=work, env=env, capture_output=True, text=True, timeout=180)
    elapsed = time.monotonic() - started
    out = work / "report.json"
    assert out.exists(), f"emacs wrote no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr[-4000:]}"
    report = json.loads(out.read_text())
    print(f"\nheadless Emacs/Eglot run: {elapsed:.2f}s\n{proc.stdout}")
    return {"report": report, "expected": expected, "returncode": proc.returncode,
            "log": proc.stdout + proc.stderr[-4000:]}


def test_eglot_connects_in_a_json_mode(eglot_run: dict) -> None:
    assert eglot_run["returncode"] == 0, eglot_run["log"]
    for name in (TRUST, PASSROLE):
        buf = eglot_run["report"][name]
        assert buf["server"] is True
        # json-mode / js-json-mode where available, else the js-mode variant iam-lsp.el defines.
        assert buf["mode"] in ("json-mode", "json-ts-mode", "js-json-mode", "iam-lsp-json-mode")


@pytest.mark.parametrize("name", [TRUST, PASSROLE])
def test_eglot_diagnostics_match_core(eglot_run: dict, name: str) -> None:
    expected = eglot_run["expected"][name]
    assert expected, f"the core reports nothing on {name}; the fixture no longer exercises the editor"
    got = sorted((d["line"], d["col"], d["end_line"], d["end_col"], d["type"])
                 for d in eglot_run["report"][name]["diagnostics"])
    want = sorted((e.line, e.col, e.end_line, e.end_col, EGLOT_TYPE[e.severity]) for e in expected)
    assert got == want, eglot_run["log"]
    # Eglot prints the code in the text, e.g. "iam-lsp [IAM400]: A role trust policy cannot have Resource".
    codes_in_text = sorted(code for d in eglot_run["report"][name]["diagnostics"]
                           for code in {e.code for e in expected} if f"[{code}]" in d["text"])
    assert codes_in_text == sorted(e.code for e in expected)
