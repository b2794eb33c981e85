"""Principal rules (IAM3xx): where a Principal may appear, its shape, its values and its risks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from iam_lsp.core import principals as P
from iam_lsp.core.context import Context
from iam_lsp.core.edits import remove_member_edit
from iam_lsp.core.findings import Edit, Fix, Severity
from iam_lsp.core.jsontree import ARRAY, OBJECT, STRING, Member
from iam_lsp.core.model import PRINCIPAL_TYPES, Item, PrincipalBlock, Statement
from iam_lsp.core.principals import PrincipalInfo
from iam_lsp.core.rules.base import rule

# Master-table rows this family does not cover, with the reason (collected into docs/coverage.md).
UNCOVERED: dict[int, str] = {
    83: "org-specific configuration: allow/block lists of principals belong to an organization's own policy",
    89: "template-level, outside the policy JSON: compares a Lambda permission's Principal with its SourceArn",
}

# Keys that tie a service principal's request to a source resource, account or organization.
SOURCE_KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths"})
# Keys describing the calling principal: absent from requests made by service principals.
PRINCIPAL_KEYS = ("aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
                  "aws:principaltag/", "aws:principaltype", "aws:userid", "aws:username")


# --- shared helpers (the trust family imports these) ---------------------------------------------


def variant(ctx: Context, severity: Severity) -> Severity:
    """A per-finding severity, unless the user configured the rule's severity explicitly."""
    assert ctx.rule is not None
    return ctx.severity if ctx.severity != ctx.rule.severity else severity


def principal_values(ctx: Context, block: PrincipalBlock | None) -> Iterator[tuple[str, Item, PrincipalInfo]]:
    """(canonical type, item, info) for every string value under a known principal key."""
    if block is None:
        return
    if block.wildcard is not None and block.wildcard.text is not None:
        yield "*", block.wildcard, P.classify(block.wildcard.text, "AWS", ctx.kb)
    for key, items in block.entries.items():
        ptype = canonical_principal_type(key)
        if ptype is None:
            continue
        for item in items:
            info = P.classify_item(item, ptype, ctx.kb)
            if info is not None:
                yield ptype, item, info


def canonical_principal_type(key: str) -> str | None:
    for t in PRINCIPAL_TYPES:
        if t.lower() == key.lower():
            return t
    return None


def has_any_key(st: Statement, keys: Iterator[str] | frozenset[str] | tuple[str, ...]) -> bool:
    present = st.condition_keys()
    return any(k.endswith("/") and any(p.startswith(k) for p in present) or k in present for k in keys)


def option_accounts(ctx: Context) -> set[str]:
    """The `trusted-accounts` option as 12-digit strings (TOML may give numbers)."""
    raw = ctx.options.get("trusted-accounts", []) or []
    return {str(a).zfill(12) if isinstance(a, int) else str(a).strip() for a in raw}


def account_ids_in_resources(st_list: list[Statement]) -> set[str]:
    """Accounts named in Resource ARNs (a resource policy's resources belong to its owner)."""
    out: set[str] = set()
    for st in st_list:
        for item in st.resources():
            parts = item.text.split(":")
            if len(parts) > 4 and parts[0] == "arn" and re.fullmatch(r"\d{12}", parts[4]):
                out.add(parts[4])
    return out


def json_str(value: str) -> str:
    return json.dumps(value)


# --- rules ---------------------------------------------------------------------------------------


@rule(
    "IAM300", "principal-in-identity-policy", "Principal or NotPrincipal in a policy that cannot name one", "error",
    """
    Identity policies, permissions boundaries and service control policies apply to the identity
    they are attached to, so they have no Principal element; IAM rejects a policy that has one.
    Remove the element, or attach the statement as a resource-based policy instead.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, '
        '"Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    policy_types=("identity", "boundary", "scp"), example_type="identity", rows=(68, 206),
    scope="statement",
)
def principal_in_identity_policy(ctx: Context) -> None:
    for st in ctx.statements:
        for name in ("Principal", "NotPrincipal"):
            el = st.element(name)
            if el is not None:
                ctx.report(el.key_node, f"{name} is not allowed in a {ctx.policy_type.label}: remove it",
                           fixes=[Fix(f"Remove {name}", (remove_member_edit(st.node, el.member),))])


@rule(
    "IAM301", "missing-principal", "Statement of a resource or trust policy without a Principal", "error",
    """
    A resource-based policy (and a role trust policy, which is one) must say who it applies to: each
    statement needs a Principal (or NotPrincipal). IAM rejects the policy otherwise.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
         '"Action": "sts:AssumeRole"}]}',
    policy_types=("trust", "resource"), example_type="trust", rows=(69,),
    scope="statement",
)
def missing_principal(ctx: Context) -> None:
    for st in ctx.statements:
        if st.principal is None and st.not_principal is None:
            where = st.effect.node if st.effect is not None else st.node
            ctx.report(where, f"{st.label().capitalize()} has no Principal: a {ctx.policy_type.label} must name "
                              "who it applies to")


