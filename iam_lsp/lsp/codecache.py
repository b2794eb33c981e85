"""A start-up cache of the code attrs generates for lsprotocol's classes.

`import lsprotocol.types` builds about 570 attrs classes, and attrs writes and compiles an `__init__`,
`__repr__`, `__eq__`... for each one: about 560 sources, a quarter to a third of the server's start-up.
Compiling is deterministic, so, like Python's own `__pycache__`, the code objects are kept in a marshal
file and reused when attrs asks to compile the very same source again.

While installed, `attr._make` finds `compile` in its own module namespace before the builtin one. The
cache is keyed by a 128-bit digest of (mode, compiler flags, optimisation level, file name, source), so
a changed attrs or lsprotocol simply misses. The file name carries Python's bytecode tag and magic
number (code objects only load into the interpreter that made them) and a digest of where attrs is
installed (two environments do not overwrite each other's file).

Trust: loading the file runs its code in the server, as loading a `.pyc` does. On POSIX the file is
used only when it belongs to the user and nobody else can write it, and the folder is created private
(0700). Anything unexpected (another attrs layout, an unreadable, damaged or foreign file, an
unwritable folder, no home folder) turns the cache off, never start-up itself.
`IAM_LSP_NO_CODE_CACHE=1` turns it off on purpose.
"""

from __future__ import annotations
import __future__

import builtins
import hashlib
import marshal
import os
import sys
import time
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from iam_lsp.atomic import write_atomically
from iam_lsp.cachedir import cache_dir, trusted

DISABLE_ENV = "IAM_LSP_NO_CODE_CACHE"
_FEW_MISSES = 16
_MAX_FILE_BYTES = 16 * 1024 * 1024  # lsprotocol's code is about 1.2 MB; anything far bigger is not ours
_TEMP_PREFIX = ".attrs-code-"
_STALE_TEMP_SECONDS = 600  # a save takes milliseconds; an older temporary file is from a killed server


class CodeCache:
    """Serves `compile()` for one module from a dict of code objects; records what it had to compile.

    `flags` are the compiler flags the module's own calls to `compile` inherit (its `from __future__`
    imports): a miss is compiled with exactly those, whatever this module imports."""

    def __init__(self, path: Path, flags: int = 0) -> None:
        self.path = path
        self.flags = flags
        self.known: dict[bytes, CodeType] = _load(path)
        self.used: dict[bytes, CodeType] = {}
        self.misses = 0
        self._module: ModuleType | None = None

    def compile(self, source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(source, str) or not isinstance(filename, str):
            return builtins.compile(source, filename, mode, *args, **kwargs)  # not the shape attrs uses
        key = hashlib.blake2b(
            f"{mode}\0{self.flags}\0{sys.flags.optimize}\0{filename}\0{source}".encode("utf-8", "surrogatepass"),
            digest_size=16).digest()
        code = self.known.get(key)
        if code is None:
            code = builtins.compile(source, filename, mode, self.flags, True)
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
        miss; rewriting the file for them would rewrite it on every start. (So an upgrade that changes
        only a handful of classes leaves them compiled on each start: a millisecond or two.)"""
        if self.misses <= _FEW_MISSES:
            return
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _remove_stale_temporaries(folder)
            write_atomically(self.path, marshal.dumps(self.used), mode=0o600, temp_prefix=_TEMP_PREFIX)
        except OSError:
            pass  # a read-only home or a full disk: the next start compiles again, nothing else changes


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files left by a server killed while saving (each about 1.2 MB)."""
    cutoff = time.time() - _STALE_TEMP_SECONDS
    for leftover in folder.glob(_TEMP_PREFIX + "*"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass


def _load(path: Path) -> dict[bytes, CodeType]:
    try:
        with path.open("rb") as f:
            if not trusted(os.fstat(f.fileno())):
                return {}
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


def future_flags(module: ModuleType) -> int:
    """The compiler flags of the module's `from __future__` imports, which its `compile` calls inherit."""
    flags = 0
    for value in vars(module).values():
        if isinstance(value, __future__._Feature):
            flags |= value.compiler_flag
    return flags


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
    # No attrs version in the name: asking attrs for it reads package metadata (~15 ms). The digest of the
    # source tells one attrs' code from another's; the install location keeps two environments apart.
    where = hashlib.blake2b(os.path.dirname(_make.__file__ or "").encode("utf-8", "surrogatepass"),
                            digest_size=4).hexdigest()
    tag = f"{sys.implementation.cache_tag or 'nocache'}-{MAGIC_NUMBER[:2].hex()}-{where}"
    try:
        cache = CodeCache(cache_dir() / f"attrs-code-{tag}.marshal", future_flags(_make))
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
