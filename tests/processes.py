"""Running code in a fresh interpreter: what a new process imports and loads is what start-up pays for."""

from __future__ import annotations

import subprocess
import sys


def run_python(code: str, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run `code` with `python -c` (kwargs go to subprocess.run); fail the test if it exits non-zero."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, **kwargs)
    assert proc.returncode == 0, proc.stderr
    return proc


def assert_not_loaded(*packages: str) -> str:
    """Lines of code that fail when any of these top-level packages has been imported."""
    return (
        "import sys as _sys\n"
        f"_loaded = sorted({{m for m in _sys.modules if m.split('.')[0] in {packages!r}}})\n"
        "assert not _loaded, _loaded\n"
    )
