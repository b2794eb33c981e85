"""Markdown descriptions for hover and completion documentation.

Principals, STS actions, IAM actions (with wildcard expansion), condition keys, condition operators,
policy elements and the concepts a reader needs (trust versus permissions policy, PassRole,
service-linked roles). Everything is offline: the knowledge base plus the short texts below.
"""

from __future__ import annotations

import re

from iam_lsp.core.knowledge import ActionInfo, ConditionKeyInfo, knowledge_base
from iam_lsp.core.operators import IF_EXISTS, OPERATORS, parse_operator

IAM_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
SAR_DOCS = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
STS_DOCS = "https://docs.aws.amazon.com/STS/latest/APIReference/API_{}.html"
GLOBAL_KEYS_DOCS = IAM_DOCS + "reference_policies_condition-keys.html"
OPERATORS_DOCS = IAM_DOCS + "reference_policies_elements_condition_operators.html"
PRINCIPAL_DOCS = IAM_DOCS + "reference_policies_elements_principal.html"
PASSROLE_DOCS = IAM_DOCS + "id_roles_use_passrole.html"
SLR_DOCS = IAM_DOCS + "using-service-linked-roles.html"
OIDC_DOCS = IAM_DOCS + "id_roles_providers_create_oidc.html"
SAML_DOCS = IAM_DOCS + "id_roles_providers_saml.html"
WILDCARD_LIST_LIMIT = 15


def link(title: str, url: str) -> str:
    return f"[{title}]({url})"


def _element_url(name: str) -> str:
    slug = {"NotAction": "notaction", "NotResource": "notresource", "NotPrincipal": "notprincipal"}.get(name, name.lower())
    return f"{IAM_DOCS}reference_policies_elements_{slug}.html"


# --- policy elements -------------------------------------------------------------------------------

ELEMENTS: dict[str, str] = {
    "Version": "The policy language version. Always use `\"2012-10-17\"`: the older `2008-10-17` (or no Version) "
               "does not support policy variables such as `${aws:username}`, which are then matched literally.",
    "Id": "An optional identifier for the policy (used by some resource policies such as SQS and SNS). "
          "Identity policies should leave it out.",
    "Statement": "The policy's statements: one object or an array of objects. Each statement allows or "
                 "denies actions on resources, optionally for principals and under conditions.",
    "Sid": "An optional statement id. In IAM policies only letters and digits, unique within the policy.",
    "Effect": "`Allow` or `Deny` (case-sensitive). An explicit Deny always wins over any Allow; without an "
              "Allow the request is implicitly denied.",
    "Principal": "Who the statement applies to. Only in resource-based policies and role trust policies "
                 "(never in identity policies or SCPs). Types: `AWS` (accounts, users, roles), `Service` "
                 "(AWS service principals), `Federated` (SAML/OIDC providers), `CanonicalUser` (S3 only), or `\"*\"` "
                 "(everyone).",
    "NotPrincipal": "Every principal except the ones listed. Deprecated for new policies: use `Principal` with "
                    "a condition on `aws:PrincipalArn` instead. Not allowed in role trust policies.",
    "Action": "The actions the statement covers, as `service:Action` (case-insensitive; `*` and `?` wildcards).",
    "NotAction": "Every action except the ones listed. With `Allow` this grants far more than it seems "
                 "(all current and future actions of every service); prefer an explicit `Action` list.",
    "Resource": "The resources the statement covers, as ARNs (wildcards allowed) or `\"*\"`. Required in "
                "identity policies; not used in role trust policies (the role is the resource).",
    "NotResource": "Every resource except the ones listed. With `Allow` this is easy to get wrong.",
    "Condition": "Extra conditions: `{\"Operator\": {\"key\": value(s)}}`. Operators are ANDed, keys within an "
                 "operator are ANDed, and the values of one key are ORed.",
}

