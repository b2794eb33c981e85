"""Role trust policy rules (IAM4xx): structure, who may assume the role, and the conditions that guard it."""

from __future__ import annotations

import re

from iam_lsp.core import principals as P
from iam_lsp.core.context import Context
from iam_lsp.core.edits import remove_item_edit, remove_member_edit
from iam_lsp.core.findings import Edit, Fix, Related, Severity
from iam_lsp.core.jsontree import ARRAY
from iam_lsp.core.knowledge import wildcard_match
from iam_lsp.core.model import ConditionEntry, Item, Statement
from iam_lsp.core.principals import PrincipalInfo
from iam_lsp.core.rules.base import rule
from iam_lsp.core.rules.principals import (
    SOURCE_KEYS,
    has_any_key,
    json_str,
    option_accounts,
    principal_values,
    variant,
)

UNCOVERED: dict[int, str] = {
    112: "covered by IAM8xx size rules (trust policy length quota)",
}

ASSUME_ROLE = "sts:AssumeRole"
ASSUME_SAML = "sts:AssumeRoleWithSAML"
ASSUME_WEB = "sts:AssumeRoleWithWebIdentity"
ASSUME_ACTIONS = (ASSUME_ROLE, ASSUME_SAML, ASSUME_WEB)
TAG_SESSION = "sts:TagSession"
SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"
ROLES_ANYWHERE = "rolesanywhere.amazonaws.com"
# Compute services whose trust is the normal way to give running code a role; they pass no source
# resource to STS, so peers (IAM Policy Validator, cloudsplaining) exempt them from confused-deputy checks.
COMPUTE_SERVICES = frozenset({
    "ec2", "lambda", "edgelambda", "ecs-tasks", "ecs", "eks", "pods.eks", "eks-fargate-pods", "eks-nodegroup",
    "build.apprunner", "tasks.apprunner", "batch", "spot", "spotfleet",
})
# Keys that narrow a whole-account or cross-account trust to specific principals or an organization.
# sts:ExternalId counts: a third party's account cannot be narrowed further from this side.
NARROWING_KEYS = frozenset({"aws:principalarn", "aws:principalorgid", "aws:principalorgpaths", "aws:userid",
                            "aws:principaltag/", "aws:username", "aws:sourceidentity", "sts:sourceidentity",
                            "sts:externalid"})
ORG_OR_EXTERNAL_KEYS = frozenset({"sts:externalid", "aws:principalorgid", "aws:principalorgpaths"})
# Context keys that must not be wildcards or variables in a trust/resource policy.
SENSITIVE_KEYS = frozenset({
    "aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceowner",
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "sts:externalid",
})


def required_action(info: PrincipalInfo) -> str | None:
    """The assume action a principal of this kind needs (None for values that are invalid anyway)."""
    if info.kind == P.SAML_PROVIDER:
        return ASSUME_SAML
    if info.kind in (P.OIDC_PROVIDER, P.WEB_IDENTITY):
        return ASSUME_WEB
    if info.kind in (P.INVALID, P.CANONICAL_USER, P.IAM_GROUP):
        return None
    return ASSUME_ROLE


def allows(st: Statement, action: str) -> bool:
    return any(wildcard_match(i.text, action) for i in st.actions())


def allowed_anywhere(ctx: Context, action: str) -> bool:
    return any(st.is_allow and allows(st, action) for st in ctx.statements)


def provider_conditions(st: Statement, provider: str) -> list[ConditionEntry]:
    prefix = provider.lower() + ":"
    return [c for c in st.conditions if c.key_lower.startswith(prefix)]


def add_actions_fix(st: Statement, missing: list[str]) -> list[Fix]:
    """Turn the Action value into a list that also holds the missing actions."""
    el = st.element("Action")
    if el is None or el.value is None:
        return []
    current = [i.text for i in st.actions()]
    if el.value.kind != ARRAY and len(current) != 1:
        return []
    new = "[" + ", ".join(json_str(a) for a in [*current, *missing]) + "]"
    return [Fix("Add " + ", ".join(missing), (Edit(el.value.span, new),))]


def _allow_principals(ctx: Context, st: Statement) -> list[tuple[str, Item, PrincipalInfo]]:
    return list(principal_values(ctx, st.principal)) if st.is_allow else []