@rule(
    "IAM302", "invalid-principal-key", "Principal key other than AWS, Service, Federated or CanonicalUser", "error",
    """
    A Principal object maps a principal type to values. The only types are `AWS`, `Service`,
    `Federated` and `CanonicalUser`, spelled exactly so; any other key makes IAM reject the policy.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"service": "ec2.amazonaws.com"}, '
        '"Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
         '"Action": "sts:AssumeRole"}]}',
    policy_types=("trust", "resource", "rcp"), rows=(70,),
    scope="statement",
)
def invalid_principal_key(ctx: Context) -> None:
    for st in ctx.statements:
        for block in (st.principal, st.not_principal):
            if block is None:
                continue
            for key, member in block.type_members.items():
                if key in PRINCIPAL_TYPES:
                    continue
                canon = canonical_principal_type(key)
                if canon is not None:
                    ctx.report(member.key_node, f"Principal type '{key}' must be spelled '{canon}'",
                               fixes=[Fix(f"Replace with '{canon}'", (Edit(member.key_node.span, json_str(canon)),))])
                else:
                    ctx.report(member.key_node, f"Unknown principal type '{key}': use AWS, Service, Federated or "
                                                "CanonicalUser")


def _wrap_fix(item: Item) -> list[Fix]:
    """Wrap a bare principal string into the object form it was probably meant as."""
    text = item.text or ""
    for ptype in ("Service", "Federated", "AWS"):
        info = P.classify(text, ptype)
        if info.kind != P.INVALID:
            new = "{" + json_str(ptype) + ": " + json_str(text) + "}"
            return [Fix(f'Use {{"{ptype}": {json_str(text)}}}', (Edit(item.span, new),))]
    return []


@rule(
    "IAM303", "invalid-principal-format", "Principal is neither \"*\" nor an object of principal types", "error",
    """
    The Principal element is either the string "*" or an object such as {"AWS": [...], "Service": ...}
    whose values are strings or lists of strings. A bare ARN or account id, an empty object, a number
    or nested objects are rejected by IAM. Wrap a single value in the right principal type.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": "arn:aws:iam::123456789012:role/Admin", "Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"AWS": "arn:aws:iam::123456789012:role/Admin"}, "Action": "sts:AssumeRole"}]}',
    policy_types=("trust", "resource", "rcp"), rows=(71,),
    scope="statement",
)
def invalid_principal_format(ctx: Context) -> None:
    for st in ctx.statements:
        for block in (st.principal, st.not_principal):
            if block is None:
                continue
            name = block.element.name
            value = block.element.value
            if value is None:
                continue
            if block.wildcard is not None:
                if block.wildcard.text != "*":
                    ctx.report(value, f"{name} as a string can only be \"*\"; '{block.wildcard.text}' needs a "
                                      "principal type, e.g. {\"AWS\": ...}", fixes=_wrap_fix(block.wildcard))
            elif value.kind == OBJECT:
                if not value.members:
                    ctx.report(value, f"Empty {name}: name at least one principal")
                for member in value.members:
                    _check_principal_values(ctx, name, member)
            else:
                ctx.report(value, f"{name} must be \"*\" or an object of principal types, not {value.kind_name}")


def _check_principal_values(ctx: Context, name: str, member: Member) -> None:
    node = member.value
    if node is None:
        return
    if node.kind == ARRAY:
        if not node.items:
            ctx.report(node, f"Empty list of {member.key} principals in {name}")
        bad = [n for n in node.items if n.kind != STRING]
    else:
        bad = [node] if node.kind != STRING else []
    for n in bad:
        ctx.report(n, f"{name}.{member.key} values must be strings, not {n.kind_name}")


