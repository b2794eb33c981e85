"""PassRole and service-linked-role rules (IAM6xx).

iam:PassRole lets the holder hand a role to a service (an EC2 instance, a Lambda function, a
CloudFormation stack ...), which then acts with the role's permissions: passing a more powerful role
than one's own is privilege escalation. iam:CreateServiceLinkedRole creates the predefined roles AWS
services use. Both get Access Analyzer's six shape variants: explicit action on Resource "*", an action
wildcard on Resource "*", NotAction on Resource "*", and the same three with NotResource.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from iam_lsp.core.context import Context
from iam_lsp.core.findings import Edit, Fix, Related
from iam_lsp.core.model import Item, Statement
from iam_lsp.core.rules.base import rule
from iam_lsp.core.rules.risk import (
    allow_statements,
    escalation_findings,
    facts,
    is_wild,
    listing,
    matching_items,
    not_action_excludes,
)

UNCOVERED: dict[int, str] = {}

PASS_ROLE = "iam:PassRole"
CREATE_SLR = "iam:CreateServiceLinkedRole"
PASSED_TO_SERVICE = "iam:PassedToService"
ASSOCIATED_ARN = "iam:AssociatedResourceArn"
AWS_SERVICE_NAME = "iam:AWSServiceName"

# Two unrelated role ARNs: a resource pattern matching both covers (nearly) every role.
_ROLES = ("arn:aws:iam::111122223333:role/a1", "arn:aws:iam::444455556666:role/path/z9")
_SLRS = ("arn:aws:iam::111122223333:role/aws-service-role/a1.amazonaws.com/AWSServiceRoleForA1",
         "arn:aws:iam::444455556666:role/aws-service-role/z9.amazonaws.com/AWSServiceRoleForZ9")


@dataclass
class Variant:
    """How a statement grants the target action on which resources."""

    kind: str  # "explicit", "wildcard" or "notaction"
    action: Item | None  # the Action item (None for NotAction)
    resource: Item | None  # the Resource "*"-like item (None for NotResource)
    not_resource: bool


def _broad_items(ctx: Context, st: Statement, probes: tuple[str, ...]) -> list[Item]:
    return facts(ctx).of(st).broad_resources(probes)


def variants(ctx: Context, st: Statement, action: str, probes: tuple[str, ...], scoping_key: str) -> list[Variant]:
    """The Access Analyzer variants a statement falls under for `action` (empty when scoped by `scoping_key`)."""
    if not st.is_allow or st.conditions_on(scoping_key):
        return []
    broad = _broad_items(ctx, st, probes)
    not_res = st.not_resource is not None
    if not broad and not not_res:
        return []
    res = broad[0] if broad else None
    if st.action is not None:
        out = []
        for item in matching_items(ctx, st, action):
            kind = "wildcard" if is_wild(item.text) else "explicit"
            out.append(Variant(kind, item, res, not_res and not broad))
        return out
    if st.not_action is not None and not not_action_excludes(ctx, st, action):
        return [Variant("notaction", None, res, not_res and not broad)]
    return []


_VARIANTS = object()  # ctx.derived key: the six rules of an action share one pass over the statements


def _document_variants(ctx: Context, action: str, probes: tuple[str, ...], key: str) -> list[tuple[Statement, Variant]]:
    def compute() -> list[tuple[Statement, Variant]]:
        # Only the Allows that grant the action can have variants: one index lookup, not a scan per rule.
        return [(st, v) for st in facts(ctx).allows_granting(action) for v in variants(ctx, st, action, probes, key)]

    return ctx.derived((_VARIANTS, action, probes, key), compute)


def _report_variants(ctx: Context, action: str, probes: tuple[str, ...], key: str, kind: str, not_resource: bool,
                     message: Callable[[Statement, Variant], str]) -> None:
    for st, v in _document_variants(ctx, action, probes, key):
        if v.kind != kind or v.not_resource != not_resource:
            continue
        res_where = v.resource or st.elements["NotResource"].key_node
        if kind == "notaction":
            where, other = st.elements["NotAction"].key_node, res_where
        elif kind == "wildcard":
            where, other = v.action, res_where
        else:  # an explicit grant: the problem is the resource side
            where, other = res_where, v.action
        related = [Related(other.span, "the related element")] if other is not None else []
        ctx.report(where, message(st, v), related=related)


def _pass_role_msg(what: str) -> Callable[[Statement, Variant], str]:
    return lambda st, v: (what.format(action=v.action.text if v.action else "") +
                          ": list the role ARNs that may be passed, or add an iam:PassedToService condition")


_PR = dict(policy_types=("identity",))
_PR_EXPLAIN_TAIL = """
    iam:PassRole lets the holder give a role to an AWS service, which then acts with the role's
    permissions; passing any role, including administrator roles, is privilege escalation. Limit Resource
    to the roles meant to be passed and add an `iam:PassedToService` condition.
    """


@rule(
    "IAM600", "passrole-star-resource", "iam:PassRole on Resource \"*\"", "security",
    """
    An Allow of iam:PassRole on every role (Resource "*" or a pattern such as `arn:aws:iam::*:role/*`)
    without an iam:PassedToService condition (Access Analyzer PASS_ROLE_WITH_STAR_IN_RESOURCE).
    """ + _PR_EXPLAIN_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-role", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]}',
    rows=(114,), **_PR,
    scope="statement",
)
def passrole_star_resource(ctx: Context) -> None:
    _report_variants(ctx, PASS_ROLE, _ROLES, PASSED_TO_SERVICE, "explicit", False,
                     _pass_role_msg("'{action}' may pass any role (Resource is all roles)"))


@rule(
    "IAM601", "passrole-wildcard-action-star-resource", "An action wildcard grants iam:PassRole on Resource \"*\"", "security",
    """
    An action wildcard (`*`, `iam:*`, `iam:Pass*`) includes iam:PassRole, and Resource is every role
    (Access Analyzer PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE).
    """ + _PR_EXPLAIN_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Pass*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-role", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]}',
    rows=(115,), **_PR,
    scope="statement",
)
def passrole_wildcard_star(ctx: Context) -> None:
    _report_variants(ctx, PASS_ROLE, _ROLES, PASSED_TO_SERVICE, "wildcard", False,
                     _pass_role_msg("'{action}' includes iam:PassRole on all roles"))


@rule(
    "IAM602", "passrole-notaction-star-resource", "NotAction does not exclude iam:PassRole and Resource is \"*\"", "security",
    """
    NotAction grants every action not listed; iam:PassRole is not excluded and Resource is every role
    (Access Analyzer PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION). Add iam:PassRole to NotAction or
    use Action.
    """ + _PR_EXPLAIN_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["s3:DeleteBucket", "iam:*"], "Resource": "*"}]}',
    rows=(116,), **_PR,
    scope="statement",
)
def passrole_notaction_star(ctx: Context) -> None:
    _report_variants(ctx, PASS_ROLE, _ROLES, PASSED_TO_SERVICE, "notaction", False,
                     _pass_role_msg("NotAction does not exclude iam:PassRole, so any role may be passed"))


@rule(
    "IAM603", "passrole-not-resource", "iam:PassRole with NotResource", "security",
    """
    iam:PassRole with NotResource allows passing every role except the listed ones, including roles created
    later (Access Analyzer PASS_ROLE_WITH_NOT_RESOURCE). List the passable roles in Resource instead.
    """ + _PR_EXPLAIN_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-role", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]}',
    rows=(117,), **_PR,
    scope="statement",
)
def passrole_not_resource(ctx: Context) -> None:
    _report_variants(ctx, PASS_ROLE, _ROLES, PASSED_TO_SERVICE, "explicit", True,
                     _pass_role_msg("'{action}' with NotResource may pass every role not listed"))


@rule(
    "IAM604", "passrole-wildcard-action-not-resource", "An action wildcard grants iam:PassRole with NotResource", "security",
    """
    An action wildcard includes iam:PassRole and NotResource leaves every other role passable (Access
    Analyzer PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE).
    """ + _PR_EXPLAIN_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    rows=(118,), **_PR,
    scope="statement",
)
def passrole_wildcard_not_resource(ctx: Context) -> None:
    _report_variants(ctx, PASS_ROLE, _ROLES, PASSED_TO_SERVICE, "wildcard", True,
                     _pass_role_msg("'{action}' includes iam:PassRole on every role outside NotResource"))


@rule(
    "IAM605", "passrole-notaction-not-resource", "NotAction with NotResource leaves iam:PassRole allowed", "security",
    """
    NotAction does not exclude iam:PassRole and NotResource leaves every other role passable (Access
    Analyzer PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE).
    """ + _PR_EXPLAIN_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["s3:*", "iam:*"], "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    rows=(119,), **_PR,
    scope="statement",
)
def passrole_notaction_not_resource(ctx: Context) -> None:
    _report_variants(ctx, PASS_ROLE, _ROLES, PASSED_TO_SERVICE, "notaction", True,
                     _pass_role_msg("NotAction does not exclude iam:PassRole and NotResource leaves other roles passable"))


def _explicit_pass_role_items(ctx: Context, st: Statement) -> list[Item]:
    """Action items naming iam:PassRole, or a narrow wildcard such as iam:Pass* (not "*" or iam:*)."""
    out = []
    for item in matching_items(ctx, st, PASS_ROLE):
        svc, _, name = item.text.partition(":")
        if item.text not in ("*", "*:*") and name != "*" and not is_wild(svc):
            out.append(item)
    return out


def _is_star_passrole(ctx: Context, st: Statement) -> bool:
    return bool(_broad_items(ctx, st, _ROLES)) or st.not_resource is not None


@rule(
    "IAM606", "passrole-without-passed-to-service", "iam:PassRole without an iam:PassedToService condition", "security",
    """
    Without `iam:PassedToService` the listed roles may be passed to any service, not only the one that is
    meant to use them (e.g. a role for EC2 passed to a Lambda function the holder controls). Add a
    condition naming the service principal(s). Statements on all roles are reported by IAM600-IAM605.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-role"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-role", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]}',
    rows=(120,), **_PR,
    scope="statement",
)
def passrole_without_passed_to_service(ctx: Context) -> None:
    for st in allow_statements(ctx):
        if st.conditions_on(PASSED_TO_SERVICE) or _is_star_passrole(ctx, st):
            continue
        for item in _explicit_pass_role_items(ctx, st):
            ctx.report(item, f"'{item.text}' has no iam:PassedToService condition, so the roles may be passed to "
                             "any service: add a condition naming the service principal (e.g. ec2.amazonaws.com)")


