"""Action rules (IAM1xx): action syntax, unknown services and actions, dead wildcards, resource-policy scope."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from iam_lsp.core.context import Context
from iam_lsp.core.findings import Edit, Fix
from iam_lsp.core.knowledge import wildcard_match
from iam_lsp.core.model import Item, Statement
from iam_lsp.core.rules.base import rule

# Master-table rows this family does not cover, with the reason (collected into docs/coverage.md).
UNCOVERED: dict[int, str] = {}

# Service prefixes that AWS managed policies still grant (March 2026) but that the IAM catalogue no
# longer lists: retired services (CodeStar, DeepRacer, DeepLens, Evidently, IoT Events, IoT 1-Click,
# WorkDocs as "zocalo", DeepComposer) and AWS Builder ID. IAM Access Analyzer accepted them at the
# time, so they get a warning (the action grants nothing useful any more) instead of an error.
UNCATALOGUED_SERVICES = frozenset({
    "builderid", "codestar", "deepcomposer", "deeplens", "deepracer", "evidently", "iot1click",
    "iotevents", "zocalo",
})

# Actions that current AWS managed policies use (March 2026) but the IAM catalogue does not list, and
# that IAM Access Analyzer did not reject: newer, undocumented or billing-console actions.
UNCATALOGUED_ACTIONS = frozenset(a.lower() for a in (
    "budgets:CreateBudget", "budgets:DeleteBudget", "budgets:DescribeBudget", "budgets:DescribeBudgets",
    "budgets:UpdateBudget",
    "organizations:CreateBuilderIdOwnedAccount",
    "payments:AcceptTermsAndConditionsForProgramByAccountId", "payments:BatchGetPaymentProfiles",
    "payments:CreatePaymentAttempt", "payments:CreatePaymentProfile", "payments:Get",
    "payments:GetAcceptedTermsAndConditionsForProgramByAccountId", "payments:GetAccountBalance",
    "payments:GetDefaultPaymentProfile", "payments:GetEligibleCurrencies", "payments:GetPaymentAttempt",
    "payments:GetPaymentPreferences", "payments:GetPreferredCurrency",
    "payments:GetRecommendedTermsAndConditionsForProgram", "payments:ListPaymentProfiles",
    "payments:SearchFinancialRecords", "payments:SetPreferredCurrency", "payments:UpdatePaymentProfile",
    "route53-recovery-control-config:DescribeRoutingControlByName",
    "securityagent:BatchGetAgentInstances", "securityagent:BatchGetSecurityTestContentMetadata",
    "securityagent:BatchGetTasks", "securityagent:CreateDocumentReview", "securityagent:DeleteDocumentReview",
    "securityagent:GetCodeReviewTask", "securityagent:GetDocReviewTask", "securityagent:GetDocumentReview",
    "securityagent:GetDocumentReviewArtifact", "securityagent:ListAgentInstances",
    "securityagent:ListControls", "securityagent:ListDocumentReviewComments",
    "securityagent:ListDocumentReviews", "securityagent:ListTasks", "securityagent:StartPentestExecution",
    "securityagent:StopPentestExecution",
))

# Which action prefixes a resource-based policy of each resource type can grant.
RESOURCE_KIND_PREFIXES: dict[str, tuple[str, ...]] = {
    "AWS::S3::Bucket": ("s3",),
    "AWS::KMS::Key": ("kms",),
    "AWS::SQS::Queue": ("sqs",),
    "AWS::SNS::Topic": ("sns",),
    "AWS::Lambda::Function": ("lambda",),
    "AWS::ECR::Repository": ("ecr",),
    "AWS::SecretsManager::Secret": ("secretsmanager",),
    "AWS::OpenSearchService::Domain": ("es",),
    "AWS::Glacier::Vault": ("glacier",),
    "AWS::Events::EventBus": ("events",),
    "AWS::Logs::ResourcePolicy": ("logs",),
    "AWS::Backup::BackupVault": ("backup",),
    "AWS::DynamoDB::Table": ("dynamodb",),
    "AWS::ApiGateway::RestApi": ("execute-api", "apigateway"),
    "AWS::EFS::FileSystem": ("elasticfilesystem",),
    "AWS::Kinesis::Stream": ("kinesis",),
    "AWS::S3ObjectLambda::AccessPoint": ("s3-object-lambda", "s3"),
}

WILDCARDS = ("*", "?")


def _has_wildcard(s: str) -> bool:
    return "*" in s or "?" in s


def action_items(st: Statement) -> Iterator[tuple[str, Item]]:
    """(element name, item) for every string in Action and NotAction."""
    for name, items in (("Action", st.action), ("NotAction", st.not_action)):
        for item in items or []:
            if item.is_string:
                yield name, item


# re's \s and str.isspace agree on every code point; the regex scans in C instead of per character.
_SPACE_RE = re.compile(r"\s")


@lru_cache(maxsize=65536)
def split_action(text: str) -> tuple[str, str] | None:
    """(prefix, name) of a well-formed `service:action`, else None. The bare "*" is not split."""
    prefix, sep, name = text.partition(":")
    if not sep or not prefix or not name or ":" in name:
        return None
    if _SPACE_RE.search(text):
        return None
    return prefix, name


# Per-document memo key: every string action item with its split (None when malformed).
_ACTION_SPLITS = object()

ActionSplit = tuple[str, Item, "tuple[str, str] | None"]


def _action_splits(ctx: Context) -> list[ActionSplit]:
    """(element name, item, (prefix, name) or None) for every Action/NotAction string, once per document."""
    return ctx.derived(_ACTION_SPLITS, lambda: [
        (el, item, split_action(item.text or "")) for st in ctx.statements for el, item in action_items(st)])


def _well_formed(ctx: Context) -> Iterator[tuple[str, Item, str, str]]:
    """Every well-formed action item with its element name, prefix and action part."""
    for el, item, parts in _action_splits(ctx):
        if parts:
            yield el, item, parts[0], parts[1]


def _catalogued_service(ctx: Context, prefix: str) -> bool:
    return ctx.kb.has_service(prefix) and bool(ctx.kb.actions(prefix))


@rule(
    "IAM101", "action-syntax", "Action is not 'service:action' or '*'", "error",
    """
    Every Action and NotAction value is either "*" or a service prefix and an action name separated by
    one colon, such as "s3:GetObject". Anything else (a missing colon, an empty part, spaces, a second
    colon) is rejected by IAM.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(32,),
    scope="statement",
)
def action_syntax(ctx: Context) -> None:
    for el, item, parts in _action_splits(ctx):
        text = item.text or ""
        if parts or text == "*":
            continue
        fixes = []
        stripped = text.strip()
        if stripped != text and (stripped == "*" or split_action(stripped)):
            fixes.append(Fix(f"Remove the spaces: '{stripped}'", (Edit(item.sub_span(0, len(text)), stripped),)))
        ctx.report(item, f"{el} '{text}' is not in the form 'service:action' (for example 's3:GetObject') "
                         "or '*'", fixes=fixes)


