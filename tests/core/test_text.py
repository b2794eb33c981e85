"""Line index: offsets to lines/columns and back, for every line-break style and UTF-16 columns."""

from __future__ import annotations

from iam_lsp.core.text import LineIndex, Position, Span


def test_positions_with_mixed_line_breaks():
    text = "a\nbc\r\nd\re"
    idx = LineIndex(text)
    assert idx.line_count == 4
    assert idx.position(text.index("c")) == Position(1, 1)
    assert idx.position(text.index("d")) == Position(2, 0)
    assert idx.position(text.index("e")) == Position(3, 0)
    assert idx.offset(1, 1) == text.index("c")
    assert idx.line_text(1) == "bc"


def test_offsets_are_clamped():
    idx = LineIndex("ab\ncd")
    assert idx.offset(0, 99) == 2  # end of the line, not past its break
    assert idx.offset(99, 0) == 5
    assert idx.offset(-1, 0) == 0
    assert idx.position(999) == Position(1, 2)


def test_utf16_columns_count_astral_characters_twice():
    text = '{"Sid": "😀ó", "x": 1}'
    idx = LineIndex(text)
    off = text.index("ó")
    assert idx.position(off).column == off
    assert idx.utf16_column(off) == off + 1


def test_span_helpers():
    s = Span(5, 9)
    assert len(s) == 4 and s.contains(5) and not s.contains(9) and s.touches(9)
    assert s.sub(1, 2) == Span(6, 7)
    assert Span(5, 3) == Span(5, 5)  # a reversed span collapses
