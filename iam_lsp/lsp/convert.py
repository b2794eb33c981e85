"""Core values (code-point spans, findings, candidates) to LSP types in the negotiated encoding."""

from __future__ import annotations

from lsprotocol import types as t
from pygls.workspace import PositionCodec
from pygls.workspace.position_codec import ServerTextPosition

from iam_lsp.core.findings import Finding, Severity
from iam_lsp.core.text import LineIndex, Span

SOURCE = "iam-lsp"


class Positions:
    """Offsets <-> LSP positions for one text. Lines come from the core's LineIndex (\\n, \\r\\n, \\r),
    columns are converted by pygls' codec, so UTF-16/UTF-8 are never computed by hand."""

    def __init__(self, text: str, codec: PositionCodec) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.codec = codec
        self.ascii = text.isascii()  # then columns are the same in every encoding
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            idx, text = self.index, self.text
            n = idx.line_count
            self._lines = [text[idx.line_start(i): idx.line_start(i + 1) if i + 1 < n else len(text)]
                           for i in range(n)]
        return self._lines

    def position(self, offset: int) -> t.Position:
        p = self.index.position(offset)
        if self.ascii or self.index.line_text(p.line).isascii():  # every encoding counts ASCII the same
            return t.Position(p.line, p.column)
        return self.codec.position_to_client_units(self.lines, ServerTextPosition(p.line, p.column))

    def range(self, span: Span) -> t.Range:
        return t.Range(self.position(span.start), self.position(span.end))

    def offset(self, pos: t.Position) -> int:
        if pos.line >= self.index.line_count:
            return len(self.text)
        # position_from_client_units may modify its argument; pass a copy.
        sp = self.codec.position_from_client_units(self.lines, t.Position(pos.line, max(0, pos.character)))
        return self.index.offset(sp.line, sp.character)

    def span(self, rng: t.Range) -> Span:
        return Span(self.offset(rng.start), self.offset(rng.end))


def lsp_severity(sev: Severity, security_error: bool, suggestion_hint: bool) -> t.DiagnosticSeverity:
    if sev == Severity.ERROR:
        return t.DiagnosticSeverity.Error
    if sev == Severity.SECURITY:
        return t.DiagnosticSeverity.Error if security_error else t.DiagnosticSeverity.Warning
    if sev == Severity.WARNING:
        return t.DiagnosticSeverity.Warning
    return t.DiagnosticSeverity.Hint if suggestion_hint else t.DiagnosticSeverity.Information


_TAGS = {"unnecessary": t.DiagnosticTag.Unnecessary, "deprecated": t.DiagnosticTag.Deprecated}


def diagnostic(f: Finding, pos: Positions, uri: str, version: int | None, *,
               security_error: bool = False, suggestion_hint: bool = False) -> t.Diagnostic:
    related = [t.DiagnosticRelatedInformation(t.Location(uri, pos.range(r.span)), r.message) for r in f.related]
    tags = [_TAGS[x] for x in f.tags if x in _TAGS]
    return t.Diagnostic(
        range=pos.range(f.span),
        message=f.message,
        severity=lsp_severity(f.severity, security_error, suggestion_hint),
        code=f.code,
        code_description=t.CodeDescription(href=f.docs_url),
        source=SOURCE,
        related_information=related or None,
        tags=tags or None,
        # What code actions need to find this finding again in the cached analysis.
        data={"code": f.code, "name": f.name, "sid": f.sid, "statement": f.statement_index,
              "version": version, "span": [f.span.start, f.span.end], "fixes": len(f.fixes)},
    )


COMPLETION_KINDS = {
    "property": t.CompletionItemKind.Property,
    "value": t.CompletionItemKind.Value,
    "action": t.CompletionItemKind.Function,
    "service": t.CompletionItemKind.Module,
    "operator": t.CompletionItemKind.Operator,
    "condition-key": t.CompletionItemKind.Variable,
    "principal": t.CompletionItemKind.Reference,
    "snippet": t.CompletionItemKind.Snippet,
    "keyword": t.CompletionItemKind.Keyword,
}

SYMBOL_KINDS = {
    "namespace": t.SymbolKind.Namespace,
    "array": t.SymbolKind.Array,
    "object": t.SymbolKind.Object,
    "key": t.SymbolKind.Key,
    "string": t.SymbolKind.String,
    "event": t.SymbolKind.Event,
}