PRINCIPAL_TYPES: dict[str, str] = {
    "AWS": "AWS accounts, IAM users, roles and assumed-role sessions, by account id or ARN (`\"*\"`: anyone).",
    "Service": "AWS service principals such as `lambda.amazonaws.com`: the service may act on your behalf.",
    "Federated": "A SAML provider ARN, an OIDC provider ARN, or a built-in web identity provider "
                 "(`cognito-identity.amazonaws.com`, `accounts.google.com`, `graph.facebook.com`, `www.amazon.com`).",
    "CanonicalUser": "An S3 canonical user id (S3 bucket policies only; mostly for CloudFront origin access identities).",
}

TRUST_VS_PERMISSIONS = (
    "A **trust policy** (role's assume-role policy) says *who may become the role* (`Principal` + `sts:*` actions). "
    "A **permissions policy** says *what the role may do*. Both are needed."
)


def describe_element(name: str, parent: str = "") -> str | None:
    """An element of the top level or of a statement."""
    text = ELEMENTS.get(name)
    if text is None:
        return None
    out = [f"**{name}** (policy element)", "", text]
    if name in ("Principal", "NotPrincipal"):
        out += ["", TRUST_VS_PERMISSIONS]
    out += ["", link("IAM JSON policy elements: " + name, _element_url(name))]
    return "\n".join(out)


def describe_principal_type(name: str) -> str | None:
    text = PRINCIPAL_TYPES.get(name)
    if text is None:
        return None
    return f"**{name}** (principal type)\n\n{text}\n\n{link('Principal element', PRINCIPAL_DOCS)}"


# --- principals ------------------------------------------------------------------------------------

_ACCOUNT = re.compile(r"^\d{12}$")
_ARN = re.compile(r"^arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.*)$")
_BUILTIN_WEB = {
    "cognito-identity.amazonaws.com": ("Amazon Cognito identity pools",
                                       "Require `cognito-identity.amazonaws.com:aud` (the identity pool id) and "
                                       "`cognito-identity.amazonaws.com:amr` (`authenticated`)."),
    "accounts.google.com": ("Google", "Require `accounts.google.com:aud` (your OAuth client id)."),
    "graph.facebook.com": ("Facebook", "Require `graph.facebook.com:app_id`."),
    "www.amazon.com": ("Login with Amazon", "Require `www.amazon.com:app_id`."),
}
GITHUB = "token.actions.githubusercontent.com"


def describe_principal(kind: str, value: str) -> str:
    """A principal value under `kind` (AWS, Service, Federated, CanonicalUser, or "" for the bare form)."""
    if value == "*":
        scope = "any AWS principal" if kind == "AWS" else "anyone, including anonymous callers" if not kind else f"any {kind} principal"
        return (f"**`*`**: {scope}.\n\nTrusting `*` makes the resource public (or, in a trust policy, lets anyone "
                "assume the role) unless conditions such as `aws:PrincipalOrgID` narrow it.\n\n"
                + link("Principal element", PRINCIPAL_DOCS))
    if kind == "Service":
        return describe_service_principal(value)
    if kind == "Federated":
        return _describe_federated(value)
    if kind == "CanonicalUser":
        return ("**S3 canonical user id**: an account's or a CloudFront origin access identity's S3 identity. "
                "Only valid in S3 bucket policies.\n\n" + link("Principal element", PRINCIPAL_DOCS))
    return _describe_aws_principal(value)