@rule(
    "IAM607", "passrole-associated-resource-arn", "iam:PassRole could also be limited with iam:AssociatedResourceArn", "suggestion",
    """
    `iam:AssociatedResourceArn` limits the resources a passed role may be attached to (e.g. only instances or
    functions of one account or path). It complements iam:PassedToService for services that support it.
    Off by default: few services populate the key.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-role", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-role", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}, "ArnLike": {"iam:AssociatedResourceArn": "arn:aws:ec2:us-east-1:111122223333:instance/*"}}}]}',
    rows=(121,), enabled_by_default=False, **_PR,
    scope="statement",
)
def passrole_associated_resource_arn(ctx: Context) -> None:
    for st in allow_statements(ctx):
        if st.conditions_on(ASSOCIATED_ARN):
            continue
        for item in _explicit_pass_role_items(ctx, st):
            ctx.report(item, f"'{item.text}' could also be limited to the resources the role is attached to with "
                             "an iam:AssociatedResourceArn condition")


def _check_principal_values(ctx: Context, key: str) -> None:
    """Values of a service-principal condition key checked against the known service principals."""
    for st in ctx.statements:
        for cond in st.conditions_on(key):
            for item in cond.values:
                value = item.text
                if not value or is_wild(value) or "${" in value or ctx.kb.principal_status(value):
                    continue
                close = [s for s in ctx.kb.suggest_principal(value) if s != value.lower()]
                if close:
                    ctx.report(item, f"Unknown service principal '{value}' in {cond.key}. Did you mean '{close[0]}'?",
                               fixes=[Fix(f"Replace with '{s}'", (Edit(item.span, f'"{s}"'),), preferred=i == 0)
                                      for i, s in enumerate(close)])
                else:
                    ctx.report(item, f"'{value}' in {cond.key} is not a known service principal: check the name "
                                     "(service principals look like ec2.amazonaws.com)", severity=_suggestion(ctx))


def _suggestion(ctx: Context):
    from iam_lsp.core.findings import Severity

    # Far from every known name: AWS publishes no official list, so only a hint (unless overridden).
    return Severity.SUGGESTION if ctx.severity == ctx.rule.severity else ctx.severity


@rule(
    "IAM608", "passed-to-service-unknown", "iam:PassedToService names an unknown service principal", "warning",
    """
    iam:PassedToService takes service principals such as `ec2.amazonaws.com` or `lambda.amazonaws.com`; a
    misspelt one matches no request, so the PassRole grant silently never applies. A name close to a known
    principal is a warning with a fix; a name not close to any is a suggestion, since AWS publishes no
    official list of service principals.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-role", "Condition": {"StringEquals": {"iam:PassedToService": "lamda.amazonaws.com"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-role", "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}]}',
    rows=(122,),
    scope="statement",
)
def passed_to_service_unknown(ctx: Context) -> None:
    _check_principal_values(ctx, PASSED_TO_SERVICE)


