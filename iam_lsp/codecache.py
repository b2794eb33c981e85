"""A start-up cache of the code that dataclasses, attrs and cattrs write and compile at run time.

Each `@dataclass` writes its `__init__`, `__repr__`, `__eq__`... as source and compiles it (about 190
sources for this program's ~40 dataclasses: 17-20 ms of every start). `import lsprotocol.types` builds
about 570 attrs classes, which attrs compiles the same way (about 560 sources, a quarter to a third of the
server's start-up), and cattrs writes and compiles the (un)structuring code of each LSP type on its first
use (about 60 sources, 15-17 ms, on the way to the first diagnostics). Compiling is deterministic, so, like
Python's own `__pycache__`, the code objects are kept in a marshal file and reused when the very same
source is compiled again.

While installed, the module's global `compile` (attrs, cattrs) or `exec` (dataclasses) names a shim
that the module finds before the builtin. The cache is keyed by a 128-bit digest of (mode, compiler
flags, optimisation level, file name, source), so a changed library simply misses. The file name carries
Python's bytecode tag and a digest of its version and build (code objects only load into the interpreter
that made them) and of the environment (two environments do not overwrite each other's file), and the
purpose (the server and the CLI each keep what they use).

Trust: loading the file runs its code in the process, as loading a `.pyc` does. On POSIX the file is
used only when it belongs to the user and nobody else can write it, and the folder is created private
(0700). Anything unexpected (another library layout, an unreadable, damaged or foreign file, an
unwritable folder, no home folder) turns the cache off, never start-up itself.
`IAM_LSP_NO_CODE_CACHE=1` turns it off on purpose.
"""

from __future__ import annotations
import __future__

import builtins
import importlib
import marshal
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from iam_lsp.cachedir import cache_dir, read_trusted, write_private
from iam_lsp.digest import blake2b

DISABLE_ENV = "IAM_LSP_NO_CODE_CACHE"
_FEW_MISSES = 16
_MAX_FILE_BYTES = 16 * 1024 * 1024  # the server's code is about 1.4 MB; anything far bigger is not ours
_TEMP_PREFIX = ".startup-code-"
_CO_OPTIMIZED = 0x1  # inspect.CO_OPTIMIZED: a function's frame (its variables are not a dict)
# Before 2026-11-28 the server kept only attrs' code, in attrs-code-*.marshal: removed once unused for a
# week (an older installation still in use rewrites its file on its next start).
_LEGACY_PATTERNS = ("attrs-code-*.marshal", ".attrs-code-*")
_LEGACY_UNUSED_SECONDS = 7 * 24 * 3600
_STALE_TEMP_SECONDS = 600  # a save takes milliseconds; an older temporary file is from a killed process

# The modules served, and the builtin each calls by name: attrs 22.x-26.x and cattrs 23.x-26.x call
# `compile`; dataclasses (Python 3.10-3.14) calls `exec` on a source string; typing (up to 3.13)
# compiles each string annotation, such as lsprotocol's ~320 forward references (4 ms).
SERVER_MODULES = (("typing", "compile"), ("dataclasses", "exec"), ("attr._make", "compile"),
                  ("cattrs.gen", "compile"))
CLI_MODULES = (("dataclasses", "exec"),)


