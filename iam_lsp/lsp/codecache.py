"""A start-up cache of the code attrs generates for lsprotocol's classes.

`import lsprotocol.types` builds about 570 attrs classes, and attrs writes and compiles an `__init__`,
`__repr__`, `__eq__`... for each one: about 750 calls to `compile()`, roughly 40% of the server's
start-up. Compiling is deterministic, so, like Python's own `__pycache__`, the code objects are kept in a
marshal file and reused when attrs asks to compile the very same source again.

While installed, `attr._make` finds `compile` in its own module namespace before the builtin one. The
cache is keyed by a 128-bit digest of (mode, file name, source), so a changed attrs or lsprotocol simply
misses; the file name carries Python's bytecode tag and magic number, since code objects are only valid
for the interpreter that made them. Anything unexpected (another attrs layout, an unreadable or
damaged file, an unwritable folder) turns the cache off, never start-up itself.
`IAM_LSP_NO_CODE_CACHE=1` turns it off on purpose.
"""

from __future__ import annotations

import builtins
import hashlib
import marshal
import os
import sys
import tempfile
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

DISABLE_ENV = "IAM_LSP_NO_CODE_CACHE"
_FEW_MISSES = 16
_MAX_FILE_BYTES = 16 * 1024 * 1024  # lsprotocol's code is about 1.2 MB; anything far bigger is not ours


def cache_dir() -> Path:
    """The user's cache folder for iam-lsp: XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on
    macOS, LOCALAPPDATA on Windows."""
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "iam-lsp"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "iam-lsp" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "iam-lsp"
    return Path.home() / ".cache" / "iam-lsp"


class CodeCache:
    """Serves `compile()` for one module from a dict of code objects; records what it had to compile."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[bytes, CodeType] = _load(path)
        self.used: dict[bytes, CodeType] = {}
        self.misses = 0
        self._module: ModuleType | None = None

    def compile(self, source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(source, str) or not isinstance(filename, str):
            return builtins.compile(source, filename, mode, *args, **kwargs)  # not the shape attrs uses
        key = hashlib.blake2b(f"{mode}\0{filename}\0{source}".encode("utf-8", "surrogatepass"),
                              digest_size=16).digest()
        code = self.known.get(key)
        if code is None:
            code = builtins.compile(source, filename, mode)
            self.misses += 1
        self.used[key] = code
        return code

    def install(self, module: ModuleType) -> None:
        module.compile = self.compile  # type: ignore[attr-defined]
        self._module = module

    def uninstall(self) -> None:
        if self._module is not None and vars(self._module).get("compile") == self.compile:
            del self._module.compile  # type: ignore[attr-defined]
        self._module = None

    def save(self) -> None:
        """Write what this start-up used (so stale entries go too), when more than a few were missing.

        A few sources differ on every start: attrs salts a frozen class's `__hash__` with the string hash
        of its name, which Python randomises per process (cattrs' AttributeOverride is one). Those always
        miss; rewriting the file for them would rewrite it on every start."""
        if self.misses <= _FEW_MISSES:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".attrs-code-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    marshal.dump(self.used, out)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only home or a full disk: the next start compiles again, nothing else changes


def _load(path: Path) -> dict[bytes, CodeType]:
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_FILE_BYTES + 1)
        if len(data) > _MAX_FILE_BYTES:
            return {}
        loaded = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict) or not all(
            type(k) is bytes and type(v) is CodeType for k, v in loaded.items()):
        return {}
    return loaded


def start() -> CodeCache | None:
    """Install the cache into attrs, or return None when it cannot (or must not) be used."""
    if os.environ.get(DISABLE_ENV):
        return None
    try:
        from attr import _make
    except ImportError:
        return None
    if not _uses_builtin_compile(_make):  # attrs 22.x-26.x call the builtin by name from this module
        return None
    # No attrs version in the name: asking attrs for it reads package metadata (~15 ms), and the digest
    # of the source already tells one attrs' code from another's.
    # The bytecode magic number, as in .pyc files: code objects only load into the interpreter that made them.
    tag = f"{sys.implementation.cache_tag or 'nocache'}-{MAGIC_NUMBER[:2].hex()}"
    try:
        cache = CodeCache(cache_dir() / f"attrs-code-{tag}.marshal")
    except Exception:  # no home folder (RuntimeError), an odd environment: start without the cache
        return None
    cache.install(_make)
    return cache


def _uses_builtin_compile(module: ModuleType) -> bool:
    """True when some function of the module calls `compile` as a global (so a module attribute shadows it)."""
    if "compile" in vars(module):
        return False
    for value in vars(module).values():
        code = getattr(value, "__code__", None)
        if isinstance(code, CodeType) and getattr(value, "__module__", None) == module.__name__ \
                and "compile" in code.co_names:
            return True
    return False


def finish(cache: CodeCache | None) -> None:
    """Stop serving compiles (later attrs classes compile normally) and save the code if some was new.

    Saving takes about 10 ms and happens once after attrs, lsprotocol or Python change."""
    if cache is None:
        return
    cache.uninstall()
    try:
        cache.save()
    except Exception:  # never fatal: OSError is handled inside; anything else only costs the next start
        pass