@rule(
    "IAM304", "invalid-aws-principal", "AWS principal is not an account id or an IAM/STS principal ARN", "error",
    """
    An `AWS` principal is a 12-digit account id, `arn:aws:iam::<account>:root`, the ARN of an IAM user
    or role, or an STS assumed-role or federated-user session ARN. Groups, policies, other resources,
    account ids of the wrong length, aliases or names are not principals and IAM rejects them.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"AWS": "arn:aws:iam::12345678901:root"}, "Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}',
    policy_types=("trust", "resource", "rcp"), rows=(72,),
    scope="statement",
)
def invalid_aws_principal(ctx: Context) -> None:
    for st in ctx.statements:
        for block in (st.principal, st.not_principal):
            for ptype, item, info in principal_values(ctx, block):
                if ptype != "AWS" or info.kind in (P.WILDCARD, P.UNIQUE_ID) or info.has_wildcard:
                    continue  # wildcards and unique ids have their own rules
                if info.problem is None:
                    continue
                if info.kind == P.INVALID and P.service_base(info.value) is not None:
                    ctx.report(item, f"'{info.value}' is a service principal: list it under \"Service\", not "
                                     "\"AWS\"", fixes=_move_to_service_fix(block, item))
                    continue
                where = info.span(item, "account") if "account id" in info.problem else item.span
                ctx.report(where, f"Invalid AWS principal '{info.value}': {info.problem}")


def _move_to_service_fix(block: PrincipalBlock, item: Item) -> list[Fix]:
    """Rename the "AWS" key to "Service" when the item is its only value and there is no Service key."""
    member = next((m for k, m in block.type_members.items() if k == "AWS"), None)
    if member is None or len(block.values("AWS")) != 1 or "Service" in block.type_members:
        return []
    return [Fix("Move to \"Service\"", (Edit(member.key_node.span, '"Service"'),))]


@rule(
    "IAM305", "principal-partial-wildcard", "Wildcard inside a principal value", "error",
    """
    IAM does not match principals by pattern: "*" alone means everyone, but a wildcard inside a value
    (`arn:aws:iam::123456789012:role/*`, `arn:aws:iam::*:root`, `arn:aws:sts::...:assumed-role/R/*`)
    is rejected. `arn:aws:iam::*:root` would mean every AWS account, i.e. the same as "*". To match
    many principals, use "*" (or the account) with an `aws:PrincipalArn` condition using ArnLike.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"AWS": "arn:aws:iam::123456789012:role/deploy-*"}, "Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, '
         '"Action": "sts:AssumeRole", '
         '"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/deploy-*"}}}]}',
    policy_types=("trust", "resource", "rcp"), rows=(73, 93),
    scope="statement",
)
def principal_partial_wildcard(ctx: Context) -> None:
    for st in ctx.statements:
        for block in (st.principal, st.not_principal):
            for ptype, item, info in principal_values(ctx, block):
                if ptype not in ("AWS", "Federated", "CanonicalUser") or not info.is_partial_wildcard:
                    continue
                if info.account == "*":
                    msg = (f"'{info.value}' is not allowed: a wildcard account would mean every AWS account. "
                           "Name the accounts, or use \"*\" with an aws:PrincipalOrgID condition")
                    ctx.report(info.span(item, "account"), msg)
                else:
                    ctx.report(item, f"Wildcards are not supported inside principal '{info.value}': name the "
                                     "principals, or name the account and match with an aws:PrincipalArn "
                                     "ArnLike condition")


