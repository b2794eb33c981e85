"""The rule catalogue: each rule has a stable code, a name, a severity, docs and a bad and a good example.

The same metadata feeds diagnostics, hover, `iam-lsp explain`, docs/rules.md and the catalogue test.
Codes never change; a retired rule keeps its code reserved. Families (by code range):

  IAM0xx document and grammar    IAM1xx actions          IAM2xx resources and ARNs
  IAM3xx principals              IAM4xx trust policies   IAM5xx conditions
  IAM6xx PassRole and service-linked roles               IAM7xx security risk
  IAM8xx size quotas, SCP and RCP                        IAM9xx redundancy and style
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from iam_lsp.core.findings import Severity
from iam_lsp.core.policytype import PolicyType

if TYPE_CHECKING:
    from iam_lsp.core.context import Context

CheckFn = Callable[["Context"], None]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    title: str  # the one-line message shown in listings
    severity: Severity
    # The docs as written in the @rule call (indented). Dedented on first use: the 579 texts took 5 ms of
    # every process's start-up, and only hover, `explain` and the docs read them (as properties, so
    # dataclasses.asdict and repr show these fields, not the dedented texts).
    explanation_source: str = field(repr=False)
    bad_source: str = field(repr=False)
    good_source: str = field(repr=False)
    check: CheckFn
    family: str
    policy_types: frozenset[PolicyType] | None = None  # None: every type
    example_type: PolicyType | None = None  # type to analyse the examples as (None: detect)
    rows: tuple[int, ...] = ()  # rows of the master table in shared/reference/checks.md
    tags: tuple[str, ...] = ()
    enabled_by_default: bool = True
    options: dict = field(default_factory=dict)  # documented options with their defaults
    late: bool = False  # run after every other rule (e.g. to skip what specific rules already report)
    # "statement": the rule's findings on a document are the union of its findings on each statement alone
    # (it reads nothing outside the statement but the top-level elements), so the language server can
    # reuse them for statements an edit did not touch. "document": anything else.
    scope: str = "document"

    @cached_property
    def explanation(self) -> str:
        return textwrap.dedent(self.explanation_source).strip()

    @cached_property
    def bad(self) -> str:
        """A policy document that makes the rule fire."""
        return textwrap.dedent(self.bad_source).strip() + "\n"

    @cached_property
    def good(self) -> str:
        """The corrected document, on which the rule stays quiet."""
        return textwrap.dedent(self.good_source).strip() + "\n"

    def applies_to(self, ptype: PolicyType) -> bool:
        return self.policy_types is None or ptype in self.policy_types

    @property
    def docs_anchor(self) -> str:
        return self.code.lower()


_REGISTRY: dict[str, Rule] = {}
_BY_NAME: dict[str, Rule] = {}

FAMILIES = {
    "0": "Document and grammar",
    "1": "Actions",
    "2": "Resources and ARNs",
    "3": "Principals",
    "4": "Trust policies",
    "5": "Conditions",
    "6": "PassRole and service-linked roles",
    "7": "Security risk",
    "8": "Size quotas, SCP and RCP",
    "9": "Redundancy and style",
}


def rule(
    code: str,
    name: str,
    title: str,
    severity: Severity | str,
    explanation: str,
    bad: str,
    good: str,
    *,
    policy_types: Iterable[PolicyType | str] | None = None,
    example_type: PolicyType | str | None = None,
    rows: Iterable[int] = (),
    tags: Iterable[str] = (),
    enabled_by_default: bool = True,
    options: dict | None = None,
    late: bool = False,
    scope: str = "document",
) -> Callable[[CheckFn], CheckFn]:
    """Register a check function as a rule. The function calls ctx.report(...) for each finding."""

    def deco(fn: CheckFn) -> CheckFn:
        if code in _REGISTRY:
            raise ValueError(f"duplicate rule code {code}")
        if name in _BY_NAME:
            raise ValueError(f"duplicate rule name {name}")
        if scope not in ("statement", "document") or (scope == "statement" and late):
            raise ValueError(f"rule {code}: scope must be 'statement' or 'document' (late rules: 'document')")
        r = Rule(
            code=code,
            name=name,
            title=title,
            severity=Severity(severity) if isinstance(severity, str) else severity,
            explanation_source=explanation,
            bad_source=bad,
            good_source=good,
            check=fn,
            family=FAMILIES.get(code[3:4], "Other"),
            policy_types=frozenset(PolicyType(p) for p in policy_types) if policy_types is not None else None,
            example_type=PolicyType(example_type) if example_type else None,
            rows=tuple(rows),
            tags=tuple(tags),
            enabled_by_default=enabled_by_default,
            options=dict(options or {}),
            late=late,
            scope=scope,
        )
        _REGISTRY[code] = r
        _BY_NAME[name] = r
        return fn

    return deco


def registry() -> dict[str, Rule]:
    return _REGISTRY


def by_name() -> dict[str, Rule]:
    return _BY_NAME
