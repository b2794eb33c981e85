"""ARN parsing and matching: fields with their offsets, and tolerant matching against resource-type formats.

A policy ARN may hold `*` and `?` wildcards and `${...}` policy variables anywhere; both stand for
"some text" when matching. Resource-type formats come from the knowledge base
(`arn:${Partition}:s3:::${BucketName}`); their placeholders stand for at least one character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from iam_lsp.digest import blake2b

if TYPE_CHECKING:
    from iam_lsp.core.knowledge import ActionInfo, KnowledgeBase, ResourceTypeInfo

FIELD_NAMES = ("prefix", "partition", "service", "region", "account", "resource")
_FIELD_INDEX = {name: i for i, name in enumerate(FIELD_NAMES)}
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
REGION_RE = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$")
ACCOUNT_RE = re.compile(r"^\d{12}$")
# Literal account values AWS uses for resources it owns (AWS managed policies, public SageMaker hubs).
AWS_OWNED_ACCOUNTS = ("aws",)
_VARIABLE_RE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True, slots=True)
class ArnField:
    name: str  # one of FIELD_NAMES
    value: str
    start: int  # offsets into the ARN string (decoded characters)
    end: int

    @property
    def is_open(self) -> bool:
        """True when the field holds a wildcard or a policy variable (it may stand for anything)."""
        return is_open(self.value)


@dataclass(frozen=True, slots=True)
class ParsedArn:
    text: str
    fields: tuple[ArnField, ...]  # as many as the string has, at most six

    @property
    def complete(self) -> bool:
        return len(self.fields) == 6

    def field(self, name: str) -> ArnField | None:
        i = _FIELD_INDEX[name]
        return self.fields[i] if i < len(self.fields) else None

    def value(self, name: str) -> str:
        return self._value(_FIELD_INDEX[name])

    def _value(self, i: int) -> str:
        # Index directly: rules read these fields for every ARN of every document.
        fields = self.fields
        return fields[i].value if i < len(fields) else ""

    @property
    def partition(self) -> str:
        return self._value(1)

    @property
    def service(self) -> str:
        return self._value(2)

    @property
    def region(self) -> str:
        return self._value(3)

    @property
    def account(self) -> str:
        return self._value(4)

    @property
    def resource(self) -> str:
        return self._value(5)


def is_open(value: str) -> bool:
    return "*" in value or "?" in value or "${" in value


@lru_cache(maxsize=32768)
def parse_arn(text: str) -> ParsedArn | None:
    """Split `arn:partition:service:region:account:resource` into fields with their offsets.

    Returns None when the string does not start with `arn:` (case-sensitive, like IAM). The resource
    part keeps any further colons. Colons inside `${...}` variables do not split fields. The result is
    immutable and cached: every rule of a document (and every document) naming an ARN shares it.
    """
    if not text.startswith("arn:"):
        return None
    if "${" not in text:
        return _split_plain(text)
    fields: list[ArnField] = []
    start = 0
    i = 0
    n = len(text)
    while i <= n and len(fields) < 5:
        if i == n or text[i] == ":":
            fields.append(ArnField(FIELD_NAMES[len(fields)], text[start:i], start, i))
            start = i + 1
            if i == n:
                return ParsedArn(text, tuple(fields))
        elif text.startswith("${", i):
            close = text.find("}", i)
            i = close if close >= 0 else n - 1
        i += 1
    fields.append(ArnField("resource", text[start:], start, n))
    return ParsedArn(text, tuple(fields))


def _split_plain(text: str) -> ParsedArn:
    """parse_arn without variables: at most six fields split on the first five colons (str.split in C)."""
    fields = []
    start = 0
    for name, part in zip(FIELD_NAMES, text.split(":", 5), strict=False):  # fewer parts: incomplete ARN
        end = start + len(part)
        fields.append(ArnField(name, part, start, end))
        start = end + 1
    return ParsedArn(text, tuple(fields))


def split_format(fmt: str) -> list[str]:
    """A resource type's `arn` may list several formats separated by ', '."""
    return [f.strip() for f in fmt.split(", ") if f.strip()]


# --- glob intersection ----------------------------------------------------------------------------------
# Patterns become token tuples (class, repeat): class is a lowercase literal character, ANY, or SEG
# (any character but '/'); repeat is ONE or STAR. Two patterns intersect when some string matches both.

