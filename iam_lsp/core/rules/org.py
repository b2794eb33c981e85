"""Size quotas, SCP and RCP rules (IAM8xx), plus the policy-type hint."""

from __future__ import annotations

import json
import re

from iam_lsp.core.context import Context
from iam_lsp.core.findings import Edit, Fix, Related
from iam_lsp.core.jsontree import OBJECT, STRING, Node
from iam_lsp.core.model import Item, Statement
from iam_lsp.core.policytype import PolicyType
from iam_lsp.core.rules.base import rule
from iam_lsp.core.rules.structure import brace
from iam_lsp.core.text import Span

UNCOVERED: dict[int, str] = {
    201: "inline-policy quotas are per user/group/role aggregate: a single document cannot tell (needs the live account)",
    205: "the size rules name the type they measured against; the configured policy type decides, "
         "and a per-type ambiguity warning would fire on every large identity policy",
    206: "reported by IAM300 principal-in-identity-policy (principals family), which applies to SCPs",
    208: "legacy: AWS lifted these SCP Allow restrictions (SCPs accept the full policy language); "
         "the current Access Analyzer reference no longer lists them",
}

_NON_WS_RUN = re.compile(r"[^ \t\n\r]+")


def _no_ws_count(text: str) -> int:
    """How many characters count when whitespace is not counted (str.count runs in C: no per-char loop)."""
    return len(text) - text.count(" ") - text.count("\t") - text.count("\n") - text.count("\r")


def _no_ws_offset(text: str, n: int) -> int:
    """The offset of the n-th (from 0) character that counts; n must be below _no_ws_count(text)."""
    for run in _NON_WS_RUN.finditer(text):
        size = run.end() - run.start()
        if n < size:
            return run.start() + n
        n -= size
    raise ValueError("fewer counted characters than asked for")


def _anchor(ctx: Context) -> Span:
    """Where a whole-document finding points: the Statement key, else the opening brace."""
    root = ctx.tree.root
    if root is None:
        return Span(0, 0)
    if root.kind == OBJECT and root.get("Statement") is not None:
        return root.get("Statement").key_node.span
    return brace(root)


def _report_size(ctx: Context, size: int, limit: int, unit: str, over_at: int, what: str, advice: str) -> None:
    ctx.report(_anchor(ctx), f"The {what} is {size:,} {unit}, over the quota of {limit:,}. {advice}",
               related=[Related(Span(over_at, over_at + 1), f"the quota of {limit:,} {unit} runs out here")],
               data={"size": size, "limit": limit})


def _check_no_ws(ctx: Context, limit: int, what: str, advice: str) -> None:
    counted = _no_ws_count(ctx.text)
    if counted > limit:
        _report_size(ctx, counted, limit, "characters (whitespace not counted)", _no_ws_offset(ctx.text, limit),
                     what, advice)


def _check_full(ctx: Context, limit: int, what: str, advice: str) -> None:
    size = len(ctx.text)
    if size > limit:
        minified = _no_ws_count(ctx.text)
        extra = (f" Without whitespace it is {minified:,}: minify it before saving." if minified <= limit
                 else "")
        _report_size(ctx, size, limit, "characters (whitespace counts when saved through the API)", limit,
                     what, advice + extra)


# --- examples: documents big enough to hit the quotas ----------------------------------------------


def _arns(n: int, prefix: str = "arn:aws:s3:::example-bucket/reports/team") -> list[str]:
    return [f"{prefix}-{i:04d}/*" for i in range(n)]


def _identity_doc(n: int) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": _arns(n)}]}, indent=2)


def _trust_doc(n: int) -> str:
    roles = [f"arn:aws:iam::111122223333:role/deployer-{i:03d}" for i in range(n)]
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": roles}, "Action": "sts:AssumeRole"}]}, indent=2)


def _bucket_doc(n: int) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadReports", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"},
         "Action": "s3:GetObject", "Resource": _arns(n)}]}, indent=2)


def _scp_doc(n: int) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ProtectReports", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": _arns(n)}]})


