"""JSON Schema validation of policy documents against the bundled schemas (draft 2020-12).

The schemas live in `schemas/` (packaged as `iam_lsp/schemas`). They are loaded once, on first use,
into a `referencing` registry built from the files, so relative `$ref`s resolve locally and no URL is
ever fetched. Each schema error is mapped back to the exact source span through the positioned tree.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urljoin

from iam_lsp.core.jsontree import ARRAY, OBJECT, STRING, Node, ParseResult
from iam_lsp.core.policytype import PolicyType
from iam_lsp.core.text import Span

if TYPE_CHECKING:  # imported on first use: a document whose statement shapes are all known needs neither
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

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


@cache
def _schema_sources() -> dict[str, bytes]:
    """The schema files' bytes by file name, read once (their digest keys the data cache)."""
    return {p.name: p.read_bytes() for p in sorted(SCHEMA_DIR.glob("*.json"))}


@cache
def _schema_docs() -> dict[str, dict]:
    """The schema files parsed, by file name: shared by the registry and every analysis of the schemas
    (read-only)."""
    return {name: json.loads(data) for name, data in _schema_sources().items()}


def _schema_uri(name: str, contents: dict) -> str:
    return contents.get("$id", BASE_URI + name)


@lru_cache(maxsize=1)
def _registry() -> Registry:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (_schema_uri(name, contents), Resource.from_contents(contents, DRAFT202012))
        for name, contents in _schema_docs().items())


@cache
def validator_for(policy_type: PolicyType | str) -> Draft202012Validator:
    """The (cached) validator of one policy type's schema."""
    ptype = PolicyType(policy_type)
    from jsonschema import Draft202012Validator

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
    ptype = PolicyType(policy_type)
    out = _validate_by_statement(tree, ptype)
    if out is None:
        out = _validate_whole(tree, ptype)
    seen: set[tuple] = set()
    unique = []
    for e in sorted(out, key=lambda e: (e.span.start, e.span.end, e.message)):
        if (e.span, e.message) not in seen:
            seen.add((e.span, e.message))
            unique.append(e)
    return unique


def _validate_whole(tree: ParseResult, ptype: PolicyType) -> list[SchemaError]:
    """One jsonschema pass over the whole (compressed) document: the general, slower path."""
    instance = _compress(tree.root.to_python())  # type: ignore[union-attr]
    out: list[SchemaError] = []
    for leaf in _leaf_records(validator_for(ptype), instance):
        out.extend(_to_schema_errors(tree, leaf, ()))
    return out


# --- per-statement validation with a cache ----------------------------------------------------------
#
# jsonschema costs ~10 us per instance node, and a large policy has thousands. Validity of a statement
# depends only on its shape where the schema does not look at string contents (see _blank_keys), so
# each statement is validated on its own after blanking those strings, and the leaf errors (with paths
# relative to the statement) are cached by the normalised statement's JSON text. Real policies repeat
# a few shapes, so most statements are cache hits. The top level is validated with Statement set to [].

_ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "markdownDescription",
                "markdownEnumDescriptions", "examples", "default", "defaultSnippets", "deprecated"}
_CACHE_SIZE = 4096
_MAX_KEY_CHARS = 50_000  # a statement bigger than this once normalised is not cached
_cache: OrderedDict[tuple[tuple, str], tuple[_Leaf, ...]] = OrderedDict()
_cache_lock = threading.Lock()


def _root_schema(policy_type: PolicyType) -> dict:
    """The policy type's schema file as JSON: what the registry holds for it, without building one."""
    return _schema_docs()[SCHEMA_FILES[policy_type]]