ANY = "\x00any"
SEG = "\x00seg"
ONE = 1
STAR = 0
_ANY_STAR, _ANY_ONE = (ANY, STAR), (ANY, ONE)
# Placeholders that never contain a slash (bucket names); the others (ids, names, paths) may: AWS
# managed policies name config rules like config-rule/aws-service-rule/x/*.
_NO_SLASH_PLACEHOLDER = re.compile(r"^(BucketName|Account|Region|Partition)$")
_LITERAL_TOKENS: dict[str, tuple[str, int]] = {}


def _literal(ch: str) -> tuple[str, int]:
    """The token of one literal character, shared: token tuples of every cached ARN and format hold one
    pair per character, and a new pair each time made them most of the batch linter's memory."""
    tok = _LITERAL_TOKENS.get(ch)
    if tok is None:
        tok = _LITERAL_TOKENS[ch] = (ch.lower(), ONE)
    return tok


@lru_cache(maxsize=16384)
def policy_tokens(pattern: str) -> tuple[tuple[str, int], ...]:
    """Tokens of a policy value: * any run, ? one character, ${var} any run, ${*} ${?} ${$} literals."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("${", i):
            close = pattern.find("}", i)
            if close > 0:
                inner = pattern[i + 2:close]
                if inner in ("*", "?", "$"):
                    out.append((inner, ONE))
                else:
                    out.append((ANY, STAR))
                i = close + 1
                continue
        ch = pattern[i]
        out.append(_ANY_STAR if ch == "*" else _ANY_ONE if ch == "?" else _literal(ch))
        i += 1
    return tuple(out)


@lru_cache(maxsize=16384)
def format_tokens(fmt: str) -> tuple[tuple[str, int], ...]:
    """Tokens of a resource-type format: each ${Placeholder} is one or more characters."""
    out: list[tuple[str, int]] = []
    pos = 0
    for m in _VARIABLE_RE.finditer(fmt):
        out.extend(_literal(ch) for ch in fmt[pos:m.start()])
        cls = SEG if _NO_SLASH_PLACEHOLDER.search(m.group(0)[2:-1]) else ANY
        out.extend(((cls, ONE), (cls, STAR)))
        pos = m.end()
    out.extend(_literal(ch) for ch in fmt[pos:])
    return tuple(out)


def _classes_meet(a: str, b: str) -> bool:
    if a == ANY or b == ANY:
        return True
    if a == SEG:
        return b != "/"
    if b == SEG:
        return a != "/"
    return a == b


@lru_cache(maxsize=65536)
def tokens_intersect(a: tuple[tuple[str, int], ...], b: tuple[tuple[str, int], ...]) -> bool:
    """True when some string matches both token patterns (case-insensitive)."""
    n, m = len(a), len(b)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == n and j == m:
            return True
        if i < n and a[i][1] == STAR:
            stack.append((i + 1, j))
        if j < m and b[j][1] == STAR:
            stack.append((i, j + 1))
        if i < n and j < m and _classes_meet(a[i][0], b[j][0]):
            ni = i if a[i][1] == STAR else i + 1
            nj = j if b[j][1] == STAR else j + 1
            if (ni, nj) != (i, j):
                stack.append((ni, nj))
    return False


def policy_meets_format(a: tuple[tuple[str, int], ...], b: tuple[tuple[str, int], ...]) -> bool:
    """tokens_intersect for policy tokens `a` (whose only STAR token is (ANY, STAR)) and any tokens `b`.

    Runs b's automaton over a once instead of searching the product of both. The live positions of b
    are the bits of an int: a literal or '?' of `a` moves each live position that accepts it on by one
    (a STAR token of b stays), and a '*' makes every position from the first live one onward live
    (each token of b accepts some character).
    """
    m, star, lits, any_mask, seg_mask, every = _automaton(b)
    live = _skip_stars(1, star)
    full = (1 << (m + 1)) - 1
    not_slash = every & ~lits.get("/", 0)
    placeholders = any_mask | seg_mask
    for cls, rep in a:  # the hot loop of a batch's first ARN matches: masks hoisted, closure inline
        if not live:
            return False
        if rep == STAR:
            live = full & ~((live & -live) - 1)
            continue
        if cls == ANY:
            accept = every
        elif cls == SEG:
            accept = not_slash
        elif cls == "/":
            accept = lits.get(cls, 0) | any_mask
        else:
            accept = lits.get(cls, 0) | placeholders
        moved = live & accept
        live = ((moved & ~star) << 1) | (moved & star)
        if live & star:
            live = _skip_stars(live, star)
    return bool(live >> m & 1)


def _skip_stars(live: int, star: int) -> int:
    """Close a set of positions (bits) under skipping STAR tokens, which may match nothing."""
    while True:
        nxt = live | ((live & star) << 1)
        if nxt == live:
            return live
        live = nxt


@lru_cache(maxsize=16384)
def _automaton(b: tuple[tuple[str, int], ...]) -> tuple[int, int, dict[str, int], int, int, int]:
    """Bit masks over b's positions: STAR tokens, each literal's positions, ANY and SEG positions, all."""
    star = any_mask = seg_mask = 0
    lits: dict[str, int] = {}
    for j, (cls, rep) in enumerate(b):
        bit = 1 << j
        if rep == STAR:
            star |= bit
        if cls == ANY:
            any_mask |= bit
        elif cls == SEG:
            seg_mask |= bit
        else:
            lits[cls] = lits.get(cls, 0) | bit
    return len(b), star, lits, any_mask, seg_mask, (1 << len(b)) - 1


def _literal_head(tokens: tuple[tuple[str, int], ...]) -> str:
    out = []
    for cls, rep in tokens:
        if rep != ONE or cls in (ANY, SEG):
            break
        out.append(cls)
    return "".join(out)


@lru_cache(maxsize=32768)
def _policy_ends(resource: str) -> tuple[str, str]:
    """Literal head and (reversed) literal tail of a policy value's tokens, computed once per string."""
    t = policy_tokens(resource)
    return _literal_head(t), _literal_head(t[::-1])