def _rcp_doc(n: int) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ProtectReports", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
         "Resource": _arns(n),
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                       "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]})


# --- size quotas ----------------------------------------------------------------------------------


@rule(
    "IAM800", "identity-policy-size", "Managed policy longer than 6,144 characters", "warning",
    """
    A customer managed policy (and a permissions boundary, which is one) may hold at most 6,144
    characters, not counting whitespace (POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA). The quota cannot be
    raised: split the policy, or shorten it with wildcards that still match only what you need. Inline
    policies have aggregate quotas per user, group or role instead; set `max-characters` for them.
    """,
    bad=_identity_doc(140), good=_identity_doc(40),
    policy_types=("identity", "boundary"), rows=(200,), options={"max-characters": 6144},
)
def identity_policy_size(ctx: Context) -> None:
    _check_no_ws(ctx, int(ctx.options["max-characters"]), ctx.policy_type.label,
                 "Split it into several managed policies or shorten it.")


@rule(
    "IAM801", "trust-policy-size", "Role trust policy longer than the trust policy quota", "warning",
    """
    A role trust policy may hold 2,048 characters by default, not counting whitespace
    (POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA). The quota can be raised through Service Quotas
    (quota L-C07B4B0D); if you did, set the `max-characters` option to the raised value.
    """,
    bad=_trust_doc(60), good=_trust_doc(20),
    policy_types=("trust",), example_type="trust", rows=(112,), options={"max-characters": 2048},
)
def trust_policy_size(ctx: Context) -> None:
    _check_no_ws(ctx, int(ctx.options["max-characters"]), "role trust policy",
                 "Raise the quota in Service Quotas (then set max-characters) or trust fewer principals.")


# Quotas of resource-based policies by resource kind, in bytes of the document as saved.
RESOURCE_LIMITS = {
    "AWS::S3::Bucket": 20_480,
    "AWS::KMS::Key": 32_768,
    "AWS::SQS::Queue": 8_192,
    "AWS::SNS::Topic": 30_720,
    "AWS::Lambda::Function": 20_480,
    "AWS::SecretsManager::Secret": 20_480,
    "AWS::Logs::ResourcePolicy": 5_120,
}


@rule(
    "IAM802", "resource-policy-size", "Resource policy longer than its service's quota", "warning",
    """
    Each service caps the size of its resource-based policies (POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA):
    S3 bucket policies 20 KB, KMS key policies 32 KB, SQS queue policies 8 KB, SNS topic policies 30 KB,
    Lambda function policies 20 KB, Secrets Manager 20 KB, CloudWatch Logs resource policies 5,120
    characters. The size counts the document as saved, whitespace included. The kind of resource is
    inferred from the actions and ARNs; set `limits` (resource type -> bytes) for other services.
    """,
    bad=_bucket_doc(360), good=_bucket_doc(100),
    policy_types=("resource",), example_type="resource", rows=(202,), options={"limits": {}},
)
def resource_policy_size(ctx: Context) -> None:
    limits = {**RESOURCE_LIMITS, **dict(ctx.options.get("limits") or {})}
    kind = ctx.resource_kind
    if kind not in limits:
        return
    limit = int(limits[kind])
    # surrogatepass: a lone surrogate (possible in an editor buffer) counts as the 3 bytes it would take.
    data = ctx.text.encode("utf-8", errors="surrogatepass")
    if len(data) <= limit:
        return
    over_at = len(data[:limit].decode("utf-8", errors="ignore"))
    _report_size(ctx, len(data), limit, "bytes", over_at, f"{kind} policy",
                 "Remove whitespace, merge statements or use wildcards and conditions.")


@rule(
    "IAM803", "scp-size", "Service control policy longer than 5,120 characters", "error",
    """
    AWS Organizations rejects an SCP longer than 5,120 characters (POLICY_SIZE_EXCEEDS_SCP_QUOTA).
    Whitespace counts when the policy is saved through the API, CLI or infrastructure as code (the
    console strips it). Minify it, merge statements, or split it into several SCPs. Set `max-characters`
    if AWS has raised the quota for your organization.
    """,
    bad=_scp_doc(120), good=_scp_doc(30),
    policy_types=("scp",), example_type="scp", rows=(203,), options={"max-characters": 5120},
)
def scp_size(ctx: Context) -> None:
    _check_full(ctx, int(ctx.options["max-characters"]), "service control policy",
                "Merge statements or split it into several SCPs.")


