"""Document symbols, folding ranges and documentation links."""

from iam_lsp.core.jsontree import parse
from iam_lsp.core.model import build_policy
from iam_lsp.core.outline import (
    REFERENCE_BASE,
    document_links,
    document_symbols,
    folding_ranges,
    reference_page,
)
from iam_lsp.core.text import LineIndex

TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadBucket",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:List*", "nosuch:Thing", "*"],
      "Resource": "*"
    },
    {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}
  ]
}
"""


def _policy(text=TEXT):
    return build_policy(parse(text))


def test_symbols_name_statements_by_sid_or_number():
    syms = document_symbols(_policy())
    assert [s.name for s in syms] == ["Version", "Statement"]
    st = syms[1]
    assert [c.name for c in st.children] == ["ReadBucket", "Statement 2"]
    first, second = st.children
    assert TEXT[first.selection.start:first.selection.end] == '"ReadBucket"'
    assert first.detail == "Allow, 4 actions, 1 resource"
    assert second.detail == "Deny, 1 NotAction, 1 resource"
    assert TEXT[second.selection.start:second.selection.end] == '"Deny"'
    assert [c.name for c in first.children] == ["Sid", "Effect", "Action", "Resource"]
    action = first.children[2]
    assert TEXT[action.selection.start:action.selection.end] == '"Action"'
    assert TEXT[first.span.start:first.span.end].startswith("{") and TEXT[first.span.end - 1] == "}"


def test_single_object_statement_and_empty_document():
    syms = document_symbols(_policy('{"Statement": {"Sid": "One", "Effect": "Allow"}}'))
    assert syms[0].children[0].name == "One"
    assert document_symbols(_policy("")) == []
    assert document_symbols(_policy("[1]")) == []


def test_folding_ranges_keep_closing_bracket_visible():
    folds = folding_ranges(parse(TEXT))
    assert [(f.start_line, f.end_line) for f in folds] == [(0, 10), (2, 9), (3, 7)]


def test_folding_unclosed_and_comments():
    text = '{\n  /* a\n  b */\n  "Statement": [\n    {"Effect": "Allow"'
    folds = folding_ranges(parse(text), LineIndex(text))
    assert (1, 2, "comment") in [(f.start_line, f.end_line, f.kind) for f in folds]
    assert (0, 4, None) in [(f.start_line, f.end_line, f.kind) for f in folds]


def test_reference_page_names_follow_aws_naming():
    assert reference_page("AWS X-Ray") == REFERENCE_BASE + "list_awsx-ray.html"
    assert reference_page("AWS Identity and Access Management (IAM)") == (
        REFERENCE_BASE + "list_awsidentityandaccessmanagementiam.html")
    assert reference_page("Amazon AppStream 2.0") == REFERENCE_BASE + "list_amazonappstream2.0.html"


def test_links_from_known_service_actions_only():
    links = document_links(_policy())
    assert [TEXT[lk.span.start:lk.span.end] for lk in links] == ["s3:GetObject", "s3:List*", "iam:*"]
    assert links[0].target == REFERENCE_BASE + "list_amazons3.html"
    assert links[2].target == REFERENCE_BASE + "list_awsidentityandaccessmanagementiam.html"
    assert "Amazon S3" in links[0].tooltip