@lru_cache(maxsize=8192)
def _format_ends(fmt_resource: str) -> tuple[str, str]:
    t = format_tokens(fmt_resource)
    return _literal_head(t), _literal_head(t[::-1])


@lru_cache(maxsize=65536)
def resource_part_matches(resource: str, fmt_resource: str) -> bool:
    """Whether a policy ARN's resource part can name a resource of this format's resource part."""
    ha, ta = _policy_ends(resource)
    hb, tb = _format_ends(fmt_resource)
    # Cheap rejection: a string matching both starts with both literal heads and ends with both tails.
    k = min(len(ha), len(hb))
    if ha[:k] != hb[:k]:
        return False
    k = min(len(ta), len(tb))
    if ta[:k] != tb[:k]:
        return False
    return policy_meets_format(policy_tokens(resource), format_tokens(fmt_resource))


def field_matches(value: str, fmt_value: str) -> bool:
    """A head field (partition, service, region, account) against the format's field."""
    if is_open(value):
        return True
    if fmt_value.startswith("${"):
        return value != ""
    return value.lower() == fmt_value.lower()


def arn_matches_format(arn: str | ParsedArn, fmt: str, *, check_region_account: bool = True) -> bool:
    """Whether a policy ARN (wildcards and variables allowed) can name a resource of the format.

    With check_region_account=False only the service and the resource part are compared (to find the
    formats an ARN means, before judging its region and account fields).
    """
    parsed = parse_arn(arn) if isinstance(arn, str) else arn
    f = parse_arn(fmt)
    if parsed is None or f is None or not parsed.complete or not f.complete:
        return False
    if not field_matches(parsed.service, f.service):
        return False
    if check_region_account:
        for i in (3, 4):  # region, account (both ARNs are complete)
            mine, theirs = parsed.fields[i].value, f.fields[i].value
            if theirs == "" and mine not in ("", "*"):
                return False
            if theirs and not field_matches(mine, theirs):
                return False
    return resource_part_matches(parsed.resource, f.resource)


# --- the knowledge base side ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormatRef:
    """One ARN format of one resource type."""

    resource_type: ResourceTypeInfo
    fmt: str

    @property
    def parsed(self) -> ParsedArn:
        return _parsed_format(self.fmt)


@lru_cache(maxsize=8192)
def _parsed_format(fmt: str) -> ParsedArn:
    p = parse_arn(fmt)
    assert p is not None
    return p




