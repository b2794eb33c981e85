"""Configuration shared by the CLI and the language server.

Read from `.iam-lsp.toml` or `pyproject.toml [tool.iam-lsp]` (the nearest one above the linted path) and,
in the editor, from the client's settings. JSON has no comments, so suppression lives here.
"""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from iam_lsp.core.findings import Finding, Severity
from iam_lsp.core.policytype import PolicyType

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILES = (".iam-lsp.toml", "pyproject.toml")
DEFAULT_MAX_SIZE = 2_000_000  # characters; larger documents are not analysed (a finding says so)


class Ignore(BaseModel):
    """Suppress `rules` (codes or names; empty = all) for files matching `path` and/or statements by `sid`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    path: str | None = None
    rules: list[str] = Field(default_factory=list)
    sid: str | None = None


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    select: list[str] = Field(default_factory=list, description="Only these rules (codes, names or code prefixes)")
    enable: list[str] = Field(default_factory=list, description="Also run these rules (e.g. off-by-default ones)")
    disable: list[str] = Field(default_factory=list, description="Never run these rules")
    severity: dict[str, Severity] = Field(default_factory=dict, description="Severity overrides by code or name")
    policy_types: dict[str, PolicyType] = Field(default_factory=dict, alias="policy-types")
    ignores: list[Ignore] = Field(default_factory=list)
    include: list[str] = Field(default_factory=lambda: ["*.json"])
    exclude: list[str] = Field(default_factory=list)
    max_size: int = Field(DEFAULT_MAX_SIZE, alias="max-size")
    options: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Per-rule options")
    root: str | None = Field(None, exclude=True)  # folder the config file lives in

    @field_validator("severity", mode="before")
    @classmethod
    def _sev(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: Severity.parse(s) if isinstance(s, str) else s for k, s in v.items()}
        return v

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


def load_config_file(path: Path) -> Config:
    """Load one config file. Raises ValueError with a readable message on bad content."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read configuration: {exc}") from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("iam-lsp", {})
    try:
        cfg = Config.model_validate(_normalise_keys(data))
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
                if "iam-lsp" in tomllib.loads(cand.read_text(encoding="utf-8")).get("tool", {}):
                    return cand
            except (OSError, ValueError):
                continue
    return None


def load_config(start: Path | None = None) -> Config:
    found = find_config_file(start or Path.cwd())
    return load_config_file(found) if found else Config()
