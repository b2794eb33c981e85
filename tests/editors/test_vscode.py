"""The VS Code extension: type-check and node tests of its pure logic (VS Code itself cannot run in CI).

Runs when npm is present and `npm ci` has been run in editors/vscode.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from tests.editors.helpers import EDITORS

VSCODE = EDITORS / "vscode"
NPM = shutil.which("npm")

pytestmark = [
    pytest.mark.skipif(NPM is None, reason="npm not found"),
    pytest.mark.skipif(not (VSCODE / "node_modules" / "vscode-languageclient").is_dir(),
                       reason="editors/vscode/node_modules missing (run `npm ci` in editors/vscode)"),
]


def npm(*args: str) -> subprocess.CompletedProcess:
    started = time.monotonic()
    proc = subprocess.run([NPM, *args], cwd=VSCODE, capture_output=True, text=True, timeout=300)
    print(f"npm {' '.join(args)}: {time.monotonic() - started:.2f}s")
    return proc


def test_vscode_extension_type_checks() -> None:
    proc = npm("run", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_vscode_logic_node_tests() -> None:
    proc = npm("test")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # node's TAP summary: every test ran and passed.
    assert "# fail 0" in proc.stdout
    passed = int(next(line.split()[-1] for line in proc.stdout.splitlines() if line.startswith("# pass ")))
    assert passed >= 10


def test_vscode_settings_cover_the_server_settings() -> None:
    """package.json declares every setting the server reads (iam_lsp/lsp/settings.py)."""
    from iam_lsp.lsp.settings import parse_client_settings

    props = json.loads((VSCODE / "package.json").read_text())["contributes"]["configuration"]["properties"]
    server_keys = {k.removeprefix("iamLsp.") for k in props if not k.startswith(("iamLsp.server.", "iamLsp.trace."))}
    sample = {"select": ["IAM4"], "enable": [], "disable": [], "severity": {}, "policyTypes": {}, "include": [],
              "exclude": [], "maxSize": 1000, "options": {}, "securitySeverity": "error",
              "suggestionSeverity": "hint"}
    assert server_keys == set(sample)
    parsed = parse_client_settings(sample)
    assert parsed.problems == []
    assert parsed.security_error is True and parsed.suggestion_hint is True
