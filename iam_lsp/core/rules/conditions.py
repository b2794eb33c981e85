"""Condition rules (IAM500-IAM529): operators, value formats, set qualifiers and IfExists.

Condition keys are compared case-insensitively; values are case-sensitive except for the
*IgnoreCase operators. Findings point at the operator key, the condition key or the value string.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from collections.abc import Iterator

from iam_lsp.core.context import Context
from iam_lsp.core.edits import remove_item_edit
from iam_lsp.core.findings import Edit, Fix, Severity
from iam_lsp.core.jsontree import ARRAY, BOOL, NUMBER, OBJECT, STRING, Member
from iam_lsp.core.knowledge import ConditionKeyInfo
from iam_lsp.core.model import ConditionEntry, Item, Statement
from iam_lsp.core.operators import OPERATORS, OperatorSpec, parse_operator, suggest_operator
from iam_lsp.core.rules.base import rule
from iam_lsp.core.variables import has_variable, scan_variables, strip_variables

UNCOVERED: dict[int, str] = {}

V = '"Version": "2012-10-17"'


def doc(statement: str) -> str:
    """A one-statement policy document for the examples."""
    return '{' + V + ', "Statement": [' + statement + ']}'


# --- shared helpers -------------------------------------------------------------------------------


def operator_members(st: Statement) -> Iterator[Member]:
    """The `operator: {...}` members of a statement's Condition block."""
    el = st.element("Condition")
    if el is None or el.value is None or el.value.kind != OBJECT:
        return
    yield from el.value.members


def spec_of(c: ConditionEntry) -> OperatorSpec | None:
    """The operator's spec, or None when the spelling is invalid (reported by IAM500)."""
    p = parse_operator(c.operator)
    return p.spec if p.known else None


_ENTRIES = object()  # ctx.derived key: ~30 condition rules walk the same entries


def entries(ctx: Context) -> list[tuple[Statement, ConditionEntry, OperatorSpec]]:
    """Every condition entry with a valid operator, with its statement and operator spec."""
    return ctx.derived(_ENTRIES, lambda: [(st, c, spec) for st in ctx.statements for c in st.conditions
                                          if (spec := spec_of(c)) is not None])


def key_info(ctx: Context, c: ConditionEntry) -> ConditionKeyInfo | None:
    return ctx.kb.condition_key(c.key)


def value_text(item: Item) -> str | None:
    """A scalar value as IAM reads it: strings as is, numbers and booleans as their JSON text."""
    if item.node.kind == STRING:
        return item.value  # type: ignore[return-value]
    if item.node.kind == BOOL:
        return "true" if item.value else "false"
    if item.node.kind == NUMBER:
        return json.dumps(item.value)
    return None


def quoted(s: str) -> str:
    return json.dumps(s)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_EPOCH = re.compile(r"^\d{1,13}$")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$"
    r"|^\d{8}(T\d{6}Z?)?$"
)
_BOOL_WORDS = ("true", "false")


def is_number(item: Item) -> bool:
    return item.node.kind == NUMBER or (item.is_string and bool(_NUMBER.match(item.value.strip())))  # type: ignore[union-attr]


def date_form(item: Item) -> str | None:
    """'iso', 'epoch' or None for a value of a Date operator."""
    v = value_text(item)
    if v is None or item.node.kind == BOOL:
        return None
    if _EPOCH.match(v):
        return "epoch"
    return "iso" if _ISO.match(v) else None


