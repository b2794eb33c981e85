"""Completion: property names, values, actions, ARNs, principals, operators, condition keys, snippets.

Works on half-typed documents (the cursor's context comes from `locate`). Only the services the cursor
needs are loaded; "*" is never expanded over all services.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from iam_lsp.core.config import Config
from iam_lsp.core.describe import (
    ELEMENTS,
    GITHUB,
    PRINCIPAL_TYPES,
    describe_key_info,
    describe_operator,
    describe_principal,
    operator_detail,
)
from iam_lsp.core.jsontree import OBJECT, ParseResult
from iam_lsp.core.knowledge import ConditionKeyInfo, knowledge_base
from iam_lsp.core.locate import KEY, VALUE, Location, element_path, locate, parse_cached, statement_node
from iam_lsp.core.model import STATEMENT_KEYS, TOP_LEVEL_KEYS, items_of
from iam_lsp.core.operators import OPERATORS, all_operator_spellings, parse_operator
from iam_lsp.core.policytype import PolicyType
from iam_lsp.core.snippets import SNIPPETS, as_policy
from iam_lsp.core.text import Span


@dataclass(slots=True)
class Candidate:
    label: str
    kind: str  # property, value, action, service, operator, condition-key, principal, snippet, keyword
    detail: str = ""
    documentation: str = ""
    insert_text: str | None = None
    is_snippet: bool = False
    replace_span: Span | None = None
    sort_text: str | None = None
    filter_text: str | None = None


@dataclass(slots=True)
class CompletionResult:
    items: list[Candidate] = field(default_factory=list)
    is_incomplete: bool = False


PASSROLE_KEYS = ("iam:PassedToService", "iam:AssociatedResourceArn")
SERVICE_VALUED_KEYS = frozenset(k.lower() for k in (
    "iam:PassedToService", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:CalledVia",
    "aws:CalledViaFirst", "aws:CalledViaLast", "iam:AWSServiceName", "kms:ViaService",
))
FIXED_VALUES: dict[str, tuple[str, ...]] = {
    f"{GITHUB}:aud": ("sts.amazonaws.com",),
    "saml:aud": ("https://signin.aws.amazon.com/saml",),
    "aws:principaltype": ("Account", "User", "FederatedUser", "AssumedRole", "Anonymous"),
    "cognito-identity.amazonaws.com:amr": ("authenticated", "unauthenticated"),
}
WEB_PROVIDERS = ("cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com")
VALUE_TEMPLATES = {  # what follows a property name typed from scratch
    "Version": '"${1:2012-10-17}"', "Id": '"$1"', "Statement": "[\n\t{\n\t\t$0\n\t}\n]", "Sid": '"$1"',
    "Effect": '"${1|Allow,Deny|}"', "Principal": "{\n\t$0\n}", "NotPrincipal": "{\n\t$0\n}",
    "Action": '"$1"', "NotAction": '"$1"', "Resource": '"$1"', "NotResource": '"$1"', "Condition": "{\n\t$0\n}",
    "AWS": '"$1"', "Service": '"$1"', "Federated": '"$1"', "CanonicalUser": '"$1"',
}


def snippet_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def placeholders_to_snippet(template: str, defaults: dict[str, str] | None = None) -> str:
    """Turn ${Name} placeholders (ARN formats, tag-key patterns) into numbered snippet tab stops."""
    defaults = defaults or {}
    out: list[str] = []
    pos = 0
    n = 0
    for m in re.finditer(r"\$\{([^}]*)\}|<([^>]*)>", template):
        n += 1
        name = m.group(1) if m.group(1) is not None else m.group(2)
        out.append(snippet_escape(template[pos:m.start()]))
        out.append(f"${{{n}:{snippet_escape(defaults.get(name, name))}}}")
        pos = m.end()
    out.append(snippet_escape(template[pos:]))
    return "".join(out)


class _Builder:
    """Shapes candidates for the cursor's location: quoting, replace span and filter text."""

    def __init__(self, loc: Location, offset: int) -> None:
        self.loc = loc
        self.span = loc.span if loc.token is not None else Span(offset, offset)
        self.items: list[Candidate] = []
        self.incomplete = False

    def value(self, label: str, kind: str, detail: str = "", doc: str = "", sort: str | None = None,
              snippet_body: str | None = None) -> None:
        """A string value. `snippet_body` (already snippet-escaped) replaces the plain label."""
        body = snippet_body if snippet_body is not None else None
        quoted = json.dumps(label)
        if body is not None:
            insert, is_snip = f'"{body}"', True
        else:
            insert, is_snip = quoted, False
        filt = quoted if self.loc.in_string or self.loc.token is None else label
        self.items.append(Candidate(label, kind, detail, doc, insert, is_snip, self.span, sort, filt))

    def key(self, label: str, kind: str, detail: str = "", doc: str = "", sort: str | None = None,
            template: str | None = None, key_snippet: str | None = None) -> None:
        """A property name; with a value template unless a colon already follows."""
        quoted = json.dumps(label)
        key_text = f'"{key_snippet}"' if key_snippet is not None else snippet_escape(quoted)
        if self.loc.has_colon:
            insert, is_snip = (key_text, True) if key_snippet is not None else (quoted, False)
        else:
            insert, is_snip = f"{key_text}: {template or chr(34) + '$1' + chr(34)}", True
        self.items.append(Candidate(label, kind, detail, doc, insert, is_snip, self.span, sort, quoted))

    def raw(self, label: str, kind: str, insert: str, detail: str = "", doc: str = "", sort: str | None = None,
            snippet: bool = True) -> None:
        """A non-string insertion (objects, arrays, snippets); only where no token is being typed."""
        if self.loc.token is not None:
            return
        self.items.append(Candidate(label, kind, detail, doc, insert, snippet, self.span, sort, label))


