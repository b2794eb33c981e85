"""The user's cache folder for iam-lsp, and which files in it may be trusted (shared by the start-up caches)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path


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