@rule(
    "IAM306", "principal-unique-id", "Principal given as an IAM unique id (AROA.../AIDA...)", "warning",
    """
    When a role or user named in a policy is deleted, IAM replaces its ARN by the entity's unique id
    (AROA... for roles, AIDA... for users). Such a principal can never match again, even if an entity
    with the same name is re-created. Replace the id by the ARN of the current role or user, or remove it.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"AWS": "AROA1234567890EXAMPLE"}, "Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"AWS": "arn:aws:iam::123456789012:role/Deploy"}, "Action": "sts:AssumeRole"}]}',
    policy_types=("trust", "resource", "rcp"), rows=(76,),
    scope="statement",
)
def principal_unique_id(ctx: Context) -> None:
    for st in ctx.statements:
        for block in (st.principal, st.not_principal):
            for _, item, info in principal_values(ctx, block):
                if info.kind == P.UNIQUE_ID:
                    ctx.report(item, f"'{info.value}' is the unique id of an IAM {info.name}, usually left behind "
                                     "when it was deleted: replace it by the ARN of the current principal")


PUBLIC_LIMITING_KEYS = frozenset({
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:sourcearn",
    "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourcevpce", "aws:sourcevpc",
    "aws:sourceip", "aws:resourceorgid", "aws:principalisawsservice", "aws:userid", "aws:username",
    "aws:calledvia", "aws:calledviafirst", "aws:calledvialast", "aws:viaawsservice", "kms:calleraccount",
    "kms:viaservice", "aws:principalservicename", "aws:principalservicenameslist", "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn", "sns:endpoint",
})


def _is_public(info: PrincipalInfo) -> bool:
    return info.kind == P.WILDCARD


@rule(
    "IAM307", "public-principal", "Resource policy allows everyone (Principal \"*\") without a limiting condition",
    "security",
    """
    `"Principal": "*"` or `{"AWS": "*"}` in an Allow statement of a resource policy grants access to
    every AWS principal in every account and, for many services, to anonymous callers. Unless the
    resource is meant to be public, limit it with a condition such as aws:PrincipalOrgID,
    aws:PrincipalAccount, aws:SourceVpce or aws:SourceArn, or name the principals. In a KMS key policy a
    public principal lets anyone use the key unless kms:CallerAccount or kms:ViaService limits it.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", '
        '"Resource": "arn:aws:s3:::example-bucket/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", '
         '"Resource": "arn:aws:s3:::example-bucket/*", '
         '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    policy_types=("resource",), rows=(74, 75),
    scope="statement",
)
def public_principal(ctx: Context) -> None:
    kms = ctx.resource_kind == "AWS::KMS::Key"
    for st in ctx.statements:
        if not st.is_allow or st.principal is None:
            continue
        publics = [item for _, item, info in principal_values(ctx, st.principal) if _is_public(info)]
        if not publics:
            continue
        if has_any_key(st, PUBLIC_LIMITING_KEYS):
            continue
        what = "this KMS key" if kms else "this resource"
        ctx.report(publics[0], f"Principal \"*\" makes {what} accessible to anyone: add a condition such as "
                               "aws:PrincipalOrgID or aws:SourceArn, or name the principals")


@rule(
    "IAM308", "allow-with-not-principal", "Allow with NotPrincipal", "security",
    """
    `"Effect": "Allow"` with `NotPrincipal` grants access to every principal except those listed,
    including principals of other accounts and, for some services, anonymous users. Name the
    principals you mean in `Principal` instead.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/Bob"}, "Action": "s3:GetObject", '
        '"Resource": "arn:aws:s3:::example-bucket/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"AWS": "arn:aws:iam::123456789012:user/Alice"}, "Action": "s3:GetObject", '
         '"Resource": "arn:aws:s3:::example-bucket/*"}]}',
    policy_types=("resource",), rows=(77,),
    scope="statement",
)
def allow_with_not_principal(ctx: Context) -> None:
    for st in ctx.statements:
        el = st.element("NotPrincipal")
        if st.is_allow and el is not None:
            ctx.report(el.key_node, "Allow with NotPrincipal grants access to everyone except the listed principals, "
                                    "anonymous users included: name the allowed principals in Principal")


@rule(
    "IAM309", "not-principal-use", "NotPrincipal is hard to get right", "suggestion",
    """
    A Deny with NotPrincipal must list every principal ARN that should keep access exactly as
    requests carry it (the role ARN, the assumed-role session ARN and the account), which is brittle.
    AWS recommends `"Principal": "*"` with a condition on aws:PrincipalArn (ArnNotLike) instead.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", '
        '"NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/Admin"}, "Action": "s3:*", '
        '"Resource": "arn:aws:s3:::example-bucket/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", '
         '"Resource": "arn:aws:s3:::example-bucket/*", '
         '"Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/Admin"}}}]}',
    policy_types=("resource",), rows=(78,),
    scope="statement",
)
def not_principal_use(ctx: Context) -> None:
    for st in ctx.statements:
        el = st.element("NotPrincipal")
        if el is not None and not st.is_allow:
            ctx.report(el.key_node, "Prefer \"Principal\": \"*\" with an ArnNotLike condition on aws:PrincipalArn "
                                    "over NotPrincipal")