@rule(
    "IAM400", "trust-resource", "Resource or NotResource in a role trust policy", "error",
    """
    A trust policy is attached to the role, which is its only resource: IAM rejects a trust policy
    with a Resource or NotResource element. Remove it.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
        '"Action": "sts:AssumeRole", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
         '"Action": "sts:AssumeRole"}]}',
    policy_types=("trust",), example_type="trust", rows=(90,),
    scope="statement",
)
def trust_resource(ctx: Context) -> None:
    for st in ctx.statements:
        for name in ("Resource", "NotResource"):
            el = st.element(name)
            if el is not None:
                ctx.report(el.key_node, f"A role trust policy cannot have {name}: remove it",
                           fixes=[Fix(f"Remove {name}", (remove_member_edit(st.node, el.member),))])


@rule(
    "IAM401", "trust-not-principal", "NotPrincipal in a role trust policy", "error",
    """
    Role trust policies do not support NotPrincipal; IAM rejects it. Name the principals allowed to
    assume the role in Principal.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/Bob"}, "Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"AWS": "arn:aws:iam::123456789012:user/Alice"}, "Action": "sts:AssumeRole"}]}',
    policy_types=("trust",), example_type="trust", rows=(91,),
    scope="statement",
)
def trust_not_principal(ctx: Context) -> None:
    for st in ctx.statements:
        el = st.element("NotPrincipal")
        if el is not None:
            ctx.report(el.key_node, "A role trust policy cannot use NotPrincipal: name the trusted principals in "
                                    "Principal")


_IDENTITY_LIMITS = frozenset({"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount",
                              "aws:principalarn", "aws:userid", "aws:sourceaccount", "aws:sourcearn",
                              "aws:sourceorgid", "aws:sourceorgpaths"})


@rule(
    "IAM402", "trust-wildcard-principal", "Role trust policy lets any principal assume the role", "security",
    """
    `"Principal": "*"` is rejected in a trust policy. `{"AWS": "*"}` is accepted and lets every
    principal of every AWS account assume the role: without conditions that pin the caller
    (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn) anyone can take its permissions.
    With such conditions the finding becomes a suggestion to review them.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, '
        '"Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, '
         '"Action": "sts:AssumeRole"}]}',
    policy_types=("trust",), example_type="trust", rows=(92,),
    scope="statement",
)
def trust_wildcard_principal(ctx: Context) -> None:
    for st in ctx.statements:
        if not st.is_allow or st.principal is None:
            continue
        if st.principal.wildcard is not None and st.principal.wildcard.text == "*":
            ctx.report(st.principal.wildcard, "A trust policy cannot use Principal \"*\": name the principals, "
                                              "e.g. {\"AWS\": \"<account id>\"}", severity=variant(ctx, Severity.ERROR))
            continue
        for ptype, item, info in principal_values(ctx, st.principal):
            if ptype != "AWS" or info.kind != P.WILDCARD:
                continue
            if has_any_key(st, _IDENTITY_LIMITS):
                ctx.report(item, "Any AWS principal may assume this role if the conditions match: check that they "
                                 "pin the caller's organization, account or ARN",
                           severity=variant(ctx, Severity.SUGGESTION))
            else:
                ctx.report(item, "Any principal in any AWS account can assume this role: name the trusted accounts "
                                 "or roles, or add an aws:PrincipalOrgID condition")


@rule(
    "IAM403", "trust-whole-account", "Role trusts a whole account", "suggestion",
    """
    Trusting an account id or `arn:aws:iam::<account>:root` delegates the decision to that account:
    any of its users and roles whose identity policies allow sts:AssumeRole on this role can assume it.
    If only some of them should, name their role ARNs or add an aws:PrincipalArn condition.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole", '
         '"Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Deployer"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(94,),
    scope="statement",
)
def trust_whole_account(ctx: Context) -> None:
    for st in ctx.statements:
        if has_any_key(st, NARROWING_KEYS):
            continue
        for ptype, item, info in _allow_principals(ctx, st):
            if ptype == "AWS" and info.is_whole_account and not info.has_wildcard and info.problem is None:
                ctx.report(item, f"Every principal of account {info.account} that its own policies allow can "
                                 "assume this role: consider naming roles or adding an aws:PrincipalArn condition")


