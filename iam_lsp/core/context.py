"""What a rule sees: the text, the tree, the policy model, its type, the knowledge base and options."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from iam_lsp.core.findings import Finding, Fix, Related, Severity
from iam_lsp.core.jsontree import Member, Node, ParseResult
from iam_lsp.core.model import Element, Item, Policy, Statement
from iam_lsp.core.policytype import Detection, PolicyType
from iam_lsp.core.text import LineIndex, Span

if TYPE_CHECKING:
    from iam_lsp.core.config import Config
    from iam_lsp.core.knowledge import KnowledgeBase
    from iam_lsp.core.rules.base import Rule

Where = Span | Node | Member | Item | Element
T = TypeVar("T")


def span_of(where: Where) -> Span:
    if isinstance(where, Span):
        return where
    if isinstance(where, (Node, Item, Element, Member)):
        return where.span
    raise TypeError(f"cannot locate {where!r}")


class Context:
    def __init__(self, text: str, tree: ParseResult, policy: Policy, detection: Detection,
                 config: Config, path: str | None = None) -> None:
        self.text = text
        self.tree = tree
        self.policy = policy
        self.detection = detection
        self.config = config
        self.path = path
        self.findings: list[Finding] = []
        self.rule: Rule | None = None
        self._derived: dict[object, Any] = {}
        self.severity: Severity = Severity.ERROR
        self._options: dict[str, Any] = {}

    @property
    def policy_type(self) -> PolicyType:
        return self.detection.type

    @property
    def resource_kind(self) -> str | None:
        return self.detection.resource_kind

    @property
    def statements(self) -> list[Statement]:
        return self.policy.statements

    @cached_property
    def kb(self) -> KnowledgeBase:
        from iam_lsp.core.knowledge import knowledge_base

        return knowledge_base()

    @cached_property
    def lines(self) -> LineIndex:
        return LineIndex(self.text)

    def derived(self, key: object, compute: Callable[[], T]) -> T:
        """Compute once per document what several rules need (parsed ARNs, expanded actions...).

        Keys are module-level objects or tuples, so families do not collide.
        """
        try:
            return self._derived[key]
        except KeyError:
            value = self._derived[key] = compute()
            return value

    @property
    def options(self) -> dict[str, Any]:
        return self._options

    def begin(self, rule: Rule, severity: Severity | None = None, options: dict[str, Any] | None = None) -> None:
        """Start running `rule`; severity and options default to what the configuration says."""
        self.rule = rule
        self.severity = severity if severity is not None else self.config.severity_for(
            rule.code, rule.name, rule.severity)
        self._options = options if options is not None else self.config.rule_options(
            rule.code, rule.name, rule.options)

    def report(
        self,
        where: Where,
        message: str,
        *,
        statement: Statement | None = None,
        fixes: Iterable[Fix] = (),
        related: Iterable[Related] = (),
        tags: Iterable[str] = (),
        severity: Severity | None = None,
        data: dict | None = None,
    ) -> None:
        """Record a finding of the running rule at `where` (a span, node, member, item or element)."""
        assert self.rule is not None, "report() outside a rule"
        span = span_of(where)
        if statement is None:
            statement = self.statement_at(span.start)
        self.findings.append(
            Finding(
                code=self.rule.code,
                name=self.rule.name,
                severity=severity or self.severity,
                message=message,
                span=span,
                related=tuple(related),
                fixes=tuple(fixes),
                tags=tuple(tags) or self.rule.tags,
                statement_index=statement.index if statement else None,
                sid=statement.sid_text if statement else None,
                data=data or {},
            )
        )

    @cached_property
    def _statements_by_start(self) -> tuple[list[int], list[Statement]]:
        ordered = sorted(self.policy.statements, key=lambda st: st.node.start)
        return [st.node.start for st in ordered], ordered

    def statement_at(self, offset: int) -> Statement | None:
        # Binary search: a linear scan per report made documents with thousands of statements quadratic.
        starts, ordered = self._statements_by_start
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and ordered[i].node.start <= offset < ordered[i].node.end:
            return ordered[i]
        return None