@cache
def _statement_schema_uri(policy_type: PolicyType) -> str | None:
    """The schema every statement is validated by, or None when the schema is not shaped for per-statement
    checks.

    Required shape (checked, not assumed): the root has only type/properties/required/
    additionalProperties besides annotations, so nothing but `properties.Statement` looks at the
    statements; and Statement is `{type: [object, array], if: {type: array}, then: {items: X}, else: X}`,
    so every statement, in an array or alone, is validated by the same schema X.
    """
    root = _root_schema(policy_type)
    if not isinstance(root, dict) or set(root) - _ANNOTATIONS - {"type", "properties", "required", "additionalProperties"}:
        return None
    st = (root.get("properties") or {}).get("Statement")
    if not isinstance(st, dict) or set(st) - _ANNOTATIONS != {"type", "if", "then", "else"}:
        return None
    types = st["type"] if isinstance(st["type"], list) else [st["type"]]
    then = st["then"]
    if not {"object", "array"} <= set(types) or st["if"] != {"type": "array"} or not isinstance(then, dict) \
            or set(then) - _ANNOTATIONS != {"items"} or then["items"] != st["else"]:
        return None
    return f"{root['$id']}#/properties/Statement/else"


@cache
def _statement_validator(policy_type: PolicyType) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"$ref": _statement_schema_uri(policy_type)}, registry=_registry())


def _validate_by_statement(tree: ParseResult, ptype: PolicyType) -> list[SchemaError] | None:
    """Per-statement validation, or None when it does not apply (then the whole document is validated)."""
    root = tree.root
    if root is None or root.kind != OBJECT or _statement_schema_uri(ptype) is None:
        return None
    blank, cut = _blank_keys()
    top: dict = {}
    statements: Node | None = None
    for m in root.members:  # same selection as to_python: the last member with a value wins
        if m.value is None:
            continue
        if m.key == "Statement":
            statements = m.value
            top[m.key] = []
        else:
            top[m.key] = _normalised_member(m.key, m.value, blank, cut)
    if statements is None:
        return None  # no Statement: only top-level errors, and the whole document is small anyway
    if statements.kind == ARRAY:
        parts = [(("Statement", i), node) for i, node in enumerate(statements.items)]
    elif statements.kind == OBJECT:
        parts = [(("Statement",), statements)]
    else:
        return None
    out: list[SchemaError] = []
    for leaf in _top_leaves(ptype, root, top):
        out.extend(_to_schema_errors(tree, leaf, ()))
    for prefix, node in parts:
        for leaf in _statement_leaves(ptype, node, blank, cut):
            out.extend(_to_schema_errors(tree, leaf, prefix))
    return out


def _statement_leaves(ptype: PolicyType, node: Node, blank: frozenset[str], cut: frozenset[str]) -> tuple[_Leaf, ...]:
    """The leaf errors of one statement (paths relative to it), from the cache when its shape was seen."""
    renames: dict[tuple, list[str]] = {}
    normalised = _normalise_statement(node, blank, cut, _statement_maps(ptype), renames)
    leaves = _cached_leaves(ptype, "statement", lambda: _statement_validator(ptype), normalised)
    if leaves is None:
        # jsonschema's own message quotes the instance, which normalising changed: use the real one.
        return tuple(_leaf_records(_statement_validator(ptype), node.to_python()))
    if not renames:
        return leaves
    return tuple(leaf._replace(path=_real_path(leaf.path, renames)) for leaf in leaves)


def _top_leaves(ptype: PolicyType, root: Node, top: dict) -> tuple[_Leaf, ...]:
    """Leaf errors of the document without its statements (`top` has Statement: [])."""
    leaves = _cached_leaves(ptype, "top", lambda: validator_for(ptype), top)
    if leaves is None:
        real = {m.key: ([] if m.key == "Statement" else m.value.to_python()) for m in root.members if m.value is not None}
        return tuple(_leaf_records(validator_for(ptype), real))
    return leaves