# --- entry point -------------------------------------------------------------------------------------


def complete_at(text: str, offset: int, config: Config | None = None,
                policy_type: PolicyType | None = None) -> CompletionResult:
    """Completion candidates at a code-point offset."""
    offset = max(0, min(offset, len(text)))
    tree = parse_cached(text)
    if tree.root is None or (tree.root.kind == OBJECT and offset <= tree.root.start):
        return _document_snippets(text, offset, tree)
    loc = locate(text, offset, tree)
    b = _Builder(loc, offset)
    ep = element_path(loc.path)
    if loc.kind == KEY:
        _complete_key(b, ep, loc, tree, policy_type)
    elif loc.kind == VALUE:
        _complete_value(b, ep, loc, tree)
    items, narrowed = _narrow(b.items, loc.partial)
    return CompletionResult(items, b.incomplete or narrowed)


# Long lists (hundreds of services or actions) cost the editor more to receive than to show: past this
# many, once the user has typed something, only candidates that text could still select are sent, and
# the list is marked incomplete so the editor asks again as the user types.
MAX_ITEMS = 150


def _subsequence(typed: str, label: str) -> bool:
    it = iter(label)
    return all(ch in it for ch in typed)


def _narrow(items: list[Candidate], partial: str) -> tuple[list[Candidate], bool]:
    typed = partial.lower()
    if len(items) <= MAX_ITEMS or not typed:
        return items, False
    # A superset of what editors' fuzzy matchers keep: every typed character, in order.
    return [c for c in items if _subsequence(typed, (c.filter_text or c.label).lower())], True


def _document_snippets(text: str, offset: int, tree: ParseResult) -> CompletionResult:
    if text.strip():
        return CompletionResult([])
    items = [Candidate(s.label, "snippet", "Policy: " + s.detail, "", as_policy(s), True, Span(offset, offset),
                       f"0{i}", s.label) for i, s in enumerate(SNIPPETS)]
    return CompletionResult(items)


# --- keys --------------------------------------------------------------------------------------------


def _present(loc: Location) -> set[str]:
    c = loc.container
    own = loc.member
    return {m.key for m in c.members if m is not own} if c is not None and c.kind == OBJECT else set()


