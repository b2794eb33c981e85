"""Hover: markdown for the key or value under the cursor, plus any finding at that place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from iam_lsp.core.complete import SERVICE_VALUED_KEYS
from iam_lsp.core.describe import (
    describe_action,
    describe_condition_key,
    describe_element,
    describe_operator,
    describe_principal,
    describe_principal_type,
    describe_resource,
    describe_service_principal,
)
from iam_lsp.core.findings import Finding
from iam_lsp.core.jsontree import INVALID, STRING, Member, Node, ParseResult, node_at
from iam_lsp.core.locate import Path, chain_path, element_path, parse_cached
from iam_lsp.core.text import Span

if TYPE_CHECKING:
    from iam_lsp.core.analyze import Analysis
    from iam_lsp.core.config import Config


@dataclass(frozen=True, slots=True)
class HoverResult:
    markdown: str
    span: Span


@dataclass(frozen=True, slots=True)
class _Hit:
    is_key: bool
    node: Node
    path: Path  # key: the object's path; value: the value's path
    text: str


def _token_at(tree: ParseResult, offset: int) -> _Hit | None:
    """The string (key or value) or bare word under the cursor; a cursor right after one counts."""
    chain = node_at(tree.root, offset)
    if not chain:
        return None
    last = chain[-1]
    if isinstance(last, Member):
        key = last.key_node
        if key.start <= offset <= key.end:
            return _Hit(True, key, chain_path(chain[:-1]), last.key)
        return None
    if last.kind in (STRING, INVALID) and last.start <= offset <= last.end:
        value = last.value if isinstance(last.value, str) else ""
        path = chain_path(chain[:-1]) if len(chain) > 1 and isinstance(chain[-2], Member) else chain_path(chain)
        return _Hit(False, last, path, value)
    return None


def _describe_key(ep: tuple, key: str) -> str | None:
    if ep in ((), ("Statement",)):
        return describe_element(key)
    if len(ep) == 2 and ep[1] in ("Principal", "NotPrincipal"):
        return describe_principal_type(key)
    if ep == ("Statement", "Condition"):
        return describe_operator(key)
    if len(ep) == 3 and ep[:2] == ("Statement", "Condition"):
        return describe_condition_key(key)
    return None


def _describe_value(ep: tuple, value: str) -> str | None:
    if ep in (("Version",), ("Id",), ("Statement", "Effect"), ("Statement", "Sid")):
        return describe_element(ep[-1])
    if ep in (("Statement", "Action"), ("Statement", "NotAction")):
        return describe_action(value)
    if ep in (("Statement", "Resource"), ("Statement", "NotResource")):
        return describe_resource(value)
    if ep in (("Statement", "Principal"), ("Statement", "NotPrincipal")):
        return describe_principal("", value)
    if len(ep) == 3 and ep[1] in ("Principal", "NotPrincipal"):
        return describe_principal(str(ep[2]), value)
    if len(ep) == 4 and ep[:2] == ("Statement", "Condition"):
        key = str(ep[3])
        if key.lower() in SERVICE_VALUED_KEYS:
            return describe_service_principal(value)
        return describe_condition_key(key)
    return None


def _finding_markdown(f: Finding) -> str:
    from iam_lsp.core.rules import get_rule

    out = f"**{f.code}** ({f.severity.value}): {f.message}"
    r = get_rule(f.code)
    if r is not None:
        out += f"\n\n{r.explanation}"
    return out + f"\n\n[{f.code} documentation]({f.docs_url})"


def _findings_at(analysis: Analysis, offset: int) -> list[Finding]:
    return [f for f in analysis.findings
            if f.span.start <= offset < f.span.end or (f.span.start == f.span.end == offset)]


def hover_at(text: str, offset: int, analysis: Analysis | None = None,
             config: Config | None = None) -> HoverResult | None:
    """Markdown for what is under the cursor (a code-point offset), or None."""
    offset = max(0, min(offset, len(text)))
    tree = analysis.tree if analysis is not None and analysis.tree.root is not None else parse_cached(text)
    hit = _token_at(tree, offset) if tree.root is not None else None
    found = _findings_at(analysis, offset) if analysis is not None else []
    if hit is not None and found and offset == hit.node.end and hit.node.terminated:
        hit = None  # the cursor is on the next character (a finding's), not the token before it
    parts: list[str] = []
    span: Span | None = None
    if hit is not None:
        ep = element_path(hit.path)
        md = _describe_key(ep, hit.text) if hit.is_key else _describe_value(ep, hit.text)
        if md:
            parts.append(md)
            span = hit.node.span
    parts.extend(_finding_markdown(f) for f in found)
    if span is None and found:
        span = found[0].span
    if not parts or span is None:
        return None
    return HoverResult("\n\n---\n\n".join(parts), span)
