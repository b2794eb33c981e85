"""The one entry point every front end uses: text in, findings out."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from iam_lsp.core.config import Config
from iam_lsp.core.context import Context
from iam_lsp.core.findings import Finding, Severity
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


def _plan(config: Config, ptype: PolicyType) -> list[tuple[Rule, Severity, dict]]:
    """The rules to run for a configuration and policy type, with their severity and options.

    Worked out once per distinct selection (not per document): the batch linter analyses thousands of
    documents with one configuration, the server a few configurations.
    """
    from iam_lsp.core.rules import all_rules

    key = (ptype, tuple(config.select), tuple(config.enable), tuple(config.disable),
           json.dumps(config.severity, sort_keys=True, default=str),
           json.dumps(config.options, sort_keys=True, default=str))
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
) -> Analysis:
    """Parse, model, detect the policy type and run every enabled rule. Never raises on bad input."""
    config = config or Config()
    if len(text) > config.max_size:
        return _skipped(text, config, policy_type)
    if tree is None or tree.text is not text:
        tree = parse(text)
    policy = build_policy(tree)
    detection = detect(policy, path, policy_type, config.policy_type_globs())
    ctx = Context(text, tree, policy, detection, config, path)
    for r, severity, options in _plan(config, detection.type):
        ctx.begin(r, severity, options)
        try:
            r.check(ctx)
        except Exception as exc:  # a rule bug must not take the editor or the batch down
            ctx.findings.append(Finding(INTERNAL_ERROR_CODE, "internal-error", Severity.WARNING,
                                        f"Rule {r.code} ({r.name}) failed: {type(exc).__name__}: {exc}",
                                        Span(0, 0)))
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
