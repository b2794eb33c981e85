"""Finding and reading the files to lint, with a clear per-file error for anything unreadable."""

from __future__ import annotations

import codecs
import fnmatch
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# A document this many bytes or more is not even read (the analyser's own size limit is in chars).
READ_LIMIT_FACTOR = 4


class FileProblem(Exception):
    """A file that cannot be linted; the message says why, in a sentence."""


@dataclass(frozen=True, slots=True)
class Target:
    path: str  # as shown to the user
    stdin: bool = False


def _matches(path: str, globs: list[str]) -> bool:
    norm = path.replace(os.sep, "/")
    name = norm.rsplit("/", 1)[-1]
    for g in globs:
        if fnmatch.fnmatch(norm, g) or fnmatch.fnmatch(name, g):
            return True
        # "**/x" also matches "x" at the top, as users expect from gitignore-like globs.
        if g.startswith("**/") and (fnmatch.fnmatch(norm, g[3:]) or fnmatch.fnmatch(name, g[3:])):
            return True
    return False


def discover(paths: list[str], include: list[str], exclude: list[str],
             errors: list[tuple[str, str]]) -> Iterator[Target]:
    """Expand files and folders (recursively) into targets. Files named explicitly are always linted
    unless excluded; files found in folders must match `include`. Problems go to `errors`."""
    seen: set[tuple[int, int]] = set()
    for raw in paths:
        if raw == "-":
            yield Target("-", stdin=True)
            continue
        p = Path(raw)
        try:
            st = p.stat()
        except OSError as exc:
            errors.append((raw, _os_error(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(p, include, exclude, errors, seen)
        elif _matches(raw, exclude):
            continue
        else:
            yield Target(raw)


def _walk(root: Path, include: list[str], exclude: list[str], errors: list[tuple[str, str]],
          seen: set[tuple[int, int]]) -> Iterator[Target]:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
        except OSError as exc:
            errors.append((str(folder), _os_error(exc)))
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen:  # a symlink loop or a folder reached twice
            continue
        seen.add(ident)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            errors.append((str(folder), _os_error(exc)))
            continue
        subdirs = []
        for entry in entries:
            path = os.path.join(str(folder), entry.name)
            if _matches(path, exclude) or entry.name in (".git", "node_modules", ".venv", "__pycache__"):
                continue
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError as exc:
                errors.append((path, _os_error(exc)))
                continue
            if is_dir:
                subdirs.append(Path(path))
            elif _matches(path, include):
                try:
                    entry.stat()
                except OSError as exc:  # e.g. a dangling or looping symlink
                    errors.append((path, _os_error(exc)))
                    continue
                yield Target(path)
        stack.extend(reversed(subdirs))


def _os_error(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno == errno.EACCES:
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    return exc.strerror or str(exc)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> str:
    """Decode a policy file: UTF-8 (with or without BOM), or UTF-16/32 with a BOM. Raises FileProblem."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                raise FileProblem(f"not valid {enc.upper()} text (byte {exc.start})") from None
    if b"\x00" in data[:8192]:
        raise FileProblem("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(f"not UTF-8 text: invalid byte 0x{data[exc.start]:02x} at offset {exc.start}") from None


def read_text(path: str, max_chars: int) -> str:
    """Read a file for linting. Never writes. Raises FileProblem with a readable reason."""
    try:
        # Check before opening: opening a FIFO for reading blocks until someone writes to it.
        kind = os.stat(path).st_mode
        if stat.S_ISDIR(kind):
            raise FileProblem("is a directory")
        if not stat.S_ISREG(kind):
            raise FileProblem("not a regular file")
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise FileProblem("is a directory")
            if not stat.S_ISREG(st.st_mode):
                raise FileProblem("not a regular file")
            limit = max_chars * READ_LIMIT_FACTOR
            if st.st_size > limit:
                raise FileProblem(f"file too large: {st.st_size:,} bytes (max-size is {max_chars:,} characters)")
            data = fh.read(limit + 1)
    except FileProblem:
        raise
    except OSError as exc:
        raise FileProblem(_os_error(exc)) from None
    return decode(data)
