"""Document and grammar rules (IAM0xx): JSON syntax, duplicate keys, elements, Version, Statement, Effect, Sid."""

from __future__ import annotations

from iam_lsp.core.context import Context
from iam_lsp.core.rules.base import rule

# Master-table rows this family does not cover, with the reason (collected into docs/coverage.md).
UNCOVERED: dict[int, str] = {}


@rule(
    "IAM010", "json-syntax", "The document is not valid JSON", "error",
    """
    IAM accepts only strict JSON: no comments, no trailing commas, double-quoted strings and keys,
    every bracket closed. The editor keeps working on a half-typed document, but AWS rejects it.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(1,),
)
def json_syntax(ctx: Context) -> None:
    for issue in ctx.tree.errors:
        if issue.kind == "duplicate-key":
            continue
        ctx.report(issue.span, issue.message)


@rule(
    "IAM011", "duplicate-key", "The same key appears twice in one JSON object", "error",
    """
    JSON parsers silently keep the last of two equal keys, so a second `Effect` or `Condition`
    hides the first one's intent. The policy grammar forbids duplicate keys.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}',
    rows=(2,),
)
def duplicate_key(ctx: Context) -> None:
    for first, dup in ctx.tree.duplicates:
        ctx.report(dup.key_node, f"Duplicate key '{dup.key}': the earlier one is ignored by JSON parsers")
