"""The README's quick-start output is what `iam-lsp lint examples/` really prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_shows_the_real_lint_output_of_the_examples():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"exits 1 because findings at or above the fail level remain:\n\n```\n(.*?)```", readme, re.S)
    assert block, "README lost its example output block"
    proc = subprocess.run([sys.executable, "-m", "iam_lsp", "lint", "examples/"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stdout == block.group(1)


def test_good_examples_are_clean():
    proc = subprocess.run([sys.executable, "-m", "iam_lsp", "lint", "--fail-level", "suggestion", "examples/good"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
