"""The analysis core must not depend on the LSP stack: the CLI and tests use it without pygls."""

from __future__ import annotations

import ast
import pathlib

from tests.processes import assert_not_loaded, run_python

CORE = pathlib.Path(__file__).resolve().parents[2] / "iam_lsp" / "core"
FORBIDDEN = ("pygls", "lsprotocol", "cattrs")


def test_core_sources_do_not_import_lsp_packages():
    offenders = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(CORE)}: {name}")
    assert not offenders, offenders


def test_lint_path_loads_no_lsp_modules():
    run_python(
        "from iam_lsp.cli.main import main\n"
        "from iam_lsp.core.analyze import analyze\n"
        "analyze('{\"Version\": \"2012-10-17\", \"Statement\": []}')\n"
        "main(['rules'])\n"
        + assert_not_loaded("pygls", "lsprotocol", "cattrs")
    )
