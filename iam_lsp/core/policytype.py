"""Policy types and their detection from content and file name."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only annotations: the batch linter's cached path never needs the policy model
    from iam_lsp.core.model import Policy


class PolicyType(str, Enum):
    IDENTITY = "identity"
    TRUST = "trust"
    RESOURCE = "resource"
    SCP = "scp"
    RCP = "rcp"
    BOUNDARY = "boundary"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def has_principal(self) -> bool:
        """Resource-based policies (and trust policies, a kind of them) name a Principal."""
        return self in (PolicyType.TRUST, PolicyType.RESOURCE, PolicyType.RCP)

    @property
    def is_identity_like(self) -> bool:
        return self in (PolicyType.IDENTITY, PolicyType.BOUNDARY)


_LABELS = {
    PolicyType.IDENTITY: "identity policy",
    PolicyType.TRUST: "role trust policy",
    PolicyType.RESOURCE: "resource policy",
    PolicyType.SCP: "service control policy",
    PolicyType.RCP: "resource control policy",
    PolicyType.BOUNDARY: "permissions boundary",
}

# Resource types of resource-based policies, keyed by the service prefix that owns them.
RESOURCE_KINDS = {
    "s3": "AWS::S3::Bucket",
    "kms": "AWS::KMS::Key",
    "sqs": "AWS::SQS::Queue",
    "sns": "AWS::SNS::Topic",
    "lambda": "AWS::Lambda::Function",
    "ecr": "AWS::ECR::Repository",
    "secretsmanager": "AWS::SecretsManager::Secret",
    "es": "AWS::OpenSearchService::Domain",
    "glacier": "AWS::Glacier::Vault",
    "events": "AWS::Events::EventBus",
    "logs": "AWS::Logs::ResourcePolicy",
    "backup": "AWS::Backup::BackupVault",
    "dynamodb": "AWS::DynamoDB::Table",
    "apigateway": "AWS::ApiGateway::RestApi",
    "execute-api": "AWS::ApiGateway::RestApi",
    "elasticfilesystem": "AWS::EFS::FileSystem",
    "kinesis": "AWS::Kinesis::Stream",
    "s3-object-lambda": "AWS::S3ObjectLambda::AccessPoint",
}

TRUST_ACTIONS = frozenset(
    a.lower()
    for a in (
        "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession",
        "sts:SetSourceIdentity", "sts:SetContext", "sts:*", "sts:AssumeRole*",
    )
)

_NAME_HINTS: list[tuple[re.Pattern[str], PolicyType]] = [
    (re.compile(r"(^|[^a-z])(trust|assume[-_]?role)", re.I), PolicyType.TRUST),
    (re.compile(r"(^|[^a-z])scp([^a-z]|$)|service[-_]?control", re.I), PolicyType.SCP),
    (re.compile(r"(^|[^a-z])rcp([^a-z]|$)|resource[-_]?control", re.I), PolicyType.RCP),
    (re.compile(r"boundary", re.I), PolicyType.BOUNDARY),
    (re.compile(r"(bucket|queue|topic|key|resource)[-_]?policy", re.I), PolicyType.RESOURCE),
]


@dataclass(frozen=True, slots=True)
class Detection:
    type: PolicyType
    resource_kind: str | None  # e.g. AWS::S3::Bucket for a bucket policy
    source: str  # "override", "config", "file name", "content", "default"

    def describe(self) -> str:
        kind = f" ({self.resource_kind})" if self.resource_kind else ""
        return f"{self.type.label}{kind}, from {self.source}"


def _resource_kind(policy: Policy) -> str | None:
    prefixes: dict[str, int] = {}
    for st in policy.statements:
        for item in st.actions() + [i for i in (st.not_action or []) if i.is_string]:
            prefix = item.text.split(":", 1)[0].lower() if ":" in item.text else ""
            if prefix:
                prefixes[prefix] = prefixes.get(prefix, 0) + 1
        for item in st.resources():
            parts = item.text.split(":")
            if len(parts) > 2 and parts[0] == "arn":
                prefixes[parts[2]] = prefixes.get(parts[2], 0) + 1
    for prefix, _ in sorted(prefixes.items(), key=lambda kv: -kv[1]):
        if prefix in RESOURCE_KINDS:
            return RESOURCE_KINDS[prefix]
    return None


def detect_from_content(policy: Policy) -> tuple[PolicyType, str | None]:
    with_principal = [s for s in policy.statements if s.principal is not None or s.not_principal is not None]
    if not with_principal:
        return PolicyType.IDENTITY, None
    # Trust policy: the actions are STS assume/session actions and there is no Resource element.
    has_resource = any(s.resource is not None or s.not_resource is not None for s in policy.statements)
    actions = [i.text.lower() for s in policy.statements for i in s.actions()]
    if actions and not has_resource and all(a in TRUST_ACTIONS or a.startswith("sts:assumerole") for a in actions):
        return PolicyType.TRUST, "AWS::IAM::AssumeRolePolicyDocument"
    if not has_resource and any(a.startswith("sts:assumerole") for a in actions):
        return PolicyType.TRUST, "AWS::IAM::AssumeRolePolicyDocument"
    return PolicyType.RESOURCE, _resource_kind(policy)


def detect(
    policy: Policy,
    path: str | None = None,
    override: PolicyType | None = None,
    globs: dict[str, PolicyType] | None = None,
) -> Detection:
    """Decide the policy type: explicit override, then config globs, then file name, then content."""
    if override is not None:
        kind = _resource_kind(policy) if override == PolicyType.RESOURCE else None
        if override == PolicyType.TRUST:
            kind = "AWS::IAM::AssumeRolePolicyDocument"
        return Detection(override, kind, "override")
    if path and globs:
        norm = path.replace("\\", "/")
        for pattern, ptype in globs.items():
            if fnmatch.fnmatch(norm, pattern) or fnmatch.fnmatch(norm.rsplit("/", 1)[-1], pattern):
                return detect(policy, None, ptype).__class__(ptype, detect(policy, None, ptype).resource_kind, "config")
    content_type, content_kind = detect_from_content(policy)
    if path:
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        for pattern, ptype in _NAME_HINTS:
            if pattern.search(name) and _name_fits_content(ptype, content_type, policy):
                kind = content_kind if ptype == content_type else (
                    "AWS::IAM::AssumeRolePolicyDocument" if ptype == PolicyType.TRUST else
                    _resource_kind(policy) if ptype == PolicyType.RESOURCE else None)
                return Detection(ptype, kind, "file name")
    return Detection(content_type, content_kind, "content" if content_type != PolicyType.IDENTITY else "default")


def _name_fits_content(hint: PolicyType, content: PolicyType, policy: Policy) -> bool:
    """A file-name hint may refine the type, but never contradict what the content plainly shows."""
    if content == PolicyType.IDENTITY:  # no Principal anywhere
        if hint in (PolicyType.SCP, PolicyType.BOUNDARY):
            return True
        # A trust policy being typed may not have its Principal yet, but it never has a Resource.
        if hint == PolicyType.TRUST:
            return not any(s.resource is not None or s.not_resource is not None for s in policy.statements)
        return False
    # With a Principal: trust, resource or RCP, as the name says.
    return hint in (PolicyType.TRUST, PolicyType.RESOURCE, PolicyType.RCP)
