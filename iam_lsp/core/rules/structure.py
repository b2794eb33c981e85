"""Document and grammar rules (IAM0xx): JSON syntax, duplicate keys, elements, Version, Statement, Effect, Sid."""

from __future__ import annotations

import difflib
import re

from iam_lsp.core.context import Context
from iam_lsp.core.edits import remove_member_edit
from iam_lsp.core.findings import Edit, Fix, Related, Severity
from iam_lsp.core.jsontree import ARRAY, BOOL, INVALID, NUMBER, OBJECT, STRING, Member, Node
from iam_lsp.core.model import STATEMENT_KEYS, TOP_LEVEL_KEYS, Statement
from iam_lsp.core.policytype import PolicyType
from iam_lsp.core.rules.base import rule
from iam_lsp.core.text import Span

# Master-table rows this family does not cover, with the reason (collected into docs/coverage.md).
# Rows 26-28 (redundant statements/actions/resources) belong to the redundancy family (IAM9xx).
UNCOVERED: dict[int, str] = {}

VERSION = "2012-10-17"
LEGACY_VERSION = "2008-10-17"
# Types whose Sids IAM restricts to [A-Za-z0-9] and requires to be unique.
STRICT_SID_TYPES = (PolicyType.IDENTITY, PolicyType.BOUNDARY, PolicyType.SCP, PolicyType.RCP)


# --- helpers --------------------------------------------------------------------------------------


def brace(node: Node) -> Span:
    """The opening brace of an object: where a finding about a missing element points."""
    return Span(node.start, node.start + 1)


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def root_object(ctx: Context) -> Node | None:
    root = ctx.tree.root
    return root if root is not None and root.kind == OBJECT else None


def statement_list_node(ctx: Context) -> Node | None:
    """The value of the Statement element when it is an object or an array."""
    root = root_object(ctx)
    node = root.value_of("Statement") if root else None
    return node if node is not None and node.kind in (OBJECT, ARRAY) else None


# --- JSON level -----------------------------------------------------------------------------------


@rule(
    "IAM010", "json-syntax", "The document is not valid JSON", "error",
    """
    IAM accepts only strict JSON: no comments, no trailing commas, double-quoted strings and keys,
    every bracket closed. The editor keeps working on a half-typed document, but AWS rejects it.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(1,),
)
def json_syntax(ctx: Context) -> None:
    for issue in ctx.tree.errors:
        if issue.kind == "duplicate-key":
            continue
        ctx.report(issue.span, issue.message)


@rule(
    "IAM011", "duplicate-key", "The same key appears twice in one JSON object", "error",
    """
    JSON parsers silently keep the last of two equal keys, so a second `Effect` or `Condition`
    hides the first one's intent. The policy grammar forbids duplicate keys.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(2,),
)
def duplicate_key(ctx: Context) -> None:
    for first, dup in ctx.tree.duplicates:
        ctx.report(dup.key_node, f"Duplicate key '{dup.key}': the earlier one is ignored by JSON parsers",
                   related=[Related(first.key_node.span, f"first '{first.key}' here")])


_BAD_CHARS = re.compile(r"[^\t\n\r\x20-\xff]+")
# Typographic characters that editors and word processors slip in, with their plain replacement.
_PLAIN = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
          "\u2026": "...", "\u200b": "", "\ufeff": "", "\u2212": "-"}


_GOOD_BYTES = b"\t\n\r" + bytes(range(0x20, 0x100))


def _may_have_bad_chars(text: str) -> bool:
    """A C-speed pre-check (10x faster than the regex scan): every character is in the accepted set
    exactly when the text encodes to Latin-1 and deleting the accepted bytes leaves nothing."""
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        return True
    return bool(data.translate(None, _GOOD_BYTES))