def _describe_aws_principal(value: str) -> str:
    if _ACCOUNT.match(value):
        return (f"**AWS account `{value}`** (same as `arn:aws:iam::{value}:root`).\n\nTrusts the *whole account*: "
                "any user or role there whose own policies allow it can act. Narrow it with `aws:PrincipalArn` "
                "(or name the role), and use `sts:ExternalId` for third parties.\n\n" + link("Principal element", PRINCIPAL_DOCS))
    m = _ARN.match(value)
    if not m:
        return f"**`{value}`**: not an account id or ARN; IAM expects a 12-digit account id, an ARN or `*`."
    account, resource, service = m["account"], m["resource"], m["service"]
    if service == "sts" and resource.startswith("assumed-role/"):
        parts = resource.split("/")
        role = parts[1] if len(parts) > 1 else "?"
        session = parts[2] if len(parts) > 2 else "?"
        what = (f"**Assumed-role session** `{session}` of role `{role}` in account `{account}`.\n\nMatches only "
                "that one session name; sessions are temporary, so prefer the role ARN.")
    elif service == "iam" and resource == "root":
        if account == "*":
            what = "**Any AWS account** (`*` in the account field): as open as `\"*\"`."
        else:
            what = (f"**Account `{account}`** (root): trusts the *whole account*, not the root user only. "
                    "Any principal there whose own policies allow it can act.")
    elif service == "iam" and resource.startswith("role/"):
        what = (f"**IAM role** `{resource.split('/')[-1]}` in account `{account}`.\n\nIf the role is deleted and "
                "re-created, the policy no longer matches it (IAM stores a unique id).")
        if "/aws-service-role/" in resource:
            what += "\n\n" + SLR_NOTE
    elif service == "iam" and resource.startswith("user/"):
        what = f"**IAM user** `{resource.split('/')[-1]}` in account `{account}` (long-term credentials)."
    else:
        what = f"**`{service}` principal** `{resource}` in account `{account or '-'}`."
    return what + "\n\n" + link("Principal element", PRINCIPAL_DOCS)


SLR_NOTE = ("**Service-linked role**: predefined by an AWS service (path `/aws-service-role/`); its trust and "
            "permissions policies are managed by AWS and cannot be edited. "
            + link("Service-linked roles", SLR_DOCS))


def describe_service_principal(name: str) -> str:
    kb = knowledge_base()
    status = kb.principal_status(name)
    prefix = name.split(".", 1)[0]
    service = kb.service_name(prefix)
    head = f"**Service principal `{name}`**" + (f": {service}" if service else "")
    known = {
        "documented": "Known service principal (named in AWS documentation).",
        "observed": "Known service principal (seen in AWS managed and trust policies).",
        "derived_from_prefixes": "Probable service principal (derived from the service prefix, unconfirmed).",
    }.get(status or "", "Unknown service principal: check the spelling (AWS publishes no complete list).")
    return (f"{head}\n\n{known}\n\nTrusting a service lets it act on your behalf (assume the role, or call this "
            "resource). Protect against the confused deputy with `aws:SourceArn` / `aws:SourceAccount`.\n\n"
            + link("Service principals", PRINCIPAL_DOCS + "#principal-services"))


def _describe_federated(value: str) -> str:
    kb = knowledge_base()
    m = _ARN.match(value)
    if m and m["resource"].startswith("saml-provider/"):
        return (f"**SAML provider** `{m['resource'].split('/', 1)[1]}` in account `{m['account']}`.\n\nUsers signed "
                "in through this identity provider may call `sts:AssumeRoleWithSAML`. Require `SAML:aud` "
                "(`https://signin.aws.amazon.com/saml`).\n\n" + link("SAML federation", SAML_DOCS))
    if m and m["resource"].startswith("oidc-provider/"):
        host = m["resource"].split("/", 1)[1]
        return _describe_oidc(host, f" (registered in account `{m['account']}`)")
    if value in _BUILTIN_WEB:
        name, advice = _BUILTIN_WEB[value]
        return (f"**Web identity provider: {name}** (`{value}`).\n\nUsers with a token from {name} may call "
                f"`sts:AssumeRoleWithWebIdentity`. {advice}\n\n" + link("OIDC federation", OIDC_DOCS))
    if value.startswith(GITHUB) or value in kb.federated_providers:
        return _describe_oidc(value, "")
    return (f"**Federated principal `{value}`**: expected a SAML or OIDC provider ARN or a built-in provider "
            "such as `cognito-identity.amazonaws.com`.\n\n" + link("Principal element", PRINCIPAL_DOCS))


