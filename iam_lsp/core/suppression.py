"""The edit that adds an ignore entry to the config file (JSON has no comments to suppress with).

`ignore_edit` returns where to insert what: `[[ignores]]` in `.iam-lsp.toml`, or
`[[tool.iam-lsp.ignores]]` in a `pyproject.toml` that already has a `[tool.iam-lsp]` table. Without a
config file it proposes creating `.iam-lsp.toml` in the workspace root. The result is checked by
parsing it with tomllib, so the edit never leaves a broken config behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from iam_lsp.core.config import find_config_file, tomllib_module

DEFAULT_FILE = ".iam-lsp.toml"


@dataclass(frozen=True, slots=True)
class ConfigEdit:
    """Insert `new_text` at code-point `offset` of the file at `path` (create it first when `create`)."""

    path: Path
    create: bool
    offset: int
    new_text: str
    title: str


def _toml_str(value: str) -> str:
    # A JSON string literal is a valid TOML basic string (same escapes; \u for non-ASCII).
    return json.dumps(value)


def _ignores(data: dict, pyproject: bool) -> list:
    table = data.get("tool", {}).get("iam-lsp", {}) if pyproject else data
    ignores = table.get("ignores", [])
    return ignores if isinstance(ignores, list) else []


def _entry(header: str, rule: str, path: str | None, sid: str | None) -> str:
    lines = [header, f"rules = [{_toml_str(rule)}]"]
    if path is not None:
        lines.append(f"path = {_toml_str(path)}")
    if sid is not None:
        lines.append(f"sid = {_toml_str(sid)}")
    return "\n".join(lines) + "\n"


def relative_path(document: Path, config_dir: Path) -> str:
    """The document's path as an ignore entry names it: relative to the config file's folder."""
    try:
        return document.resolve().relative_to(config_dir.resolve()).as_posix()
    except (ValueError, OSError):
        return document.name


def ignore_edit(
    rule: str,
    document: Path,
    *,
    sid: str | None = None,
    workspace_root: Path | None = None,
    config_file: Path | None = None,
    config_text: str | None = None,
) -> ConfigEdit | None:
    """The edit that ignores `rule` for `document` (or, with `sid`, for that Sid in any file).

    `config_file` overrides the search for the nearest config; `config_text` is its current content
    when the editor holds unsaved changes. Returns None when the entry already exists or the file
    cannot be edited safely (unparsable TOML, an inline `ignores = [...]` array).
    """
    target = config_file or find_config_file(document)
    if target is None:
        folder = workspace_root or document.parent
        target = folder / DEFAULT_FILE
        create = not target.exists()
    else:
        create = False
    pyproject = target.name == "pyproject.toml"
    if config_text is None:
        try:
            config_text = "" if create else target.read_text(encoding="utf-8")
        except OSError:
            return None
    tomllib = tomllib_module()  # imported on the first code action, not on the server's start-up
    try:
        before = tomllib.loads(config_text)
    except tomllib.TOMLDecodeError:
        return None
    path = None if sid is not None else relative_path(document, target.parent)
    wanted = {"rules": [rule], **({"path": path} if path is not None else {}), **({"sid": sid} if sid else {})}
    if any(isinstance(ig, dict) and ig == wanted for ig in _ignores(before, pyproject)):
        return None
    header = "[[tool.iam-lsp.ignores]]" if pyproject else "[[ignores]]"
    entry = _entry(header, rule, path, sid)
    prefix = "" if not config_text else ("\n" if config_text.endswith("\n") else "\n\n")
    new_text = prefix + entry
    try:
        after = tomllib.loads(config_text + new_text)
    except tomllib.TOMLDecodeError:
        return None
    if len(_ignores(after, pyproject)) != len(_ignores(before, pyproject)) + 1:
        return None
    what = f"Sid '{sid}'" if sid is not None else "this file"
    title = f"Ignore {rule} for {what} (in {target.name})"
    return ConfigEdit(target, create, len(config_text), new_text, title)
