"""blake2b for the caches' keys, without importing hashlib.

hashlib loads OpenSSL's bindings on import (3-4 ms of every start) to offer algorithms these caches never
use; its blake2b is CPython's built-in `_blake2` module, imported here directly.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

__all__ = ["blake2b"]