def ip_network(v: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(v.strip(), strict=False)
    except ValueError:
        return None


def is_base64(v: str) -> bool:
    try:
        base64.b64decode(v, validate=True)
        return True
    except (binascii.Error, ValueError):
        return False


def arn_shaped(v: str) -> bool:
    if v.replace("*", "") == "" or v.startswith("${"):
        return True
    return v.startswith("arn:") and (v.count(":") >= 5 or "*" in v)


def is_variable_only(v: str) -> bool:
    refs = scan_variables(v)
    return len(refs) == 1 and refs[0].start == 0 and refs[0].end == len(v)


def is_bool_word(item: Item) -> bool:
    if item.node.kind == BOOL:
        return True
    return item.is_string and item.value.lower() in _BOOL_WORDS  # type: ignore[union-attr]


# --- operators ------------------------------------------------------------------------------------


@rule(
    "IAM500", "unknown-condition-operator", "Unknown condition operator", "error",
    """
    A condition operator must be one of IAM's 27 operators (StringEquals, ArnLike, Bool, ...),
    optionally with the IfExists suffix and a ForAllValues: or ForAnyValue: prefix. Operator names
    are case-sensitive: AWS rejects `stringEquals` or `StringEqual`.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"StringEqual": {"aws:PrincipalTag/team": "blue"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}'),
    rows=(130,),
    scope="statement",
)
def unknown_operator(ctx: Context) -> None:
    for st in ctx.statements:
        for m in operator_members(st):
            p = parse_operator(m.key)
            if p.known or (p.spec is not None and p.if_exists and not p.spec.if_exists):
                continue  # NullIfExists has its own rule
            sugg = suggest_operator(m.key)
            if sugg:
                msg = f"Unknown condition operator '{m.key}'. Did you mean '{sugg}'?"
                fixes = [Fix(f"Replace with '{sugg}'", (Edit(m.key_node.span, quoted(sugg)),))]
            else:
                msg = f"Unknown condition operator '{m.key}'. Use one of IAM's operators, e.g. StringEquals or ArnLike"
                fixes = []
            ctx.report(m.key_node, msg, statement=st, fixes=fixes)


@rule(
    "IAM501", "null-with-if-exists", "Null cannot take the IfExists suffix", "error",
    """
    `Null` already tests whether a key is present, so `NullIfExists` is meaningless and AWS rejects
    it. Use `Null`.
    """,
    bad=doc('{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", '
            '"Condition": {"NullIfExists": {"aws:RequestTag/team": "false"}}}'),
    good=doc('{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", '
             '"Condition": {"Null": {"aws:RequestTag/team": "false"}}}'),
    rows=(131,),
    scope="statement",
)
def null_if_exists(ctx: Context) -> None:
    for st in ctx.statements:
        for m in operator_members(st):
            p = parse_operator(m.key)
            if p.spec is not None and p.spec.name == "Null" and p.if_exists:
                new = m.key[: -len("IfExists")]
                ctx.report(m.key_node, f"'{m.key}' is not valid: Null cannot take IfExists. Use '{new}'",
                           statement=st, fixes=[Fix(f"Replace with '{new}'", (Edit(m.key_node.span, quoted(new)),))])


@rule(
    "IAM502", "null-with-set-qualifier", "Null with ForAllValues or ForAnyValue", "warning",
    """
    `Null` tests whether a key is present; a set qualifier makes it compare each value of the key
    with true/false instead, so `ForAllValues:Null` is always true and `ForAnyValue:Null` always
    false. Use plain `Null`.
    """,
    bad=doc('{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", '
            '"Condition": {"ForAnyValue:Null": {"aws:TagKeys": "false"}}}'),
    good=doc('{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", '
             '"Condition": {"Null": {"aws:TagKeys": "false"}}}'),
    rows=(132,),
    scope="statement",
)
def null_with_qualifier(ctx: Context) -> None:
    for st in ctx.statements:
        for m in operator_members(st):
            p = parse_operator(m.key)
            if p.known and p.spec is not None and p.spec.name == "Null" and p.qualifier:
                ctx.report(m.key_node, f"'{m.key}' does not test presence: use 'Null' without '{p.qualifier}:'",
                           statement=st, fixes=[Fix("Use 'Null'", (Edit(m.key_node.span, '"Null"'),))])


@rule(
    "IAM503", "condition-boolean-value", "Bool or Null value is not true or false", "error",
    """
    `Bool` and `Null` compare with the words true and false only. Any other value (yes, 1, enabled)
    never matches, so the condition does not do what it says.
    """,
    bad=doc('{"Effect": "Deny", "Action": "s3:*", "Resource": "*", '
            '"Condition": {"Bool": {"aws:SecureTransport": "no"}}}'),
    good=doc('{"Effect": "Deny", "Action": "s3:*", "Resource": "*", '
             '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}'),
    rows=(133,),
    scope="statement",
)
def boolean_value(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if spec.value_type not in ("Bool", "Null"):
            continue
        for item in c.values:
            if is_bool_word(item):
                continue
            v = value_text(item)
            if v is not None and spec.value_type == "Bool" and is_variable_only(v):
                continue  # Bool takes policy variables
            shown = v if v is not None else item.node.kind_name
            ctx.report(item, f"'{c.operator}' takes true or false; '{shown}' never matches. Use \"true\" or \"false\"",
                       statement=st)


@rule(
    "IAM504", "condition-multiple-booleans", "Several boolean values for one key", "warning",
    """
    A boolean key is either true or false: listing both makes the condition always true when the
    key is present, which is the same as not having it. Keep the one value you mean.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"Bool": {"aws:SecureTransport": ["true", "false"]}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"Bool": {"aws:SecureTransport": "true"}}}'),
    rows=(134,),
    scope="statement",
)
def multiple_booleans(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if spec.value_type not in ("Bool", "Null") or len(c.values) < 2:
            continue
        words = {value_text(i).lower() for i in c.values if is_bool_word(i)}  # type: ignore[union-attr]
        if len(words) > 1:
            ctx.report(c.key_member.key_node, f"'{c.key}' lists both true and false under '{c.operator}': "
                       "the condition matches whenever the key is present. Keep one value", statement=st)


_TYPE_WORDS = {"Numeric": "a number", "Date": "a date (ISO 8601, e.g. 2026-01-31T00:00:00Z)",
               "IPAddress": "an IP address or CIDR range", "Binary": "a base64-encoded value",
               "ARN": "an ARN (arn:partition:service:region:account:resource)"}


def _format_ok(spec: OperatorSpec, item: Item) -> bool:
    v = value_text(item)
    t = spec.value_type
    if v is None:
        return True  # objects/arrays/null are IAM510's
    if t == "Numeric":
        return is_number(item)
    if t == "Date":
        return date_form(item) is not None
    if t == "IPAddress":
        return item.is_string and ip_network(v) is not None
    if t == "Binary":
        return item.is_string and is_base64(v)
    if t == "ARN":
        return not item.is_string or arn_shaped(v) or has_variable(v)
    return True


@rule(
    "IAM505", "condition-value-format", "Condition value does not fit the operator's type", "error",
    """
    Numeric operators need numbers, Date operators ISO 8601 dates (or epoch seconds), IpAddress
    CIDR ranges or addresses, BinaryEquals base64 text and Arn operators ARNs. Wildcards are not
    allowed in numeric, date or boolean values. A value of the wrong shape never matches.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}'),
    rows=(135, 136, 138, 140, 141, 146),
    scope="statement",
)
def value_format(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if spec.value_type not in _TYPE_WORDS:
            continue
        for item in c.values:
            if _format_ok(spec, item):
                continue
            v = value_text(item) or ""
            if has_variable(v) and not spec.variables:
                continue  # IAM512 reports variables with these operators
            if spec.value_type in ("Numeric", "Date") and ("*" in v or "?" in v):
                why = f"wildcards are not allowed with '{c.operator}'"
            else:
                why = f"'{c.operator}' needs {_TYPE_WORDS[spec.value_type]}"
            ctx.report(item, f"'{v}' is not valid for '{c.key}': {why}", statement=st)


@rule(
    "IAM506", "condition-epoch-date", "Date given as epoch seconds", "suggestion",
    """
    Date operators accept epoch seconds, but an ISO 8601 date (2026-01-31T00:00:00Z) is readable
    and cannot be confused with milliseconds.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"DateLessThan": {"aws:CurrentTime": "1767225600"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}'),
    rows=(137,),
    scope="statement",
)
def epoch_date(ctx: Context) -> None:
    import datetime as dt

    for st, c, spec in entries(ctx):
        if spec.value_type != "Date" or c.key_lower == "aws:epochtime":
            continue
        for item in c.values:
            if date_form(item) != "epoch":
                continue
            secs = int(value_text(item) or 0)
            if secs > 10**11:  # milliseconds
                ctx.report(item, f"'{value_text(item)}' looks like epoch milliseconds; IAM dates use seconds. "
                           "Use an ISO 8601 date", statement=st)
                continue
            iso = dt.datetime.fromtimestamp(secs, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            ctx.report(item, f"Epoch date '{value_text(item)}': write it as '{iso}' (ISO 8601)", statement=st,
                       fixes=[Fix(f"Use '{iso}'", (Edit(item.span, quoted(iso)),))])


@rule(
    "IAM507", "condition-cidr-host-bits", "CIDR range has host bits set", "suggestion",
    """
    In `10.0.0.5/24` the bits after the prefix are ignored: IAM matches 10.0.0.0/24. Write the
    network address so the range says what it matches.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.5/24"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}'),
    rows=(139,),
    scope="statement",
)
def cidr_host_bits(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if spec.value_type != "IPAddress":
            continue
        for item in c.values:
            v = item.text
            if not v or "/" not in v:
                continue
            net = ip_network(v)
            if net is None:
                continue
            try:
                ipaddress.ip_network(v.strip(), strict=True)
            except ValueError:
                ctx.report(item, f"'{v}' has host bits set; it matches '{net}'", statement=st,
                           fixes=[Fix(f"Use '{net}'", (Edit(item.span, quoted(str(net))),))])


# Operator value type -> key types it is meant for.
_COMPATIBLE = {
    "String": {"String"}, "ARN": {"ARN"}, "Numeric": {"Numeric"}, "Date": {"Date"}, "Bool": {"Bool"},
    "IPAddress": {"IPAddress"}, "Binary": {"Binary", "String"},
}


@rule(
    "IAM508", "condition-operator-type-mismatch", "Operator type does not match the key's type", "error",
    """
    Each condition key has a type (String, ARN, Numeric, Date, Bool, IPAddress). An operator of
    another family compares the wrong kind of value: a Numeric operator on a String key or an
    IpAddress operator on an ARN key never matches as intended. Use the operator family of the
    key's type (Null works with every key).
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"NumericLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}'),
    rows=(142,),
    scope="statement",
)
def type_mismatch(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if spec.value_type == "Null":
            continue
        info = key_info(ctx, c)
        if info is None:
            continue
        kt = info.scalar_type
        if kt in _COMPATIBLE[spec.value_type] or (spec.value_type == "String" and kt == "ARN"):
            continue
        if spec.value_type == "ARN" and kt == "String":
            continue  # ARN-valued String keys (e.g. tag-free ARNs in service data) compare fine
        if spec.value_type == "String" and kt not in ("Numeric", "Date", "IPAddress"):
            continue  # string comparison of a boolean works ("true"), only ordered types break
        # A String-typed key may still hold a number or date as text (tags): likely wrong, not certain.
        sev = Severity.WARNING if kt == "String" else None
        ctx.report(c.operator_member.key_node, f"'{c.operator}' compares {spec.value_type} values but '{c.key}' "
                   f"is of type {info.type}. Use a {kt} operator", statement=st, severity=sev)


@rule(
    "IAM509", "condition-string-operator-on-arn-key", "String operator on an ARN key", "suggestion",
    """
    String operators work on ARN keys, but Arn operators compare each of the six ARN segments and
    cannot let a wildcard in one segment span the next. Prefer ArnEquals/ArnLike for ARN keys.
    """,
    bad=doc('{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*", '
            '"Condition": {"StringLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket*"}}}'),
    good=doc('{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*", '
             '"Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket*"}}}'),
    rows=(143,),
    scope="statement",
)
def string_op_on_arn(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if spec.value_type != "String" or spec.ignore_case:
            continue
        info = key_info(ctx, c)
        if info is None or info.scalar_type != "ARN":
            continue
        base = parse_operator(c.operator).base
        new_base = base.replace("String", "Arn")
        new = c.operator.replace(base, new_base, 1)
        if new_base not in OPERATORS:
            continue
        ctx.report(c.operator_member.key_node, f"'{c.key}' is an ARN key: prefer '{new}' to '{c.operator}'",
                   statement=st)


@rule(
    "IAM510", "condition-value-json-type", "Condition value has a wrong or mixed JSON type", "error",
    """
    A condition value is a string (numbers and booleans are accepted) or a list of them. Objects,
    nested lists and null are rejected, and a list mixing strings, numbers and booleans is
    inconsistent: quote every value.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:PrincipalTag/team": {"name": "blue"}}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}'),
    rows=(144,),
    scope="statement",
)
def value_json_type(ctx: Context) -> None:
    for st, c, _spec in entries(ctx):
        node = c.value_node
        if node is None:
            continue
        bad = [node] if node.kind in (OBJECT, "null") else []
        if node.kind == ARRAY:
            bad = [n for n in node.items if n.kind in (OBJECT, ARRAY, "null")]
        for n in bad:
            ctx.report(n, f"The value of '{c.key}' is {n.kind_name}: use a string or a list of strings",
                       statement=st)
        if node.kind == ARRAY and not bad:
            kinds = {n.kind for n in node.items}
            if len(kinds) > 1:
                ctx.report(node, f"The values of '{c.key}' mix {', '.join(sorted(kinds))}: quote every value "
                           "as a string", statement=st, severity=Severity.WARNING)


@rule(
    "IAM511", "condition-wildcard-without-like", "Wildcard in a value of a non-Like string operator", "warning",
    """
    `StringEquals` and its variants compare literally: a `*` or `?` matches only itself. Use
    `StringLike` (or `StringNotLike`) when you mean a pattern; write ${*} or ${?} for a literal
    character with a Like operator.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", '
            '"Condition": {"StringEquals": {"s3:prefix": "home/*"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", '
             '"Condition": {"StringLike": {"s3:prefix": "home/*"}}}'),
    rows=(145,),
    scope="statement",
)
def wildcard_without_like(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if spec.value_type != "String" or spec.wildcards:
            continue
        for item in c.values:
            v = item.text
            if not v or not any(ch in strip_variables(v) for ch in "*?"):
                continue
            base = parse_operator(c.operator).base
            like = "StringNotLike" if spec.negated else "StringLike"
            new = c.operator.replace(base, like, 1) if not spec.ignore_case else None
            fixes = [Fix(f"Use '{new}'", (Edit(c.operator_member.key_node.span, quoted(new)),))] \
                if new and len(c.operator_member.value.members) == 1 else []  # type: ignore[union-attr]
            hint = f"; use '{new}' for a pattern" if new else ""
            ctx.report(item, f"'{v}' is compared literally by '{c.operator}'{hint}", statement=st, fixes=fixes)


@rule(
    "IAM512", "condition-variable-with-operator", "Policy variable with an operator that does not take it",
    "error",
    """
    Policy variables are substituted only in String, Arn and Bool operators. Numeric, Date,
    BinaryEquals, IpAddress and Null operators compare the text `${...}` literally, so the
    condition never matches as intended.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"DateGreaterThan": {"aws:CurrentTime": "${aws:TokenIssueTime}"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}'),
    rows=(147,),
    scope="statement",
)
def variable_with_operator(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if spec.variables:
            continue
        for item in c.values:
            for ref in scan_variables(item.text or ""):
                if ref.special:
                    continue
                ctx.report(item.sub_span(ref.start, ref.end),
                           f"'{c.operator}' does not substitute policy variables: "
                           f"'{item.text[ref.start:ref.end]}' is compared literally",  # type: ignore[index]
                           statement=st)


@rule(
    "IAM513", "condition-key-case-duplicate", "Same condition key twice with different case", "error",
    """
    Condition keys are case-insensitive, so `aws:SourceIp` and `aws:sourceip` in one operator
    block are the same key written twice; JSON parsers keep only one of them. Merge the values.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24", "aws:sourceip": "198.51.100.0/24"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}}}'),
    rows=(148,),
    scope="statement",
)
def key_case_duplicate(ctx: Context) -> None:
    for st in ctx.statements:
        for m in operator_members(st):
            if m.value is None or m.value.kind != OBJECT:
                continue
            seen: dict[str, Member] = {}
            for k in m.value.members:
                first = seen.setdefault(k.key.lower(), k)
                if first is not k and first.key != k.key:
                    ctx.report(k.key_node, f"'{k.key}' repeats '{first.key}' (keys are case-insensitive) under "
                               f"'{m.key}': merge their values", statement=st)


@rule(
    "IAM514", "condition-redundant-value", "Redundant value in a condition", "suggestion",
    """
    A value listed twice adds nothing, and for NumericLessThan/NumericGreaterThan (and their
    -Equals forms) only the widest bound of several values matters. Remove the redundant values.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:PrincipalTag/team": ["blue", "blue"]}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:PrincipalTag/team": ["blue", "red"]}}}'),
    rows=(149,),
    scope="statement",
)
def redundant_value(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        node = c.value_node
        if node is None or node.kind != ARRAY:
            continue
        seen: set[str] = set()
        for item in c.values:
            v = value_text(item)
            if v is None:
                continue
            norm = v.lower() if spec.ignore_case or spec.value_type in ("Bool", "Null") else v
            if norm in seen:
                ctx.report(item, f"'{v}' is listed twice for '{c.key}'", statement=st,
                           fixes=[Fix("Remove the duplicate", (remove_item_edit(item.node),))])
            seen.add(norm)
        _redundant_bounds(ctx, st, c, spec)


def _redundant_bounds(ctx: Context, st: Statement, c: ConditionEntry, spec: OperatorSpec) -> None:
    base = spec.name
    if spec.value_type != "Numeric" or "Than" not in base:
        return
    nums = [(float(value_text(i) or 0), i) for i in c.values if is_number(i)]
    if len(nums) < 2:
        return
    keep = max(nums, key=lambda t: t[0]) if "Less" in base else min(nums, key=lambda t: t[0])
    for n, item in nums:
        if item is not keep[1] and n != keep[0]:
            ctx.report(item, f"'{value_text(item)}' is redundant: '{c.operator}' with '{value_text(keep[1])}' "
                       "already covers it", statement=st)


def _star_values(c: ConditionEntry) -> list[Item]:
    return [i for i in c.values if i.text and i.text.replace("*", "") == ""]


@rule(
    "IAM515", "condition-wildcard-only-value", "Condition value is only a wildcard", "warning",
    """
    `StringLikeIfExists {"key": "*"}` matches any value and also the absence of the key: the
    condition is always true and has no effect. `StringNotLike "*"` never matches a present key, so
    the statement applies only when the key is absent. Remove the condition or use `Null`.
    """,
    bad=doc('{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", '
            '"Condition": {"StringLikeIfExists": {"aws:RequestTag/team": "*"}}}'),
    good=doc('{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", '
             '"Condition": {"StringLike": {"aws:RequestTag/team": "blue-*"}}}'),
    rows=(150, 151),
    scope="statement",
)
def wildcard_only_value(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if not spec.wildcards or c.qualifier or not (spec.negated or c.if_exists):
            continue
        stars = _star_values(c)
        if not stars:
            continue
        if spec.negated:
            msg = f"'{c.operator}' '*' on '{c.key}' never matches when the key is present" + (
                "" if c.if_exists else " (equivalent to Null true)")
        else:
            msg = f"'{c.operator}' '*' on '{c.key}' is always true: the condition has no effect"
        ctx.report(stars[0], msg, statement=st)


@rule(
    "IAM519", "condition-equivalent-to-null", "Like-wildcard condition equivalent to Null false", "suggestion",
    """
    `StringLike {"key": "*"}` matches any value, so it only tests that the key is present: the
    same as `Null {"key": "false"}`, which says so directly. Off by default: AWS's own policies use
    the StringLike form widely.
    """,
    bad=doc('{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", '
            '"Condition": {"StringLike": {"aws:RequestTag/team": "*"}}}'),
    good=doc('{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", '
             '"Condition": {"Null": {"aws:RequestTag/team": "false"}}}'),
    rows=(152,),
    enabled_by_default=False,
    scope="statement",
)
def equivalent_to_null(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if spec.wildcards and not spec.negated and not c.if_exists and not c.qualifier and _star_values(c):
            ctx.report(_star_values(c)[0], f"'{c.operator}' '*' on '{c.key}' only tests that the key is present: "
                       "'Null' false says so directly", statement=st)


@rule(
    "IAM516", "condition-empty-value-list", "Empty list of condition values", "warning",
    """
    A condition key with an empty list `[]` has nothing to compare against: depending on the
    operator and qualifier it never matches or always matches. Give at least one value or remove
    the key.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:PrincipalTag/team": []}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:PrincipalTag/team": ["blue"]}}}'),
    rows=(153,),
    scope="statement",
)
def empty_value_list(ctx: Context) -> None:
    for st, c, _spec in entries(ctx):
        node = c.value_node
        if node is not None and node.kind == ARRAY and not node.items:
            if c.qualifier == "ForAllValues":
                effect = "is always true"
            elif c.if_exists:
                effect = "matches only when the key is absent"
            else:
                effect = "never matches"
            ctx.report(node, f"'{c.key}' under '{c.operator}' has no values: the condition {effect}", statement=st)


# Keys present in every request context (AWS global condition keys reference: "always included").
ALWAYS_PRESENT = {
    "aws:currenttime", "aws:epochtime", "aws:principalarn", "aws:principalaccount", "aws:principaltype",
    "aws:userid", "aws:securetransport", "aws:requestedregion", "aws:principalisawsservice",
    "aws:viaawsservice",
}

# Keys that guard who or where a request comes from: IfExists lets requests without them through.
SECURITY_KEYS = {
    "aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths", "aws:principalorgid",
    "aws:principalorgpaths", "aws:principalaccount", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip",
    "aws:vpcsourceip",
}


@rule(
    "IAM517", "condition-if-exists-always-present", "IfExists on a key that is always present", "suggestion",
    """
    Keys such as aws:CurrentTime, aws:PrincipalArn and aws:SecureTransport are in every request, so
    IfExists never changes the result. Drop the suffix to make the condition clearer.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"BoolIfExists": {"aws:SecureTransport": "true"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"Bool": {"aws:SecureTransport": "true"}}}'),
    rows=(154,),
    scope="statement",
)
def if_exists_always_present(ctx: Context) -> None:
    for st, c, _spec in entries(ctx):
        if c.if_exists and c.key_lower in ALWAYS_PRESENT:
            ctx.report(c.operator_member.key_node, f"'{c.key}' is always present: 'IfExists' in '{c.operator}' "
                       "has no effect", statement=st)


@rule(
    "IAM518", "condition-if-exists-security-key", "IfExists on a security key in an Allow statement", "security",
    """
    In an Allow statement, `StringEqualsIfExists {"aws:SourceAccount": ...}` also allows every
    request that lacks the key, which is exactly the request the condition should stop. Drop
    IfExists on keys that restrict who or where a request comes from.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}'),
    rows=(155,),
    scope="statement",
)
def if_exists_security_key(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if st.is_allow and c.if_exists and not spec.negated and c.key_lower in SECURITY_KEYS:
            ctx.report(c.operator_member.key_node, f"'{c.operator}' on '{c.key}' also allows requests without "
                       f"the key. Use '{c.operator[: -len('IfExists')]}'", statement=st)