_CARVE_KEYS = ("aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:userid", "aws:username",
               "aws:sourcearn", "aws:sourceaccount")
_LIKE = {"StringNotEquals": "StringNotLike", "ArnNotEquals": "ArnNotLike", "StringEquals": "StringLike",
         "ArnEquals": "ArnLike"}


@rule(
    "IAM310", "ineffective-deny-carve-out", "Deny carve-out that exempts everyone or compares '*' literally",
    "warning",
    """
    A Deny that exempts principals must exempt exactly the intended ones. `NotPrincipal` with "*"
    exempts everyone, so the statement denies nothing. A carve-out such as
    `StringNotEquals {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}` compares the '*' literally
    (the Equals operators do not expand wildcards), so it exempts no one; use StringNotLike / ArnNotLike.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", '
        '"Resource": "arn:aws:s3:::example-bucket/*", '
        '"Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/Admin*"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", '
         '"Resource": "arn:aws:s3:::example-bucket/*", '
         '"Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/Admin*"}}}]}',
    policy_types=("resource", "rcp"), rows=(79,),
    scope="statement",
)
def ineffective_deny_carve_out(ctx: Context) -> None:
    for st in ctx.statements:
        if not st.is_deny:
            continue
        for _, item, info in principal_values(ctx, st.not_principal):
            if info.kind == P.WILDCARD:
                ctx.report(item, "NotPrincipal \"*\" exempts every principal, so this Deny denies nothing")
        for c in st.conditions:
            if c.key_lower not in _CARVE_KEYS or c.base_operator not in _LIKE:
                continue
            wild = [v for v in c.values if v.text and ("*" in v.text or "?" in v.text) and "${" not in v.text]
            if not wild:
                continue
            like = _LIKE[c.base_operator]
            new_op = c.operator.replace(c.base_operator, like, 1)
            ctx.report(wild[0], f"{c.operator} compares '{wild[0].text}' literally, so the wildcard matches nothing: "
                                f"use {like}",
                       fixes=[Fix(f"Use {new_op}", (Edit(c.operator_span, json_str(new_op)),))])


@rule(
    "IAM311", "federated-principal-outside-trust", "Federated principal outside a role trust policy", "error",
    """
    Identity providers (SAML, OIDC, Cognito, web identity) can only be trusted by a role: STS issues
    the role session. Resource-based policies cannot name a Federated principal; grant access to the
    role the federated users assume instead.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Federated": "accounts.google.com"}, "Action": "s3:GetObject", '
        '"Resource": "arn:aws:s3:::example-bucket/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"AWS": "arn:aws:iam::123456789012:role/WebUsers"}, "Action": "s3:GetObject", '
         '"Resource": "arn:aws:s3:::example-bucket/*"}]}',
    policy_types=("resource", "rcp"), rows=(80,),
    scope="statement",
)
def federated_outside_trust(ctx: Context) -> None:
    for st in ctx.statements:
        for block in (st.principal, st.not_principal):
            if block is None:
                continue
            for key, member in block.type_members.items():
                if key.lower() == "federated":
                    ctx.report(member.key_node, f"A Federated principal is only valid in a role trust policy, not in a "
                                                f"{ctx.policy_type.label}: grant access to the federated users' role")


def owner_accounts(ctx: Context) -> set[str]:
    """Accounts known to be the owner's (or trusted): the trusted-accounts option, the accounts of Resource
    ARNs of a resource policy, and the accounts of IAM identity providers named in a trust policy."""
    owned = option_accounts(ctx)
    owned |= account_ids_in_resources(ctx.statements)
    for st in ctx.statements:
        for _, _, info in principal_values(ctx, st.principal):
            if info.kind in (P.SAML_PROVIDER, P.OIDC_PROVIDER) and info.account:
                owned.add(info.account)
    return owned


def foreign_account(ctx: Context, info: PrincipalInfo, owned: set[str]) -> bool:
    """True when the principal's account is known not to be one of the owner's accounts."""
    if not owned or info.account is None or not re.fullmatch(r"\d{12}", info.account):
        return False
    return info.account not in owned