def _describe_oidc(host: str, where: str) -> str:
    if host.startswith(GITHUB):
        return (f"**GitHub Actions OIDC provider**{where}.\n\nAny GitHub workflow can get a token from `{GITHUB}`, so the "
                f"trust policy **must** pin `{GITHUB}:aud` to `sts.amazonaws.com` and `{GITHUB}:sub` to your "
                "repository and branch or environment (e.g. `repo:ORG/REPO:ref:refs/heads/main`); without `sub`, "
                "every repository on GitHub can assume the role.\n\n" + link("OIDC federation", OIDC_DOCS))
    return (f"**OIDC provider** `{host}`{where}.\n\nHolders of a token from this issuer may call "
            f"`sts:AssumeRoleWithWebIdentity`. Require `{host}:aud` and `{host}:sub`.\n\n" + link("OIDC federation", OIDC_DOCS))


# --- actions ---------------------------------------------------------------------------------------

STS_NOTES: dict[str, str] = {
    "assumerole": "Returns temporary credentials for a role (15 minutes to the role's maximum session duration, "
                  "up to 12 hours; 1 hour when chaining roles). Callers: IAM users and roles (also in other "
                  "accounts) and AWS services, as allowed by the role's trust policy.",
    "assumerolewithsaml": "Exchanges a SAML assertion from a trusted SAML provider for role credentials (15 minutes "
                          "to the role's maximum, up to 12 hours). No AWS credentials needed: the trust policy "
                          "names the provider as a `Federated` principal.",
    "assumerolewithwebidentity": "Exchanges an OIDC token (GitHub Actions, EKS, Cognito, Google, ...) for role "
                                 "credentials (15 minutes to 12 hours). No AWS credentials needed: the trust policy's "
                                 "conditions on `aud` and `sub` are the only protection.",
    "tagsession": "Lets the caller pass session tags when assuming the role (needed in the trust policy "
                  "whenever tags are passed, e.g. by SAML or IAM Identity Center).",
    "setsourceidentity": "Lets the caller set a source identity on the session; it persists across role chaining "
                         "and appears in CloudTrail.",
    "setcontext": "Lets the caller pass trusted context assertions (e.g. from IAM Identity Center) into the session.",
    "getsessiontoken": "Temporary credentials for an IAM user or the root user, typically to add MFA "
                       "(15 minutes to 36 hours; 1 hour for root). Cannot call IAM or most STS APIs.",
    "getfederationtoken": "Temporary credentials for a federated user, issued by an IAM user (15 minutes to 36 "
                          "hours); the passed session policy limits them.",
    "assumeroot": "Short-lived root-user credentials for a member account, for a few privileged tasks "
                  "(at most 15 minutes), from the management or delegated-administrator account.",
    "getcalleridentity": "Returns the caller's account, user id and ARN. Always allowed: policies cannot deny it.",
    "decodeauthorizationmessage": "Decodes the encoded message of an authorization failure.",
    "getaccesskeyinfo": "Returns the account id that owns an access key.",
}

PASSROLE_NOTE = (
    "**Passing a role** lets a service use it on your behalf: when you launch an EC2 instance, create a Lambda "
    "function or a CloudFormation stack with a role, the service checks that *you* may pass that role. Without "
    "limits, whoever can pass a powerful role gains its permissions. Limit `Resource` to the roles meant to be "
    "passed and add `iam:PassedToService` (e.g. `lambda.amazonaws.com`) so the role can only go to the intended "
    "service; `iam:AssociatedResourceArn` narrows it further.\n\n" + link("Passing a role to a service", PASSROLE_DOCS)
)