@rule(
    "IAM804", "rcp-size", "Resource control policy longer than 5,120 characters", "error",
    """
    AWS Organizations rejects an RCP longer than 5,120 characters (POLICY_SIZE_EXCEEDS_RCP_QUOTA).
    Whitespace counts when the policy is saved through the API, CLI or infrastructure as code. Minify
    it, merge statements, or split it into several RCPs.
    """,
    bad=_rcp_doc(120), good=_rcp_doc(30),
    policy_types=("rcp",), example_type="rcp", rows=(204,), options={"max-characters": 5120},
)
def rcp_size(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    _check_full(ctx, int(ctx.options["max-characters"]), "resource control policy",
                "Merge statements or split it into several RCPs.")


# --- SCP ------------------------------------------------------------------------------------------


def _action_items(st: Statement) -> list[Item]:
    return [i for i in (st.action or []) + (st.not_action or []) if i.is_string]


@rule(
    "IAM805", "scp-action-wildcard", "SCP action with a wildcard that is not at the end", "error",
    """
    In service control policies a wildcard may only end an action name: "iam:Get*" and "s3:*" work,
    "iam:*Role" or "s3:Get?bject" are rejected (SCP_SYNTAX_ERROR_ACTION_WILDCARD). List the actions, or
    end the pattern at the wildcard.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*Role", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["iam:DeleteRole", "iam:UpdateRole"], "Resource": "*"}]}',
    policy_types=("scp",), example_type="scp", rows=(207,),
    scope="statement",
)
def scp_action_wildcard(ctx: Context) -> None:
    for st in ctx.statements:
        for item in _action_items(st):
            text = item.text
            pos = next((i for i, c in enumerate(text) if c in "*?" and not (c == "*" and i == len(text) - 1)), None)
            if pos is None:
                continue
            ctx.report(item, f"Action '{text}': in an SCP a wildcard may only be the last character "
                       f"('{text[pos]}' at position {pos + 1}); list the actions instead",
                       statement=st, data={"wildcard": item.sub_span(pos, pos + 1)})


# --- RCP ------------------------------------------------------------------------------------------


def name_only_mismatch(ctx: Context) -> bool:
    """Typed by file name (e.g. "...ResourceControlAccess.json") although no statement names a Principal.

    Such a document is not plausibly an RCP; IAM815 reports the doubtful type once instead of every RCP
    rule reporting each statement. A type set in the configuration is always trusted.
    """
    return ctx.detection.source == "file name" and bool(ctx.statements) and \
        not any(st.principal or st.not_principal for st in ctx.statements)


def _is_star(node: Node | None) -> bool:
    return node is not None and node.kind == STRING and node.value == "*"


@rule(
    "IAM806", "rcp-principal", "RCP Principal is not \"*\", is missing, or is NotPrincipal", "error",
    """
    A resource control policy applies to every principal that reaches the resource; it narrows access
    with conditions such as aws:PrincipalOrgID. Each statement must have "Principal": "*", and
    NotPrincipal is not supported (RCP_SYNTAX_ERROR_PRINCIPAL).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}, "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}, "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    policy_types=("rcp",), example_type="rcp", rows=(209,),
    scope="statement",
)
def rcp_principal(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    for st in ctx.statements:
        notp = st.element("NotPrincipal")
        if notp is not None:
            ctx.report(notp.key_node, "NotPrincipal is not supported in an RCP: use \"Principal\": \"*\" with a "
                       "condition on aws:PrincipalArn", statement=st)
        p = st.element("Principal")
        if p is None:
            if notp is None:
                ctx.report(brace(st.node), f"{st.label().capitalize()} has no Principal: add \"Principal\": \"*\"", statement=st)
            continue
        if p.value is None or _is_star(p.value):
            continue
        ctx.report(p.value, "The Principal of an RCP must be \"*\": narrow the principals with conditions instead",
                   statement=st, fixes=[Fix('Replace with "*"', (Edit(p.value.span, '"*"'),),
                                            preferred=_is_aws_star(p.value))])


def _is_aws_star(node: Node) -> bool:
    return node.kind == OBJECT and len(node.members) == 1 and node.members[0].key == "AWS" and _is_star(node.members[0].value)


def _only_star(items: list[Item] | None) -> bool:
    return items is not None and len(items) == 1 and items[0].text == "*"


@rule(
    "IAM807", "rcp-allow", "RCP Allow statement other than the full-access shape", "error",
    """
    RCPs restrict; they cannot grant. The only Allow AWS accepts is the RCPFullAWSAccess shape:
    "Principal": "*", "Action": "*", "Resource": "*" and no Condition (RCP_SYNTAX_ERROR_ALLOW). Write
    restrictions as Deny statements.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}',
    policy_types=("rcp",), example_type="rcp", rows=(210,),
    scope="statement",
)
def rcp_allow(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    for st in ctx.statements:
        if not st.is_allow:
            continue
        why = "an Allow in an RCP must be exactly Principal \"*\", Action \"*\", Resource \"*\" without Condition"
        for name in ("Condition", "NotResource"):
            el = st.element(name)
            if el is not None:
                ctx.report(el.key_node, f"{name} in an Allow statement: {why}; use a Deny statement to restrict", statement=st)
        for name, items in (("Action", st.action), ("Resource", st.resource)):
            el = st.element(name)
            if el is not None and el.value is not None and not _only_star(items):
                ctx.report(el.value, f"{name} of an Allow statement must be \"*\": {why}; use a Deny statement to restrict",
                           statement=st, fixes=[Fix('Replace with "*"', (Edit(el.value.span, '"*"'),), preferred=False)])


@rule(
    "IAM808", "rcp-notaction", "NotAction in a resource control policy", "error",
    """
    RCPs do not support NotAction (RCP_SYNTAX_ERROR_NOTACTION). List the actions to deny with Action.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*", "Condition": {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}, "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*", "Condition": {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}, "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    policy_types=("rcp",), example_type="rcp", rows=(211,),
    scope="statement",
)
def rcp_notaction(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    for st in ctx.statements:
        el = st.element("NotAction")
        if el is not None:
            ctx.report(el.key_node, "NotAction is not supported in an RCP: list the actions to deny in Action", statement=st)


@rule(
    "IAM809", "rcp-unsupported-action", "RCP action from a service RCPs do not support, or a bare \"*\"", "error",
    """
    RCPs apply only to a fixed list of services (S3, STS, KMS, SQS, Secrets Manager and others); an
    action of any other service is rejected (RCP_SYNTAX_ERROR_ACTION). A bare "*" action is only
    accepted in the RCPFullAWSAccess Allow statement; in a Deny use the service's wildcard, e.g. "s3:*".
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "*", "Condition": {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}, "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*", "Condition": {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}, "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    policy_types=("rcp",), example_type="rcp", rows=(212,),
    scope="statement",
)
def rcp_unsupported_action(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    supported = ctx.kb.rcp_supported_services
    for st in ctx.statements:
        for item in st.actions():
            text = item.text
            if text == "*":
                if not st.is_allow:
                    ctx.report(item, "A bare \"*\" action is only allowed in the RCPFullAWSAccess Allow statement; "
                               "name the services, e.g. \"s3:*\"", statement=st)
                continue
            prefix = text.split(":", 1)[0].lower() if ":" in text else ""
            if not prefix or "*" in prefix or "?" in prefix or prefix in supported:
                continue  # malformed actions and wildcard services are reported by the actions family
            ctx.report(item.sub_span(0, len(prefix)), f"Service '{prefix}' is not supported in RCPs "
                       f"(action '{text}'); RCPs apply to: {', '.join(sorted(supported))}", statement=st)


# --- RCP carve-outs -------------------------------------------------------------------------------

PRINCIPAL_KEYS = ("aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn")
SOURCE_KEYS = ("aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceaccount", "aws:sourcearn")
CARVE_OUT = "aws:principalisawsservice"


def _keyed(st: Statement, keys: tuple[str, ...]) -> list:
    return [c for c in st.conditions if c.key_lower in keys or
            (keys is PRINCIPAL_KEYS and c.key_lower.startswith("aws:principaltag/"))]


def _carve_out(st: Statement, value: str) -> list:
    return [c for c in st.conditions_on(CARVE_OUT) if c.base_operator == "Bool"
            and any(str(v.value).lower() == value for v in c.values)]


@rule(
    "IAM810", "rcp-principal-carveout", "RCP principal-key Deny without the AWS service carve-out", "warning",
    """
    A Deny in an RCP keyed on the caller (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn,
    aws:PrincipalTag/...) also blocks AWS services that act on your resources with their own service
    principals, which carry none of those keys. Add "BoolIfExists": {"aws:PrincipalIsAWSService":
    "false"} so the Deny leaves service principals alone (RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}',
    policy_types=("rcp",), example_type="rcp", rows=(214,),
    scope="statement",
)
def rcp_principal_carveout(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    for st in ctx.statements:
        if not st.is_deny or _carve_out(st, "false"):
            continue
        for c in _keyed(st, PRINCIPAL_KEYS):
            ctx.report(c.key_span, f"This Deny on '{c.key}' also blocks AWS service principals: add "
                       "\"BoolIfExists\": {\"aws:PrincipalIsAWSService\": \"false\"}", statement=st)


@rule(
    "IAM811", "rcp-service-carveout", "RCP source-key Deny without aws:PrincipalIsAWSService true", "warning",
    """
    A Deny in an RCP keyed on where a service request comes from (aws:SourceOrgID, aws:SourceAccount,
    aws:SourceArn, aws:SourceOrgPaths) is meant for AWS service principals only. Without "BoolIfExists":
    {"aws:PrincipalIsAWSService": "true"} it also applies to your own IAM principals, whose requests
    carry no source keys (RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-a1b2c3d4e5"}, "Null": {"aws:SourceAccount": "false"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-a1b2c3d4e5"}, "Null": {"aws:SourceAccount": "false"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "true"}}}]}',
    policy_types=("rcp",), example_type="rcp", rows=(215,),
    scope="statement",
)
def rcp_service_carveout(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    for st in ctx.statements:
        if not st.is_deny or _carve_out(st, "true"):
            continue
        for c in _keyed(st, SOURCE_KEYS):
            if c.base_operator == "Null":
                continue  # the Null check itself is not the restriction
            ctx.report(c.key_span, f"This Deny on '{c.key}' also applies to your own principals (their requests "
                       "have no source keys): add \"BoolIfExists\": {\"aws:PrincipalIsAWSService\": \"true\"}", statement=st)


@rule(
    "IAM812", "rcp-source-null-check", "RCP source-key Deny without a Null check on aws:SourceAccount", "warning",
    """
    Some service requests carry no aws:SourceAccount or aws:SourceArn (the service acts for itself, not
    for a resource in an account). A Deny keyed on aws:SourceOrgID and the like would block those too;
    add "Null": {"aws:SourceAccount": "false"} so the Deny applies only when the key is present
    (RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-a1b2c3d4e5"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "true"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-a1b2c3d4e5"}, "Null": {"aws:SourceAccount": "false"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "true"}}}]}',
    policy_types=("rcp",), example_type="rcp", rows=(216,),
    scope="statement",
)
def rcp_source_null_check(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    for st in ctx.statements:
        if not st.is_deny:
            continue
        nulls = [c for c in st.conditions if c.base_operator == "Null" and c.key_lower in ("aws:sourceaccount", "aws:sourcearn")]
        if nulls:
            continue
        for c in _keyed(st, SOURCE_KEYS):
            ctx.report(c.key_span, f"This Deny on '{c.key}' has no Null check: add \"Null\": "
                       "{\"aws:SourceAccount\": \"false\"} so requests without source keys are not blocked", statement=st)


@rule(
    "IAM813", "rcp-carveout-bool", "RCP carve-out uses Bool instead of BoolIfExists", "warning",
    """
    aws:PrincipalIsAWSService is missing from anonymous requests. With "Bool" the carve-out condition is
    false when the key is missing, so the whole Deny stops applying to anonymous callers. Use
    "BoolIfExists" so the Deny still covers them.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "Bool": {"aws:PrincipalIsAWSService": "false"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}',
    policy_types=("rcp",), example_type="rcp", rows=(217,),
    scope="statement",
)
def rcp_carveout_bool(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    for st in ctx.statements:
        if not st.is_deny:
            continue
        cond = st.element("Condition")
        has_ifexists = cond is not None and cond.value is not None and cond.value.kind == OBJECT and \
            cond.value.get("BoolIfExists") is not None
        for c in st.conditions_on(CARVE_OUT):
            if c.operator != "Bool":
                continue
            op = c.operator_member
            sure = op.value is not None and len(op.value.members) == 1 and not has_ifexists
            fixes = [Fix("Use BoolIfExists", (Edit(op.key_node.span, '"BoolIfExists"'),))] if sure else []
            ctx.report(op.key_node, "The aws:PrincipalIsAWSService carve-out uses Bool: anonymous requests lack the "
                       "key, so this Deny does not apply to them; use BoolIfExists", statement=st, fixes=fixes)


@rule(
    "IAM814", "rcp-blanket-deny", "RCP Deny without any Condition", "warning",
    """
    An RCP Deny without a Condition blocks the listed actions for every principal, including your own
    accounts and AWS services. Data-perimeter RCPs deny only requests from outside your organization,
    e.g. with aws:PrincipalOrgID and the aws:PrincipalIsAWSService carve-out. Keep an unconditional
    Deny only if nobody at all may perform the actions.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}',
    policy_types=("rcp",), example_type="rcp", rows=(218,),
    scope="statement",
)
def rcp_blanket_deny(ctx: Context) -> None:
    if name_only_mismatch(ctx):
        return
    for st in ctx.statements:
        if st.is_deny and st.element("Condition") is None:
            ctx.report(st.effect, f"{st.label().capitalize()} denies {'these actions' if st.action else 'access'} to every "
                       "principal, your own included: add a Condition (e.g. on aws:PrincipalOrgID)", statement=st)