def _cached_leaves(ptype: PolicyType, scope: str, validator: Callable[[], Draft202012Validator],
                   normalised: object) -> tuple[_Leaf, ...] | None:
    """Leaf errors of a normalised instance, cached by its JSON text; None when a message would quote it.

    `validator` is called only on a miss: with every shape known (the cache is kept between runs, see
    _verdicts), a document is checked without importing jsonschema."""
    key = ((ptype, scope), json.dumps(normalised, check_circular=False))
    with _cache_lock:
        if not _verdicts.loaded:
            _verdicts.load()
        leaves = _cache.get(key)
        if leaves is not None:
            _cache.move_to_end(key)
            return leaves
    leaves = tuple(_leaf_records(validator(), normalised))
    if any(leaf.generic for leaf in leaves):
        return None
    if len(key[1]) <= _MAX_KEY_CHARS:
        with _cache_lock:
            _cache[key] = leaves
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
            _verdicts.added(key)
    return leaves


class _Verdicts:
    """Keeps the shape cache between runs: loaded into `_cache` on first use, saved at exit (in the data
    cache, under the schemas', this module's and jsonschema's digest) when this process found new shapes.

    A process saves the most recent entries merged over what the file holds then, so runs add up. Forked
    lint workers leave through os._exit: they save after each chunk instead (`save_verdicts`). Only
    shapes written entirely in the schemas' own words are stored (element names, enum values, blanked
    strings): a shape that keeps text of the document, such as the value of an unknown element, stays in
    memory, so nothing a user typed is written to disk."""

    MAX_ENTRIES = 1024  # the 1,680 corpus policies have about 330 statement shapes
    MAX_KEY_CHARS = 2000  # a statement shape this big is rare and would bloat the file

    def __init__(self) -> None:
        self.loaded = False
        self.dirty = False  # shapes found since the last save
        self._registered = False

    def slot(self):
        from iam_lsp.datacache import Slot

        return Slot("schema-verdicts", _schema_key())

    def load(self) -> None:
        """Merge the stored verdicts under the ones in memory, keeping their order of use (call with
        _cache_lock held)."""
        self.loaded = True
        for key, leaves in reversed(_decode_verdicts(self.slot().load())):
            if key not in _cache:
                _cache[key] = leaves
                _cache.move_to_end(key, last=False)

    def added(self, key: tuple[tuple, str]) -> None:
        if len(key[1]) > self.MAX_KEY_CHARS:
            return
        self.dirty = True
        if not self._registered:
            import atexit

            self._registered = True
            atexit.register(self.save)

    def save(self) -> None:
        with _cache_lock:
            if not self.dirty:
                return
            self.dirty = False
            mine = [(k, v) for k, v in _cache.items() if len(k[1]) <= self.MAX_KEY_CHARS]
        slot = self.slot()
        if slot.path is None:
            return  # the data cache is off
        mine = [(k, v) for k, v in mine if _in_schema_words(k[1])][-self.MAX_ENTRIES:]
        merged: OrderedDict[tuple[tuple, str], tuple[_Leaf, ...]] = OrderedDict(_decode_verdicts(slot.load()))
        for k, v in mine:
            merged[k] = v
            merged.move_to_end(k)
        entries = list(merged.items())[-self.MAX_ENTRIES:]
        slot.store([[k[0][0].value, k[0][1], k[1], [list(leaf) for leaf in v]] for k, v in entries])


@lru_cache(maxsize=8192)  # lint workers save after each chunk, with mostly the same shapes
def _in_schema_words(text: str) -> bool:
    """Whether a normalised shape's JSON holds only the schemas' own words: member names the schemas
    name (or position numbers, for renamed map members), enum and const strings, blanked strings."""
    words = _schema_words()
    stack = [json.loads(text)]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, child in v.items():
                if k not in words and not k.isdigit():
                    return False
                stack.append(child)
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str) and v and v not in words:
            return False
    return True


