"""Classify a principal value: account id, IAM/STS ARN, unique id, service, identity provider, canonical user.

`classify(value, ptype)` is pure string analysis (no network, no knowledge base needed); pass a
knowledge base to also learn whether a service principal is a known name. Part offsets are in the
decoded string; `PrincipalInfo.span(item, part)` maps them to source spans through the item.
Used by the principal and trust rules, hover and completion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from iam_lsp.core.text import Span

if TYPE_CHECKING:
    from iam_lsp.core.knowledge import KnowledgeBase
    from iam_lsp.core.model import Item

# Kinds
WILDCARD = "wildcard"  # "*"
ACCOUNT_ID = "account-id"  # 123456789012
ACCOUNT_ROOT = "account-root"  # arn:aws:iam::123456789012:root
IAM_USER = "iam-user"
IAM_ROLE = "iam-role"
IAM_GROUP = "iam-group"  # not a valid principal
ASSUMED_ROLE = "assumed-role"  # arn:aws:sts::123456789012:assumed-role/Role/session
FEDERATED_USER = "federated-user"  # arn:aws:sts::123456789012:federated-user/name
UNIQUE_ID = "unique-id"  # AROA..., AIDA...
SERVICE = "service"  # ec2.amazonaws.com
SAML_PROVIDER = "saml-provider"  # arn:aws:iam::123456789012:saml-provider/Name
OIDC_PROVIDER = "oidc-provider"  # arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
WEB_IDENTITY = "web-identity"  # accounts.google.com, cognito-identity.amazonaws.com, ...
CANONICAL_USER = "canonical-user"  # 64 hex characters
INVALID = "invalid"

# Domains STS accepts directly as Federated principals (no provider ARN needed).
WEB_IDENTITY_DOMAINS = frozenset({
    "accounts.google.com", "cognito-identity.amazonaws.com", "graph.facebook.com", "www.amazon.com",
})
# OIDC issuers that need an oidc-provider ARN but are well known (for messages and claim checks).
GITHUB_ACTIONS = "token.actions.githubusercontent.com"
COGNITO = "cognito-identity.amazonaws.com"

_GITHUB_ISSUER = re.compile(r"^token\.actions\.(githubusercontent\.com(/.*)?|[a-z0-9-]+\.ghe\.com)$", re.I)


def is_github_actions(provider: str | None) -> bool:
    """GitHub Actions OIDC issuers: github.com (optionally with an enterprise path) and GHE.com tenants."""
    return bool(provider) and bool(_GITHUB_ISSUER.match(provider))


SERVICE_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".amazon.com")
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")

# Unique id prefixes of IAM entities (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html).
UNIQUE_ID_PREFIXES = {
    "AROA": "role", "AIDA": "user", "AGPA": "group", "ANPA": "managed policy", "ANVA": "policy version",
    "ASIA": "temporary access key", "AKIA": "access key", "AIPA": "instance profile", "ASCA": "certificate",
    "APKA": "public key", "ACCA": "context-specific credential",
}

_ACCOUNT = re.compile(r"^\d{12}$")
_UNIQUE = re.compile(r"^(A[A-Z]{3})[A-Z0-9]{12,}$")
_CANONICAL = re.compile(r"^[0-9a-f]{64}$", re.I)
_ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$", re.S)


@dataclass(frozen=True)
class PrincipalInfo:
    """What a principal value is. `parts` maps names (partition, service, account, resource, name,
    session, provider) to (start, end) offsets in `value`."""

    kind: str
    value: str
    principal_type: str = "AWS"  # the key it was found under (AWS, Service, Federated, CanonicalUser)
    account: str | None = None
    partition: str | None = None
    name: str | None = None  # user/role/group/provider name, role of a session, service name
    session: str | None = None  # session name of an assumed-role ARN
    path: str | None = None  # IAM path of a user/role ("/" when none)
    provider: str | None = None  # identity provider domain (OIDC issuer or web identity domain)
    status: str | None = None  # service principal: 'documented' | 'observed' | 'derived_from_prefixes' | None
    problem: str | None = None  # why the value is malformed (kind is INVALID or the shape is off)
    parts: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def has_wildcard(self) -> bool:
        return "*" in self.value or "?" in self.value

    @property
    def is_partial_wildcard(self) -> bool:
        return self.has_wildcard and self.value != "*"

    @property
    def is_whole_account(self) -> bool:
        return self.kind in (ACCOUNT_ID, ACCOUNT_ROOT)

    @property
    def is_federated(self) -> bool:
        return self.kind in (SAML_PROVIDER, OIDC_PROVIDER, WEB_IDENTITY)

    @property
    def is_oidc(self) -> bool:
        return self.kind in (OIDC_PROVIDER, WEB_IDENTITY)

    @property
    def is_iam_entity(self) -> bool:
        return self.kind in (IAM_USER, IAM_ROLE, ASSUMED_ROLE, FEDERATED_USER)

    @property
    def service_name(self) -> str | None:
        """ec2 for ec2.amazonaws.com (and its regional / China forms)."""
        if self.kind != SERVICE:
            return None
        return self.name

    def span(self, item: Item, part: str) -> Span:
        """Source span of a part, or of the whole item when the part is unknown."""
        where = self.parts.get(part)
        if where is None:
            return item.span
        return item.sub_span(*where)

    def describe(self) -> str:
        return _DESCRIBE.get(self.kind, self.kind)


_DESCRIBE = {
    WILDCARD: "every principal (anyone)",
    ACCOUNT_ID: "an AWS account (every principal in it that its own policies allow)",
    ACCOUNT_ROOT: "an AWS account (every principal in it that its own policies allow)",
    IAM_USER: "an IAM user",
    IAM_ROLE: "an IAM role",
    IAM_GROUP: "an IAM group (groups cannot be principals)",
    ASSUMED_ROLE: "an assumed-role session",
    FEDERATED_USER: "an STS federated user session",
    UNIQUE_ID: "an IAM unique id",
    SERVICE: "an AWS service principal",
    SAML_PROVIDER: "an IAM SAML identity provider",
    OIDC_PROVIDER: "an IAM OIDC identity provider",
    WEB_IDENTITY: "a web identity provider",
    CANONICAL_USER: "an Amazon S3 canonical user id",
    INVALID: "not a valid principal",
}


def classify(value: str, principal_type: str = "AWS", kb: KnowledgeBase | None = None) -> PrincipalInfo:
    """Classify one principal value found under `principal_type` (case-insensitive key)."""
    ptype = _canonical_type(principal_type)
    if value == "*":
        return PrincipalInfo(WILDCARD, value, ptype, parts={"value": (0, 1)})
    if ptype == "Service":
        return _service(value, kb)
    if ptype == "CanonicalUser":
        if _CANONICAL.match(value):
            return PrincipalInfo(CANONICAL_USER, value, ptype, name=value, parts={"value": (0, len(value))})
        return PrincipalInfo(INVALID, value, ptype, problem="a canonical user id is 64 hexadecimal characters")
    if ptype == "Federated":
        return _federated(value)
    return _aws(value, ptype)


def _canonical_type(ptype: str) -> str:
    for t in ("AWS", "Service", "Federated", "CanonicalUser"):
        if t.lower() == ptype.lower():
            return t
    return ptype


def service_base(value: str) -> str | None:
    """The service part of a service principal (logs for logs.us-east-1.amazonaws.com), else None."""
    low = value.lower()
    for suffix in SERVICE_SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix):
            head = value[: -len(suffix)]
            head = re.sub(r"\.[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$", "", head)
            return head
    return None


def _service(value: str, kb: KnowledgeBase | None) -> PrincipalInfo:
    base = service_base(value)
    parts = {"value": (0, len(value))}
    if base is None:
        return PrincipalInfo(INVALID, value, "Service", parts=parts,
                             problem="a service principal has the form <service>.amazonaws.com")
    parts["service"] = (0, len(base))
    status = kb.principal_status(value) if kb is not None else None
    problem = "service principals are lowercase" if value != value.lower() else None
    return PrincipalInfo(SERVICE, value, "Service", name=base, status=status, problem=problem, parts=parts)


def _federated(value: str) -> PrincipalInfo:
    m = _ARN.match(value)
    if m:
        partition, service, region, account, resource = m.groups()
        parts = _arn_parts(m)
        head, sep, rest = resource.partition("/")
        if service == "iam" and not region and sep and rest:
            if head == "saml-provider":
                parts["name"] = (m.start(5) + len(head) + 1, len(value))
                return PrincipalInfo(SAML_PROVIDER, value, "Federated", account=account, partition=partition,
                                     name=rest, parts=parts, problem=_account_problem(account))
            if head == "oidc-provider":
                parts["provider"] = (m.start(5) + len(head) + 1, len(value))
                return PrincipalInfo(OIDC_PROVIDER, value, "Federated", account=account, partition=partition,
                                     name=rest, provider=rest, parts=parts, problem=_account_problem(account))
        return PrincipalInfo(INVALID, value, "Federated", account=account, partition=partition, parts=parts,
                             problem="a federated principal ARN names an IAM saml-provider or oidc-provider")
    if value.lower() in WEB_IDENTITY_DOMAINS:
        return PrincipalInfo(WEB_IDENTITY, value, "Federated", provider=value.lower(), name=value,
                             parts={"provider": (0, len(value))})
    return PrincipalInfo(INVALID, value, "Federated", provider=value, problem=(
        "use the ARN of an IAM identity provider (arn:aws:iam::<account>:saml-provider/<name> or "
        ":oidc-provider/<issuer>) or one of " + ", ".join(sorted(WEB_IDENTITY_DOMAINS))))


def _arn_parts(m: re.Match[str]) -> dict[str, tuple[int, int]]:
    return {"partition": m.span(1), "service": m.span(2), "region": m.span(3), "account": m.span(4),
            "resource": m.span(5)}


def _account_problem(account: str) -> str | None:
    if _ACCOUNT.match(account) or account == "*":
        return None
    return f"the account id '{account}' is not 12 digits"


def _aws(value: str, ptype: str) -> PrincipalInfo:
    whole = {"value": (0, len(value))}
    if _ACCOUNT.match(value):
        return PrincipalInfo(ACCOUNT_ID, value, ptype, account=value, parts={**whole, "account": (0, 12)})
    um = _UNIQUE.match(value)
    if um and um.group(1) in UNIQUE_ID_PREFIXES:
        return PrincipalInfo(UNIQUE_ID, value, ptype, name=UNIQUE_ID_PREFIXES[um.group(1)], parts=whole)
    m = _ARN.match(value)
    if not m:
        if value.isdigit():
            return PrincipalInfo(INVALID, value, ptype, account=value, parts={**whole, "account": (0, len(value))},
                                 problem=f"an account id is 12 digits, not {len(value)}")
        return PrincipalInfo(INVALID, value, ptype, parts=whole, problem=(
            "an AWS principal is a 12-digit account id or the ARN of an account root, IAM user or role, "
            "or assumed-role session"))
    partition, service, region, account, resource = m.groups()
    parts = {**whole, **_arn_parts(m)}
    common = {"account": account, "partition": partition}
    problem = _account_problem(account)
    if partition not in PARTITIONS and "*" not in partition:
        problem = problem or f"unknown partition '{partition}'"
    if region:
        problem = problem or "IAM and STS principal ARNs have an empty region field"
    if service == "iam":
        if resource == "root":
            return PrincipalInfo(ACCOUNT_ROOT, value, ptype, problem=problem, parts=parts, **common)
        kind = {"user": IAM_USER, "role": IAM_ROLE, "group": IAM_GROUP}.get(resource.split("/", 1)[0])
        if kind is not None and "/" in resource:
            path, name = _path_and_name(resource)
            parts["name"] = (len(value) - len(name), len(value))
            if kind == IAM_GROUP:
                problem = problem or "IAM groups cannot be principals; name the users or a role"
            return PrincipalInfo(kind, value, ptype, name=name, path=path, problem=problem, parts=parts, **common)
    elif service == "sts":
        head, _, rest = resource.partition("/")
        if head == "assumed-role" and "/" in rest:
            role, session = rest.split("/", 1)
            start = m.start(5) + len(head) + 1
            parts["name"] = (start, start + len(role))
            parts["session"] = (start + len(role) + 1, len(value))
            return PrincipalInfo(ASSUMED_ROLE, value, ptype, name=role, session=session, problem=problem,
                                 parts=parts, **common)
        if head == "federated-user" and rest:
            parts["name"] = (m.start(5) + len(head) + 1, len(value))
            return PrincipalInfo(FEDERATED_USER, value, ptype, name=rest, problem=problem, parts=parts, **common)
    return PrincipalInfo(INVALID, value, ptype, parts=parts, problem=(
        "an AWS principal ARN is arn:<partition>:iam::<account>:root, :user/<name>, :role/<name> or "
        "arn:<partition>:sts::<account>:assumed-role/<role>/<session>"), **common)


def _path_and_name(resource: str) -> tuple[str, str]:
    """('/', 'Name') for role/Name; ('/a/b/', 'Name') for role/a/b/Name."""
    segments = resource.split("/")[1:]
    name = segments[-1]
    path = "/" + "/".join(segments[:-1]) + "/" if len(segments) > 1 else "/"
    return path, name


def classify_item(item: Item, principal_type: str, kb: KnowledgeBase | None = None) -> PrincipalInfo | None:
    """Classify a model item (None when the item is not a string)."""
    text = item.text
    if text is None:
        return None
    return classify(text, principal_type, kb)


__all__ = [
    "ACCOUNT_ID", "ACCOUNT_ROOT", "ASSUMED_ROLE", "CANONICAL_USER", "COGNITO", "FEDERATED_USER", "GITHUB_ACTIONS",
    "IAM_GROUP", "IAM_ROLE", "IAM_USER", "INVALID", "OIDC_PROVIDER", "PrincipalInfo", "SAML_PROVIDER", "SERVICE",
    "UNIQUE_ID", "WEB_IDENTITY", "WEB_IDENTITY_DOMAINS", "WILDCARD", "classify", "classify_item", "is_github_actions",
    "service_base",
]
