"""Configuration shared by the CLI and the language server.

Read from `.iam-lsp.toml` or `pyproject.toml [tool.iam-lsp]` (the nearest one above the linted path) and,
in the editor, from the client's settings. JSON has no comments, so suppression lives here.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iam_lsp.core.findings import Finding, Severity
from iam_lsp.core.policytype import PolicyType

CONFIG_FILES = (".iam-lsp.toml", "pyproject.toml")
DEFAULT_MAX_SIZE = 2_000_000  # characters; larger documents are not analysed (a finding says so)
DEFAULT_INCLUDE = ("*.json",)  # files linted inside folders
# Fields whose configuration-file spelling has a hyphen (the others are single words).
ALIASES = {"policy_types": "policy-types", "max_size": "max-size"}


@dataclass(frozen=True)
class Ignore:
    """Suppress `rules` (codes or names; empty = all) for files matching `path` and/or statements by `sid`."""

    path: str | None = None
    rules: list[str] = field(default_factory=list)
    sid: str | None = None


class Config:
    """The configuration. Values given to the constructor are validated by pydantic (`config_model`), with
    its readable errors; the defaults need no validation, so a run without any configuration never imports
    pydantic (a tenth of a second, a quarter of a one-file `lint`).

    Accepts field names and the file's hyphenated spellings (`max_size` or `max-size`).
    """

    __slots__ = ("select", "enable", "disable", "severity", "policy_types", "ignores", "include", "exclude",
                 "max_size", "options", "root", "fields_set")

    def __init__(self, **values: Any) -> None:
        self.select: list[str] = []  # only these rules (codes, names or code prefixes)
        self.enable: list[str] = []  # also run these rules (e.g. off-by-default ones)
        self.disable: list[str] = []  # never run these rules
        self.severity: dict[str, Severity] = {}  # severity overrides by code or name
        self.policy_types: dict[str, PolicyType] = {}  # glob -> policy type
        self.ignores: list[Ignore] = []
        self.include: list[str] = list(DEFAULT_INCLUDE)
        self.exclude: list[str] = []
        self.max_size: int = DEFAULT_MAX_SIZE
        self.options: dict[str, dict[str, Any]] = {}  # per-rule options
        self.root: str | None = None  # folder the config file lives in (not part of the configuration)
        self.fields_set: frozenset[str] = frozenset()  # fields given explicitly
        if values:
            from iam_lsp.core.config_model import validate

            data = validate(values)  # raises pydantic.ValidationError
            for name, value in data.items():
                setattr(self, name, value)
            self.fields_set = frozenset(data)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Config:
        """Validate a mapping (a config file's table, merged editor settings)."""
        return cls(**data)

    def replaced(self, values: dict[str, Any]) -> Config:
        """A copy (sharing nothing mutable) with `values` (by field name or the file's spelling) set as
        they are: for values the caller has already checked, which then need no pydantic."""
        out = Config()
        for name in (*_FIELDS, "root"):
            setattr(out, name, copy.deepcopy(getattr(self, name)))
        names = {_FIELD_OF.get(k, k): copy.deepcopy(v) for k, v in values.items()}
        unknown = set(names) - set(_FIELDS)
        if unknown:
            raise ValueError(f"unknown configuration fields: {', '.join(sorted(unknown))}")
        for name, value in names.items():
            setattr(out, name, value)
        out.fields_set = self.fields_set | names.keys()
        return out

    def to_dict(self, by_alias: bool = False) -> dict[str, Any]:
        """The configuration's values (copies), by field name or by the file's spelling."""
        out: dict[str, Any] = {}
        for name in _FIELDS:
            value = getattr(self, name)
            if name == "ignores":
                value = [{"path": i.path, "rules": list(i.rules), "sid": i.sid} for i in value]
            elif isinstance(value, (list, dict)):
                value = value.copy()
            out[ALIASES.get(name, name) if by_alias else name] = value
        return out

    def fingerprint(self) -> str:
        """A canonical JSON text of the values: equal for equal configurations (cache keys)."""
        return json.dumps(self.to_dict(), sort_keys=True, default=str)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and self.to_dict() == other.to_dict() and self.root == other.root

    __hash__ = None  # type: ignore[assignment] - mutable

    def __repr__(self) -> str:
        return f"Config({', '.join(f'{k}={v!r}' for k, v in self.to_dict().items())})"

    # --- rule selection ---------------------------------------------------------------------------

    @staticmethod
    def _matches(selector: str, code: str, name: str) -> bool:
        s = selector.strip()
        return s.upper() == code or s.lower() == name or (s.upper().startswith("IAM") and code.startswith(s.upper()))

    def rule_enabled(self, code: str, name: str, default: bool = True) -> bool:
        if any(self._matches(s, code, name) for s in self.disable):
            return False
        if self.select:
            return any(self._matches(s, code, name) for s in self.select)
        if any(self._matches(s, code, name) for s in self.enable):
            return True
        return default

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        for key, sev in self.severity.items():
            if self._matches(key, code, name):
                return sev
        return default

    def rule_options(self, code: str, name: str, defaults: dict[str, Any]) -> dict[str, Any]:
        merged = dict(defaults)
        for key, opts in self.options.items():
            if self._matches(key, code, name):
                merged.update(opts)
        return merged

    def _rel(self, path: str | None) -> str | None:
        if path is None:
            return None
        p = path.replace("\\", "/")
        if self.root:
            try:
                p = Path(path).resolve().relative_to(Path(self.root).resolve()).as_posix()
            except (ValueError, OSError):
                pass
        return p

    def suppressed(self, finding: Finding, path: str | None) -> bool:
        rel = self._rel(path)
        for ig in self.ignores:
            if ig.path is not None:
                if rel is None or not (fnmatch.fnmatch(rel, ig.path) or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], ig.path)):
                    continue
            if ig.sid is not None and finding.sid != ig.sid:
                continue
            if ig.rules and not any(self._matches(r, finding.code, finding.name) for r in ig.rules):
                continue
            return True
        return False

    def policy_type_globs(self) -> dict[str, PolicyType]:
        return dict(self.policy_types)

    def path_selected(self, path: str) -> bool:
        rel = self._rel(path) or path
        name = rel.rsplit("/", 1)[-1]
        if any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in self.exclude):
            return False
        return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in self.include)


