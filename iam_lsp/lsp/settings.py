"""Client settings (section "iamLsp", camelCase) merged over the config file the CLI reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iam_lsp.core.config import Config

# camelCase client key -> Config field (by alias where the field has one)
_LIST_KEYS = {"select": "select", "enable": "enable", "disable": "disable", "include": "include", "exclude": "exclude"}
_MAP_KEYS = {"severity": "severity", "policyTypes": "policy-types", "options": "options"}


@dataclass
class ClientSettings:
    overrides: dict[str, Any] = field(default_factory=dict)  # Config fields to replace
    security_error: bool = False  # securitySeverity: "error" -> Error, else Warning
    suggestion_hint: bool = False  # suggestionSeverity: "hint" -> Hint, else Information
    problems: list[str] = field(default_factory=list)  # settings that were ignored, and why


def parse_client_settings(raw: Any) -> ClientSettings:
    """Read the "iamLsp" settings object; wrong types are reported in `problems` and ignored."""
    out = ClientSettings()
    if not isinstance(raw, dict):
        if raw not in (None, ""):
            out.problems.append(f"iamLsp settings must be an object, got {type(raw).__name__}")
        return out
    for key, target in _LIST_KEYS.items():
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            out.overrides[target] = list(value)
        else:
            out.problems.append(f"iamLsp.{key} must be a list of strings")
    for key, target in _MAP_KEYS.items():
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, dict):
            out.overrides[target] = dict(value)
        else:
            out.problems.append(f"iamLsp.{key} must be an object")
    size = raw.get("maxSize")
    if size is not None:
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            out.overrides["max-size"] = size
        else:
            out.problems.append("iamLsp.maxSize must be a positive integer")
    sec = raw.get("securitySeverity")
    if sec is not None:
        if sec in ("warning", "error"):
            out.security_error = sec == "error"
        else:
            out.problems.append('iamLsp.securitySeverity must be "warning" or "error"')
    sug = raw.get("suggestionSeverity")
    if sug is not None:
        if sug in ("information", "hint"):
            out.suggestion_hint = sug == "hint"
        else:
            out.problems.append('iamLsp.suggestionSeverity must be "information" or "hint"')
    return out


@dataclass(frozen=True)
class EffectiveConfig:
    config: Config
    explicit_include: bool  # include globs set by the user (they then mark documents as policies)


# Overrides that parse_client_settings has checked completely (lists of strings, a positive size):
# applied without pydantic, whose import would otherwise be on the way to every editor's first diagnostics
# (VS Code sends every setting, defaults included).
_CHECKED = frozenset(_LIST_KEYS.values()) | {"max-size"}


def merge(file_config: Config, settings: ClientSettings) -> tuple[EffectiveConfig, list[str]]:
    """The file's config with the client's settings on top. Invalid overrides are dropped one by one."""
    problems: list[str] = []
    explicit = "include" in file_config.fields_set or "include" in settings.overrides
    current = file_config.to_dict(by_alias=True)
    changes = {k: v for k, v in settings.overrides.items() if current.get(k) != v}
    if all(k in _CHECKED for k in changes):
        return EffectiveConfig(file_config.replaced(changes), explicit), problems
    base = current
    for key, value in changes.items():
        trial = dict(base, **{key: value})
        try:
            Config.from_mapping(trial)
        except Exception as exc:  # pydantic.ValidationError: report the one bad setting
            problems.append(f"iamLsp setting {key!r} ignored: {exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}")
            continue
        base = trial
    cfg = Config.from_mapping(base)
    cfg.root = file_config.root
    return EffectiveConfig(cfg, explicit), problems