@rule(
    "IAM102", "unknown-service-prefix", "Unknown service prefix in an action", "error",
    """
    The part before the colon must be the prefix of an AWS service, such as `s3`, `ec2` or `iam`
    (the IAM catalogue lists them). An unknown prefix is usually a typo or a service name used in
    place of its prefix (CloudWatch Logs actions are `logs:*`, not `cloudwatchlogs:*`); the value then
    matches no action at all.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s33:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(33,),
    scope="statement",
)
def unknown_service(ctx: Context) -> None:
    for el, item, prefix, _name in _well_formed(ctx):
        if _has_wildcard(prefix) or ctx.kb.has_service(prefix) or prefix.lower() in UNCATALOGUED_SERVICES:
            continue
        span = item.sub_span(0, len(prefix))
        suggestions = ctx.kb.suggest_service(prefix)
        hint = f" Did you mean '{suggestions[0]}'?" if suggestions else ""
        fixes = [Fix(f"Change the prefix to '{s}'", (Edit(span, s),), preferred=(i == 0))
                 for i, s in enumerate(suggestions)]
        ctx.report(span, f"Unknown service prefix '{prefix}' in {el} '{item.text}'.{hint}", fixes=fixes)


@rule(
    "IAM103", "unknown-action", "Unknown action name", "error",
    """
    The service exists but has no action of this name (names are compared case-insensitively, as IAM
    does). A misspelt action grants or denies nothing: `iam:PassRoles` silently fails to allow
    `iam:PassRole`, and a Deny on a misspelt action protects nothing.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRoles", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}',
    rows=(34,),
    scope="statement",
)
def unknown_action(ctx: Context) -> None:
    for el, item, prefix, name in _well_formed(ctx):
        if _has_wildcard(prefix) or _has_wildcard(name) or not _catalogued_service(ctx, prefix):
            continue
        if ctx.kb.action(prefix, name) or f"{prefix}:{name}".lower() in UNCATALOGUED_ACTIONS:
            continue
        start = len(prefix) + 1
        span = item.sub_span(start, start + len(name))
        suggestions = [s.split(":", 1)[1] for s in ctx.kb.suggest_action(prefix, name)]
        hint = f" Did you mean '{prefix}:{suggestions[0]}'?" if suggestions else ""
        fixes = [Fix(f"Change to '{prefix}:{s}'", (Edit(span, s),), preferred=(i == 0))
                 for i, s in enumerate(suggestions)]
        ctx.report(span, f"Unknown action '{item.text}' in {el}: the service '{prefix.lower()}' has no action "
                         f"'{name}'.{hint}", fixes=fixes)