def _normalise_keys(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = k.replace("-", "_")
        if key == "policy_types":
            key = "policy-types"
        elif key == "max_size":
            key = "max-size"
        out[key] = v
    return out


def tomllib_module():
    """tomllib, imported when a config file is read (7 ms that runs without one never need)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib


def load_config_file(path: Path) -> Config:
    """Load one config file. Raises ValueError with a readable message on bad content."""
    tomllib = tomllib_module()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read configuration: {exc}") from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("iam-lsp", {})
    try:
        cfg = Config.from_mapping(_normalise_keys(data))
    except Exception as exc:  # pydantic.ValidationError, with its field paths
        raise ValueError(f"{path}: invalid configuration: {exc}") from exc
    cfg.root = str(path.parent)
    return cfg


def find_config_file(start: Path) -> Path | None:
    """The nearest .iam-lsp.toml, or pyproject.toml with a [tool.iam-lsp] table, at or above `start`."""
    try:
        here = start.resolve()
    except OSError:
        return None
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        cand = folder / ".iam-lsp.toml"
        if cand.is_file():
            return cand
        cand = folder / "pyproject.toml"
        if cand.is_file():
            try:
                if "iam-lsp" in tomllib_module().loads(cand.read_text(encoding="utf-8")).get("tool", {}):
                    return cand
            except (OSError, ValueError):
                continue
    return None


def load_config(start: Path | None = None) -> Config:
    found = find_config_file(start or Path.cwd())
    return load_config_file(found) if found else Config()


# Field names, in declaration order (what to_dict returns and config_model validates).
_FIELDS = tuple(n for n in Config.__slots__ if n not in ("root", "fields_set"))
_FIELD_OF = {alias: name for name, alias in ALIASES.items()}