def _complete_key(b: _Builder, ep: tuple, loc: Location, tree: ParseResult, ptype: PolicyType | None) -> None:
    present = _present(loc)
    if ep == ():
        for i, k in enumerate(TOP_LEVEL_KEYS):
            if k not in present:
                b.key(k, "property", "policy element", ELEMENTS[k], f"0{i}", VALUE_TEMPLATES[k])
    elif ep == ("Statement",):
        for i, k in enumerate(STATEMENT_KEYS):
            if k in present or not _key_allowed(k, ptype, present):
                continue
            b.key(k, "property", "statement element", ELEMENTS[k], f"{i:02d}", VALUE_TEMPLATES[k])
    elif len(ep) == 2 and ep[1] in ("Principal", "NotPrincipal"):
        for i, k in enumerate(PRINCIPAL_TYPES):
            if k not in present:
                b.key(k, "property", "principal type", PRINCIPAL_TYPES[k], f"0{i}", VALUE_TEMPLATES[k])
    elif ep == ("Statement", "Condition"):
        _complete_operators(b)
    elif len(ep) == 3 and ep[:2] == ("Statement", "Condition"):
        _complete_condition_keys(b, loc, tree, str(ep[2]), present)


def _key_allowed(key: str, ptype: PolicyType | None, present: set[str]) -> bool:
    pairs = {"Action": "NotAction", "NotAction": "Action", "Resource": "NotResource", "NotResource": "Resource",
             "Principal": "NotPrincipal", "NotPrincipal": "Principal"}
    if pairs.get(key) in present:
        return False
    if ptype is None:
        return True
    if key in ("Principal", "NotPrincipal") and not ptype.has_principal:
        return False
    if key in ("Resource", "NotResource") and ptype == PolicyType.TRUST:
        return False
    return not (key == "NotPrincipal" and ptype == PolicyType.TRUST)


def _complete_operators(b: _Builder) -> None:
    for op in all_operator_spellings():
        p = parse_operator(op)
        rank = 2 if p.qualifier else 1 if p.if_exists else 0
        order = list(OPERATORS).index(p.base)
        b.key(op, "operator", operator_detail(op), describe_operator(op), f"{rank}{order:02d}{op}",
              '{\n\t"$1": "$2"\n}')


# --- statement context -------------------------------------------------------------------------------


def _statement_strings(tree: ParseResult, loc: Location, name: str) -> list[str]:
    st = statement_node(tree, loc.path)
    if st is None:
        return []
    return [i.text for i in items_of(st.value_of(name)) if i.text]


def _federated(tree: ParseResult, loc: Location) -> list[str]:
    st = statement_node(tree, loc.path)
    principal = st.value_of("Principal") if st is not None else None
    if principal is None or principal.kind != OBJECT:
        return []
    return [i.text for i in items_of(principal.value_of("Federated")) if i.text]


def provider_host(federated: str) -> str:
    """The issuer host of a Federated principal: the oidc-provider ARN's tail, or the built-in name."""
    _, sep, tail = federated.partition(":oidc-provider/")
    return tail if sep else federated


def _action_infos(actions: list[str]) -> list:
    """ActionInfos of the statement's actions, expanded within their own service only."""
    kb = knowledge_base()
    out = []
    for a in actions:
        prefix, sep, name = a.partition(":")
        if not sep or any(c in prefix for c in "*?") or not kb.has_service(prefix):
            continue
        out.extend(kb.expand(a) if any(c in name for c in "*?") else filter(None, [kb.action(prefix, name)]))
    return out


# --- condition keys ----------------------------------------------------------------------------------


