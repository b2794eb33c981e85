"""The rule reference and the coverage map are generated from the catalogue and must be current."""

from __future__ import annotations

from iam_lsp.core.rules import all_rules
from iam_lsp.tools.gendocs import coverage_markdown, main, master_rows


def test_generated_docs_are_up_to_date():
    assert main(["--check"]) == 0, "run: python -m iam_lsp.tools.gendocs"


def test_every_master_row_is_covered_or_explained():
    text = coverage_markdown()
    assert "**open**" not in text
    assert len(master_rows()) == 235


def test_rule_rows_exist_in_the_master_table():
    rows = master_rows()
    for rule in all_rules():
        for row in rule.rows:
            assert row in rows, f"{rule.code} names row {row}, which the master table does not have"