def owner_accounts(ctx: Context) -> set[str]:
    """Accounts known to belong to the role's owner: the trusted-accounts option, the accounts of IAM
    identity providers named here (providers live in the role's account) and the aws:SourceAccount /
    aws:SourceArn accounts of service statements (services act for the owner's resources)."""
    owned = option_accounts(ctx)
    for st in ctx.statements:
        for _, _, info in principal_values(ctx, st.principal):
            if info.kind in (P.SAML_PROVIDER, P.OIDC_PROVIDER) and info.account:
                owned.add(info.account)
        for c in st.conditions:
            for v in c.values:
                text = v.text or ""
                if c.key_lower == "aws:sourceaccount" and re.fullmatch(r"\d{12}", text):
                    owned.add(text)
                elif c.key_lower == "aws:sourcearn":
                    parts = text.split(":")
                    if len(parts) > 4 and re.fullmatch(r"\d{12}", parts[4]):
                        owned.add(parts[4])
    return owned


@rule(
    "IAM404", "trust-cross-account-unguarded", "Cross-account trust without sts:ExternalId or aws:PrincipalOrgID",
    "warning",
    """
    A role that another account can assume should say why that account is trusted: a third party
    (a vendor acting for several customers) must present an sts:ExternalId, which stops the confused
    deputy problem; an account of your own organization can be pinned with aws:PrincipalOrgID or
    aws:PrincipalOrgPaths. An account counts as another one when it is not in the rule option
    `trusted-accounts` and differs from the accounts the document itself shows to be the role owner's
    (the account of a SAML/OIDC provider it trusts, the aws:SourceAccount/aws:SourceArn accounts of its
    service statements). A document that gives no clue about its owner, with no `trusted-accounts`
    configured, is not flagged: list your accounts in `trusted-accounts` to check every trust policy.
    """,
    bad='{"Version": "2012-10-17", "Statement": ['
        '{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}, '
        '"Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": '
        '"https://signin.aws.amazon.com/saml"}}}, '
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": ['
         '{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}, '
         '"Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": '
         '"https://signin.aws.amazon.com/saml"}}}, '
         '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole", '
         '"Condition": {"StringEquals": {"sts:ExternalId": "vendor-7f3a9c"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(95, 96), options={"trusted-accounts": []},
)
def trust_cross_account_unguarded(ctx: Context) -> None:
    owned = owner_accounts(ctx)
    if not owned:
        return
    for st in ctx.statements:
        if has_any_key(st, ORG_OR_EXTERNAL_KEYS):
            continue
        for ptype, item, info in _allow_principals(ctx, st):
            if ptype != "AWS" or info.account is None or not re.fullmatch(r"\d{12}", info.account):
                continue
            if info.account in owned:
                continue
            ctx.report(info.span(item, "account"),
                       f"Account {info.account} is not one of the role owner's accounts: require sts:ExternalId if it "
                       "is a third party, or aws:PrincipalOrgID if it is in your organization "
                       "(or list it in the trusted-accounts option)")


