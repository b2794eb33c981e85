"""`iam-lsp rules` and `iam-lsp explain`: the rule catalogue in the terminal, as JSON or as Markdown."""

from __future__ import annotations

import json
import sys

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.rules import Rule, all_rules, get_rule


def _applies(rule: Rule) -> str:
    if rule.policy_types is None:
        return "all policy types"
    return ", ".join(sorted(p.value for p in rule.policy_types))


def print_rules(fmt: str) -> int:
    rules = all_rules()
    if fmt == "json":
        print(json.dumps([{
            "code": r.code, "name": r.name, "title": r.title, "severity": r.severity.value, "family": r.family,
            "policyTypes": sorted(p.value for p in r.policy_types) if r.policy_types else None,
            "enabledByDefault": r.enabled_by_default, "explanation": r.explanation, "bad": r.bad, "good": r.good,
            "rows": list(r.rows), "options": r.options,
        } for r in rules], indent=2))
    elif fmt == "markdown":
        sys.stdout.write(rules_markdown(rules))
    else:
        width = max((len(r.name) for r in rules), default=10)
        for r in rules:
            off = "" if r.enabled_by_default else "  (off by default)"
            print(f"{r.code}  {r.name:<{width}}  {r.severity.value:<10}  {r.title}{off}")
        print(f"{len(rules)} rules")
    return 0


def _fired(rule: Rule, text: str) -> list[str]:
    a = analyze(text, config=Config(enable=[rule.code]), policy_type=rule.example_type)
    from iam_lsp.core.text import LineIndex

    lines = LineIndex(text)
    out = []
    for f in a.findings:
        if f.code == rule.code:
            p = lines.position(f.span.start)
            out.append(f"{p.line + 1}:{p.column + 1}: {f.message}")
    return out


def explain(code: str) -> int:
    rule = get_rule(code)
    if rule is None:
        print(f"iam-lsp: unknown rule '{code}' (see `iam-lsp rules`)", file=sys.stderr)
        return 2
    print(f"{rule.code} {rule.name} [{rule.severity.value}]")
    print(rule.title)
    print(f"Family: {rule.family}. Applies to: {_applies(rule)}."
          + ("" if rule.enabled_by_default else " Off by default (enable it in the configuration)."))
    print()
    print(rule.explanation)
    print()
    print("Bad:")
    print("    " + rule.bad.rstrip().replace("\n", "\n    "))
    for msg in _fired(rule, rule.bad):
        print(f"  -> {msg}")
    print()
    print("Good:")
    print("    " + rule.good.rstrip().replace("\n", "\n    "))
    if rule.options:
        print()
        print("Options: " + ", ".join(f"{k} (default {v!r})" for k, v in rule.options.items()))
    return 0


def rules_markdown(rules: list[Rule]) -> str:
    out = ["# Rule reference", "",
           "Generated from the rule catalogue by `python -m iam_lsp.tools.gendocs`; do not edit by hand.",
           "Each rule has a stable code. Configure rules in `.iam-lsp.toml` or `[tool.iam-lsp]` "
           "(see the README).", ""]
    family = None
    out.append("| Code | Name | Severity | Title |")
    out.append("|---|---|---|---|")
    for r in rules:
        out.append(f"| [{r.code}](#{r.docs_anchor}) | {r.name} | {r.severity.value} | {r.title} |")
    out.append("")
    for r in rules:
        if r.family != family:
            family = r.family
            out += [f"## {family}", ""]
        out += [f"### {r.code}", "", f"**{r.name}** · {r.severity.value} · applies to {_applies(r)}"
                + ("" if r.enabled_by_default else " · off by default"), "", r.title + ".", "",
                r.explanation, "", "Bad:", "", "```json", r.bad.rstrip(), "```", "", "Good:", "", "```json",
                r.good.rstrip(), "```", ""]
        if r.options:
            out += ["Options: " + ", ".join(f"`{k}` (default `{v!r}`)" for k, v in r.options.items()), ""]
    return "\n".join(out) + "\n"