@rule(
    "IAM609", "passrole-escalation", "iam:PassRole on all roles together with an action that runs the passed role", "security",
    """
    iam:PassRole on every role plus an action that starts something running with the passed role
    (ec2:RunInstances, lambda:CreateFunction + lambda:InvokeFunction, glue:CreateDevEndpoint,
    cloudformation:CreateStack, ecs:RegisterTaskDefinition + ecs:RunTask, sagemaker:CreateTrainingJob,
    codebuild:CreateProject + codebuild:StartBuild, datapipeline:CreatePipeline, apprunner:CreateService,
    ...: cloudsplaining's PassRole methods) lets the holder act with any role's permissions, including
    an administrator role. The finding is on iam:PassRole; the related locations are the actions that
    complete the escalation. Limit the passable roles.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}, {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/web-instance"}]}',
    rows=(123, 220), **_PR,
)
def passrole_escalation(ctx: Context) -> None:
    for head, names, rel in escalation_findings(ctx, with_passrole=True):
        related = [Related(i.span, f"'{i.text}' runs something with the passed role") for i in rel]
        ctx.report(head, f"'{head.text}' on all roles with {listing(i.text for i in rel)} allows privilege escalation "
                         f"({listing(names)}): limit the roles that may be passed", related=related)


# --- service-linked roles ----------------------------------------------------------------------------------

_SLR_TAIL = """
    Service-linked roles are predefined by AWS: their permissions and trust are fixed by the service and
    cannot be edited, so what a policy controls is who may create them (and for which service). Limit
    `iam:CreateServiceLinkedRole` with an `iam:AWSServiceName` condition naming the services that need one.
    """
_SLR = dict(policy_types=("identity",))


def _slr_msg(what: str) -> Callable[[Statement, Variant], str]:
    return lambda st, v: (what.format(action=v.action.text if v.action else "") +
                          ": add an iam:AWSServiceName condition naming the services that need a service-linked role")


@rule(
    "IAM620", "create-slr-star-resource", "iam:CreateServiceLinkedRole on Resource \"*\" without iam:AWSServiceName", "warning",
    "An Allow of iam:CreateServiceLinkedRole for every service (Access Analyzer CREATE_SLR_WITH_STAR_IN_RESOURCE)." + _SLR_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*", "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticbeanstalk.amazonaws.com"}}}]}',
    rows=(124,), **_SLR,
    scope="statement",
)
def create_slr_star(ctx: Context) -> None:
    _report_variants(ctx, CREATE_SLR, _SLRS, AWS_SERVICE_NAME, "explicit", False,
                     _slr_msg("'{action}' may create the service-linked role of any service"))


@rule(
    "IAM621", "create-slr-wildcard-action-star-resource", "An action wildcard grants iam:CreateServiceLinkedRole on Resource \"*\"", "warning",
    "An action wildcard (`*`, `iam:*`, `iam:Create*`) includes iam:CreateServiceLinkedRole on every resource "
    "(Access Analyzer CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE)." + _SLR_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Create*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicy", "Resource": "*"}]}',
    rows=(125,), **_SLR,
    scope="statement",
)
def create_slr_wildcard_star(ctx: Context) -> None:
    _report_variants(ctx, CREATE_SLR, _SLRS, AWS_SERVICE_NAME, "wildcard", False,
                     _slr_msg("'{action}' includes iam:CreateServiceLinkedRole for every service"))


@rule(
    "IAM622", "create-slr-notaction-star-resource", "NotAction does not exclude iam:CreateServiceLinkedRole and Resource is \"*\"", "warning",
    "NotAction grants every action not listed, iam:CreateServiceLinkedRole included "
    "(Access Analyzer CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION)." + _SLR_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["s3:*", "iam:*"], "Resource": "*"}]}',
    rows=(126,), **_SLR,
    scope="statement",
)
def create_slr_notaction_star(ctx: Context) -> None:
    _report_variants(ctx, CREATE_SLR, _SLRS, AWS_SERVICE_NAME, "notaction", False,
                     _slr_msg("NotAction does not exclude iam:CreateServiceLinkedRole"))


@rule(
    "IAM623", "create-slr-not-resource", "iam:CreateServiceLinkedRole with NotResource", "warning",
    "iam:CreateServiceLinkedRole with NotResource allows creating every service-linked role not listed "
    "(Access Analyzer CREATE_SLR_WITH_NOT_RESOURCE)." + _SLR_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*", "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticbeanstalk.amazonaws.com"}}}]}',
    rows=(127,), **_SLR,
    scope="statement",
)
def create_slr_not_resource(ctx: Context) -> None:
    _report_variants(ctx, CREATE_SLR, _SLRS, AWS_SERVICE_NAME, "explicit", True,
                     _slr_msg("'{action}' with NotResource may create almost any service-linked role"))


@rule(
    "IAM624", "create-slr-wildcard-action-not-resource", "An action wildcard grants iam:CreateServiceLinkedRole with NotResource", "warning",
    "An action wildcard includes iam:CreateServiceLinkedRole and NotResource leaves the other roles open "
    "(Access Analyzer CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE)." + _SLR_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Create*", "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicy", "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    rows=(128,), **_SLR,
    scope="statement",
)
def create_slr_wildcard_not_resource(ctx: Context) -> None:
    _report_variants(ctx, CREATE_SLR, _SLRS, AWS_SERVICE_NAME, "wildcard", True,
                     _slr_msg("'{action}' includes iam:CreateServiceLinkedRole outside NotResource"))


@rule(
    "IAM625", "create-slr-notaction-not-resource", "NotAction with NotResource leaves iam:CreateServiceLinkedRole allowed", "warning",
    "NotAction does not exclude iam:CreateServiceLinkedRole and NotResource leaves the other roles open "
    "(Access Analyzer CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE)." + _SLR_TAIL,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["s3:*", "iam:*"], "NotResource": "arn:aws:iam::111122223333:role/admin"}]}',
    rows=(129,), **_SLR,
    scope="statement",
)
def create_slr_notaction_not_resource(ctx: Context) -> None:
    _report_variants(ctx, CREATE_SLR, _SLRS, AWS_SERVICE_NAME, "notaction", True,
                     _slr_msg("NotAction does not exclude iam:CreateServiceLinkedRole and NotResource leaves roles open"))


@rule(
    "IAM626", "aws-service-name-unknown", "iam:AWSServiceName names an unknown service principal", "warning",
    """
    iam:AWSServiceName takes the service principal whose service-linked role may be created, e.g.
    `elasticbeanstalk.amazonaws.com`; a misspelt name matches no request. A name close to a known
    principal is a warning with a fix; a name not close to any is a suggestion (AWS publishes no official
    list, and some service-linked roles use prefixed names such as
    `custom-resource.application-autoscaling.amazonaws.com`).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*", "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticbeanstalk.amazonaws.con"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*", "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticbeanstalk.amazonaws.com"}}}]}',
    rows=(),
    scope="statement",
)
def aws_service_name_unknown(ctx: Context) -> None:
    _check_principal_values(ctx, AWS_SERVICE_NAME)
