"""Static checks of the editor snippets that no headless editor here can run (Helix, pre-commit, Actions)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from tests.editors.helpers import EDITORS, REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_helix_languages_toml() -> None:
    data = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text())
    server = data["language-server"]["iam-lsp"]
    assert server["command"] == "iam-lsp"
    assert server["args"] == ["serve", "--stdio"]
    assert server["config"]["iamLsp"]["securitySeverity"] in ("warning", "error")
    langs = {lang["name"]: lang["language-servers"] for lang in data["language"]}
    assert "iam-lsp" in langs["json"] and "iam-lsp" in langs["jsonc"]


def test_helix_args_are_accepted_by_the_cli() -> None:
    """`serve --stdio` (what Helix, Emacs and vscode-languageclient pass) parses."""
    from iam_lsp.cli.main import _parser

    args = _parser().parse_args(["serve", "--stdio"])
    assert args.command == "serve" and args.stdio is True


def test_pre_commit_hook() -> None:
    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    fields = dict(re.findall(r"^\s*-?\s*(id|entry|language|types):\s*(.+?)\s*$", text, re.M))
    assert fields == {"id": "iam-lsp", "entry": "iam-lsp lint", "language": "python", "types": "[json]"}


def test_github_workflow_uploads_sarif() -> None:
    text = (EDITORS / "github-actions" / "iam-lsp.yml").read_text()
    assert re.search(r"run: iam-lsp lint --format sarif \S+ > results\.sarif", text)
    assert "uses: github/codeql-action/upload-sarif@" in text
    assert "sarif_file: results.sarif" in text
    assert "security-events: write" in text


def test_github_workflow_lint_command_produces_sarif(tmp_path) -> None:
    """The workflow's lint step, run here on a bad policy, writes a SARIF 2.1.0 log with results."""
    import json

    policy = tmp_path / "policies" / "app.iam.json"
    policy.parent.mkdir()
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                      '"Action": "s3:GetObjekt", "Resource": "*"}]}')
    proc = subprocess.run([sys.executable, "-m", "iam_lsp", "lint", "--format", "sarif", "policies"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr  # findings: the workflow's continue-on-error path
    sarif = json.loads(proc.stdout)
    assert sarif["version"] == "2.1.0"
    assert "IAM103" in {r["ruleId"] for r in sarif["runs"][0]["results"]}


@pytest.mark.skipif(shutil.which("emacs") is None, reason="emacs not found")
def test_emacs_config_byte_compiles_cleanly(tmp_path) -> None:
    src = tmp_path / "iam-lsp.el"
    src.write_text((EDITORS / "emacs" / "iam-lsp.el").read_text())
    proc = subprocess.run(
        ["emacs", "--batch", "--no-init-file", "--eval", "(progn (require 'package) (package-initialize))",
         "--eval", "(setq byte-compile-error-on-warn t)", "-f", "batch-byte-compile", str(src)],
        capture_output=True, text=True, timeout=120)
    if "Cannot open load file" in proc.stderr and "eglot" in proc.stderr:
        pytest.skip("eglot not installed")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "iam-lsp.elc").exists()