@rule(
    "IAM104", "action-wildcard-matches-nothing", "Action wildcard matches no existing action", "warning",
    """
    A pattern such as `s3:Gett*` is accepted by IAM but matches no action of the service today, so it
    grants or denies nothing. It is usually a typo in the fixed part of the pattern.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Gett*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}',
    rows=(35,),
    scope="statement",
)
def wildcard_matches_nothing(ctx: Context) -> None:
    for el, item, prefix, name in _well_formed(ctx):
        if not (_has_wildcard(prefix) or _has_wildcard(name)):
            continue
        if not _has_wildcard(prefix) and not _catalogued_service(ctx, prefix):
            continue  # an unknown service is IAM102's finding
        if ctx.kb.matches_any(item.text or "") or _matches_uncatalogued(item.text or ""):
            continue
        ctx.report(item, f"{el} pattern '{item.text}' matches no existing action; check the spelling of the "
                         "fixed part")


def _matches_uncatalogued(pattern: str) -> bool:
    prefix = pattern.split(":", 1)[0]
    if any(wildcard_match(prefix, s) for s in UNCATALOGUED_SERVICES):
        return True
    return any(wildcard_match(pattern, a) for a in UNCATALOGUED_ACTIONS)


@rule(
    "IAM105", "action-not-in-catalogue", "Action or service known from AWS policies but not in the IAM catalogue",
    "suggestion",
    """
    Some actions appear in AWS managed policies but not in the IAM catalogue this tool uses: actions of
    retired services (CodeStar, DeepRacer, Evidently, IoT Events, ...) and a few newer or undocumented
    ones. IAM accepts them; they may grant nothing today. Check that the action is still needed. This is
    a suggestion: most of these are valid AWS actions that the catalogue lacks.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codestar:ListProjects", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codebuild:ListProjects", "Resource": "*"}]}',
    rows=(33, 34),
    scope="statement",
)
def action_not_in_catalogue(ctx: Context) -> None:
    for el, item, prefix, name in _well_formed(ctx):
        if prefix.lower() in UNCATALOGUED_SERVICES and not ctx.kb.has_service(prefix):
            ctx.report(item.sub_span(0, len(prefix)),
                       f"The service '{prefix}' in {el} '{item.text}' is not in the IAM catalogue "
                       f"({ctx.kb.data_version}): it is retired or not documented; the action may grant nothing")
        elif (not _has_wildcard(name) and f"{prefix}:{name}".lower() in UNCATALOGUED_ACTIONS
              and not ctx.kb.action(prefix, name)):
            start = len(prefix) + 1
            ctx.report(item.sub_span(start, start + len(name)),
                       f"The action '{item.text}' in {el} is not in the IAM catalogue ({ctx.kb.data_version}); "
                       "AWS managed policies use it, but it may be undocumented or retired")


@rule(
    "IAM106", "action-unsupported-in-resource-policy", "Action not supported by this kind of resource policy",
    "error",
    """
    A resource-based policy governs only its own resource, so it can only grant that service's actions:
    a bucket policy with `kms:Decrypt` or a queue policy with `sns:Publish` is rejected or does nothing.
    Grant the other service's actions in that resource's own policy or in an identity policy. If the
    policy was detected as the wrong resource type, set the policy type in the configuration.
    """,
    bad="""
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}]}
    """,
    good="""
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}]}
    """,
    policy_types=("resource",),
    example_type="resource",
    rows=(36,),
    scope="statement",
)
def unsupported_in_resource_policy(ctx: Context) -> None:
    kind = ctx.resource_kind
    allowed = RESOURCE_KIND_PREFIXES.get(kind or "")
    if not allowed:
        return
    for el, item, prefix, _name in _well_formed(ctx):
        st = ctx.statement_at(item.span.start)
        if st is None or (st.principal is None and st.not_principal is None):
            continue  # without a Principal the statement is not a resource-policy statement
        if any(wildcard_match(prefix, a) for a in allowed):
            continue
        if not _has_wildcard(prefix) and not ctx.kb.has_service(prefix):
            continue  # unknown prefixes are IAM102's finding
        ctx.report(item.sub_span(0, len(prefix)),
                   f"{el} '{item.text}' is not supported in a resource policy of {kind}, which can only grant "
                   f"{' and '.join(repr(a + ':*') for a in allowed)} actions; grant it in that service's own "
                   "policy or in an identity policy")