class CodeCache:
    """Serves `compile()` and `exec()` of source strings from a dict of code objects; records what it
    had to compile.

    Each installed shim compiles with the compiler flags that the module's own calls inherit (its
    `from __future__` imports), whatever this module imports."""

    def __init__(self, path: Path, purpose: str = "") -> None:
        self.path = path
        self.purpose = purpose
        self.known: dict[bytes, CodeType] = _load(path)
        self.used: dict[bytes, CodeType] = {}
        self.misses = 0
        self._saved_misses = 0
        self._installed: list[tuple[ModuleType, str, Callable[..., Any]]] = []
        self._served: list[tuple[ModuleType, str]] = []  # what install() was asked for (reinstall() restores it)

    def code(self, source: str, filename: str, mode: str, flags: int = 0) -> CodeType:
        """What `compile(source, filename, mode, flags, dont_inherit=True)` returns, from the file if known."""
        key = blake2b(
            f"{mode}\0{flags}\0{sys.flags.optimize}\0{filename}\0{source}".encode("utf-8", "surrogatepass"),
            digest_size=16).digest()
        code = self.known.get(key)
        if code is None:
            code = builtins.compile(source, filename, mode, flags, True)
            self.misses += 1
        self.used[key] = code
        return code

    def compile_shim(self, flags: int = 0) -> Callable[..., Any]:
        """A `compile` for a module whose calls inherit `flags`.

        The builtin, called from here, would inherit this module's flags instead of the caller's: every
        call passes the caller's explicitly (with dont_inherit), served from the cache or not."""

        def compile(source: Any, filename: Any, mode: str, flags_: int = 0, dont_inherit: bool = False,
                    optimize: int = -1, **kwargs: Any) -> Any:
            if not (flags_ or dont_inherit or kwargs) and optimize == -1 and isinstance(source, str) \
                    and isinstance(filename, str):
                return self.code(source, filename, mode, flags)  # the shape attrs, cattrs and typing use
            if not dont_inherit:
                flags_ |= flags
            return builtins.compile(source, filename, mode, flags_, True, optimize, **kwargs)

        return compile

    def exec_shim(self, flags: int = 0) -> Callable[..., Any]:
        """An `exec` for a module whose calls inherit `flags`; a source string runs as compiled code.

        As with `compile_shim`, source text is compiled here with the caller's flags, and without
        namespaces the caller's are used (the builtin would use this frame's)."""

        def exec(source: Any, /, *args: Any, **kwargs: Any) -> Any:
            if "closure" not in kwargs:
                if isinstance(source, str):
                    source = self.code(source, "<string>", "exec", flags)
                elif isinstance(source, (bytes, bytearray)):
                    source = builtins.compile(source, "<string>", "exec", flags, True)
            if args or "globals" in kwargs:
                return builtins.exec(source, *args, **kwargs)
            caller = sys._getframe(1)
            locals = kwargs.pop("locals", None)
            if locals is None:
                locals = caller.f_locals
                if sys.version_info >= (3, 13) and caller.f_code.co_flags & _CO_OPTIMIZED:
                    locals = dict(locals)  # 3.13's builtin runs in a snapshot of a function's variables
            return builtins.exec(source, caller.f_globals, locals, **kwargs)

        return exec

    def install(self, module: ModuleType, name: str = "compile") -> None:
        """Shadow the builtin `name` ("compile" or "exec") in the module's namespace."""
        flags = future_flags(module)
        shim = self.exec_shim(flags) if name == "exec" else self.compile_shim(flags)
        setattr(module, name, shim)
        self._installed.append((module, name, shim))
        if (module, name) not in self._served:
            self._served.append((module, name))

    def uninstall(self) -> None:
        """Take the shims out (the builtins serve again); what was recorded stays."""
        for module, name, shim in self._installed:
            if vars(module).get(name) is shim:
                delattr(module, name)
        self._installed.clear()

    def reinstall(self) -> None:
        """Put back the shims that uninstall() took out."""
        if not self._installed:
            for module, name in self._served:
                if name not in vars(module):
                    self.install(module, name)

    def save(self) -> None:
        """Write what this process used (so stale entries go too), when more than a few were missing.

        A few sources differ on every start: attrs salts a frozen class's `__hash__` with the string hash
        of its name, which Python randomises per process (cattrs' AttributeOverride is one). Those always
        miss; rewriting the file for them would rewrite it on every start. (So an upgrade that changes
        only a handful of classes leaves them compiled on each start: a millisecond or two.)"""
        if self.misses - self._saved_misses <= _FEW_MISSES:
            return
        try:
            if self.path.parent.is_dir():
                _remove_stale_temporaries(self.path.parent)
            write_private(self.path, marshal.dumps(self.used), _TEMP_PREFIX)
            self._saved_misses = self.misses
        except OSError:
            pass  # a read-only home or a full disk: the next start compiles again, nothing else changes


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files left by a process killed while saving (each about 1.4 MB), and the files of the
    attrs-only cache this one replaced."""
    now = time.time()
    for pattern, age in ((_TEMP_PREFIX + "*", _STALE_TEMP_SECONDS),
                         *((legacy, _LEGACY_UNUSED_SECONDS) for legacy in _LEGACY_PATTERNS)):
        for leftover in folder.glob(pattern):
            try:
                if leftover.stat().st_mtime < now - age:
                    leftover.unlink()
            except OSError:
                pass


def _load(path: Path) -> dict[bytes, CodeType]:
    got = read_trusted(path, _MAX_FILE_BYTES)
    if got is None:
        return {}
    try:
        loaded = marshal.loads(got[0])
    except (EOFError, ValueError, TypeError):
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


_session: CodeCache | None = None  # the process's session (one at most)


def start(purpose: str, modules: Iterable[tuple[str, str]]) -> CodeCache | None:
    """Install the cache into each (module name, builtin name) whose module calls that builtin by name;
    None when it cannot (or must not) be used. The modules are imported here when they are not yet.

    The session stays the process's until `finish(purpose)`; `pause(purpose)` and `resume(purpose)` take
    the shims out and put them back in between (the server imports its modules, then serves its first
    requests). Each acts only on a session of its purpose: one process has at most one session, and a
    CLI run inside a process that imported the server leaves the server's alone."""
    global _session
    if os.environ.get(DISABLE_ENV) or _session is not None:
        return None
    # No library versions in the name: asking for them reads package metadata (~15 ms). The digests of the
    # sources tell one version's code from another's; the environment keeps two installations apart.
    # sys.version names the interpreter's build (code objects only load into the one that made them).
    where = blake2b(f"{sys.version}\0{sys.prefix}".encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    tag = f"{sys.implementation.cache_tag or 'nocache'}-{where}"
    try:
        cache = CodeCache(cache_dir() / f"startup-code-{purpose}-{tag}.marshal", purpose)
    except Exception:  # no home folder (RuntimeError), an odd environment: start without the cache
        return None
    for module_name, builtin_name in modules:
        try:
            # Installed one by one: the classes a later module defines on import (cattrs' own attrs
            # classes) are served too.
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if _calls_builtin(module, builtin_name):
            cache.install(module, builtin_name)
    if not cache._installed:
        return None
    _session = cache
    return cache


def _calls_builtin(module: ModuleType, name: str) -> bool:
    """True when some function of the module calls `name` as a global (so a module attribute shadows it)."""
    if name in vars(module):
        return False
    for value in vars(module).values():
        functions = [value, *vars(value).values()] if isinstance(value, type) else [value]
        for fn in functions:
            code = getattr(fn, "__code__", None)
            if isinstance(code, CodeType) and getattr(fn, "__module__", None) == module.__name__ \
                    and name in code.co_names:
                return True
    return False


def _current(purpose: str) -> CodeCache | None:
    return _session if _session is not None and _session.purpose == purpose else None


def pause(purpose: str) -> None:
    """Take the shims out (the builtins serve again) and keep what was recorded."""
    cache = _current(purpose)
    if cache is not None:
        cache.uninstall()


def resume(purpose: str) -> None:
    """Put the shims of a paused session back."""
    cache = _current(purpose)
    if cache is not None:
        cache.reinstall()


def finish(purpose: str) -> None:
    """End the session: the builtins serve again, and the code is saved if some was new.

    Saving takes about 10 ms and happens once after Python or a library changes."""
    global _session
    cache = _current(purpose)
    if cache is None:
        return
    _session = None
    cache.uninstall()
    try:
        cache.save()
    except Exception:  # never fatal: OSError is handled inside; anything else only costs the next start
        pass