@rule(
    "IAM312", "cross-account-principal-without-condition", "Another account is granted access without conditions",
    "suggestion",
    """
    An Allow naming a principal of another AWS account lets that account use the resource however its
    own policies allow. Consider narrowing with conditions (aws:PrincipalOrgID, aws:SourceVpce,
    aws:PrincipalArn). An account counts as another one when it differs from the accounts of the policy's
    own Resource ARNs and is not listed in the `trusted-accounts` option; when neither says who owns the
    resource, the rule stays quiet.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, '
        '"Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:111122223333:alerts"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, '
         '"Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:111122223333:alerts", '
         '"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/Alerter"}}}]}',
    policy_types=("resource",), rows=(81,), options={"trusted-accounts": []},
)
def cross_account_without_condition(ctx: Context) -> None:
    owned = owner_accounts(ctx)
    for st in ctx.statements:
        if not st.is_allow or st.conditions:
            continue
        for ptype, item, info in principal_values(ctx, st.principal):
            if ptype == "AWS" and foreign_account(ctx, info, owned):
                ctx.report(info.span(item, "account"),
                           f"Account {info.account} is not the resource owner's: consider limiting its access with "
                           "a condition (aws:PrincipalArn, aws:PrincipalOrgID, aws:SourceVpce)")


@rule(
    "IAM313", "canonical-user-outside-s3", "CanonicalUser principal outside an S3 bucket policy", "warning",
    """
    CanonicalUser ids identify accounts (or CloudFront origin access identities) to Amazon S3 only;
    other services' resource policies and role trust policies do not accept them. Use the account id
    or ARN, or for CloudFront use an origin access control with a service principal.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"CanonicalUser": '
        '"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Action": "sqs:SendMessage", '
        '"Resource": "arn:aws:sqs:us-east-1:111122223333:queue"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, '
         '"Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:queue"}]}',
    policy_types=("resource", "trust"), rows=(88,),
    scope="statement",
)
def canonical_user_outside_s3(ctx: Context) -> None:
    kind = ctx.resource_kind
    if ctx.policy_type.value == "resource" and (kind is None or kind == "AWS::S3::Bucket"):
        return  # unknown resource kind: S3 is the usual home of CanonicalUser, stay quiet
    trust = ctx.policy_type.value == "trust"
    for st in ctx.statements:
        for block in (st.principal, st.not_principal):
            if block is None:
                continue
            for key, member in block.type_members.items():
                if key.lower() != "canonicaluser":
                    continue
                if trust:
                    ctx.report(member.key_node, "A role cannot trust a CanonicalUser: name the account or role",
                               severity=variant(ctx, Severity.ERROR))
                else:
                    ctx.report(member.key_node, f"CanonicalUser principals only work in S3 bucket policies, not for "
                                                f"{kind}: name the account id or ARN")


@rule(
    "IAM314", "service-principal-wildcard", "Wildcard in a service principal", "error",
    """
    Service principals are matched exactly: "Service": "*" or "*.amazonaws.com" does not mean every
    service and IAM rejects it. Name each service principal (ec2.amazonaws.com, ...).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "*.amazonaws.com"}, '
        '"Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
         '"Action": "sts:AssumeRole"}]}',
    policy_types=("trust", "resource", "rcp"), rows=(82,),
    scope="statement",
)
def service_principal_wildcard(ctx: Context) -> None:
    for st in ctx.statements:
        for block in (st.principal, st.not_principal):
            for ptype, item, info in principal_values(ctx, block):
                if ptype == "Service" and info.has_wildcard:
                    ctx.report(item, f"Service principal '{info.value}' has a wildcard: service principals are "
                                     "matched exactly, name each service")


@rule(
    "IAM315", "unknown-service-principal", "Service principal name is not a known one", "warning",
    """
    Service principals are checked against a list built from AWS documentation, AWS managed policies and
    IAM service prefixes. AWS publishes no official list, so an unknown name is never an error: a name
    close to a known one is reported as a likely typo (with a fix); a name not close to any known one
    is only a suggestion to double-check. A value that does not end in .amazonaws.com (or
    .amazonaws.com.cn / .amazon.com) or has uppercase letters is not a service principal at all.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lamda.amazonaws.com"}, '
        '"Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    policy_types=("trust", "resource", "rcp"), rows=(84,),
    scope="statement",
)
def unknown_service_principal(ctx: Context) -> None:
    for st in ctx.statements:
        for block in (st.principal, st.not_principal):
            for ptype, item, info in principal_values(ctx, block):
                if ptype == "Service" and not info.has_wildcard:
                    _check_service(ctx, item, info)