@rule(
    "IAM405", "trust-action-principal-mismatch", "Assume action does not fit the principal type", "error",
    """
    Each kind of principal assumes a role with its own STS call: IAM users, roles, accounts and
    services use sts:AssumeRole; SAML providers sts:AssumeRoleWithSAML; OIDC providers and web identity
    providers (accounts.google.com, cognito-identity.amazonaws.com, ...) sts:AssumeRoleWithWebIdentity.
    A statement whose assume actions do not include the one its principal needs never lets it in.
    sts:TagSession, sts:SetSourceIdentity and sts:SetContext go with any principal.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}, "Action": "sts:AssumeRole", '
        '"Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}, '
         '"Action": "sts:AssumeRoleWithSAML", '
         '"Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(97, 109),
    scope="statement",
)
def trust_action_principal_mismatch(ctx: Context) -> None:
    for st in ctx.statements:
        present = [a for a in ASSUME_ACTIONS if allows(st, a)]
        if not present:
            continue  # only session actions (TagSession, SetSourceIdentity, SetContext): any principal
        assume_items = [i for i in st.actions() if any(wildcard_match(i.text, a) for a in ASSUME_ACTIONS)]
        typed = [(item, info, req) for _, item, info in _allow_principals(ctx, st)
                 if (req := required_action(info)) is not None]
        needs = [(item, info, req) for item, info, req in typed if req not in present]
        if not needs:
            continue
        wanted = {req for _, _, req in needs}
        have = ", ".join(present)
        # Replacing the action is only right when no principal of the statement uses it.
        if len(needs) == len(typed) and len(wanted) == 1 and len(assume_items) == 1 \
                and "*" not in assume_items[0].text:
            req = wanted.pop()
            action = assume_items[0]
            ctx.report(action, f"{action.text} does not fit {needs[0][1].describe()} '{needs[0][1].value}': it "
                               f"needs {req}",
                       fixes=[Fix(f"Replace with {req}", (Edit(action.span, json_str(req)),))],
                       related=[Related(item.span, f"needs {r}") for item, _, r in needs])
            continue
        for item, info, req in needs:
            ctx.report(item, f"{info.describe().capitalize()} '{info.value}' needs {req}, but the statement only "
                             f"allows {have}")


@rule(
    "IAM406", "trust-federated-syntax", "Federated principal is not an identity provider ARN or known domain",
    "error",
    """
    A Federated principal is the ARN of an IAM identity provider
    (`arn:aws:iam::<account>:saml-provider/<name>` or `arn:aws:iam::<account>:oidc-provider/<issuer>`)
    or one of the web identity domains STS knows: accounts.google.com, cognito-identity.amazonaws.com,
    graph.facebook.com, www.amazon.com. Other OIDC issuers, GitHub Actions included, need an IAM OIDC
    provider and its ARN.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Federated": "token.actions.githubusercontent.com"}, '
        '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": '
        '{"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
         '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": '
         '{"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(98,),
    scope="statement",
)
def trust_federated_syntax(ctx: Context) -> None:
    for st in ctx.statements:
        for ptype, item, info in principal_values(ctx, st.principal):
            if ptype != "Federated" or info.has_wildcard:
                continue
            if info.kind == P.INVALID:
                fixes = []
                if "/" not in info.value and "." in info.value and not info.value.startswith("arn:"):
                    arn = f"arn:aws:iam::<account-id>:oidc-provider/{info.value}"
                    fixes = [Fix("Use an IAM OIDC provider ARN", (Edit(item.span, json_str(arn)),), preferred=False)]
                ctx.report(item, f"Invalid federated principal '{info.value}': {info.problem}", fixes=fixes)
            elif info.problem:
                ctx.report(info.span(item, "account"), f"Invalid federated principal '{info.value}': {info.problem}")


@rule(
    "IAM407", "trust-saml-without-audience", "SAML trust without a SAML:aud condition", "warning",
    """
    Pin SAML federation to the AWS sign-in endpoint with `"StringEquals": {"SAML:aud":
    "https://signin.aws.amazon.com/saml"}` (or the regional endpoint you use), as the IAM console does,
    so assertions issued for another audience are not accepted.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}, '
        '"Action": "sts:AssumeRoleWithSAML"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}, '
         '"Action": "sts:AssumeRoleWithSAML", '
         '"Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(99,),
    scope="statement",
)
def trust_saml_without_audience(ctx: Context) -> None:
    for st in ctx.statements:
        if not allows(st, ASSUME_SAML) or "saml:aud" in st.condition_keys():
            continue
        for _, item, info in _allow_principals(ctx, st):
            if info.kind == P.SAML_PROVIDER:
                ctx.report(item, "SAML trust without a SAML:aud condition: add StringEquals SAML:aud "
                                 "\"https://signin.aws.amazon.com/saml\"")


def _oidc_statements(ctx: Context):
    """(statement, item, info) for web identity principals of statements that allow AssumeRoleWithWebIdentity."""
    for st in ctx.statements:
        if not allows(st, ASSUME_WEB):
            continue
        for ptype, item, info in _allow_principals(ctx, st):
            if ptype == "Federated" and info.is_oidc and info.provider and not info.has_wildcard:
                yield st, item, info


@rule(
    "IAM408", "trust-oidc-without-condition", "OIDC trust with no condition on the provider's claims", "security",
    """
    Trusting an OIDC provider without conditions on its claims lets every identity the provider
    issues tokens for assume the role: every GitHub repository, every Kubernetes service account of the
    cluster, every user of Google. Add conditions on `<provider>:aud` and `<provider>:sub`.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
        '"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE1234"}, '
        '"Action": "sts:AssumeRoleWithWebIdentity"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
         '"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE1234"}, '
         '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {'
         '"oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE1234:aud": "sts.amazonaws.com", '
         '"oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE1234:sub": "system:serviceaccount:default:app"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(100,),
    scope="statement",
)
def trust_oidc_without_condition(ctx: Context) -> None:
    for st, item, info in _oidc_statements(ctx):
        if not provider_conditions(st, info.provider):
            ctx.report(item, f"Any identity of '{info.provider}' can assume this role: add conditions on "
                             f"{info.provider}:aud and {info.provider}:sub")


