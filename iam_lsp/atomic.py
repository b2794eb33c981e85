"""Atomic file writes for iam-lsp's caches (the lint results cache and the server's start-up code cache)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, mode: int, temp_prefix: str, temp_suffix: str = ".tmp") -> None:
    """Write `data` to `path` through a new temporary file beside it and os.replace, so readers (another
    process included) see the old file or the new one, never half of one. Raises OSError.

    The temporary file is named `<temp_prefix><pid>_<random><temp_suffix>`, for callers that sweep up the
    ones a killed process left, and created with `mode` (less the umask)."""
    tmp = path.parent / f"{temp_prefix}{os.getpid()}_{os.urandom(6).hex()}{temp_suffix}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