def _arn_service_prefixes(kb: KnowledgeBase) -> dict[str, list[str]]:
    """ARN service segment -> the action prefixes whose resource types use it (built once per process).

    The ARN service is not always the action prefix (Service Catalog ARNs say `catalog`), and one
    ARN service can have formats under several prefixes (`iam` roles are listed by iam and sts).
    Building it reads every service's resource types (about 18 ms), so the index is kept in the
    start-up data cache under the catalogue's version and this module's source.
    """
    got = _ARN_SERVICE_PREFIXES.get(id(kb))
    if got is not None:
        return got
    from iam_lsp.datacache import cached

    index = cached("arn-services", (_source_digest(), kb.data_fingerprint().encode()),
                   lambda: _build_arn_service_prefixes(kb), lambda v: v, _decode_index)
    _ARN_SERVICE_PREFIXES[id(kb)] = index
    return index


def _build_arn_service_prefixes(kb: KnowledgeBase) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for svc in kb.services():
        for rt in kb.resource_types(svc).values():
            for fmt in split_format(rt.arn):
                fields = fmt.split(":", 3)
                if len(fields) > 2:
                    owners = index.setdefault(fields[2].lower(), [])
                    if not owners or owners[-1] != svc:
                        owners.append(svc)
    return index


def _decode_index(data: object) -> dict[str, list[str]]:
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v) for k, v in data.items()):
        raise ValueError("not an ARN service index")
    return data  # type: ignore[return-value]


@lru_cache(maxsize=1)
def _source_digest() -> bytes:
    """This module and the knowledge base's (which reads the files the index is built from)."""
    from iam_lsp.core import knowledge

    h = blake2b(Path(__file__).read_bytes(), digest_size=16)
    h.update(Path(knowledge.__file__ or "").read_bytes())
    return h.digest()


_ARN_SERVICE_PREFIXES: dict[int, dict[str, list[str]]] = {}
_FORMATS_FOR: dict[tuple[int, str], list[FormatRef]] = {}


def formats_for_service(kb: KnowledgeBase, service: str) -> list[FormatRef]:
    """Every resource-type format whose ARN names `service` (parsed on first use, then cached)."""
    lower = service.lower()
    key = (id(kb), lower)
    got = _FORMATS_FOR.get(key)
    if got is not None:
        return got
    out: list[FormatRef] = []
    for prefix in _arn_service_prefixes(kb).get(lower, ()):
        for rt in kb.resource_types(prefix).values():
            for fmt in split_format(rt.arn):
                p = parse_arn(fmt)
                if p is not None and p.complete and p.service.lower() == lower:
                    out.append(FormatRef(rt, fmt))
    _FORMATS_FOR[key] = out
    return out


def formats_by_arn_service(kb: KnowledgeBase) -> dict[str, list[FormatRef]]:
    """Every resource-type format, keyed by the lowercase service segment of its ARN."""
    return {svc: refs for svc in _arn_service_prefixes(kb) if (refs := formats_for_service(kb, svc))}


_CANDIDATES: dict[tuple[int, str, str], list[FormatRef]] = {}
# Per ARN service: each format with its resource part's literal head and tail and its tokens, so
# matching one policy ARN against a service's formats does the cheap rejections inline.
_FORMAT_ENDS: dict[tuple[int, str], list[tuple[FormatRef, str, str, str]]] = {}


def _service_format_ends(kb: KnowledgeBase, service: str) -> list[tuple[FormatRef, str, str, str]]:
    key = (id(kb), service)
    got = _FORMAT_ENDS.get(key)
    if got is None:
        got = []
        for ref in formats_for_service(kb, service):
            res = ref.parsed.resource
            head, tail = _format_ends(res)
            got.append((ref, res, head, tail))
        _FORMAT_ENDS[key] = got
    return got


_FORMATS_BY_FIRST: dict[tuple[int, str, str], list[tuple[FormatRef, str, str, str]]] = {}


def _formats_for_head(kb: KnowledgeBase, service: str, head: str) -> list[tuple[FormatRef, str, str, str]]:
    """The service's formats (in catalogue order) whose literal head can agree with a policy resource
    starting with the literal `head`: those with an empty head or the same first character."""
    if not head:
        return _service_format_ends(kb, service)
    key = (id(kb), service, head[0])
    got = _FORMATS_BY_FIRST.get(key)
    if got is None:
        if len(_FORMATS_BY_FIRST) > 20000:  # first characters come from documents: bound the cache
            _FORMATS_BY_FIRST.clear()
        got = _FORMATS_BY_FIRST[key] = [e for e in _service_format_ends(kb, service)
                                        if not e[2] or e[2][0] == head[0]]
    return got


def _ends_agree(a: str, b: str) -> bool:
    k = min(len(a), len(b))
    return a[:k] == b[:k]