# Web identity domains whose audience claim is called app_id.
_APP_ID_PROVIDERS = frozenset({"www.amazon.com", "graph.facebook.com"})


@rule(
    "IAM409", "trust-oidc-without-audience", "OIDC trust without a condition on the audience claim", "suggestion",
    """
    The audience (`<provider>:aud`; `:app_id` for Login with Amazon and Facebook) says which
    application the token was issued for. Without it, tokens the provider issued for other clients
    are accepted too. For GitHub Actions and EKS the audience is sts.amazonaws.com; for Cognito the
    identity pool id. Reported as a suggestion when the subject is already pinned.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
        '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
        '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": '
        '{"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
         '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
         '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": '
         '{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", '
         '"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(101,),
    scope="statement",
)
def trust_oidc_without_audience(ctx: Context) -> None:
    for st, item, info in _oidc_statements(ctx):
        conds = provider_conditions(st, info.provider)
        if not conds:
            continue  # IAM408 reports the missing conditions
        claim = "app_id" if info.provider in _APP_ID_PROVIDERS else "aud"
        claims = {c.key_lower.rsplit(":", 1)[1] for c in conds}
        if claim not in claims and "oaud" not in claims:
            ctx.report(item, f"No condition on {info.provider}:{claim}: tokens issued for other clients of this "
                             "provider are accepted")


@rule(
    "IAM410", "trust-oidc-without-subject", "OIDC trust without a condition on the subject claim", "warning",
    """
    The subject (`<provider>:sub`) identifies who the token belongs to: a GitHub repository and ref,
    a Kubernetes service account. Without it, every identity of the provider (with the right
    audience) can assume the role; for GitHub Actions that is every repository on GitHub, a security
    risk. For Cognito identity pools, pin `cognito-identity.amazonaws.com:amr` to "authenticated"
    (a suggestion). Google, Facebook and Login with Amazon trusts are identified by their app
    audience and not flagged.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
        '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
        '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": '
        '{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
         '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
         '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": '
         '{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", '
         '"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(102, 103),
    scope="statement",
)
def trust_oidc_without_subject(ctx: Context) -> None:
    for st, item, info in _oidc_statements(ctx):
        conds = provider_conditions(st, info.provider)
        if not conds or info.provider in ("accounts.google.com", *_APP_ID_PROVIDERS):
            continue
        claims = {c.key_lower.rsplit(":", 1)[1] for c in conds}
        if info.provider == P.COGNITO:
            if "amr" not in claims:
                ctx.report(item, "No condition on cognito-identity.amazonaws.com:amr: unauthenticated identities of "
                                 "the pool can assume this role too; add ForAnyValue:StringLike amr \"authenticated\"",
                           severity=variant(ctx, Severity.SUGGESTION))
            continue
        if "sub" in claims:
            continue
        if P.is_github_actions(info.provider):
            ctx.report(item, f"No condition on {info.provider}:sub: workflows of any GitHub repository can "
                             "assume this role; pin repo:<org>/<repo>:...",
                       severity=variant(ctx, Severity.SECURITY))
        else:
            ctx.report(item, f"No condition on {info.provider}:sub: every identity of this provider can assume "
                             "the role")


_WEAK_CLAIMS = ("workflow", "environment", "ref", "context", "head_ref", "base_ref", "job_workflow_ref",
                "actor", "event_name", "ref_type")


