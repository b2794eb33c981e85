"""Snippets (LSP snippet syntax) for statements and whole policies.

Each snippet is a statement; at the top of an empty document it is wrapped into a whole policy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Snippet:
    label: str
    detail: str
    body: str  # a statement object in snippet syntax, lines indented by tabs relative to the statement


SNIPPETS: tuple[Snippet, ...] = (
    Snippet("statement", "Allow statement",
            '{\n\t"Sid": "${1:AllowRead}",\n\t"Effect": "${2|Allow,Deny|}",\n\t"Action": [\n\t\t"${3:s3:GetObject}"\n\t],\n'
            '\t"Resource": [\n\t\t"${4:arn:aws:s3:::bucket/*}"\n\t]\n}'),
    Snippet("trust-service", "Trust policy: let an AWS service assume the role",
            '{\n\t"Effect": "Allow",\n\t"Principal": {\n\t\t"Service": "${1:lambda.amazonaws.com}"\n\t},\n'
            '\t"Action": "sts:AssumeRole",\n\t"Condition": {\n\t\t"StringEquals": {\n'
            '\t\t\t"aws:SourceAccount": "${2:123456789012}"\n\t\t}\n\t}\n}'),
    Snippet("trust-github-oidc", "Trust policy: GitHub Actions OIDC",
            '{\n\t"Effect": "Allow",\n\t"Principal": {\n'
            '\t\t"Federated": "arn:aws:iam::${1:123456789012}:oidc-provider/token.actions.githubusercontent.com"\n\t},\n'
            '\t"Action": "sts:AssumeRoleWithWebIdentity",\n\t"Condition": {\n\t\t"StringEquals": {\n'
            '\t\t\t"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",\n'
            '\t\t\t"token.actions.githubusercontent.com:sub": "repo:${2:ORG}/${3:REPO}:ref:refs/heads/${4:main}"\n'
            '\t\t}\n\t}\n}'),
    Snippet("trust-cross-account", "Trust policy: another account, with sts:ExternalId",
            '{\n\t"Effect": "Allow",\n\t"Principal": {\n\t\t"AWS": "arn:aws:iam::${1:123456789012}:root"\n\t},\n'
            '\t"Action": "sts:AssumeRole",\n\t"Condition": {\n\t\t"StringEquals": {\n'
            '\t\t\t"sts:ExternalId": "${2:external-id}"\n\t\t}\n\t}\n}'),
    Snippet("passrole", "PassRole limited to one service with iam:PassedToService",
            '{\n\t"Effect": "Allow",\n\t"Action": "iam:PassRole",\n'
            '\t"Resource": "arn:aws:iam::${1:123456789012}:role/${2:RoleName}",\n\t"Condition": {\n'
            '\t\t"StringEquals": {\n\t\t\t"iam:PassedToService": "${3:lambda.amazonaws.com}"\n\t\t}\n\t}\n}'),
)


def indent(body: str, prefix: str) -> str:
    """Indent every line after the first (the editor keeps the first line's indentation)."""
    return body.replace("\n", "\n" + prefix)


def as_policy(s: Snippet) -> str:
    """The statement wrapped in a whole policy document."""
    return '{\n\t"Version": "2012-10-17",\n\t"Statement": [\n\t\t' + indent(s.body, "\t\t") + "\n\t]\n}"
