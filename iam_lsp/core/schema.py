"""JSON Schema validation of policy documents against the bundled schemas (draft 2020-12).

The schemas live in `schemas/` (packaged as `iam_lsp/schemas`). They are loaded once, on first use,
into a `referencing` registry built from the files, so relative `$ref`s resolve locally and no URL is
ever fetched. Each schema error is mapped back to the exact source span through the positioned tree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from iam_lsp.core.jsontree import OBJECT, Node, ParseResult
from iam_lsp.core.policytype import PolicyType
from iam_lsp.core.text import Span

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
MAX_DEPTH = 64  # IAM documents are at most ~6 levels deep; deeper input is not worth validating
SCHEMA_FILES = {
    PolicyType.IDENTITY: "identity-policy.json",
    PolicyType.TRUST: "trust-policy.json",
    PolicyType.RESOURCE: "resource-policy.json",
    PolicyType.SCP: "scp.json",
    PolicyType.RCP: "rcp.json",
    PolicyType.BOUNDARY: "permissions-boundary.json",
}
BASE_URI = "https://iam-lsp.dev/schemas/"


@dataclass(frozen=True, slots=True)
class SchemaError:
    span: Span
    message: str
    path: tuple[str | int, ...]  # JSON path of the offending value (or of the object missing a key)
    validator: str = ""  # the JSON Schema keyword that failed (type, required, additionalProperties, ...)


class DepthExceeded(Exception):
    """Raised by `validate` when the document is too deeply nested to be worth validating."""

    def __init__(self, depth: int) -> None:
        super().__init__(f"nesting depth {depth} is over {MAX_DEPTH}")
        self.depth = depth


def schema_path(policy_type: PolicyType | str) -> Path:
    return SCHEMA_DIR / SCHEMA_FILES[PolicyType(policy_type)]


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents.get("$id", BASE_URI + path.name), Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def validator_for(policy_type: PolicyType | str) -> Draft202012Validator:
    """The (cached) validator of one policy type's schema."""
    ptype = PolicyType(policy_type)
    schema = _registry().contents(BASE_URI + SCHEMA_FILES[ptype])
    return Draft202012Validator(schema, registry=_registry())


def load_schema(policy_type: PolicyType | str) -> dict:
    return validator_for(policy_type).schema  # type: ignore[return-value]


def validate(tree: ParseResult, policy_type: PolicyType | str) -> list[SchemaError]:
    """Validate the tree's document; errors point at exact spans. Raises DepthExceeded for deep input."""
    if tree.root is None:
        return []
    if tree.max_depth > MAX_DEPTH:
        raise DepthExceeded(tree.max_depth)
    instance = tree.root.to_python()
    instance = _compress(instance)
    out: list[SchemaError] = []
    for err in validator_for(policy_type).iter_errors(instance):
        for leaf in _leaves(err):
            out.extend(_to_schema_errors(tree, leaf))
    seen: set[tuple] = set()
    unique = []
    for e in sorted(out, key=lambda e: (e.span.start, e.span.end, e.message)):
        if (e.span, e.message) not in seen:
            seen.add((e.span, e.message))
            unique.append(e)
    return unique


_ARRAY_KEYWORDS = ("minItems", "maxItems", "uniqueItems", "contains", "prefixItems", "minContains", "maxContains",
                   "unevaluatedItems")
_NEUTRAL_KEYS = {"type", "description", "markdownDescription", "title", "$ref", "markdownEnumDescriptions"}


@lru_cache(maxsize=1)
def _string_array_keys() -> frozenset[str]:
    """Element names whose array values validate the same whatever strings they hold.

    For such a key an array made only of strings validates exactly like a one-string array, so
    validation can skip the thousands of action and resource strings of a large policy (jsonschema
    costs ~10 us a node). Derived from the schema files themselves: a key qualifies only if every
    schema given for it has `items` accepting any string and no length or uniqueness keyword, so a
    future `pattern` or `minItems` turns the shortcut off for that key.
    """
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMA_DIR.glob("*.json"))]
    defs = {k: v for d in docs for k, v in d.get("$defs", {}).items()}

    def resolve(node: dict) -> dict:
        ref = node.get("$ref", "")
        return defs.get(ref.rsplit("/", 1)[-1], {}) if ref else node

    verdict: dict[str, bool] = {}

    def ok(sub: dict) -> bool:
        target = resolve(sub)
        items = target.get("items")
        if not isinstance(items, dict) or any(k in target for k in _ARRAY_KEYWORDS):
            return False
        item = resolve(items)
        types = item.get("type", [])
        return set(item) <= _NEUTRAL_KEYS and "string" in (types if isinstance(types, list) else [types])

    def walk(node: object) -> None:
        if isinstance(node, list):
            for x in node:
                walk(x)
        elif isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict):
                    verdict[name] = verdict.get(name, True) and ok(sub)
            for v in node.values():
                walk(v)

    for d in docs:
        walk(d)
    return frozenset(k for k, good in verdict.items() if good)


