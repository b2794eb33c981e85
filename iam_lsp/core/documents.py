"""Which JSON documents are IAM policies (so the editor lints them and leaves other JSON alone)."""

from __future__ import annotations

import fnmatch
import re

from iam_lsp.core.jsontree import OBJECT, ParseResult, parse

JSON_LANGUAGES = frozenset({"json", "jsonc", "json5", "iam-policy"})
JSON_SUFFIXES = (".json", ".jsonc", ".json5")
IAM_VERSIONS = frozenset({"2012-10-17", "2008-10-17"})

# Well-known JSON files that are never policies, whatever keys they have.
NEVER_POLICY = (
    "package.json", "package-lock.json", "tsconfig*.json", "jsconfig*.json", "composer.json",
    ".eslintrc*.json", ".babelrc*", "*.code-workspace", "launch.json", "settings.json", "tasks.json",
    "extensions.json", "devcontainer.json", ".devcontainer.json", "cdk.json", "cdk.context.json",
    "manifest.json", "renovate.json", "lerna.json", "nx.json", "angular.json", "deno.json*",
    "*.schema.json", "*.tfstate*", "*.template.json",
)
# Keys at the top of a CloudFormation/SAM template: the policies inside are not the document itself.
TEMPLATE_KEYS = frozenset({"Resources", "AWSTemplateFormatVersion", "Transform", "Outputs", "Parameters"})
_HEAD_RX = re.compile(r'"(Statement|Version)"\s*:')


def _name_matches(path: str, patterns: list[str] | tuple[str, ...]) -> bool:
    norm = path.replace("\\", "/")
    name = norm.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(norm, g) or fnmatch.fnmatch(name, g) for g in patterns)


def is_json_document(language_id: str | None, path: str | None) -> bool:
    """A JSON-family document by its language id or file name."""
    if language_id and language_id.lower() in JSON_LANGUAGES:
        return True
    return bool(path) and path.lower().endswith(JSON_SUFFIXES)


def looks_like_policy(tree: ParseResult) -> bool:
    """Root object with a top-level Statement, or a Version that is an IAM policy language version."""
    root = tree.root
    if root is None or root.kind != OBJECT:
        return False
    keys = {m.key for m in root.members}
    if keys & TEMPLATE_KEYS:
        return False
    if "Statement" in keys:
        return True
    version = root.value_of("Version")
    return version is not None and version.value in IAM_VERSIONS


def is_policy_document(
    text: str,
    path: str | None = None,
    *,
    include: list[str] | tuple[str, ...] = (),
    exclude: list[str] | tuple[str, ...] = (),
    max_size: int | None = None,
    tree: ParseResult | None = None,
) -> bool:
    """Decide whether the editor should lint this document as an IAM policy.

    `include` globs (explicitly configured) force a match, `exclude` globs and well-known non-policy
    files (package.json, tsconfig.json, ...) rule one out; otherwise the content decides. Over
    `max_size`, a cheap look at the text decides, so the user still sees why it was not analysed.
    """
    if path:
        if exclude and _name_matches(path, exclude):
            return False
        if _name_matches(path, NEVER_POLICY):
            return False
        if include and _name_matches(path, include):
            return True
    if max_size is not None and len(text) > max_size:
        head = text[:4096]
        return head.lstrip().startswith("{") and bool(_HEAD_RX.search(head)) and '"Resources"' not in head
    return looks_like_policy(tree if tree is not None else parse(text))
