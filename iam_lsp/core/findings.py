"""Findings: what a rule reports, with exact ranges, related places and fix edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from iam_lsp.core.text import Span

DOCS_BASE = "https://github.com/iam-lsp/iam-lsp/blob/main/docs/rules.md"


class Severity(str, Enum):
    """Severities, in Access Analyzer's vocabulary (ERROR, SECURITY_WARNING, WARNING, SUGGESTION)."""

    ERROR = "error"
    SECURITY = "security"
    WARNING = "warning"
    SUGGESTION = "suggestion"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        v = value.strip().lower()
        aliases = {"security_warning": "security", "security-warning": "security", "info": "suggestion",
                   "hint": "suggestion", "information": "suggestion", "warn": "warning", "err": "error"}
        return cls(aliases.get(v, v))


_RANK = {Severity.SUGGESTION: 0, Severity.WARNING: 1, Severity.SECURITY: 2, Severity.ERROR: 3}


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text in `span` by `new_text` (code-point offsets)."""

    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    preferred: bool = True

    def apply(self, text: str) -> str:
        """The text with this fix's edits made (non-overlapping edits, applied last to first)."""
        for e in sorted(self.edits, key=lambda e: e.span.start, reverse=True):
            text = text[:e.span.start] + e.new_text + text[e.span.end:]
        return text


@dataclass(frozen=True, slots=True)
class Related:
    span: Span
    message: str


@dataclass(slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    fixes: tuple[Fix, ...] = ()
    tags: tuple[str, ...] = ()  # "unnecessary", "deprecated"
    statement_index: int | None = None
    sid: str | None = None
    data: dict = field(default_factory=dict)

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE}#{self.code.lower()}"

    def sort_key(self) -> tuple:
        return (self.span.start, self.span.end, self.code, self.message)
