"""The one entry point every front end uses: text in, findings out."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from iam_lsp.core.config import Config
from iam_lsp.core.context import Context
from iam_lsp.core.findings import Edit, Finding, Fix, Related, Severity
from iam_lsp.core.jsontree import ParseResult, parse
from iam_lsp.core.model import Policy, build_policy
from iam_lsp.core.policytype import Detection, PolicyType, detect
from iam_lsp.core.rules.base import Rule
from iam_lsp.core.text import Span

# Reserved codes for analysis-level findings (not rules with examples).
SKIPPED_CODE = "IAM001"
INTERNAL_ERROR_CODE = "IAM000"
MAX_SCHEMA_DEPTH = 64


@dataclass
class Analysis:
    text: str
    tree: ParseResult
    policy: Policy
    detection: Detection
    findings: list[Finding] = field(default_factory=list)
    suppressed: int = 0
    skipped: bool = False

    @property
    def policy_type(self) -> PolicyType:
        return self.detection.type


def _skipped(text: str, config: Config, policy_type: PolicyType | None) -> Analysis:
    tree = ParseResult(text, None)
    policy = build_policy(tree)
    det = Detection(policy_type or PolicyType.IDENTITY, None, "override" if policy_type else "default")
    f = Finding(SKIPPED_CODE, "analysis-skipped", Severity.WARNING,
                f"Document not analysed: {len(text):,} characters is over the size limit of {config.max_size:,} "
                "(setting max-size)", Span(0, min(len(text), 1)))
    return Analysis(text, tree, policy, det, [f], skipped=True)


_PLANS: dict[tuple, list] = {}
_PLANS_LOCK = threading.Lock()


def _plan_key(config: Config, ptype: PolicyType) -> tuple:
    # The whole configuration: also what the statement memo keys its entries by (rules can read any of it).
    return (ptype, config.fingerprint())


def _plan(config: Config, ptype: PolicyType, key: tuple) -> list[tuple[Rule, Severity, dict]]:
    """The rules to run for a configuration and policy type, with their severity and options.

    Worked out once per distinct selection (not per document): the batch linter analyses thousands of
    documents with one configuration, the server a few configurations.
    """
    from iam_lsp.core.rules import all_rules

    plan = _PLANS.get(key)
    if plan is None:
        plan = [
            (r, config.severity_for(r.code, r.name, r.severity), config.rule_options(r.code, r.name, r.options))
            for r in sorted(all_rules(), key=lambda r: r.late)  # stable: code order, late rules last
            if r.applies_to(ptype) and config.rule_enabled(r.code, r.name, r.enabled_by_default)
        ]
        with _PLANS_LOCK:
            if len(_PLANS) > 64:
                _PLANS.clear()
            _PLANS[key] = plan
    return plan


def analyze(
    text: str,
    path: str | None = None,
    config: Config | None = None,
    policy_type: PolicyType | None = None,
    tree: ParseResult | None = None,
    memo: StatementMemo | None = None,
) -> Analysis:
    """Parse, model, detect the policy type and run every enabled rule. Never raises on bad input.

    With a `memo` (the language server keeps one per open document), the statement-scoped rules' findings
    are reused for every statement whose text is unchanged since an earlier analysis: an edit re-runs
    them on the edited statement only. The findings are the same with or without it.
    """
    config = config or Config()
    if len(text) > config.max_size:
        return _skipped(text, config, policy_type)
    if tree is None or tree.text is not text:
        tree = parse(text)
    policy = build_policy(tree)
    detection = detect(policy, path, policy_type, config.policy_type_globs())
    ctx = Context(text, tree, policy, detection, config, path)
    key = _plan_key(config, detection.type)
    plan = _plan(config, detection.type, key)
    if memo is not None and memo.usable(tree, policy):
        memo.run(ctx, plan, key)
        plan = [p for p in plan if p[0].scope != "statement"]
    _run_rules(ctx, plan)
    kept: list[Finding] = []
    suppressed = 0
    seen: set[tuple] = set()
    for f in sorted(ctx.findings, key=Finding.sort_key):
        key = (f.code, f.span.start, f.span.end, f.message)
        if key in seen:
            continue
        seen.add(key)
        if config.suppressed(f, path):
            suppressed += 1
            continue
        kept.append(f)
    return Analysis(text, tree, policy, detection, kept, suppressed)


def _run_rules(ctx: Context, plan: list[tuple[Rule, Severity, dict]]) -> None:
    for r, severity, options in plan:
        ctx.begin(r, severity, options)
        try:
            r.check(ctx)
        except Exception as exc:  # a rule bug must not take the editor or the batch down
            ctx.findings.append(Finding(INTERNAL_ERROR_CODE, "internal-error", Severity.WARNING,
                                        f"Rule {r.code} ({r.name}) failed: {type(exc).__name__}: {exc}",
                                        Span(0, 0)))


class StatementMemo:
    """Findings of the statement-scoped rules, per statement text, for re-analysing one edited document.

    A keystroke changes one statement; on a 100 KB policy, re-running the ~150 statement-scoped rules on
    the other hundred statements was most of the analysis. An entry is keyed by everything those rules
    can see: the statement's text and index (messages name "statement 3"), the text around the Statement
    array (Version, Id), the plan key (policy type and configuration), the path and the detection. Findings
    are stored relative to the statement's start and moved to where the statement is now.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self._entries: OrderedDict[tuple, tuple[Finding, ...] | None] = OrderedDict()
        self._bases: dict[tuple, tuple] = {}
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    @staticmethod
    def usable(tree: ParseResult, policy: Policy) -> bool:
        # Well-formed documents only: what the rules do around syntax errors was not shown to be local.
        return tree.ok and not policy.statement_is_object and len(policy.statements) > 1

    def run(self, ctx: Context, plan: list[tuple[Rule, Severity, dict]], plan_key: tuple) -> None:
        """Add the statement-scoped rules' findings for every statement to ctx.findings."""
        local = [p for p in plan if p[0].scope == "statement"]
        if not local:
            return
        array = ctx.tree.root.value_of("Statement")  # type: ignore[union-attr] - usable() checked the shape
        text = ctx.text
        det = ctx.detection
        base = (plan_key, det.type, det.resource_kind, det.source, ctx.path,
                text[:array.start], text[array.end:])  # type: ignore[union-attr]
        # One copy of each distinct context for all its entries (the configuration's JSON is not small).
        if base not in self._bases and len(self._bases) >= 64:
            self._bases.clear()
            self._entries.clear()
        base = self._bases.setdefault(base, base)
        for st in ctx.statements:
            start, end = st.node.start, st.node.end
            key = (base, st.index, text[start:end])
            if key in self._entries:
                cached = self._entries[key]
                if cached is not None:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    ctx.findings.extend(_moved(f, start) for f in cached)
                    continue
            self.misses += 1
            sub = Context(text, ctx.tree, Policy.build(**{**ctx.policy.__dict__, "statements": [st]}), det,
                          ctx.config, ctx.path)
            _run_rules(sub, local)
            ctx.findings.extend(sub.findings)
            inside = all(start <= sp.start and sp.end <= end for f in sub.findings for sp in _spans(f))
            self._entries[key] = tuple(_moved(f, -start) for f in sub.findings) if inside else None
            if len(self._entries) > self._max:
                self._entries.popitem(last=False)


def _spans(f: Finding) -> list[Span]:
    out = [f.span, *(r.span for r in f.related), *(e.span for fix in f.fixes for e in fix.edits)]
    out.extend(v for v in f.data.values() if isinstance(v, Span))
    return out


def _moved(f: Finding, delta: int) -> Finding:
    """A copy of the finding with every span moved by `delta`."""
    def mv(sp: Span) -> Span:
        return Span(sp.start + delta, sp.end + delta)

    return Finding(
        f.code, f.name, f.severity, f.message, mv(f.span),
        tuple(Related(mv(r.span), r.message) for r in f.related),
        tuple(Fix(x.title, tuple(Edit(mv(e.span), e.new_text) for e in x.edits), x.preferred) for x in f.fixes),
        f.tags, f.statement_index, f.sid,
        {k: mv(v) if isinstance(v, Span) else v for k, v in f.data.items()},
    )