def describe_action_info(info: ActionInfo) -> str:
    kb = knowledge_base()
    service = kb.service_name(info.service) or info.service
    out = [f"**{info.full_name}** ({service})", "", info.description or "(no description)", "",
           f"Access level: **{info.access_level or '?'}**"]
    if info.resource_types:
        types = ", ".join(f"`{r.name}`{'*' if r.required else ''}" for r in info.resource_types)
        out.append(f"Resource types: {types}" + (" (* required)" if any(r.required for r in info.resource_types) else ""))
    else:
        out.append("Resource types: none (use `\"Resource\": \"*\"`)")
    keys = sorted(info.all_condition_keys(), key=str.lower)
    if keys:
        shown = ", ".join(f"`{k}`" for k in keys[:12]) + (f" and {len(keys) - 12} more" if len(keys) > 12 else "")
        out.append(f"Condition keys: {shown}")
    deps = sorted({*info.dependent_actions, *(d for r in info.resource_types for d in r.dependent_actions)})
    if deps:
        out.append("Dependent actions: " + ", ".join(f"`{d}`" for d in deps))
    lname = info.full_name.lower()
    if info.service == "sts" and info.name.lower() in STS_NOTES:
        out += ["", STS_NOTES[info.name.lower()], "", link(f"STS {info.name}", STS_DOCS.format(info.name))]
    if lname == "iam:passrole":
        out += ["", PASSROLE_NOTE]
    if lname in ("iam:createservicelinkedrole", "iam:deleteservicelinkedrole"):
        out += ["", SLR_NOTE]
    out += ["", link("Actions, resources and condition keys", SAR_DOCS)]
    return "\n".join(out)


def describe_action(pattern: str) -> str:
    """An action as written: exact, a wildcard pattern (expanded within its service), or unknown."""
    kb = knowledge_base()
    if pattern.strip() == "*":
        return ("**`*`**: every action of every AWS service, including future ones. Grants administrator "
                "access in an Allow.\n\n" + link("Action element", _element_url("Action")))
    prefix, sep, name = pattern.partition(":")
    if not sep:
        return f"**`{pattern}`**: an action must be written `service:Action` (e.g. `s3:GetObject`)."
    if any(c in prefix for c in "*?"):
        return (f"**`{pattern}`**: a wildcard in the service part matches actions of many services; "
                "name the services explicitly.")
    if not kb.has_service(prefix):
        near = kb.suggest_service(prefix)
        hint = f" Did you mean {', '.join(f'`{s}`' for s in near)}?" if near else ""
        return f"**Unknown service prefix `{prefix}`**.{hint}\n\n" + link("Service prefixes", SAR_DOCS)
    if any(c in name for c in "*?"):
        return _describe_wildcard(pattern, prefix)
    info = kb.action(prefix, name)
    if info is None:
        near = kb.suggest_action(prefix, name)
        hint = f" Did you mean {', '.join(f'`{s}`' for s in near)}?" if near else ""
        return (f"**Unknown action `{pattern}`**: {kb.service_name(prefix)} has no action `{name}`.{hint}\n\n"
                + link("Actions, resources and condition keys", SAR_DOCS))
    return describe_action_info(info)


def _describe_wildcard(pattern: str, prefix: str) -> str:
    kb = knowledge_base()
    matched = kb.expand(pattern)
    service = kb.service_name(prefix)
    if not matched:
        return f"**`{pattern}`** matches no {service} action."
    levels: dict[str, int] = {}
    for a in matched:
        levels[a.access_level] = levels.get(a.access_level, 0) + 1
    summary = ", ".join(f"{n} {lvl or '?'}" for lvl, n in sorted(levels.items()))
    names = [f"`{a.full_name}`" for a in sorted(matched, key=lambda a: a.name)]
    shown = names[:WILDCARD_LIST_LIMIT]
    more = f"\n- ... and {len(names) - len(shown)} more" if len(names) > len(shown) else ""
    plural = "s" if len(matched) != 1 else ""
    return (f"**`{pattern}`** matches **{len(matched)}** {service} action{plural} ({summary}):\n\n"
            + "\n".join(f"- {n}" for n in shown) + more + "\n\n" + link("Actions, resources and condition keys", SAR_DOCS))


