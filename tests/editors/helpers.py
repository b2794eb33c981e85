"""Shared pieces of the real-editor tests: server command, fixtures, expected diagnostics from the core."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from iam_lsp.core.analyze import analyze
from iam_lsp.core.findings import Severity
from iam_lsp.core.text import LineIndex

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FIXTURES = HERE / "fixtures"
EDITORS = REPO / "editors"

TRUST = "bad-trust-policy.json"
PASSROLE = "bad-passrole-policy.json"

# LSP DiagnosticSeverity numbers, as the server maps our severities (settings may move two of them).
_LSP_SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2}


def server_bin_dir() -> Path | None:
    """The folder holding the `iam-lsp` console script of the interpreter running the tests, if any."""
    candidate = Path(sys.executable).parent / "iam-lsp"
    return candidate.parent if candidate.is_file() and os.access(candidate, os.X_OK) else None


def server_command() -> list[str]:
    """`<venv>/bin/iam-lsp serve` when installed next to this interpreter, else `python -m iam_lsp serve`."""
    folder = server_bin_dir()
    if folder is not None:
        return [str(folder / "iam-lsp"), "serve"]
    return [sys.executable, "-m", "iam_lsp", "serve"]


def server_available() -> str | None:
    """None when `iam-lsp serve` can start here, else why not (the server module may not exist yet)."""
    try:
        import iam_lsp.lsp.server  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only while the server is being written
        return f"iam_lsp.lsp.server not importable: {exc}"
    return None


def copy_fixtures(dest: Path) -> dict[str, Path]:
    """Copy the fixtures into a clean folder (a .git marker as project root, no config file), so the
    server sees the same defaults `analyze()` uses here and not whatever config the repository has."""
    (dest / ".git").mkdir(parents=True, exist_ok=True)
    out = {}
    for name in (TRUST, PASSROLE):
        shutil.copy(FIXTURES / name, dest / name)
        out[name] = dest / name
    return out


@dataclass(frozen=True)
class Expected:
    code: str
    line: int
    col: int
    end_line: int
    end_col: int
    severity: int

    def key(self) -> tuple:
        return (self.code, self.line, self.col, self.end_line, self.end_col)


def expected_diagnostics(path: Path, security_error: bool = False, suggestion_hint: bool = False) -> list[Expected]:
    """What the core reports for the file, as LSP ranges (ASCII fixtures: columns are the same in
    utf-8, utf-16 and code points)."""
    text = path.read_text(encoding="utf-8")
    assert text.isascii(), "fixtures must be ASCII so columns do not depend on the position encoding"
    index = LineIndex(text)
    out = []
    for f in analyze(text, str(path)).findings:
        start, end = index.position(f.span.start), index.position(f.span.end)
        if f.severity == Severity.SECURITY:
            sev = 1 if security_error else 2
        elif f.severity == Severity.SUGGESTION:
            sev = 4 if suggestion_hint else 3
        else:
            sev = _LSP_SEVERITY[f.severity]
        out.append(Expected(f.code, start.line, start.column, end.line, end.column, sev))
    return sorted(out, key=Expected.key)


def position_of(path: Path, needle: str, delta: int = 0) -> tuple[int, int]:
    """(line, column) of the first `needle` in the file, moved by `delta` characters."""
    text = path.read_text(encoding="utf-8")
    offset = text.index(needle) + delta
    pos = LineIndex(text).position(offset)
    return pos.line, pos.column
