"""The user's cache folder for iam-lsp: where it is, which files in it may be trusted, and how the start-up
caches (code and data) read and write their files there."""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path

# Shared by the data caches (datacache.py and the catalogue's rows, core/knowledge/compact.py):
DATA_CACHE_SWITCH = "IAM_LSP_NO_DATA_CACHE"  # set: none of them is read or written
# Files (or folders) kept per kind of cached value: one per installation that shares the cache folder (an
# editor's environment, a project's, pre-commit's), so that running one does not throw away what another
# derived. The least recently used go; a read marks what it used at most once a day.
KEEP_PER_KIND = 4
TOUCH_AFTER = 86400


def mark_used(path: Path, mtime: float) -> None:
    """Refresh the last-use time of a cached file or folder whose mtime is `mtime`, at most once a day."""
    if time.time() - mtime > TOUCH_AFTER:
        try:
            os.utime(path)
        except OSError:
            pass


def beyond_kept(others: Iterable[Path]) -> list[Path]:
    """Of the other files or folders of one kind (the one in use excluded), the least recently used
    ones past the KEEP_PER_KIND that stay, the one in use counted."""
    ranked = sorted(((p.stat().st_mtime, p) for p in others), reverse=True)
    return [p for _, p in ranked[KEEP_PER_KIND - 1:]]


def cache_dir() -> Path:
    """XDG_CACHE_HOME (when absolute, as the XDG spec requires) or ~/.cache on Linux, ~/Library/Caches on
    macOS, LOCALAPPDATA on Windows; with an `iam-lsp` folder inside. Raises RuntimeError without a home."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "iam-lsp"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "iam-lsp" / "Cache"
    home = Path.home()
    if not home.is_absolute() or home == Path(home.anchor):  # HOME="" or "/": no home to keep a cache in
        raise RuntimeError("no home folder for a cache")
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "iam-lsp"
    return home / ".cache" / "iam-lsp"


def trusted(st: os.stat_result) -> bool:
    """A regular file of this user that nobody else can write (always true where there are no uids)."""
    if not stat.S_ISREG(st.st_mode):
        return False
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True  # Windows: the folder is the user's own LOCALAPPDATA
    return st.st_uid == getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_trusted(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result] | None:
    """The file's bytes and status if it is trusted and at most `max_bytes` long; None otherwise (missing,
    unreadable, someone else's or writable by others, or larger: not a file these caches wrote)."""
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if not trusted(st):
                return None
            data = f.read(max_bytes + 1)
    except OSError:
        return None
    return (data, st) if len(data) <= max_bytes else None


def write_private(path: Path, data: bytes, temp_prefix: str) -> None:
    """Write a cache file atomically, readable by this user only, in a private folder. Raises OSError."""
    from iam_lsp.atomic import write_atomically  # only when something is written

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomically(path, data, mode=0o600, temp_prefix=temp_prefix)
