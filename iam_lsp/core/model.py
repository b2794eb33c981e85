"""The policy model: Policy, Statement, Principal and Condition blocks built from the positioned tree.

Every element keeps the tree nodes it came from, so a rule can point at the exact key or value.
String-or-list shapes (Action, Resource, principal values, condition values) are normalised to lists of
`Item`s; a single object `Statement` is normalised to a one-statement list. Models are plain classes
built with `_Model.build` (no re-validation of data the parser already typed), which keeps building
cheap; per-member `Element`s and per-value `Item`s are slotted for the same reason.
"""

from __future__ import annotations

from iam_lsp.core.jsontree import ARRAY, OBJECT, STRING, Member, Node, ParseResult
from iam_lsp.core.text import Span

STATEMENT_KEYS = (
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
)
TOP_LEVEL_KEYS = ("Version", "Id", "Statement")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
SET_QUALIFIERS = ("ForAllValues", "ForAnyValue")


class Item:
    """One value of a string-or-list element. `index` is None when the element was a bare value.

    `text` is the string value, or None when the item is not a string (precomputed: rules read it a lot).
    """

    __slots__ = ("value", "node", "index", "text")

    def __init__(self, value: object, node: Node, index: int | None = None) -> None:
        self.value = value
        self.node = node
        self.index = index
        self.text: str | None = value if node.kind == STRING and isinstance(value, str) else None

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def is_string(self) -> bool:
        return self.text is not None

    def sub_span(self, start: int, end: int) -> Span:
        """Source span of characters [start, end) of the string's decoded value."""
        return self.node.text_span(start, end)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Item({self.value!r}, index={self.index})"


class _Model:
    """Base of the model classes: fields are class-level annotations with defaults, set by `build`.

    Plain classes, not validated models: every value comes from the parser, already typed, and building
    one model per statement, principal and condition is on the keystroke path.
    """

    @classmethod
    def build(cls, **fields: object):
        """An instance with these fields (the others keep their class-level defaults, never mutated)."""
        m = cls.__new__(cls)
        m.__dict__ = fields
        return m

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


class Element:
    """A `key: value` member of a policy or statement object (a plain slotted class: one per member)."""

    __slots__ = ("name", "member")

    def __init__(self, name: str, member: Member) -> None:
        self.name = name
        self.member = member

    @property
    def key_node(self) -> Node:
        return self.member.key_node

    @property
    def key_span(self) -> Span:
        return self.member.key_node.span

    @property
    def value(self) -> Node | None:
        return self.member.value

    @property
    def span(self) -> Span:
        return self.member.span

    @property
    def value_span(self) -> Span:
        return self.member.value.span if self.member.value is not None else self.key_span

    def items(self) -> list[Item]:
        return items_of(self.member.value)

    def strings(self) -> list[Item]:
        return [i for i in self.items() if i.is_string]


def items_of(node: Node | None) -> list[Item]:
    """Normalise a string-or-list value into items (a bare scalar becomes one item)."""
    if node is None:
        return []
    if node.kind == ARRAY:
        return [Item(child.value, child, i) for i, child in enumerate(node.items) if child.kind not in (OBJECT, ARRAY)]
    if node.kind == OBJECT:
        return []
    return [Item(node.value, node, None)]


class PrincipalBlock(_Model):
    """Principal or NotPrincipal. `wildcard` is the bare "*" string form."""

    element: Element
    negated: bool = False
    wildcard: Item | None = None
    entries: dict[str, list[Item]] = {}  # principal type -> values (types as written, e.g. "AWS")
    type_members: dict[str, Member] = {}

    def values(self, kind: str) -> list[Item]:
        return self.entries.get(kind, [])

    def all_values(self) -> list[tuple[str, Item]]:
        return [(k, item) for k, items in self.entries.items() for item in items]


class ConditionEntry(_Model):
    """One `operator: {key: values}` pair inside a Condition block."""

    operator: str
    operator_member: Member
    key: str
    key_member: Member
    values: list[Item] = []

    @property
    def operator_span(self) -> Span:
        return self.operator_member.key_node.span

    @property
    def key_span(self) -> Span:
        return self.key_member.key_node.span

    @property
    def value_node(self) -> Node | None:
        return self.key_member.value

    @property
    def qualifier(self) -> str | None:
        head, sep, _ = self.operator.partition(":")
        return head if sep and head in SET_QUALIFIERS else None

    @property
    def base_operator(self) -> str:
        """The operator without set qualifier and IfExists suffix (e.g. StringLike)."""
        op = self.operator.split(":", 1)[1] if self.qualifier else self.operator
        return op[: -len("IfExists")] if op.endswith("IfExists") else op

    @property
    def if_exists(self) -> bool:
        return self.operator.endswith("IfExists")

    @property
    def key_lower(self) -> str:
        return self.key.lower()