def _complete_condition_keys(b: _Builder, loc: Location, tree: ParseResult, operator: str,
                             present: set[str]) -> None:
    kb = knowledge_base()
    actions = _statement_strings(tree, loc, "Action")
    lower_actions = {a.lower() for a in actions}
    seen: set[str] = {p.lower() for p in present}
    ranked: list[tuple[str, ConditionKeyInfo | None, str]] = []  # (sort group, info, key)

    def add(key: str, group: str, info: ConditionKeyInfo | None = None) -> None:
        if key.lower() in seen:
            return
        seen.add(key.lower())
        ranked.append((group, info or kb.condition_key(key), key))

    if "iam:passrole" in lower_actions or "iam:pass*" in lower_actions:
        for i, k in enumerate(PASSROLE_KEYS):
            add(k, f"0{i}")
    for fed in _federated(tree, loc):
        host = provider_host(fed)
        claims = ("aud", "sub", "amr") if host.startswith("cognito-identity") else ("aud", "sub")
        for claim in claims:
            add(f"{host}:{claim}", "0")
    for info in _action_infos(actions):
        for k in sorted(info.all_condition_keys(), key=str.lower):
            add(k, "1")
    for info in kb.global_condition_keys():
        if not info.deprecated:  # aws:ARN is never in the request context: do not offer it
            add(info.key, "2", info)
    qualified = parse_operator(operator).qualifier is not None
    for group, info, key in ranked:
        multivalued = info is not None and info.multivalued
        value = '["$1"]' if multivalued or qualified else '"$1"'
        if info is not None and info.scalar_type == "Bool":
            value = '"${1|true,false|}"'
        key_snip = placeholders_to_snippet(key) if "${" in key or "<" in key else None
        detail = f"{info.type}" if info is not None else "condition key"
        doc = describe_key_info(info, key) if info is not None else ""
        b.key(key, "condition-key", detail, doc, f"{group}{key.lower()}", value, key_snip)


# --- values ------------------------------------------------------------------------------------------


def _complete_value(b: _Builder, ep: tuple, loc: Location, tree: ParseResult) -> None:
    in_array = bool(loc.path) and isinstance(loc.path[-1], int)
    if ep == ("Version",):
        b.value("2012-10-17", "value", "current policy language version", ELEMENTS["Version"], "0")
    elif ep == ("Statement",):
        _statement_snippets(b, in_array)
    elif ep == ("Statement", "Effect"):
        b.value("Allow", "keyword", "allow the actions", ELEMENTS["Effect"], "0")
        b.value("Deny", "keyword", "deny the actions (wins over any Allow)", ELEMENTS["Effect"], "1")
    elif ep in (("Statement", "Action"), ("Statement", "NotAction")):
        _complete_actions(b, loc.partial)
    elif ep in (("Statement", "Resource"), ("Statement", "NotResource")):
        _complete_resources(b, _statement_strings(tree, loc, "Action"))
    elif ep in (("Statement", "Principal"), ("Statement", "NotPrincipal")) and not in_array:
        b.value("*", "principal", "everyone", describe_principal("", "*"), "0")
        for i, kind in enumerate(PRINCIPAL_TYPES):
            b.raw(f'{{"{kind}": ...}}', "snippet", f'{{\n\t"{kind}": "$1"\n}}', "principal object",
                  PRINCIPAL_TYPES[kind], f"1{i}")
    elif len(ep) == 3 and ep[1] in ("Principal", "NotPrincipal"):
        _complete_principal_values(b, str(ep[2]))
    elif len(ep) == 4 and ep[:2] == ("Statement", "Condition"):
        _complete_condition_values(b, str(ep[2]), str(ep[3]))


def _statement_snippets(b: _Builder, in_array: bool) -> None:
    for i, s in enumerate(SNIPPETS):
        body = s.body if in_array else "[\n\t" + s.body.replace("\n", "\n\t") + "\n]"
        b.raw(s.label, "snippet", body, s.detail, "", f"0{i}")


def _complete_actions(b: _Builder, partial: str) -> None:
    kb = knowledge_base()
    prefix, sep, name = partial.partition(":")
    if not sep or not kb.has_service(prefix):
        # Service prefixes first; the client asks again once a colon is typed.
        b.incomplete = True
        b.value("*", "keyword", "every action of every service", "", "0")
        for svc in kb.services():
            b.value(svc, "service", kb.service_name(svc) or "", "", f"1{svc}", snippet_escape(svc) + ":$0")
        return
    svc = prefix.lower()
    acts = kb.actions(svc)
    verbs: dict[str, int] = {}
    for info in sorted(acts.values(), key=lambda a: a.name):
        b.value(info.full_name, "action", info.access_level, info.description, f"1{info.name.lower()}")
        m = re.match(r"[A-Z][a-z]+", info.name)
        if m:
            verbs[m.group(0)] = verbs.get(m.group(0), 0) + 1
    b.value(f"{svc}:*", "action", f"all {len(acts)} actions", f"Every {kb.service_name(svc)} action", "2*")
    for verb, count in sorted(verbs.items()):
        if count > 1:
            b.value(f"{svc}:{verb}*", "action", f"{count} actions", "", f"2{verb.lower()}")