def _compress(value: object) -> object:
    """Shrink arrays of only strings under the keys of _string_array_keys() to their first string."""
    keys = _string_array_keys()
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, child in v.items():
                if isinstance(child, list):
                    if k in keys and len(child) > 1 and all(type(x) is str for x in child):
                        v[k] = child[:1]
                    else:
                        stack.append(child)
                elif isinstance(child, dict):
                    stack.append(child)
        elif isinstance(v, list):
            stack.extend(c for c in v if isinstance(c, (dict, list)))
    return value


def _leaves(err: ValidationError) -> list[ValidationError]:
    """Descend into anyOf/oneOf failures where exactly one branch fits the value's type."""
    if err.validator not in ("anyOf", "oneOf") or not err.context:
        return [err]
    branches: dict[int, list[ValidationError]] = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)  # type: ignore[index]
    fitting = [errs for errs in branches.values()
               if not any(e.validator == "type" and not e.relative_path for e in errs)]
    if len(fitting) == 1:
        return [leaf for sub in fitting[0] for leaf in _leaves(sub)]
    return [err]


def _object_brace(node: Node) -> Span:
    return Span(node.start, node.start + 1)


def _to_schema_errors(tree: ParseResult, err: ValidationError) -> list[SchemaError]:
    path = tuple(err.absolute_path)
    node = tree.find(path)
    if node is None:
        return [SchemaError(Span(0, 0), err.message, path, str(err.validator))]
    kind = err.validator
    if kind == "additionalProperties" and node.kind == OBJECT:
        allowed = set(err.schema.get("properties", {}))  # type: ignore[union-attr]
        return [SchemaError(m.key_node.span, f"Unknown element '{m.key}' here; allowed: {', '.join(sorted(allowed))}",
                            path + (m.key,), "additionalProperties")
                for m in node.members if m.key not in allowed]
    if kind == "required":
        missing = [k for k in err.validator_value if tree.find(path + (k,)) is None]  # type: ignore[union-attr]
        what = " or ".join(missing) or ", ".join(err.validator_value)  # type: ignore[arg-type]
        return [SchemaError(_object_brace(node), f"Missing required element {what}", path, "required")]
    if kind == "anyOf" and node.kind == OBJECT:
        names = [k for branch in err.validator_value for k in branch.get("required", [])]  # type: ignore[union-attr]
        return [SchemaError(_object_brace(node), f"Missing element: add {' or '.join(names)}", path, "required")]
    if kind == "not" and "dependentSchemas" in err.relative_schema_path and node.kind == OBJECT:
        a = err.relative_schema_path[err.relative_schema_path.index("dependentSchemas") + 1]
        b = err.validator_value.get("required", ["?"])[0]  # type: ignore[union-attr]
        later = max((m for m in node.members if m.key in (a, b)), key=lambda m: m.key_node.start)
        return [SchemaError(later.key_node.span, f"{a} and {b} cannot be used together", path, "dependentSchemas")]
    if kind == "enum":
        allowed = ", ".join(json.dumps(v) for v in err.validator_value)  # type: ignore[union-attr]
        return [SchemaError(node.span, f"{json.dumps(err.instance)} is not one of {allowed}", path, "enum")]
    if kind == "const":
        return [SchemaError(node.span, f"{json.dumps(err.instance)} must be {json.dumps(err.validator_value)}", path, "const")]
    if kind == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        return [SchemaError(node.span, f"Expected {' or '.join(expected)}, not {node.kind_name}", path, "type")]
    return [SchemaError(node.span, err.message, path, str(kind))]