# --- condition keys and operators ------------------------------------------------------------------

GLOBAL_KEY_TEXT: dict[str, str] = {
    "aws:principalarn": "The ARN of the calling principal (for an assumed role: the role's ARN, not the session's).",
    "aws:principalaccount": "The account id of the calling principal.",
    "aws:principalorgid": "The AWS Organizations id of the caller's organization: the usual way to trust 'my organization'.",
    "aws:principalorgpaths": "The caller's organization path(s) (o-id/r-root/ou-...).",
    "aws:principaltag/${tagkey}": "A tag attached to the calling user or role (or a session tag).",
    "aws:principalisawsservice": "true when the call is made by an AWS service principal itself.",
    "aws:principalservicename": "The service principal name when a service makes the call.",
    "aws:principaltype": "Account, User, FederatedUser, AssumedRole or Anonymous.",
    "aws:userid": "The caller's unique id (for roles: ROLEID:session-name).",
    "aws:username": "The IAM user's name (absent for roles).",
    "aws:multifactorauthpresent": "true when the credentials were obtained with MFA. Absent for long-term access keys: "
                                  "test with `BoolIfExists` in a Deny.",
    "aws:multifactorauthage": "Seconds since MFA authentication.",
    "aws:sourceip": "The caller's public IP address (absent for calls through VPC endpoints and AWS services).",
    "aws:sourcevpc": "The VPC of the VPC endpoint the request came through.",
    "aws:sourcevpce": "The VPC endpoint the request came through.",
    "aws:securetransport": "true when the request used TLS. Deny when false to enforce HTTPS.",
    "aws:sourcearn": "The ARN of the resource on whose behalf a service calls (confused-deputy protection).",
    "aws:sourceaccount": "The account of the resource on whose behalf a service calls (confused-deputy protection).",
    "aws:sourceorgid": "The organization of the resource on whose behalf a service calls.",
    "aws:requestedregion": "The Region the request is made to.",
    "aws:requesttag/${tagkey}": "A tag passed in the request (on create or tag operations).",
    "aws:resourcetag/${tagkey}": "A tag attached to the resource.",
    "aws:tagkeys": "The tag keys passed in the request (multivalued: use ForAllValues or ForAnyValue).",
    "aws:calledvia": "The services that made the request on the caller's behalf, in order (multivalued).",
    "aws:viaawsservice": "true when an AWS service makes the request on the caller's behalf.",
    "aws:currenttime": "The date and time of the request.",
    "aws:resourceaccount": "The account that owns the resource.",
    "aws:resourceorgid": "The organization of the account that owns the resource.",
    "aws:sourceidentity": "The source identity set on the role session.",
    "aws:tokenissuetime": "When the temporary credentials were issued.",
}

KEY_NOTES: dict[str, str] = {
    "iam:passedtoservice": "The service principal the role is passed to (e.g. `ec2.amazonaws.com`). "
                           "**Recommended on every `iam:PassRole` Allow.**",
    "iam:associatedresourcearn": "The ARN of the resource the passed role will be associated with.",
    "sts:externalid": "A secret-ish id a third party must send with AssumeRole: protects against the confused "
                      "deputy when another account assumes your role (2-1,224 characters).",
    f"{GITHUB}:sub": "The workflow's subject: `repo:ORG/REPO:ref:refs/heads/BRANCH`, `repo:ORG/REPO:environment:NAME`, "
                     "`repo:ORG/REPO:pull_request`. Pin it to your repository.",
    f"{GITHUB}:aud": "The token's audience: `sts.amazonaws.com` for the official AWS action.",
}