def _complete_resources(b: _Builder, actions: list[str]) -> None:
    kb = knowledge_base()
    b.value("*", "keyword", "all resources", "", "9")
    seen: set[str] = set()
    for info in _action_infos(actions):
        for ref in info.resource_types:
            rt = kb.resource_type(info.service, ref.name)
            if rt is None or not rt.arn or rt.arn in seen:
                continue
            seen.add(rt.arn)
            snippet = placeholders_to_snippet(rt.arn, {"Partition": "aws"})
            b.value(rt.arn, "value", f"{info.service} {rt.key}", f"ARN of a {info.service} `{rt.key}` "
                    f"(resource type of `{info.full_name}`)", f"{0 if ref.required else 1}{rt.key}", snippet)


def _complete_principal_values(b: _Builder, kind: str) -> None:
    kb = knowledge_base()
    if kind == "Service":
        for name in kb.service_principals():
            status = kb.principal_status(name) or ""
            rank = {"documented": "0", "observed": "1"}.get(status, "2")
            b.value(name, "principal", status.replace("_", " "), "", f"{rank}{name}")
    elif kind == "Federated":
        gh = f"arn:aws:iam::${{1:123456789012}}:oidc-provider/{GITHUB}"
        b.value(f"arn:aws:iam::ACCOUNT:oidc-provider/{GITHUB}", "principal", "GitHub Actions OIDC provider",
                describe_principal("Federated", GITHUB), "0", gh)
        b.value("arn:aws:iam::ACCOUNT:oidc-provider/HOST", "principal", "OIDC provider", "", "1",
                "arn:aws:iam::${1:123456789012}:oidc-provider/${2:HOST}")
        b.value("arn:aws:iam::ACCOUNT:saml-provider/NAME", "principal", "SAML provider", "", "2",
                "arn:aws:iam::${1:123456789012}:saml-provider/${2:NAME}")
        for i, name in enumerate(WEB_PROVIDERS):
            b.value(name, "principal", "web identity provider", describe_principal("Federated", name), f"3{i}")
    elif kind == "AWS":
        for i, (label, body, detail) in enumerate((
            ("arn:aws:iam::ACCOUNT:root", "arn:aws:iam::${1:123456789012}:root", "a whole account"),
            ("arn:aws:iam::ACCOUNT:role/NAME", "arn:aws:iam::${1:123456789012}:role/${2:NAME}", "an IAM role"),
            ("arn:aws:iam::ACCOUNT:user/NAME", "arn:aws:iam::${1:123456789012}:user/${2:NAME}", "an IAM user"),
        )):
            b.value(label, "principal", detail, "", f"{i}", body)
        b.value("*", "principal", "any AWS principal", describe_principal("AWS", "*"), "9")


def _complete_condition_values(b: _Builder, operator: str, key: str) -> None:
    kb = knowledge_base()
    lk = key.lower()
    if lk in SERVICE_VALUED_KEYS:
        for name in kb.service_principals():
            rank = {"documented": "0", "observed": "1"}.get(kb.principal_status(name) or "", "2")
            b.value(name, "principal", "service principal", "", f"{rank}{name}")
        return
    if lk in FIXED_VALUES:
        for i, v in enumerate(FIXED_VALUES[lk]):
            b.value(v, "value", key, "", f"{i}")
        return
    if lk == f"{GITHUB}:sub":
        for i, (label, body) in enumerate((
            ("repo:ORG/REPO:ref:refs/heads/main", "repo:${1:ORG}/${2:REPO}:ref:refs/heads/${3:main}"),
            ("repo:ORG/REPO:environment:NAME", "repo:${1:ORG}/${2:REPO}:environment:${3:NAME}"),
        )):
            b.value(label, "value", "GitHub subject", "", f"{i}", body)
        return
    info = kb.condition_key(key)
    if parse_operator(operator).base == "Null" or (info is not None and info.scalar_type == "Bool"):
        b.value("true", "keyword", key, "", "0")
        b.value("false", "keyword", key, "", "1")


__all__ = ["Candidate", "CompletionResult", "complete_at", "placeholders_to_snippet", "snippet_escape"]