# --- policy type hint -----------------------------------------------------------------------------


def _looks_like_rcp(ctx: Context) -> bool:
    sts = ctx.statements
    return bool(sts) and all(st.is_deny and st.principal is not None and st.principal.wildcard is not None
                             and _only_star(st.resource) for st in sts)


@rule(
    "IAM815", "policy-type-hint", "The document looks like a different policy type", "suggestion",
    """
    Rules depend on the policy type, which comes from the configuration, the file name or the content.
    A document analysed as a resource, trust or RCP policy in which no statement names a Principal looks
    like an identity policy (or an SCP); one detected from content as a resource policy whose statements
    all Deny to "Principal": "*" on "Resource": "*" looks like an RCP. Declare the type (`policy-types`
    in the configuration) so the right rules and quotas apply.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    rows=(219,),
)
def policy_type_hint(ctx: Context) -> None:
    ptype = ctx.policy_type
    det = ctx.detection
    if not ctx.statements:
        return
    has_principal = any(st.principal or st.not_principal for st in ctx.statements)
    if ptype.has_principal and not has_principal:
        ctx.report(_anchor(ctx), f"Analysed as a {ptype.label} (from {det.source}), but no statement names a "
                   "Principal: this looks like an identity policy or SCP. Set its type in the configuration (policy-types).")
    elif ptype == PolicyType.RESOURCE and det.source == "content" and _looks_like_rcp(ctx):
        ctx.report(_anchor(ctx), "Every statement denies to \"Principal\": \"*\" on \"Resource\": \"*\": this looks like a "
                   "resource control policy (RCP). Set its type to rcp in the configuration (policy-types).")
