"""The edit that adds an ignore entry to .iam-lsp.toml or pyproject.toml."""

import sys

from iam_lsp.core.config import load_config
from iam_lsp.core.findings import Finding, Severity
from iam_lsp.core.suppression import ignore_edit
from iam_lsp.core.text import Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _apply(edit):
    old = "" if edit.create else edit.path.read_text()
    new = old[: edit.offset] + edit.new_text + old[edit.offset:]
    edit.path.write_text(new)
    return new


def _finding(code="IAM101", sid=None):
    return Finding(code, "x", Severity.ERROR, "m", Span(0, 1), sid=sid)


def test_creates_iam_lsp_toml_when_missing(tmp_path):
    doc = tmp_path / "policies" / "a.json"
    doc.parent.mkdir()
    doc.write_text("{}")
    edit = ignore_edit("IAM101", doc, workspace_root=tmp_path)
    assert edit.create and edit.path == tmp_path / ".iam-lsp.toml" and edit.offset == 0
    assert edit.title == "Ignore IAM101 for this file (in .iam-lsp.toml)"
    _apply(edit)
    cfg = load_config(doc)
    assert cfg.suppressed(_finding(), str(doc))
    assert not cfg.suppressed(_finding("IAM102"), str(doc))
    assert not cfg.suppressed(_finding(), str(tmp_path / "policies" / "b.json"))


def test_appends_to_existing_file_and_is_idempotent(tmp_path):
    cfg_file = tmp_path / ".iam-lsp.toml"
    cfg_file.write_text('disable = ["IAM999"]')  # no trailing newline
    doc = tmp_path / "a.json"
    edit = ignore_edit("IAM101", doc, sid="Read Bucket")
    assert not edit.create and edit.offset == len('disable = ["IAM999"]')
    assert edit.new_text.startswith("\n\n[[ignores]]\n")
    text = _apply(edit)
    assert tomllib.loads(text)["ignores"] == [{"rules": ["IAM101"], "sid": "Read Bucket"}]
    assert load_config(doc).suppressed(_finding(sid="Read Bucket"), str(tmp_path / "other.json"))
    assert ignore_edit("IAM101", doc, sid="Read Bucket") is None


def test_pyproject_with_tool_table(tmp_path):
    py = tmp_path / "pyproject.toml"
    py.write_text('[project]\nname = "x"\n\n[tool.iam-lsp]\ndisable = []\n\n[tool.ruff]\nline-length = 1\n')
    doc = tmp_path / "sub" / "ü.json"
    edit = ignore_edit("IAM305", doc)
    assert edit.path == py and "[[tool.iam-lsp.ignores]]" in edit.new_text
    text = _apply(edit)
    assert tomllib.loads(text)["tool"]["iam-lsp"]["ignores"] == [{"rules": ["IAM305"], "path": "sub/ü.json"}]
    assert load_config(doc).suppressed(_finding("IAM305"), str(doc))


def test_inline_array_or_broken_toml_is_not_edited(tmp_path):
    (tmp_path / ".iam-lsp.toml").write_text('ignores = [{rules = ["IAM1"]}]\n')
    assert ignore_edit("IAM101", tmp_path / "a.json") is None
    (tmp_path / ".iam-lsp.toml").write_text("ignores = [\n")
    assert ignore_edit("IAM101", tmp_path / "a.json") is None


def test_unsaved_editor_text_is_used(tmp_path):
    cfg_file = tmp_path / ".iam-lsp.toml"
    cfg_file.write_text("")
    edit = ignore_edit("IAM101", tmp_path / "a.json", config_file=cfg_file, config_text='select = ["IAM1"]\n')
    assert edit.offset == len('select = ["IAM1"]\n') and edit.new_text.startswith("\n[[ignores]]")