def _check_service(ctx: Context, item: Item, info: PrincipalInfo) -> None:
    value = info.value
    if info.kind == P.INVALID:
        close = ctx.kb.suggest_principal(value.lower() + ".amazonaws.com") or ctx.kb.suggest_principal(value)
        fixes = [Fix(f"Replace with '{c}'", (Edit(item.span, json_str(c)),)) for c in close[:1]]
        ctx.report(item, f"'{value}' is not a service principal: use the form <service>.amazonaws.com"
                         + (f" (did you mean '{close[0]}'?)" if close else ""), fixes=fixes)
        return
    if value != value.lower():
        ctx.report(item, f"Service principal '{value}' must be lowercase",
                   fixes=[Fix(f"Replace with '{value.lower()}'", (Edit(item.span, json_str(value.lower())),))])
        return
    if info.status is not None:
        return
    close = ctx.kb.suggest_principal(value)
    if close:
        ctx.report(item, f"Unknown service principal '{value}'. Did you mean '{close[0]}'?",
                   fixes=[Fix(f"Replace with '{c}'", (Edit(item.span, json_str(c)),)) for c in close])
    else:
        ctx.report(item, f"Service principal '{value}' is not in the known list: check its spelling "
                         "(AWS publishes no official list)", severity=variant(ctx, Severity.SUGGESTION))


@rule(
    "IAM316", "service-principal-without-source", "Service principal allowed without aws:SourceArn or "
    "aws:SourceAccount (confused deputy)", "security",
    """
    A service acting for any customer can be tricked into using your resource for someone else's
    request (the confused deputy problem). When a resource policy allows a service principal, limit it
    to your own resources or accounts with aws:SourceArn, aws:SourceAccount, aws:SourceOrgID or
    aws:SourceOrgPaths. Other keys (aws:Referer, ...) do not identify the source and are only a
    suggestion to replace.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", '
        '"Resource": "arn:aws:sqs:us-east-1:111122223333:queue"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", '
         '"Resource": "arn:aws:sqs:us-east-1:111122223333:queue", '
         '"Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}}}]}',
    policy_types=("resource",), rows=(85, 86),
    scope="statement",
)
def service_principal_without_source(ctx: Context) -> None:
    for st in ctx.statements:
        if not st.is_allow or has_any_key(st, SOURCE_KEYS):
            continue
        services = [(item, info) for ptype, item, info in principal_values(ctx, st.principal) if ptype == "Service"]
        if not services:
            continue
        item, info = services[0]
        if st.conditions:
            ctx.report(item, f"Service principal '{info.value}' is restricted by other keys: prefer aws:SourceArn or "
                             "aws:SourceAccount, which identify the resource the service acts for",
                       severity=variant(ctx, Severity.SUGGESTION))
        else:
            ctx.report(item, f"Service principal '{info.value}' can act for any AWS customer here: add an "
                             "aws:SourceArn or aws:SourceAccount condition")


@rule(
    "IAM317", "principal-key-with-service-principal", "Condition on the caller's identity in a statement for service "
    "principals", "warning",
    """
    Requests made by a service principal carry no caller identity: aws:PrincipalOrgID,
    aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalTag/* and similar keys are absent, so a
    statement that only names service principals and requires such a key never matches (Allow) or
    always applies (Deny with a negated operator). Use aws:SourceArn / aws:SourceAccount / aws:SourceOrgID.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", '
        '"Resource": "arn:aws:s3:::example-bucket/*", '
        '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", '
         '"Resource": "arn:aws:s3:::example-bucket/*", '
         '"Condition": {"StringEquals": {"aws:SourceOrgID": "o-a1b2c3d4e5"}}}]}',
    policy_types=("resource", "trust"), rows=(87,),
    scope="statement",
)
def principal_key_with_service_principal(ctx: Context) -> None:
    for st in ctx.statements:
        values = list(principal_values(ctx, st.principal))
        if not values or any(ptype != "Service" for ptype, _, _ in values):
            continue
        for c in st.conditions:
            if c.if_exists or c.base_operator == "Null":
                continue
            if any(c.key_lower == k or (k.endswith("/") and c.key_lower.startswith(k)) for k in PRINCIPAL_KEYS):
                ctx.report(c.key_span, f"'{c.key}' is not present in requests made by service principals, so this "
                                       "condition never matches: use aws:SourceArn, aws:SourceAccount or "
                                       "aws:SourceOrgID")
