"""The server's fast paths give exactly what the plain ones give: line index, document lines, edits."""

from __future__ import annotations

import gc
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types as t
from pygls.workspace import PositionCodec, TextDocument

from iam_lsp.lsp.convert import Positions
from iam_lsp.lsp.server import LspTextDocument, create_server, lsp_lines, warm_up

# Line breaks LSP counts, and characters str.splitlines also breaks at, plus one outside the BMP
# (two UTF-16 units) and one non-ASCII BMP character.
TEXT = st.text(alphabet=st.sampled_from(list('ab "{}:\n\r\f\x85\u2028é😀')), max_size=60)
_LSP_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


@given(TEXT)
@settings(max_examples=400, deadline=None)
def test_lsp_lines_agree_with_the_regex(text):
    assert lsp_lines(text) == tuple(_LSP_LINE.findall(text))
    assert "".join(lsp_lines(text)) == text


class ReferenceDocument(TextDocument):
    """The server's documents before the fast paths: regex lines, pygls' own line-by-line edit."""

    @property
    def lines(self):
        return tuple(_LSP_LINE.findall(self.source))

    def _apply_incremental_change(self, change):  # pygls 2.1's loop, copied so a pygls update cannot hide a change
        lines = self.lines
        rng = self._position_codec.range_from_client_units(lines, change.range)
        if rng.start.line == len(lines):
            self._source = self.source + change.text
            return
        new = io.StringIO()
        for i, line in enumerate(lines):
            if i < rng.start.line or i > rng.end.line:
                new.write(line)
                continue
            if i == rng.start.line:
                new.write(line[:rng.start.character])
                new.write(change.text)
            if i == rng.end.line:
                new.write(line[rng.end.character:])
        self._source = new.getvalue()


POS = st.builds(t.Position, st.integers(0, 8), st.integers(0, 12))
EDIT = st.tuples(POS, POS, st.text(alphabet=st.sampled_from(list('x\n\r😀é')), max_size=4))


@given(TEXT, st.lists(EDIT, min_size=1, max_size=4), st.sampled_from(["utf-16", "utf-8", "utf-32"]))
@settings(max_examples=400, deadline=None)
def test_incremental_edits_agree_with_pygls(text, edits, encoding):
    codec = PositionCodec(t.PositionEncodingKind(encoding))
    fast = LspTextDocument("file:///a.json", text, version=1, position_codec=codec)
    ref = ReferenceDocument("file:///a.json", text, version=1, position_codec=codec)
    for start, end, new_text in edits:
        change = t.TextDocumentContentChangePartial(range=t.Range(start, end), text=new_text)
        fast.apply_change(change)
        ref.apply_change(change)
        assert fast.source == ref.source
        assert fast.lines == ref.lines


def test_edit_inside_a_large_document():
    text = "".join(f'    "s3:GetObject{i}",\n' for i in range(3000))
    doc = LspTextDocument("file:///big.json", text, version=1)
    doc.apply_change(t.TextDocumentContentChangePartial(
        range=t.Range(t.Position(1500, 8), t.Position(1501, 9)), text="X"))
    assert doc.source == text[:text.index('"s3:GetObject1500') + 4] + "X" + text[text.index('"s3:GetObject1501') + 5:]
    assert doc.lines == tuple(_LSP_LINE.findall(doc.source))


def test_positions_on_a_large_document_use_the_fast_index():
    text = '{"Statement": [\n' + "".join(f'  {{"Sid": "S{i}"}},\n' for i in range(2000)) + "]}\n"
    pos = Positions(text, PositionCodec())
    offset = text.index('"S1234"')
    assert pos.position(offset) == t.Position(1235, 10)
    assert pos.offset(t.Position(1235, 10)) == offset


def test_warm_up_leaves_the_collector_on_and_tuned():
    thresholds = gc.get_threshold()
    was_enabled = gc.isenabled()
    server = create_server()
    try:
        gc.disable()
        warm_up(server)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] > thresholds[0]
    finally:
        server.pool.shutdown(wait=False)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if not was_enabled:
            gc.disable()


def test_settings_that_arrive_during_an_analysis_are_detected():
    """At start-up the client's settings can arrive while the first analysis runs; that result is redone."""
    server = create_server()
    try:
        text = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}}'
        eff = server.effective_config(None)
        result = server.analyse_sync(text, 1, "file:///a.json", None, "json", eff, PositionCodec())
        assert result.analysis is not None and result.diagnostics
        server.apply_settings({})  # same settings: nothing to redo
        assert not server.settings_changed(None, eff, result)
        server.apply_settings({"securitySeverity": "error"})
        assert server.settings_changed(None, eff, result)
        server.apply_settings({"disable": [result.analysis.findings[0].code]})
        assert server.settings_changed(None, eff, result)
    finally:
        server.pool.shutdown(wait=False)


def test_diagnostics_from_the_statement_memo_equal_a_fresh_analysis():
    """The server re-analyses only the edited statement; what it publishes must not depend on that."""
    from pathlib import Path

    from iam_lsp.core.analyze import StatementMemo

    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "managed"
    text = (corpus / "SageMakerStudioAdminIAMDefaultExecutionPolicy.json").read_text(encoding="utf-8")
    server = create_server()
    try:
        eff = server.effective_config(None)
        memo = StatementMemo()
        for version, edited in enumerate([text, text.replace('"iam:PassRole"', '"iam:PassRolé"', 1),
                                          text.replace('"Version"', '"Id": "😀", "Version"', 1)]):
            args = (edited, version, "file:///p.json", None, "json", eff, PositionCodec(encoding="utf-16"))
            with_memo = server.analyse_sync(*args, memo)
            fresh = server.analyse_sync(*args)
            assert with_memo.diagnostics == fresh.diagnostics and fresh.diagnostics
        assert memo.hits > 0
    finally:
        server.pool.shutdown(wait=False)
