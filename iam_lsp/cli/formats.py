"""Output formats of `iam-lsp lint`: text, json, sarif (2.1.0) and github (workflow annotations)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from iam_lsp import __version__
from iam_lsp.core.findings import Finding, Severity
from iam_lsp.core.text import LineIndex

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@dataclass
class FileReport:
    path: str
    text: str
    policy_type: str
    type_source: str
    resource_kind: str | None
    findings: list[Finding]
    suppressed: int = 0
    _lines: LineIndex | None = field(default=None, repr=False)

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def location(self, f: Finding) -> tuple[int, int, int, int]:
        """1-based start line/column and end line/column in code points."""
        s = self.lines.position(f.span.start)
        e = self.lines.position(f.span.end)
        return s.line + 1, s.column + 1, e.line + 1, e.column + 1

    def utf16_location(self, f: Finding) -> tuple[int, int, int, int]:
        s = self.lines.position(f.span.start)
        e = self.lines.position(f.span.end)
        return (s.line + 1, self.lines.utf16_column(f.span.start) + 1,
                e.line + 1, self.lines.utf16_column(f.span.end) + 1)


@dataclass
class Summary:
    files: int = 0
    files_with_findings: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Severity})
    suppressed: int = 0
    skipped: int = 0  # JSON files that are not IAM policies
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, problem)

    def line(self) -> str:
        c = self.counts
        total = sum(c.values())
        parts = [f"{c['error']} error{'s' * (c['error'] != 1)}", f"{c['security']} security",
                 f"{c['warning']} warning{'s' * (c['warning'] != 1)}",
                 f"{c['suggestion']} suggestion{'s' * (c['suggestion'] != 1)}"]
        extra = []
        if self.suppressed:
            extra.append(f"{self.suppressed} suppressed")
        if self.skipped:
            extra.append(f"{self.skipped} non-policy JSON file{'s' * (self.skipped != 1)} skipped")
        if self.errors:
            extra.append(f"{len(self.errors)} file{'s' * (len(self.errors) != 1)} could not be read")
        tail = f" ({', '.join(extra)})" if extra else ""
        return (f"Checked {self.files} file{'s' * (self.files != 1)}: {total} finding{'s' * (total != 1)} "
                f"in {self.files_with_findings} file{'s' * (self.files_with_findings != 1)}: "
                + ", ".join(parts) + tail)


def render_text(reports: list[FileReport], summary: Summary, color: bool = False, show_type: bool = True) -> str:
    out: list[str] = []
    sev_color = {"error": "31", "security": "35", "warning": "33", "suggestion": "36"}
    for r in reports:
        if not r.findings:
            continue
        if show_type:
            kind = f", {r.resource_kind}" if r.resource_kind else ""
            out.append(f"{r.path}: {r.policy_type} policy{kind} (from {r.type_source})")
        for f in r.findings:
            line, col, _, _ = r.location(f)
            sev = f.severity.value
            if color:
                sev = f"\x1b[{sev_color[sev]}m{sev}\x1b[0m"
            out.append(f"{r.path}:{line}:{col}: {f.code} [{sev}] {f.message}")
    for path, problem in summary.errors:
        out.append(f"{path}: error: {problem}")
    out.append(summary.line())
    return "\n".join(out) + "\n"


def _finding_json(r: FileReport, f: Finding) -> dict:
    line, col, eline, ecol = r.location(f)
    d: dict = {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "range": {"start": {"line": line, "column": col, "offset": f.span.start},
                  "end": {"line": eline, "column": ecol, "offset": f.span.end}},
        "docs": f.docs_url,
    }
    if f.sid is not None:
        d["sid"] = f.sid
    if f.statement_index is not None:
        d["statement"] = f.statement_index
    if f.related:
        d["related"] = [{"message": rel.message, "offset": rel.span.start, "end": rel.span.end,
                         "line": r.lines.position(rel.span.start).line + 1,
                         "column": r.lines.position(rel.span.start).column + 1} for rel in f.related]
    if f.fixes:
        d["fixes"] = [{"title": fx.title, "edits": [{"offset": e.span.start, "end": e.span.end, "text": e.new_text}
                                                   for e in fx.edits]} for fx in f.fixes]
    return d


def render_json(reports: list[FileReport], summary: Summary) -> str:
    doc = {
        "version": __version__,
        "files": [
            {"path": r.path, "policyType": r.policy_type, "policyTypeSource": r.type_source,
             "resourceType": r.resource_kind, "suppressed": r.suppressed,
             "findings": [_finding_json(r, f) for f in r.findings]}
            for r in reports
        ],
        "errors": [{"path": p, "message": m} for p, m in summary.errors],
        "summary": {"files": summary.files, "filesWithFindings": summary.files_with_findings,
                    **summary.counts, "suppressed": summary.suppressed, "skipped": summary.skipped, "unreadable": len(summary.errors)},
    }
    return json.dumps(doc, separators=(",", ":")) + "\n"  # compact: the C encoder (indent is pure Python)


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.SECURITY: "error", Severity.WARNING: "warning",
                Severity.SUGGESTION: "note"}
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.SECURITY: "7.5", Severity.WARNING: "5.0", Severity.SUGGESTION: "2.0"}


def render_sarif(reports: list[FileReport], summary: Summary) -> str:
    from iam_lsp.core.rules import all_rules, get_rule

    used = sorted({f.code for r in reports for f in r.findings})
    rules_meta = []
    index: dict[str, int] = {}
    for code in used:
        rule = get_rule(code)
        index[code] = len(rules_meta)
        if rule is None:  # reserved analysis codes (IAM000, IAM001)
            rules_meta.append({"id": code, "shortDescription": {"text": code}})
            continue
        rules_meta.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.explanation},
            "helpUri": f"https://github.com/iam-lsp/iam-lsp/blob/main/docs/rules.md#{rule.docs_anchor}",
            "help": {"text": rule.explanation, "markdown": rule.explanation},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
            "properties": {"tags": ["security"] if rule.severity == Severity.SECURITY else [],
                           "security-severity": _SECURITY_SEVERITY[rule.severity]},
        })
    del all_rules  # imported for the registry side effect only
    results = []
    for r in reports:
        for f in r.findings:
            line, col, eline, ecol = r.utf16_location(f)
            res = {
                "ruleId": f.code,
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": r.path.replace("\\", "/")},
                    "region": {"startLine": line, "startColumn": col, "endLine": eline, "endColumn": ecol,
                               "charOffset": f.span.start, "charLength": f.span.end - f.span.start},
                }}],
                "properties": {"severity": f.severity.value, "policyType": r.policy_type},
            }
            if f.code in index:
                res["ruleIndex"] = index[f.code]
            if f.related:
                res["relatedLocations"] = []
                for i, rel in enumerate(f.related):
                    p = r.lines.position(rel.span.start)
                    res["relatedLocations"].append({
                        "id": i, "message": {"text": rel.message},
                        "physicalLocation": {"artifactLocation": {"uri": r.path.replace("\\", "/")},
                                             "region": {"startLine": p.line + 1,
                                                        "startColumn": r.lines.utf16_column(rel.span.start) + 1}}})
            results.append(res)
    notifications = [{"level": "error", "message": {"text": f"{p}: {m}"}} for p, m in summary.errors]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "iam-lsp", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://github.com/iam-lsp/iam-lsp", "rules": rules_meta}},
            "columnKind": "utf16CodeUnits",
            "results": results,
            "invocations": [{"executionSuccessful": not summary.errors,
                             "toolExecutionNotifications": notifications}],
        }],
    }
    return json.dumps(doc, separators=(",", ":")) + "\n"  # compact: the C encoder (indent is pure Python)


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def render_github(reports: list[FileReport], summary: Summary) -> str:
    level = {Severity.ERROR: "error", Severity.SECURITY: "error", Severity.WARNING: "warning",
             Severity.SUGGESTION: "notice"}
    out = []
    for r in reports:
        for f in r.findings:
            line, col, eline, ecol = r.location(f)
            props = (f"file={_gh_escape(r.path, True)},line={line},col={col},endLine={eline},endColumn={ecol},"
                     f"title={_gh_escape(f'{f.code} {f.name}', True)}")
            out.append(f"::{level[f.severity]} {props}::{_gh_escape(f.message)}")
    for path, problem in summary.errors:
        out.append(f"::error file={_gh_escape(path, True)}::{_gh_escape(problem)}")
    out.append(summary.line().rstrip())
    return "\n".join(out) + "\n"


RENDERERS = {"json": render_json, "sarif": render_sarif, "github": render_github}
