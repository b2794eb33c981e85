"""Line index: offsets to lines/columns and back, for every line-break style and UTF-16 columns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iam_lsp.core.text import LineIndex, Position, Span, line_starts


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


def _reference_starts(text: str) -> list[int]:
    """Line starts the slow, obvious way: a break is \\r\\n, \\r or \\n, scanned one character at a time."""
    starts, i = [0], 0
    while i < len(text):
        if text[i] == "\r" and text[i + 1:i + 2] == "\n":
            i += 2
            starts.append(i)
            continue
        i += 1
        if text[i - 1] in "\r\n":
            starts.append(i)
    return starts


@given(st.text(alphabet=st.sampled_from(list('ab "{}:\n\r\f\x85\u2028é😀')), max_size=60))
@settings(max_examples=400, deadline=None)
def test_line_starts_match_a_character_by_character_scan(text: str) -> None:
    assert line_starts(text) == _reference_starts(text)
    idx = LineIndex(text)
    for offset in range(len(text) + 1):
        pos = idx.position(offset)
        assert idx.offset(pos.line, pos.column) == offset or text[offset - 1:offset + 1] == "\r\n"


def test_line_starts_examples() -> None:
    assert line_starts("") == [0]
    assert line_starts("a\nb\n") == [0, 2, 4]
    assert line_starts("a\r\nb\rc") == [0, 3, 5]
    assert line_starts("\f\u2028x") == [0]  # not LSP line breaks