def _github_sub_problem(value: str, like: bool) -> tuple[Severity, str] | None:
    """Why a GitHub sub value is too broad, with the severity, or None."""
    if like and set(value) <= {"*", "?"}:
        return Severity.SECURITY, "matches every repository on GitHub"
    claim = value.split(":", 1)[0]
    if claim == "repo":
        repo = value.split(":", 2)[1] if value.count(":") >= 1 else ""
        if like and any(c in repo for c in "*?"):
            return Severity.SECURITY, f"'{value}' matches any repository of the owner (or of every owner)"
        rest = value.split(":", 2)[2] if value.count(":") >= 2 else ""
        if like and rest and set(rest) <= {"*", "?"}:
            return Severity.SUGGESTION, f"'{value}' matches every branch, tag, pull request and environment of the " \
                                        "repository; pin a branch or environment"
        return None
    if ":" not in value:
        return Severity.WARNING, f"'{value}' does not have the claim:value structure of a GitHub subject"
    if claim in _WEAK_CLAIMS:
        return Severity.WARNING, (f"'{value}' starts with the '{claim}' claim, which any repository can produce: "
                                  "start the subject with repo:<org>/<repo>")
    return None


@rule(
    "IAM411", "trust-github-subject-too-broad", "GitHub Actions trust accepts too many repositories or refs",
    "warning",
    """
    `token.actions.githubusercontent.com:sub` decides which workflows can assume the role. A wildcard
    for the repository (`*`, `repo:octo-org/*`) lets any repository of the owner (or of GitHub) in, a
    security risk; `repo:org/app:*` lets every branch and pull request in (a suggestion to pin a branch
    or environment). A subject that does not start with `repo:` but with a claim such as workflow,
    environment or ref can be produced by any repository.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
        '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
        '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": '
        '{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": '
        '{"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
         '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
         '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": '
         '{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", '
         '"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(104, 105),
    scope="statement",
)
def trust_github_subject_too_broad(ctx: Context) -> None:
    for st in ctx.statements:
        for c in st.conditions:
            provider, _, claim = c.key_lower.rpartition(":")
            if claim != "sub" or not P.is_github_actions(provider):
                continue
            if c.base_operator.startswith(("StringNot", "ArnNot")):
                continue
            like = "Like" in c.base_operator
            for v in c.values:
                if v.text is None:
                    continue
                problem = _github_sub_problem(v.text, like)
                if problem:
                    ctx.report(v, f"GitHub subject {problem[1]}", severity=variant(ctx, problem[0]))


@rule(
    "IAM412", "trust-audience-set-operator", "Set operator on the single-valued audience claim", "security",
    """
    IAM treats the audience claim (`<provider>:aud`, `SAML:aud`) as a single value. ForAnyValue on it
    accepts a token as soon as any one of its audiences matches, so tokens issued for other clients
    too get in (a security risk); ForAllValues is true when the key is absent, so it may match a
    request without an audience at all. Use the plain operator (StringEquals).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
        '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
        '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"ForAnyValue:StringEquals": '
        '{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringEquals": '
        '{"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
         '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
         '"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": '
         '{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", '
         '"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(106,),
    scope="statement",
)
def trust_audience_set_operator(ctx: Context) -> None:
    for st in ctx.statements:
        for c in st.conditions:
            if c.qualifier is None or not (c.key_lower.endswith(":aud") or c.key_lower.endswith(":oaud")):
                continue
            plain = c.operator.split(":", 1)[1]
            fixes = []
            op_obj = c.operator_member.value
            if op_obj is not None and len(op_obj.members) == 1:
                fixes = [Fix(f"Use {plain}", (Edit(c.operator_span, json_str(plain)),))]
            sev = Severity.SECURITY if c.qualifier == "ForAnyValue" else Severity.WARNING
            ctx.report(c.operator_span, f"'{c.key}' is single-valued: use {plain} instead of {c.operator}",
                       fixes=fixes, severity=variant(ctx, sev))