@rule(
    "IAM012", "unsupported-character", "Character outside the set IAM accepts in policy documents", "error",
    """
    IAM policy documents may contain only TAB, LF, CR and the characters U+0020 to U+00FF. Curly quotes,
    dashes pasted from a word processor, emoji or non-Latin text make AWS reject the document. Replace
    them with plain ASCII.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Sid": "ReadOnly\u2014S3", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Sid": "ReadOnlyS3", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(3,),
)
def unsupported_character(ctx: Context) -> None:
    if not _may_have_bad_chars(ctx.text):
        return
    for m in _BAD_CHARS.finditer(ctx.text):
        chars = m.group()
        names = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(chars))
        fixes = []
        if all(c in _PLAIN for c in chars):
            plain = "".join(_PLAIN[c] for c in chars)
            fixes.append(Fix(f"Replace with '{plain}'" if plain else "Remove it", (Edit(Span(m.start(), m.end()), plain),)))
        ctx.report(Span(m.start(), m.end()),
                   f"Unsupported character {names} '{chars}': IAM accepts only TAB, LF, CR and U+0020-U+00FF",
                   fixes=fixes)


# --- element types --------------------------------------------------------------------------------

_STRING_OR_LIST = ("Action", "NotAction", "Resource", "NotResource")


def _expect(ctx: Context, node: Node | None, kinds: tuple[str, ...], what: str) -> bool:
    """Report `node` unless its kind is one of `kinds`. True when the node is usable."""
    if node is None or node.kind == INVALID:
        return False  # a syntax error already says it
    if node.kind in kinds:
        return True
    ctx.report(node, f"{what} must be {_describe(kinds)}, not {node.kind_name}")
    return False


def _describe(kinds: tuple[str, ...]) -> str:
    names = {STRING: "a string", ARRAY: "an array", OBJECT: "an object", NUMBER: "a number", BOOL: "a boolean"}
    parts = [names[k] for k in kinds]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _check_strings(ctx: Context, node: Node | None, what: str) -> None:
    """A string or an array (the entries' types are left to the schema check, IAM033)."""
    _expect(ctx, node, (STRING, ARRAY), what)


def _check_principal(ctx: Context, node: Node | None, name: str) -> None:
    _expect(ctx, node, (STRING, OBJECT), name)


def _check_condition(ctx: Context, node: Node | None) -> None:
    _expect(ctx, node, (OBJECT,), "Condition")


def _check_statement_types(ctx: Context, st: Node) -> None:
    for m in st.members:
        if m.key in ("Sid", "Effect"):
            _expect(ctx, m.value, (STRING,), m.key)
        elif m.key in _STRING_OR_LIST:
            _check_strings(ctx, m.value, m.key)
        elif m.key in ("Principal", "NotPrincipal"):
            _check_principal(ctx, m.value, m.key)
        elif m.key == "Condition":
            _check_condition(ctx, m.value)


@rule(
    "IAM013", "element-type", "An element has the wrong JSON type", "error",
    """
    Each policy element has a fixed JSON type: Version, Id, Sid and Effect are strings; Action, Resource
    and their Not forms are a string or an array of strings; Principal is "*" or an object; Condition is
    a single object; Statement is one statement object or an array of them. AWS rejects other types
    (DATA_TYPE_MISMATCH). Types nested deeper (array entries, principal and condition values) are
    checked by schema-violation (IAM033).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": {"s3": "GetObject"}, "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(4, 20),
)
def element_type(ctx: Context) -> None:
    root = ctx.tree.root
    if root is None or not _expect(ctx, root, (OBJECT,), "A policy document"):
        return
    for m in root.members:
        if m.key in ("Version", "Id"):
            _expect(ctx, m.value, (STRING,), m.key)
        elif m.key == "Statement" and _expect(ctx, m.value, (OBJECT, ARRAY), "Statement"):
            if m.value.kind == ARRAY:
                for item in m.value.items:
                    _expect(ctx, item, (OBJECT,), "Each entry of Statement")
    for st in ctx.statements:
        _check_statement_types(ctx, st.node)


# --- element names --------------------------------------------------------------------------------


def _rename_fixes(member: Member, known: tuple[str, ...]) -> tuple[list[str], bool]:
    """Candidate names for an unknown key, and whether the first one is a sure (case-only) fix."""
    key = member.key
    same_case = [k for k in known if k.lower() == key.strip().lower()]
    if same_case:
        return same_case, True
    return difflib.get_close_matches(key, known, n=2, cutoff=0.7), False


def _report_unknown(ctx: Context, member: Member, known: tuple[str, ...], where: str) -> None:
    names, sure = _rename_fixes(member, known)
    fixes = [Fix(f"Rename to '{n}'", (Edit(member.key_node.span, quoted(n)),), preferred=sure and i == 0)
             for i, n in enumerate(names)]
    hint = f" Did you mean '{names[0]}'?" if names else f" Allowed: {', '.join(known)}."
    if not names and where == "policy" and member.key in STATEMENT_KEYS:
        hint = f" '{member.key}' belongs inside a statement object in Statement."
    ctx.report(member.key_node, f"Unknown {where} element '{member.key}'.{hint}", fixes=fixes)


@rule(
    "IAM014", "unknown-element", "Unknown policy or statement element", "error",
    """
    A policy document has only Version, Id and Statement at the top level; a statement has only Sid,
    Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition. Element
    names are case-sensitive: "effect" or "Actions" are rejected by AWS (INVALID_POLICY_ELEMENT).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(5, 6),
)
def unknown_element(ctx: Context) -> None:
    root = root_object(ctx)
    if root is None:
        return
    for m in root.members:
        if m.key not in TOP_LEVEL_KEYS:
            _report_unknown(ctx, m, TOP_LEVEL_KEYS, "policy")
    for st in ctx.statements:
        for m in st.node.members:
            if m.key not in STATEMENT_KEYS:
                _report_unknown(ctx, m, STATEMENT_KEYS, "statement")


@rule(
    "IAM015", "id-in-identity-policy", "Id element in an identity policy", "suggestion",
    """
    The policy grammar gives the Id element to resource-based policies (an SQS queue or SNS topic policy
    uses it as an identifier). In identity policies and permissions boundaries it has no meaning; remove
    it.
    """,
    bad='{"Version": "2012-10-17", "Id": "MyPolicy", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    policy_types=("identity", "boundary"),
    rows=(7,),
)
def id_in_identity_policy(ctx: Context) -> None:
    root = root_object(ctx)
    member = root.get("Id") if root else None
    if member is None:
        return
    ctx.report(member.key_node, f"Id is only meaningful in resource-based policies; remove it from this {ctx.policy_type.label}",
               fixes=[Fix("Remove the Id element", (remove_member_edit(root, member),))])


# --- Statement ------------------------------------------------------------------------------------


@rule(
    "IAM016", "missing-statement", "The policy has no Statement element", "error",
    """
    Every policy needs a Statement element: one statement object or an array of them. Without it AWS
    rejects the document (MISSING_STATEMENT).
    """,
    bad='{"Version": "2012-10-17"}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}',
    rows=(8,),
)
def missing_statement(ctx: Context) -> None:
    root = root_object(ctx)
    if root is None or root.get("Statement") is not None:
        return
    near = [m.key for m in root.members if m.key.lower() in ("statement", "statements")]
    hint = f" ('{near[0]}' is not it: element names are case-sensitive)" if near else ""
    ctx.report(brace(root), f"The policy has no Statement element{hint}. Add \"Statement\": [...] with at least one statement.")


@rule(
    "IAM017", "empty-statement", "The Statement array is empty", "warning",
    """
    A policy whose Statement array is empty grants and denies nothing. It is almost always an unfinished
    document; add a statement or delete the policy.
    """,
    bad='{"Version": "2012-10-17", "Statement": []}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}',
    rows=(9,),
)
def empty_statement(ctx: Context) -> None:
    node = statement_list_node(ctx)
    if node is not None and node.kind == ARRAY and not node.items and node.terminated:
        ctx.report(node, "The Statement array is empty: the policy has no effect. Add at least one statement.")


# --- Version --------------------------------------------------------------------------------------


def _insert_version_edit(ctx: Context, root: Node) -> Edit:
    if not root.members:
        return Edit(Span(root.start + 1, root.start + 1), f'"Version": "{VERSION}"')
    first = root.members[0].key_node.start
    gap = ctx.text[root.start + 1:first] or " "
    return Edit(Span(first, first), f'"Version": "{VERSION}",{gap}')


@rule(
    "IAM018", "missing-version", "The policy has no Version element", "warning",
    """
    Without "Version": "2012-10-17" IAM uses the 2008 language version: policy variables such as
    ${aws:username} are treated as literal text and newer features do not work (MISSING_VERSION).
    """,
    bad='{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}',
    rows=(10,),
)
def missing_version(ctx: Context) -> None:
    root = root_object(ctx)
    if root is None or root.get("Version") is not None:
        return
    ctx.report(brace(root), f"The policy has no Version element; add \"Version\": \"{VERSION}\" (without it policy variables are literal text)",
               fixes=[Fix(f"Add \"Version\": \"{VERSION}\"", (_insert_version_edit(ctx, root),))])


@rule(
    "IAM019", "invalid-version", "Version is not a valid policy language version", "error",
    """
    Version names the policy language version, not a date of your own: only "2012-10-17" (current) and
    "2008-10-17" (legacy) are accepted (INVALID_VERSION).
    """,
    bad='{"Version": "2023-01-01", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(11,),
)
def invalid_version(ctx: Context) -> None:
    v = ctx.policy.version
    if v is None or v.text is None or v.text in (VERSION, LEGACY_VERSION):
        return
    ctx.report(v, f"Invalid Version '{v.text}': use \"{VERSION}\" (the language version, not a date of your own)",
               fixes=[Fix(f"Replace with \"{VERSION}\"", (Edit(v.span, quoted(VERSION)),))])


@rule(
    "IAM020", "legacy-version", "Version 2008-10-17 is the legacy policy language", "suggestion",
    """
    The 2008-10-17 language version does not support policy variables (${aws:username} stays literal
    text) and other newer features. Use "2012-10-17". Check first that the policy does not rely on a
    literal "${" in a string.
    """,
    bad='{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(12,),
)
def legacy_version(ctx: Context) -> None:
    v = ctx.policy.version
    if v is None or v.text != LEGACY_VERSION:
        return
    literal_vars = "${" in ctx.text
    ctx.report(v, f"Version {LEGACY_VERSION} is the legacy language (no policy variables); use \"{VERSION}\"",
               fixes=[Fix(f"Replace with \"{VERSION}\"", (Edit(v.span, quoted(VERSION)),), preferred=not literal_vars)])


# --- Effect ---------------------------------------------------------------------------------------


@rule(
    "IAM021", "missing-effect", "Statement has no Effect", "error",
    """
    Every statement needs "Effect": "Allow" or "Effect": "Deny"; AWS rejects a statement without one
    (MISSING_EFFECT).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(13,),
    scope="statement",
)
def missing_effect(ctx: Context) -> None:
    for st in ctx.statements:
        if "Effect" not in st.elements:
            ctx.report(brace(st.node), f"{st.label().capitalize()} has no Effect; add \"Effect\": \"Allow\" or \"Deny\"", statement=st)


@rule(
    "IAM022", "invalid-effect", "Effect is not Allow or Deny", "error",
    """
    Effect accepts exactly "Allow" or "Deny", case-sensitive. "allow", "ALLOW" or "Permit" are rejected
    (INVALID_EFFECT).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(14,),
    scope="statement",
)
def invalid_effect(ctx: Context) -> None:
    for st in ctx.statements:
        eff = st.effect
        if eff is None or eff.text is None or eff.text in ("Allow", "Deny"):
            continue
        guess = {"allow": "Allow", "deny": "Deny"}.get(eff.text.strip().lower())
        close = [guess] if guess else difflib.get_close_matches(eff.text.capitalize(), ("Allow", "Deny"), n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        fixes = [Fix(f"Replace with \"{c}\"", (Edit(eff.span, quoted(c)),), preferred=bool(guess)) for c in close]
        ctx.report(eff, f"Invalid Effect '{eff.text}': use \"Allow\" or \"Deny\" (case-sensitive).{hint}", fixes=fixes, statement=st)


# --- Action, Resource, Principal presence ---------------------------------------------------------


@rule(
    "IAM023", "missing-action", "Statement has neither Action nor NotAction", "error",
    """
    A statement must say which actions it covers, with Action or NotAction. AWS rejects a statement that
    has neither (MISSING_ACTION).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(15,),
    scope="statement",
)
def missing_action(ctx: Context) -> None:
    for st in ctx.statements:
        if "Action" not in st.elements and "NotAction" not in st.elements:
            ctx.report(brace(st.node), f"{st.label().capitalize()} has neither Action nor NotAction; add \"Action\"", statement=st)


def _report_pair(ctx: Context, st: Statement, a: str, b: str) -> None:
    ea, eb = st.element(a), st.element(b)
    if ea is None or eb is None:
        return
    first, second = sorted((ea, eb), key=lambda e: e.key_span.start)
    ctx.report(second.key_node, f"{st.label().capitalize()} has both {a} and {b}; use only one of them",
               related=[Related(first.key_span, f"{first.name} here")], statement=st)


@rule(
    "IAM024", "action-and-notaction", "Statement has both Action and NotAction", "error",
    """
    Action and NotAction are mutually exclusive in one statement (UNSUPPORTED_ELEMENT_COMBINATION).
    Split the statement in two or keep one of them.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:DeleteBucket", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(16,),
    scope="statement",
)
def action_and_notaction(ctx: Context) -> None:
    for st in ctx.statements:
        _report_pair(ctx, st, "Action", "NotAction")


@rule(
    "IAM025", "missing-resource", "Statement has neither Resource nor NotResource", "error",
    """
    Every statement of an identity, resource, SCP or RCP policy needs Resource or NotResource (use "*"
    for all resources). Only role trust policies leave it out, because the role itself is the resource
    (MISSING_RESOURCE).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    policy_types=("identity", "boundary", "resource", "scp", "rcp"),
    rows=(17, 213),
    scope="statement",
)
def missing_resource(ctx: Context) -> None:
    for st in ctx.statements:
        if "Resource" not in st.elements and "NotResource" not in st.elements:
            ctx.report(brace(st.node), f"{st.label().capitalize()} has neither Resource nor NotResource; "
                       f"a {ctx.policy_type.label} requires one (use \"Resource\": \"*\" for all)", statement=st)


@rule(
    "IAM026", "resource-and-notresource", "Statement has both Resource and NotResource", "error",
    """
    Resource and NotResource are mutually exclusive in one statement (UNSUPPORTED_ELEMENT_COMBINATION).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "NotResource": "arn:aws:s3:::secret/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}]}',
    rows=(18,),
    scope="statement",
)
def resource_and_notresource(ctx: Context) -> None:
    for st in ctx.statements:
        _report_pair(ctx, st, "Resource", "NotResource")


@rule(
    "IAM027", "principal-and-notprincipal", "Statement has both Principal and NotPrincipal", "error",
    """
    Principal and NotPrincipal are mutually exclusive in one statement (UNSUPPORTED_ELEMENT_COMBINATION).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/bob"}, "Action": "sqs:SendMessage", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sqs:SendMessage", "Resource": "*"}]}',
    rows=(19,),
    scope="statement",
)
def principal_and_notprincipal(ctx: Context) -> None:
    for st in ctx.statements:
        _report_pair(ctx, st, "Principal", "NotPrincipal")


# --- empty arrays and objects ---------------------------------------------------------------------


def _empty_arrays(st: Statement) -> list[tuple[Node, str]]:
    out: list[tuple[Node, str]] = []
    for name in ("Action", "NotAction", "Resource", "NotResource"):
        el = st.element(name)
        if el is not None and el.value is not None and el.value.kind == ARRAY and not el.value.items:
            out.append((el.value, name))
    for name in ("Principal", "NotPrincipal"):
        el = st.element(name)
        if el is None or el.value is None or el.value.kind != OBJECT:
            continue
        for m in el.value.members:
            if m.value is not None and m.value.kind == ARRAY and not m.value.items:
                out.append((m.value, f"{name}.{m.key}"))
    return out


_EMPTY_MEANING = {
    "Action": "the statement matches no action and has no effect",
    "NotAction": "the statement matches every action",
    "Resource": "the statement matches no resource and has no effect",
    "NotResource": "the statement matches every resource",
}


@rule(
    "IAM028", "empty-array", "Empty Action, Resource or Principal array", "suggestion",
    """
    An empty Action, Resource or principal array makes the statement match nothing, so it has no effect
    (EMPTY_ARRAY_ACTION, EMPTY_ARRAY_RESOURCE, EMPTY_ARRAY_PRINCIPAL); an empty NotAction or NotResource
    matches everything. Fill in the values or delete the statement.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}',
    rows=(21, 22, 23),
    scope="statement",
)
def empty_array(ctx: Context) -> None:
    for st in ctx.statements:
        for node, name in _empty_arrays(st):
            if not node.terminated:
                continue  # still being typed
            meaning = _EMPTY_MEANING.get(name, "the statement names no principal of this type")
            ctx.report(node, f"Empty {name} array: {meaning}", statement=st)


@rule(
    "IAM029", "empty-object", "Empty Principal or Condition object", "suggestion",
    """
    An empty Principal object names nobody (EMPTY_OBJECT_PRINCIPAL); an empty Condition object, or an
    empty condition operator block, adds no condition at all (EMPTY_OBJECT_CONDITION). Fill it in or
    remove it.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(24, 25),
    scope="statement",
)
def empty_object(ctx: Context) -> None:
    for st in ctx.statements:
        for name in ("Principal", "NotPrincipal"):
            el = st.element(name)
            if el is not None and _is_empty_object(el.value):
                ctx.report(el.value, f"Empty {name} object: it names no principal", statement=st)
        cond = st.element("Condition")
        if cond is None or cond.value is None or cond.value.kind != OBJECT:
            continue
        if _is_empty_object(cond.value):
            ctx.report(cond.value, "Empty Condition object: it adds no condition; remove it", statement=st,
                       fixes=[Fix("Remove the empty Condition", (remove_member_edit(st.node, cond.member),))])
            continue
        for op in cond.value.members:
            if _is_empty_object(op.value):
                ctx.report(op.value, f"Empty condition operator block '{op.key}': it adds no condition; remove it",
                           statement=st, fixes=[Fix(f"Remove '{op.key}'", (remove_member_edit(cond.value, op),))])


def _is_empty_object(node: Node | None) -> bool:
    return node is not None and node.kind == OBJECT and not node.members and node.terminated


# --- Sid ------------------------------------------------------------------------------------------


@rule(
    "IAM030", "duplicate-sid", "Two statements share the same Sid", "error",
    """
    Sids identify statements. IAM identity policies, permissions boundaries, SCPs and RCPs require them
    to be unique (UNIQUE_SIDS_REQUIRED, an error); in resource and trust policies uniqueness is
    recommended (UNIQUE_SIDS_RECOMMENDED, reported as a warning). Rename one of them.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "Read", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Sid": "ReadObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "ListBuckets", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}',
    rows=(29,),
)
def duplicate_sid(ctx: Context) -> None:
    strict = ctx.policy_type in STRICT_SID_TYPES
    severity = None if strict else Severity.WARNING
    seen: dict[str, Statement] = {}
    taken = {st.sid_text for st in ctx.statements if st.sid_text}
    for st in ctx.statements:
        sid = st.sid_text
        if not sid:
            continue
        if sid not in seen:
            seen[sid] = st
            continue
        first = seen[sid]
        new = next(f"{sid}{n}" for n in range(2, 10_000) if f"{sid}{n}" not in taken)
        taken.add(new)
        need = "must" if strict else "should"
        ctx.report(st.sid, f"Duplicate Sid '{sid}' (statement {first.index + 1} uses it too): "
                   f"Sids {need} be unique in a {ctx.policy_type.label}; rename one",
                   related=[Related(first.sid.span, "first use")], statement=st, severity=severity,
                   fixes=[Fix(f"Rename to '{new}'", (Edit(st.sid.span, quoted(new)),))])


_SID_OK = re.compile(r"[A-Za-z0-9]*")


def _clean_sid(sid: str) -> str:
    """CamelCase the Sid without its unsupported characters: 'allow s3-read' -> 'allowS3Read'."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", sid) if p]
    return "".join(p if i == 0 else p[0].upper() + p[1:] for i, p in enumerate(parts))


@rule(
    "IAM031", "invalid-sid", "Sid has characters other than A-Z, a-z and 0-9", "error",
    """
    IAM policies (identity policies, permissions boundaries) and AWS Organizations policies accept only
    ASCII letters and digits in a Sid (UNSUPPORTED_SID). Role trust policies tolerate more in practice,
    so there it is a warning; resource policies of services such as SQS and SNS allow spaces and other
    characters and are not checked.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Sid": "Allow S3-read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Sid": "AllowS3Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    policy_types=("identity", "boundary", "scp", "rcp", "trust"),
    rows=(30,),
    scope="statement",
)
def invalid_sid(ctx: Context) -> None:
    severity = Severity.WARNING if ctx.policy_type == PolicyType.TRUST else None
    taken = {st.sid_text for st in ctx.statements if st.sid_text}
    for st in ctx.statements:
        sid = st.sid_text
        if not sid or _SID_OK.fullmatch(sid):
            continue
        bad = "".join(dict.fromkeys(c for c in sid if not re.match(r"[A-Za-z0-9]", c)))
        clean = _clean_sid(sid)
        fixes = [Fix(f"Replace with '{clean}'", (Edit(st.sid.span, quoted(clean)),))] if clean and clean not in taken else []
        ctx.report(st.sid, f"Sid '{sid}' has unsupported characters {bad!r}: a Sid in a {ctx.policy_type.label} may use only A-Z, a-z and 0-9",
                   fixes=fixes, statement=st, severity=severity)