def candidate_formats(kb: KnowledgeBase, arn: ParsedArn) -> list[FormatRef]:
    """Formats of the ARN's service whose resource part the ARN's resource part can match (cached)."""
    service = arn.service.lower()
    resource = arn.resource
    key = (id(kb), service, resource)
    got = _CANDIDATES.get(key)
    if got is None:
        head, tail = _policy_ends(resource)
        tokens = policy_tokens(resource)
        # Same answer as resource_part_matches on each format, without a cache lookup per pair.
        got = [ref for ref, fres, fhead, ftail in _formats_for_head(kb, service, head)
               if _ends_agree(head, fhead) and _ends_agree(tail, ftail)
               and policy_meets_format(tokens, format_tokens(fres))]
        if len(_CANDIDATES) > 20000:  # bound the cache in a long-running server
            _CANDIDATES.clear()
        _CANDIDATES[key] = got
    return got


_ACTION_FORMATS: dict[tuple[int, str, str], list[FormatRef]] = {}


def action_formats(kb: KnowledgeBase, action: ActionInfo) -> list[FormatRef]:
    """The ARN formats of the resource types an action accepts (cached per action)."""
    key = (id(kb), action.service, action.name)
    got = _ACTION_FORMATS.get(key)
    if got is None:
        got = []
        for ref in action.resource_types:
            rt = kb.resource_type(action.service, ref.name)
            if rt is not None:
                got.extend(FormatRef(rt, fmt) for fmt in split_format(rt.arn))
        _ACTION_FORMATS[key] = got  # bounded by the catalogue's number of actions
    return got


# Per complete ARN with a named service: the resource types (service, lowercase key) having a format the
# ARN matches. Checking an action is then a set lookup per resource type, whatever the number of actions.
_ACCEPTING: dict[tuple[int, str], frozenset[tuple[str, str]]] = {}


_PLACEHOLDER_SERVICE: dict[int, list[FormatRef]] = {}


def _placeholder_service_formats(kb: KnowledgeBase) -> list[FormatRef]:
    """Formats whose service field is a placeholder (`${vendor}`): they can match any named service."""
    got = _PLACEHOLDER_SERVICE.get(id(kb))
    if got is None:
        got = _PLACEHOLDER_SERVICE[id(kb)] = [
            ref for key in _arn_service_prefixes(kb) if key.startswith("${") for ref in formats_for_service(kb, key)]
    return got


def accepting_types(kb: KnowledgeBase, parsed: ParsedArn) -> frozenset[tuple[str, str]]:
    """(action prefix, lowercase resource-type key) of every resource type the complete ARN can name.

    The ARN's service must be named (not open); the result is cached per ARN.
    """
    key = (id(kb), parsed.text)
    got = _ACCEPTING.get(key)
    if got is None:
        # candidate_formats holds every format of the ARN's service whose resource part can match;
        # arn_matches_format then checks the region and account fields too.
        refs = [*candidate_formats(kb, parsed), *_placeholder_service_formats(kb)]
        got = frozenset((ref.resource_type.service, ref.resource_type.key.lower())
                        for ref in refs if arn_matches_format(parsed, ref.fmt))
        if len(_ACCEPTING) > 20000:  # bound the cache in a long-running server
            _ACCEPTING.clear()
        _ACCEPTING[key] = got
    return got


def action_accepts(kb: KnowledgeBase, action: ActionInfo, arn: str) -> bool:
    """Whether the action has a resource type whose format the (wildcarded) ARN can match."""
    parsed = parse_arn(arn)
    if parsed is None or not parsed.complete:
        return False
    if is_open(parsed.service):  # may match formats of any service: compare with each of the action's
        return any(arn_matches_format(parsed, ref.fmt) for ref in action_formats(kb, action))
    types = accepting_types(kb, parsed)
    return any((action.service, ref.name.lower()) in types for ref in action.resource_types)


__all__ = [
    "ACCOUNT_RE", "AWS_OWNED_ACCOUNTS", "ArnField", "FormatRef", "PARTITIONS", "ParsedArn", "REGION_RE",
    "accepting_types", "action_accepts", "action_formats", "arn_matches_format", "candidate_formats", "field_matches",
    "format_tokens", "formats_by_arn_service", "formats_for_service", "is_open", "parse_arn",
    "policy_meets_format", "policy_tokens", "resource_part_matches", "split_format", "tokens_intersect",
]