class Statement(_Model):
    index: int
    node: Node
    elements: dict[str, Element] = {}
    sid: Item | None = None
    effect: Item | None = None
    action: list[Item] | None = None
    not_action: list[Item] | None = None
    resource: list[Item] | None = None
    not_resource: list[Item] | None = None
    principal: PrincipalBlock | None = None
    not_principal: PrincipalBlock | None = None
    conditions: list[ConditionEntry] = []

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def sid_text(self) -> str | None:
        return self.sid.text if self.sid else None

    @property
    def effect_text(self) -> str | None:
        return self.effect.text if self.effect else None

    @property
    def is_allow(self) -> bool:
        return self.effect_text == "Allow"

    @property
    def is_deny(self) -> bool:
        return self.effect_text == "Deny"

    def element(self, name: str) -> Element | None:
        return self.elements.get(name)

    def label(self) -> str:
        return f"Sid '{self.sid_text}'" if self.sid_text else f"statement {self.index + 1}"

    def actions(self) -> list[Item]:
        return [i for i in (self.action or []) if i.is_string]

    def resources(self) -> list[Item]:
        return [i for i in (self.resource or []) if i.is_string]

    def condition_keys(self) -> set[str]:
        return {c.key_lower for c in self.conditions}

    def conditions_on(self, key: str) -> list[ConditionEntry]:
        k = key.lower()
        return [c for c in self.conditions if c.key_lower == k]


class Policy(_Model):
    root: Node | None
    elements: dict[str, Element] = {}
    version: Item | None = None
    id: Item | None = None
    statements: list[Statement] = []
    statement_is_object: bool = False

    @property
    def version_text(self) -> str | None:
        return self.version.text if self.version else None


# --- building -------------------------------------------------------------------------------------


def _elements(node: Node) -> dict[str, Element]:
    # The last member wins for duplicates, like JSON parsers (duplicates are reported separately).
    return {m.key: Element(m.key, m) for m in node.members}


def _single(el: Element | None) -> Item | None:
    if el is None or el.value is None or el.value.kind in (OBJECT, ARRAY):
        return None
    return Item(el.value.value, el.value, None)


def _list(el: Element | None) -> list[Item] | None:
    if el is None:
        return None
    return items_of(el.value)


def _principal(el: Element | None, negated: bool) -> PrincipalBlock | None:
    if el is None:
        return None
    value = el.value
    wildcard = None
    entries: dict[str, list[Item]] = {}
    members: dict[str, Member] = {}
    if value is not None:
        if value.kind == STRING:
            wildcard = Item(value.value, value, None)
        elif value.kind == OBJECT:
            for m in value.members:
                entries[m.key] = items_of(m.value)
                members[m.key] = m
    return PrincipalBlock.build(
        element=el, negated=negated, wildcard=wildcard, entries=entries, type_members=members
    )


def _conditions(el: Element | None) -> list[ConditionEntry]:
    if el is None or el.value is None or el.value.kind != OBJECT:
        return []
    out: list[ConditionEntry] = []
    for op in el.value.members:
        if op.value is None or op.value.kind != OBJECT:
            continue
        for key in op.value.members:
            out.append(
                ConditionEntry.build(
                    operator=op.key, operator_member=op, key=key.key, key_member=key, values=items_of(key.value)
                )
            )
    return out


def build_statement(node: Node, index: int) -> Statement:
    els = _elements(node)
    return Statement.build(
        index=index,
        node=node,
        elements=els,
        sid=_single(els.get("Sid")),
        effect=_single(els.get("Effect")),
        action=_list(els.get("Action")),
        not_action=_list(els.get("NotAction")),
        resource=_list(els.get("Resource")),
        not_resource=_list(els.get("NotResource")),
        principal=_principal(els.get("Principal"), False),
        not_principal=_principal(els.get("NotPrincipal"), True),
        conditions=_conditions(els.get("Condition")),
    )


def build_policy(tree: ParseResult) -> Policy:
    root = tree.root
    if root is None or root.kind != OBJECT:
        return Policy.build(root=root, elements={}, version=None, id=None, statements=[], statement_is_object=False)
    els = _elements(root)
    statements: list[Statement] = []
    is_object = False
    st = els.get("Statement")
    if st is not None and st.value is not None:
        if st.value.kind == ARRAY:
            statements = [build_statement(n, i) for i, n in enumerate(st.value.items) if n.kind == OBJECT]
            # Keep the index of the statement in the array, so paths and messages line up.
            idx = [i for i, n in enumerate(st.value.items) if n.kind == OBJECT]
            for s, i in zip(statements, idx, strict=True):
                s.index = i
        elif st.value.kind == OBJECT:
            statements = [build_statement(st.value, 0)]
            is_object = True
    return Policy.build(
        root=root,
        elements=els,
        version=_single(els.get("Version")),
        id=_single(els.get("Id")),
        statements=statements,
        statement_is_object=is_object,
    )