@rule(
    "IAM032", "empty-sid", "Sid is an empty string", "suggestion",
    """
    An empty Sid identifies nothing (EMPTY_SID_VALUE). Give the statement a short descriptive Sid or
    remove the element.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(31,),
    scope="statement",
)
def empty_sid(ctx: Context) -> None:
    for st in ctx.statements:
        if st.sid is not None and st.sid.text == "":
            el = st.element("Sid")
            ctx.report(st.sid, "Empty Sid: give the statement a descriptive Sid or remove the element", statement=st,
                       fixes=[Fix("Remove the empty Sid", (remove_member_edit(st.node, el.member),))])


# --- JSON Schema ----------------------------------------------------------------------------------


def _path_label(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the document"


def _covered(err_span: Span, spans: list[Span], containers: set[Span]) -> bool:
    """True when another finding points at, inside or just around the same place."""
    for sp in spans:
        if sp in containers:
            continue  # a finding on a whole statement says nothing about this place
        inside = err_span.start <= sp.start and sp.end <= err_span.end
        around = sp.start <= err_span.start and err_span.end <= sp.end
        if inside or around:
            return True
    return False


@rule(
    "IAM033", "schema-violation", "The document does not match the policy type's JSON Schema", "error",
    """
    The document is checked against the JSON Schema of its policy type (bundled in `schemas/`, the
    same files editors use for completion and hover). This rule reports schema errors that no specific
    rule already reports at the same place: mostly values nested inside arrays, principal maps and
    condition blocks that have the wrong JSON type (for example a condition value that is an object or
    null, or a number inside an Action array). Documents nested more than 64 levels deep are not
    validated (a warning says so). Documents with JSON syntax errors are not validated either.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", 3], "Resource": "arn:aws:s3:::b/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]}',
    late=True,
)
def schema_violation(ctx: Context) -> None:
    from iam_lsp.core.schema import DepthExceeded, validate

    if ctx.tree.root is None or any(e.kind != "duplicate-key" for e in ctx.tree.errors):
        return  # not JSON: IAM010 says so, and a partial tree would give misleading schema errors
    try:
        errors = validate(ctx.tree, ctx.policy_type)
    except DepthExceeded as exc:
        ctx.report(Span(0, 1), f"Schema validation skipped: the document is nested {exc.depth} levels deep "
                   "(IAM policies need about 6; the limit for validation is 64)", severity=Severity.WARNING)
        return
    spans = [f.span for f in ctx.findings]
    containers = {st.node.span for st in ctx.statements}
    if ctx.tree.root is not None:
        containers.add(ctx.tree.root.span)
    # A document without any Principal was typed as resource/trust/RCP by its file name or settings;
    # the policy-type hint (IAM819) says so once instead of one error per statement.
    no_principal = not any(st.principal or st.not_principal for st in ctx.statements)
    for err in errors:
        if no_principal and err.validator == "required" and "Principal" in err.message:
            continue
        if not _covered(err.span, spans, containers):
            ctx.report(err.span, f"{_path_label(err.path)}: {err.message} (schema: {ctx.policy_type.value})")