@rule(
    "IAM413", "trust-roles-anywhere-actions", "IAM Roles Anywhere trust lacks sts:TagSession or "
    "sts:SetSourceIdentity", "error",
    """
    IAM Roles Anywhere creates sessions with sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity
    (it tags the session with the certificate's attributes and sets its source identity). A trust
    policy for rolesanywhere.amazonaws.com must allow all three, or CreateSession fails.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Service": "rolesanywhere.amazonaws.com"}, "Action": "sts:AssumeRole", '
        '"Condition": {"ArnEquals": {"aws:SourceArn": '
        '"arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/a1b2c3d4"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Service": "rolesanywhere.amazonaws.com"}, '
         '"Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], '
         '"Condition": {"ArnEquals": {"aws:SourceArn": '
         '"arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/a1b2c3d4"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(107,),
)
def trust_roles_anywhere_actions(ctx: Context) -> None:
    stmts = [(st, item) for st in ctx.statements for ptype, item, info in _allow_principals(ctx, st)
             if ptype == "Service" and info.value.lower() == ROLES_ANYWHERE]
    if not stmts:
        return
    needed = (ASSUME_ROLE, TAG_SESSION, SET_SOURCE_IDENTITY)
    missing = [a for a in needed if not any(allows(st, a) for st, _ in stmts)]
    if missing:
        st, item = stmts[0]
        ctx.report(item, f"IAM Roles Anywhere also needs {', '.join(missing)} in this trust policy",
                   fixes=add_actions_fix(st, missing) if len(stmts) == 1 else [])


# Condition keys that are only set when a companion action is allowed in the same trust policy.
_KEY_ACTIONS = (("aws:requesttag/", TAG_SESSION), ("aws:tagkeys", TAG_SESSION), ("sts:transitivetagkeys", TAG_SESSION),
                ("sts:sourceidentity", SET_SOURCE_IDENTITY))


@rule(
    "IAM414", "trust-condition-key-needs-action", "Session condition key without the action that sets it",
    "warning",
    """
    Session-tag keys (aws:RequestTag/*, aws:TagKeys, sts:TransitiveTagKeys) are only present when the
    caller passes session tags, which needs sts:TagSession in the trust policy; sts:SourceIdentity needs
    sts:SetSourceIdentity. Without the action, passing tags or a source identity fails and the
    condition is pointless. Add the action (in this statement or another one for the same principal).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"AWS": "arn:aws:iam::111122223333:role/Caller"}, "Action": "sts:AssumeRole", '
        '"Condition": {"StringEquals": {"aws:RequestTag/team": "data"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"AWS": "arn:aws:iam::111122223333:role/Caller"}, '
         '"Action": ["sts:AssumeRole", "sts:TagSession"], '
         '"Condition": {"StringEquals": {"aws:RequestTag/team": "data"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(108,),
)
def trust_condition_key_needs_action(ctx: Context) -> None:
    for st in ctx.statements:
        if not st.is_allow:
            continue
        for c in st.conditions:
            for prefix, action in _KEY_ACTIONS:
                if (c.key_lower == prefix or (prefix.endswith("/") and c.key_lower.startswith(prefix))) \
                        and not allowed_anywhere(ctx, action):
                    ctx.report(c.key_span, f"'{c.key}' is only set when the trust policy allows {action}: add it",
                               fixes=add_actions_fix(st, [action]))


@rule(
    "IAM415", "trust-redundant-session-principal", "Assumed-role session principal redundant with its role",
    "suggestion",
    """
    A role trust policy that trusts a role already covers every session of that role; also listing an
    `arn:aws:sts::<account>:assumed-role/<role>/<session>` principal for it adds nothing. Remove the
    session principal.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ['
        '"arn:aws:iam::111122223333:role/Ops", "arn:aws:sts::111122223333:assumed-role/Ops/alice"]}, '
        '"Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
         '"arn:aws:iam::111122223333:role/Ops"}, "Action": "sts:AssumeRole"}]}',
    policy_types=("trust",), example_type="trust", rows=(110,), tags=("unnecessary",),
)
def trust_redundant_session_principal(ctx: Context) -> None:
    roles: dict[tuple[str | None, str], Item] = {}
    for st in ctx.statements:
        if st.conditions:
            continue  # a conditional grant does not cover the session unconditionally
        for ptype, item, info in _allow_principals(ctx, st):
            if ptype == "AWS" and info.kind == P.IAM_ROLE and info.name:
                roles[(info.account, info.name.lower())] = item
    for st in ctx.statements:
        for ptype, item, info in _allow_principals(ctx, st):
            if ptype != "AWS" or info.kind != P.ASSUMED_ROLE or not info.name:
                continue
            role = roles.get((info.account, info.name.lower()))
            if role is None:
                continue
            fixes = []
            parent = item.node.parent
            if item.index is not None and parent is not None and len(parent.items) > 1:
                fixes = [Fix("Remove the session principal", (remove_item_edit(item.node),))]
            ctx.report(item, f"The session '{info.value}' is already covered by its role '{role.text}'",
                       fixes=fixes, related=[Related(role.span, "the role that covers it")])


@rule(
    "IAM416", "trust-compute-service", "Role is assumable by a compute service", "suggestion",
    """
    Roles trusted by compute services (EC2, Lambda, ECS tasks, EKS) hand their permissions to any
    code running there, so a compromised workload gets them. This informational check lists such
    roles to review their permissions; it is off by default.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
        '"Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole", '
         '"Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(111,), enabled_by_default=False,
    scope="statement",
)
def trust_compute_service(ctx: Context) -> None:
    for st in ctx.statements:
        for ptype, item, info in _allow_principals(ctx, st):
            if ptype == "Service" and info.name and info.name.lower() in COMPUTE_SERVICES:
                ctx.report(item, f"Code running on {info.value} gets this role's permissions: keep them minimal")


@rule(
    "IAM417", "trust-service-without-source", "Service trust without aws:SourceArn or aws:SourceAccount",
    "suggestion",
    """
    A service that assumes roles for many customers can be misled into assuming yours for someone
    else's resource (the cross-service confused deputy). When the service supports it, pin the
    resource or account it acts for with aws:SourceArn, aws:SourceAccount, aws:SourceOrgID or
    aws:SourceOrgPaths. Compute services (EC2, Lambda, ECS tasks, EKS, ...) pass no source and are
    not flagged. AWS's own examples often omit these keys, so this is a suggestion.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole", '
         '"Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}',
    policy_types=("trust",), example_type="trust", rows=(85,),
    scope="statement",
)
def trust_service_without_source(ctx: Context) -> None:
    for st in ctx.statements:
        if has_any_key(st, SOURCE_KEYS):
            continue
        for ptype, item, info in _allow_principals(ctx, st):
            if ptype != "Service" or info.kind != P.SERVICE or info.has_wildcard:
                continue
            if info.name and info.name.lower() in COMPUTE_SERVICES:
                continue
            ctx.report(item, f"Consider limiting {info.value} with aws:SourceArn or aws:SourceAccount, so it can "
                             "only assume this role for your own resources")


@rule(
    "IAM418", "permissive-sensitive-condition-value", "Wildcard or policy variable in a source or principal "
    "identity condition", "security",
    """
    Conditions on aws:SourceAccount, aws:SourceArn, aws:SourceOrgID, aws:PrincipalOrgID,
    aws:PrincipalAccount, aws:PrincipalArn or sts:ExternalId exist to pin who may use the role or
    resource. A value that is only wildcards matches everyone, and a policy variable makes the check
    compare the request with itself; either way the condition protects nothing. Use literal values.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole", '
        '"Condition": {"StringLike": {"aws:SourceAccount": "*"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
         '"Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole", '
         '"Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}',
    policy_types=("trust", "resource"), example_type="trust", rows=(113,),
    scope="statement",
)
def permissive_sensitive_condition_value(ctx: Context) -> None:
    for st in ctx.statements:
        if not st.is_allow:
            continue
        for c in st.conditions:
            if c.key_lower not in SENSITIVE_KEYS or "Not" in c.base_operator or c.base_operator == "Null":
                continue
            like = "Like" in c.base_operator
            for v in c.values:
                text = v.text
                if text is None:
                    continue
                if like and text and set(text) <= {"*", "?"}:
                    ctx.report(v, f"'{c.key}' {c.operator} '{text}' matches every value: use the literal "
                                  "account, ARN or organization id")
                elif "${" in text:
                    ctx.report(v, f"'{c.key}' compared with a policy variable ('{text}') does not pin a fixed "
                                  "value: use the literal account, ARN or organization id")