@cache
def _schema_words() -> frozenset[str]:
    words: set[str] = set()
    stack: list[object] = list(_schema_docs().values())
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            words.update(k for k in node.get("properties") or {} if isinstance(k, str))
            words.update(v for v in [node.get("const"), *(node.get("enum") or [])] if isinstance(v, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(words)


def _decode_verdicts(data: object) -> list[tuple[tuple[tuple, str], tuple[_Leaf, ...]]]:
    """Stored verdicts as cache entries. An entry not shaped like what `_Verdicts.save` writes, or with
    values span mapping could not use, is left out (and found again by jsonschema)."""
    if not isinstance(data, list):
        return []
    out = []
    for entry in data:
        try:
            ptype, scope, text, leaves = entry
            if scope not in ("statement", "top") or not isinstance(text, str):
                continue
            records = tuple(_decode_leaf(*leaf) for leaf in leaves)
            out.append((((PolicyType(ptype), scope), text), records))
        except Exception:  # noqa: BLE001 - a damaged entry, whatever it breaks: leave it out
            continue
    return out


def _is_path(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in value)


def _is_words(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


# What _to_schema_errors reads of a leaf's validator value, by keyword.
_VALUE_SHAPES: dict[str, Callable[[object], bool]] = {
    "required": _is_words,
    "anyOf": lambda v: isinstance(v, list) and all(isinstance(x, dict) and _is_words(x.get("required", [])) for x in v),
    "not": lambda v: isinstance(v, dict) and _is_words(v.get("required", ["?"])) and bool(v.get("required", ["?"])),
    "enum": lambda v: isinstance(v, list),
    "type": lambda v: isinstance(v, str) or _is_words(v),
}


def _decode_leaf(path: object, validator: object, value: object, allowed: object, schema_path: object,
                 message: object, generic: object) -> _Leaf:
    if not (_is_path(path) and isinstance(validator, str) and isinstance(allowed, list)
            and all(isinstance(x, str) for x in allowed) and _is_path(schema_path)
            and isinstance(message, str) and isinstance(generic, bool)
            and _VALUE_SHAPES.get(validator, lambda v: True)(value)
            and ("dependentSchemas" not in schema_path or schema_path[-1] != "dependentSchemas")):
        raise ValueError("not a leaf")
    return _Leaf(tuple(path), validator, value, tuple(allowed), tuple(schema_path), message, generic)  # type: ignore[arg-type]


_verdicts = _Verdicts()


def save_verdicts() -> None:
    """Save the statement shapes found so far (also done at exit)."""
    _verdicts.save()


@cache
def _schema_key() -> tuple[bytes, ...]:
    """What the schemas' derived facts and verdicts depend on: this module, the schema files, and which
    jsonschema and referencing are installed (found without importing them)."""
    from iam_lsp.datacache import package_stamp

    return (Path(__file__).read_bytes(), *_schema_sources().values(),
            *(package_stamp(package).encode() for package in ("jsonschema", "referencing")))


def _real_path(path: tuple, renames: dict[tuple, list[str]]) -> tuple:
    """Map a path through renamed map members (their position numbers) back to the real names."""
    out = []
    for i, part in enumerate(path):
        names = renames.get(path[:i])
        out.append(names[int(part)] if names is not None and isinstance(part, str) else part)
    return tuple(out)


class _Plan(NamedTuple):
    """How a value validated by one schema may be normalised."""

    blind: bool  # strings (alone or in arrays) can be blanked
    cut: bool  # an array of only strings can become [""]
    sub: _Plan | None  # a free map (member names never matter): its members' values follow `sub`


def _normalise_statement(node: Node, blank: frozenset[str], cut: frozenset[str], maps: dict[str, _Plan],
                         renames: dict[tuple, list[str]]) -> object:
    """_normalised, except that the free maps among the statement's elements (Condition) have their
    member names replaced by position numbers, recorded in `renames` to map error paths back."""
    if node.kind != OBJECT or not maps:
        return _normalised(node, blank, cut, 0)
    out: dict = {}
    for m in node.members:
        v = m.value
        if v is None:
            continue
        plan = maps.get(m.key)
        if plan is not None:
            out[m.key] = _apply_plan(v, plan, (m.key,), blank, cut, renames)
        else:
            out[m.key] = _normalised_member(m.key, v, blank, cut)
    return out


def _apply_plan(node: Node, plan: _Plan, path: tuple, blank: frozenset[str], cut: frozenset[str],
                renames: dict[tuple, list[str]]) -> object:
    if node.kind == OBJECT and plan.sub is not None:
        positions: dict[str, int] = {}
        out: dict = {}
        for m in node.members:
            if m.value is None:
                continue
            name = str(positions.setdefault(m.key, len(positions)))
            out[name] = _apply_plan(m.value, plan.sub, path + (name,), blank, cut, renames)
        renames[path] = list(positions)
        return out
    if node.kind in (STRING, ARRAY) and plan.blind:
        return _normalised(node, blank, cut, 2 if plan.cut else 1)
    return _normalised(node, blank, cut, 0)


def _normalised(node: Node, blank: frozenset[str], cut: frozenset[str], mode: int) -> object:
    """The node as plain Python (like to_python), with the strings under blank keys made empty.

    `mode` is 0 outside blank keys, 1 inside the value of a blank key (strings become ""), 2 inside
    the value of a key that can also be cut (its array of only strings becomes [""]). Keys of
    _string_array_keys() that are not blank keep the older shortcut: only the first string.
    """
    kind = node.kind
    if kind == OBJECT:
        out: dict = {}
        for m in node.members:
            if m.value is not None:
                out[m.key] = _normalised_member(m.key, m.value, blank, cut)
        return out
    if kind == ARRAY:
        items = node.items
        if mode == 2 and items and all(i.kind == STRING for i in items):
            return [""]
        return [_normalised(i, blank, cut, min(mode, 1)) for i in items]  # inner arrays: blank only
    if kind == STRING and mode:
        return ""
    return node.value


def _normalised_member(key: str, v: Node, blank: frozenset[str], cut: frozenset[str]) -> object:
    if key in blank:
        return _normalised(v, blank, cut, 2 if key in cut else 1)
    if v.kind == ARRAY and len(v.items) > 1 and key in _string_array_keys() and all(i.kind == STRING for i in v.items):
        return [v.items[0].value]
    return _normalised(v, blank, cut, 0)


_MAP_KEYWORDS = {"type", "additionalProperties", "minProperties", "maxProperties"}
_PRESENCE_KEYWORDS = {"required", "dependentRequired", "minProperties", "maxProperties"}


def _lookup(uri: str) -> Any:
    return _registry().resolver().lookup(uri)


def _child(uri: str, *parts: str) -> str:
    return uri + ("" if "#" in uri else "#") + _pointer(list(parts))


def _deref(uri: str) -> tuple[str, object]:
    """Follow refs of schemas that are nothing but a ref (plus annotations)."""
    target = _lookup(uri).contents
    for _ in range(32):
        if not (isinstance(target, dict) and set(target) - _ANNOTATIONS == {"$ref"}):
            break
        uri = urljoin(uri, target["$ref"])
        target = _lookup(uri).contents
    return uri, target


def _plan(uri: str, depth: int = 0) -> _Plan:
    resolved = _lookup(uri)
    blind = _blind(resolved.contents, resolved.resolver)
    target_uri, target = _deref(uri)
    sub = None
    if isinstance(target, dict) and not set(target) - _ANNOTATIONS - _MAP_KEYWORDS \
            and isinstance(target.get("additionalProperties"), dict) and depth < 8:
        sub = _plan(_child(target_uri, "additionalProperties"), depth + 1)
    return _Plan(blind, blind and _collapsible(uri), sub)


def _presence_only(schema: object) -> bool:
    """True when the schema only looks at which members an object has, never at their values."""
    if not isinstance(schema, dict):
        return False
    for k, v in schema.items():
        if k in _ANNOTATIONS or k in _PRESENCE_KEYWORDS:
            continue
        if k in _SUBSCHEMA_MANY and isinstance(v, list):
            ok = all(_presence_only(x) for x in v)
        elif k == "not":
            ok = _presence_only(v)
        elif k == "dependentSchemas" and isinstance(v, dict):
            ok = all(_presence_only(x) for x in v.values())
        else:
            ok = False
        if not ok:
            return False
    return True


def _statement_maps(policy_type: PolicyType) -> dict[str, _Plan]:
    return _facts()[2].get(policy_type, {})


def _derive_statement_maps(policy_type: PolicyType, blank: frozenset[str]) -> dict[str, _Plan]:
    """The statement elements that are free maps (Condition), with how to normalise them.

    Only when the statement schema validates each element's value by its `properties` entry alone:
    everything else in it (allOf, dependentSchemas...) may only look at which elements are present.
    """
    if _statement_schema_uri(policy_type) is None or not blank:
        return {}
    root = _root_schema(policy_type)
    uri, statement = _deref(f"{root['$id']}#/properties/Statement/else")
    if not isinstance(statement, dict):
        return {}
    rest = {k: v for k, v in statement.items() if k not in ("type", "properties", "additionalProperties")}
    if not _presence_only(rest):
        return {}
    plans = {name: _plan(_child(uri, "properties", name)) for name in statement.get("properties") or {}}
    return {name: plan for name, plan in plans.items() if plan.sub is not None}


_CONTENT_KEYWORDS = {"enum", "const", "pattern", "minLength", "maxLength", "format", "contentEncoding",
                     "contentMediaType", "contentSchema", "uniqueItems", "unevaluatedItems", "$dynamicRef",
                     "$recursiveRef", "prefixItems", "contains", "minItems", "maxItems", "minContains",
                     "maxContains", "additionalItems"}
_SUBSCHEMA_ONE = ("not", "if", "then", "else", "items")
_SUBSCHEMA_MANY = ("allOf", "anyOf", "oneOf")
_VALUE_SCHEMAS = ("additionalProperties", "unevaluatedProperties")


def _blind(schema: object, resolver: Any, depth: int = 0) -> bool:
    """True when the schema's verdict on a string, or an array of strings, is the same whatever the
    strings say and however many there are: it only looks at JSON types (through refs and
    combinators). Object keywords are ignored: they do not apply to strings or arrays."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict) or depth > 32 or any(k in schema for k in _CONTENT_KEYWORDS):
        return False
    if "$ref" in schema:
        try:
            target = resolver.lookup(schema["$ref"])
        except Exception:  # an unresolvable ref: assume the worst
            return False
        if not _blind(target.contents, target.resolver, depth + 1):
            return False
    subs = [schema[k] for k in _SUBSCHEMA_ONE if k in schema]
    subs += [s for k in _SUBSCHEMA_MANY for s in schema.get(k, [])]
    return all(_blind(s, resolver, depth + 1) for s in subs)


def _pointer(parts: list[str]) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def _array_signature(uri: str, instance: list) -> list[tuple]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator({"$ref": uri}, registry=_registry())
    return [(leaf.path, leaf.validator, leaf.schema_path) for leaf in _leaf_records(validator, instance)]


def _collapsible(uri: str) -> bool:
    """For a _blind schema: an array of strings gets the same errors as a one-string array.

    Blind means each string is judged by its type alone, so comparing [""] with ["", ""] shows
    whether the items produce errors of their own (one per string) or none. The schemas name the same
    few definitions many times (53 uses of 12 target locations), so the verdict is kept per target."""
    return _collapsible_target(_deref(uri)[0])


@lru_cache(maxsize=256)
def _collapsible_target(uri: str) -> bool:
    return _array_signature(uri, [""]) == _array_signature(uri, ["", ""])


def _blank_keys() -> tuple[frozenset[str], frozenset[str]]:
    blank, cut, _ = _facts()
    return blank, cut


_Facts = tuple[frozenset[str], frozenset[str], dict[PolicyType, dict[str, _Plan]]]


@cache
def _facts() -> _Facts:
    """The blank and cut keys and each policy type's statement maps: derived from the schemas by running
    jsonschema some 200 times (about 15 ms), so kept in the start-up data cache under _schema_key."""
    from iam_lsp.datacache import cached

    return cached("schema-facts", _schema_key(), _derive_facts, _encode_facts, _decode_facts)


def _derive_facts() -> _Facts:
    blank, cut = _derive_blank_keys()
    return blank, cut, {pt: maps for pt in PolicyType if (maps := _derive_statement_maps(pt, blank))}


def _encode_plan(plan: _Plan | None) -> list | None:
    return None if plan is None else [plan.blind, plan.cut, _encode_plan(plan.sub)]


def _decode_plan(data: object) -> _Plan:
    if not (isinstance(data, list) and len(data) == 3 and all(isinstance(x, bool) for x in data[:2])):
        raise ValueError("not a plan")
    return _Plan(data[0], data[1], None if data[2] is None else _decode_plan(data[2]))


def _encode_facts(facts: _Facts) -> dict:
    blank, cut, maps = facts
    return {"blank": sorted(blank), "cut": sorted(cut),
            "maps": {pt.value: {name: _encode_plan(plan) for name, plan in m.items()} for pt, m in maps.items()}}


def _decode_facts(data: dict) -> _Facts:
    blank, cut, maps = data["blank"], data["cut"], data["maps"]
    if not all(isinstance(x, list) and all(isinstance(k, str) for k in x) for x in (blank, cut)) \
            or not isinstance(maps, dict) or not all(isinstance(m, dict) for m in maps.values()):
        raise ValueError("not schema facts")
    plans = {PolicyType(pt): {str(name): _decode_plan(plan) for name, plan in m.items()} for pt, m in maps.items()}
    return frozenset(blank), frozenset(cut), plans


def _derive_blank_keys() -> tuple[frozenset[str], frozenset[str]]:
    """Element names whose strings can be blanked before validation, and those whose string arrays can
    also be cut to one string.

    Derived from the schema files: a name qualifies when every schema given for it under `properties`
    anywhere is _blind (and, to be cut, _collapsible). Because a value can also be validated by an
    additionalProperties or patternProperties schema (a condition key named "Resource"), every such
    schema must pass the same tests; and no schema may compare whole values (uniqueItems, or enum/const
    with an array or object), since blanking could make two different values equal. Otherwise no name
    qualifies.
    """
    registry = _registry()
    verdict: dict[str, list[bool]] = {}
    others: list[tuple[bool, bool]] = []
    sound = True

    def judge(sub: object, resolver: Any, uri: str) -> tuple[bool, bool]:
        blind = _blind(sub, resolver)
        return blind, blind and _collapsible(uri)

    def walk(node: object, resolver: Any, base: str, at: list[str]) -> None:
        nonlocal sound
        if isinstance(node, list):
            for i, x in enumerate(node):
                walk(x, resolver, base, at + [str(i)])
            return
        if not isinstance(node, dict):
            return
        for name, sub in (node.get("properties") or {}).items():
            blind, cut = judge(sub, resolver, base + "#" + _pointer(at + ["properties", name]))
            old = verdict.get(name, [True, True])
            verdict[name] = [old[0] and blind, old[1] and cut]
        for k in _VALUE_SCHEMAS:
            if isinstance(node.get(k), dict):
                others.append(judge(node[k], resolver, base + "#" + _pointer(at + [k])))
        for pat, sub in (node.get("patternProperties") or {}).items():
            others.append(judge(sub, resolver, base + "#" + _pointer(at + ["patternProperties", pat])))
        values = ([node["const"]] if "const" in node else []) + list(node.get("enum") or [])
        if "uniqueItems" in node or any(isinstance(v, (list, dict)) for v in values):
            sound = False
        for k, v in node.items():
            if k not in ("enum", "const", "examples", "default", "defaultSnippets"):
                walk(v, resolver, base, at + [k])

    for name, contents in _schema_docs().items():
        base = _schema_uri(name, contents)
        walk(contents, registry.resolver(base_uri=base), base, [])
    if not sound or not all(blind for blind, _ in others):
        return frozenset(), frozenset()
    blank = frozenset(k for k, (blind, _) in verdict.items() if blind)
    cut = frozenset(k for k, (_, c) in verdict.items() if c) if all(c for _, c in others) else frozenset()
    return blank, cut


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
    docs = list(_schema_docs().values())
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


class _Leaf(NamedTuple):
    """What span mapping needs of one leaf ValidationError (cacheable: no link to the instance)."""

    path: tuple[str | int, ...]  # relative to the validated instance
    validator: str
    value: Any  # validator_value
    allowed: tuple[str, ...]  # additionalProperties: the properties the schema names
    schema_path: tuple  # relative_schema_path
    message: str
    generic: bool  # mapped to jsonschema's own message, which quotes the instance


def _leaf_records(validator: Draft202012Validator, instance: object) -> list[_Leaf]:
    out = []
    for err in validator.iter_errors(instance):
        for leaf in _leaves(err):
            out.append(_record(leaf))
    return out


def _record(err: ValidationError) -> _Leaf:
    kind = str(err.validator)
    is_object = isinstance(err.instance, dict)
    allowed = tuple(err.schema.get("properties", {})) if kind == "additionalProperties" else ()  # type: ignore[union-attr]
    schema_path = tuple(err.relative_schema_path)
    specific = (kind in ("required", "enum", "const", "type")
                or (kind in ("additionalProperties", "anyOf") and is_object)
                or (kind == "not" and "dependentSchemas" in schema_path and is_object))
    return _Leaf(tuple(err.absolute_path), kind, err.validator_value, allowed, schema_path, err.message, not specific)


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


def _to_schema_errors(tree: ParseResult, err: _Leaf, prefix: tuple[str | int, ...]) -> list[SchemaError]:
    path = prefix + err.path
    node = tree.find(path)
    if node is None:
        return [SchemaError(Span(0, 0), err.message, path, err.validator)]
    kind = err.validator
    if kind == "additionalProperties" and node.kind == OBJECT:
        allowed = set(err.allowed)
        return [SchemaError(m.key_node.span, f"Unknown element '{m.key}' here; allowed: {', '.join(sorted(allowed))}",
                            path + (m.key,), "additionalProperties")
                for m in node.members if m.key not in allowed]
    if kind == "required":
        missing = [k for k in err.value if tree.find(path + (k,)) is None]
        what = " or ".join(missing) or ", ".join(err.value)
        return [SchemaError(_object_brace(node), f"Missing required element {what}", path, "required")]
    if kind == "anyOf" and node.kind == OBJECT:
        names = [k for branch in err.value for k in branch.get("required", [])]
        return [SchemaError(_object_brace(node), f"Missing element: add {' or '.join(names)}", path, "required")]
    if kind == "not" and "dependentSchemas" in err.schema_path and node.kind == OBJECT:
        a = err.schema_path[err.schema_path.index("dependentSchemas") + 1]
        b = err.value.get("required", ["?"])[0]
        later = max((m for m in node.members if m.key in (a, b)), key=lambda m: m.key_node.start)
        return [SchemaError(later.key_node.span, f"{a} and {b} cannot be used together", path, "dependentSchemas")]
    # The value is quoted from the tree: the validated instance may have blanked or shortened strings.
    if kind == "enum":
        allowed_values = ", ".join(json.dumps(v) for v in err.value)
        return [SchemaError(node.span, f"{json.dumps(node.to_python())} is not one of {allowed_values}", path, "enum")]
    if kind == "const":
        return [SchemaError(node.span, f"{json.dumps(node.to_python())} must be {json.dumps(err.value)}", path, "const")]
    if kind == "type":
        expected = err.value if isinstance(err.value, list) else [err.value]
        return [SchemaError(node.span, f"Expected {' or '.join(expected)}, not {node.kind_name}", path, "type")]
    return [SchemaError(node.span, err.message, path, kind)]
