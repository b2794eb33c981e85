"""Rule families. Importing this package registers every rule; `all_rules()` lists them by code."""

from __future__ import annotations

import importlib

from iam_lsp.core.rules.base import Rule, by_name, registry, rule

# One module per family; each registers its rules with @rule at import time.
FAMILY_MODULES = (
    "structure",
    "actions",
    "arns",
    "principals",
    "trust",
    "conditions",
    "condition_keys",
    "variables",
    "passrole",
    "risk",
    "org",
    "redundancy",
)

_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for mod in FAMILY_MODULES:
        try:
            importlib.import_module(f"iam_lsp.core.rules.{mod}")
        except ModuleNotFoundError as exc:  # a family not written yet
            if exc.name != f"iam_lsp.core.rules.{mod}":
                raise
    _loaded = True


def all_rules() -> list[Rule]:
    _load()
    return sorted(registry().values(), key=lambda r: r.code)


def get_rule(code_or_name: str) -> Rule | None:
    _load()
    key = code_or_name.strip()
    return registry().get(key.upper()) or by_name().get(key.lower())


__all__ = ["Rule", "all_rules", "get_rule", "rule"]