def describe_condition_key(key: str) -> str:
    kb = knowledge_base()
    info = kb.condition_key(key)
    if info is None:
        near = kb.suggest_condition_key(key)
        hint = f" Did you mean {', '.join(f'`{k}`' for k in near)}?" if near else ""
        return f"**Unknown condition key `{key}`**.{hint}\n\n" + link("Global condition keys", GLOBAL_KEYS_DOCS)
    return describe_key_info(info, key)


def describe_key_info(info: ConditionKeyInfo, written: str | None = None) -> str:
    text = KEY_NOTES.get(info.key.lower()) or info.description or GLOBAL_KEY_TEXT.get(info.key.lower(), "")
    values = "multivalued (use `ForAllValues:` or `ForAnyValue:`)" if info.multivalued else "single-valued"
    scope = "global key" if info.is_global else f"{info.key.split(':', 1)[0]} key"
    out = [f"**{written or info.key}** ({scope})", "", text or "(no description)", "",
           f"Type: **{info.scalar_type}**, {values}"]
    if info.sensitive:
        out.append("Sensitive key: never use wildcards or variables in its values.")
    if info.deprecated:
        out.append(f"Deprecated: {info.deprecated}")
    url = GLOBAL_KEYS_DOCS if info.is_global else SAR_DOCS
    out += ["", link("Condition keys", url)]
    return "\n".join(out)


_QUALIFIER_TEXT = {
    "ForAllValues": "`ForAllValues:` every value in the request must match one of the policy's values. True when the "
                    "key is absent or empty, so in an Allow add a `Null` check.",
    "ForAnyValue": "`ForAnyValue:` at least one value in the request must match one of the policy's values. "
                   "False when the key is absent.",
}


def describe_operator(raw: str) -> str:
    p = parse_operator(raw)
    if p.spec is None:
        return (f"**Unknown condition operator `{raw}`** (operator names are case-sensitive).\n\n"
                + link("Condition operators", OPERATORS_DOCS))
    spec = p.spec
    out = [f"**{raw}** (condition operator)", "", f"{spec.description}. Values: **{spec.value_type}**."]
    if spec.wildcards:
        out.append("Wildcards `*` and `?` are allowed in values.")
    if p.if_exists:
        out.append(f"`{IF_EXISTS}`: if the key is absent from the request, the condition is true; otherwise "
                   f"`{p.base}` applies.")
    if p.qualifier:
        out.append(_QUALIFIER_TEXT[p.qualifier] + " Only meaningful for multivalued keys.")
    out += ["", link("Condition operators", OPERATORS_DOCS)]
    return "\n".join(out)


def operator_detail(raw: str) -> str:
    p = parse_operator(raw)
    return f"{p.spec.value_type} operator" if p.spec else "operator"


def is_operator_name(raw: str) -> bool:
    return parse_operator(raw).spec is not None or raw in OPERATORS


# --- resources -------------------------------------------------------------------------------------


def describe_resource(value: str) -> str:
    """A Resource value: "*", or an ARN matched against its service's resource types."""
    if value == "*":
        return ("**`*`**: every resource the actions apply to (required for actions without resource types).\n\n"
                + link("Resource element", _element_url("Resource")))
    m = _ARN.match(value)
    if not m:
        return f"**`{value}`**: not an ARN (`arn:partition:service:region:account:resource`) or `*`."
    kb = knowledge_base()
    service = m["service"]
    if not kb.has_service(service):
        return f"**ARN of unknown service `{service}`**.\n\n" + link("ARN formats", SAR_DOCS)
    types = [rt for rt in kb.resource_types(service).values() if rt.arn and rt.regex.match(value)]
    name = kb.service_name(service)
    if not types:
        return f"**{name} ARN** `{value}`: matches none of the service's resource types.\n\n" + link("ARN formats", SAR_DOCS)
    lines = "\n".join(f"- `{rt.key}`: `{rt.arn}`" for rt in types[:5])
    return f"**{name} ARN**, resource type:\n\n{lines}\n\n" + link("ARN formats", SAR_DOCS)
