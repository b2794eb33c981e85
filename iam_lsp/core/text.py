"""Source positions: spans in code-point offsets and a line index to turn them into lines/columns."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import accumulate

_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """Offsets where each line starts; lines end at \\n, \\r\\n or \\r. Linear, and in C for the common
    case of \\n only (the batch linter builds one index per file with findings)."""
    if "\r" in text:
        return [0, *(m.end() for m in _BREAK.finditer(text))]
    return [0, *accumulate(len(part) + 1 for part in text.split("\n")[:-1])]


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range [start, end) of code-point offsets into the document text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            object.__setattr__(self, "end", self.start)

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def touches(self, offset: int) -> bool:
        """True when the offset is inside or right at the end (a cursor just after a token)."""
        return self.start <= offset <= self.end

    def sub(self, start: int, end: int) -> Span:
        """A span relative to this one's start."""
        return Span(self.start + start, self.start + end)

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Position:
    """Zero-based line and code-point column."""

    line: int
    column: int


class LineIndex:
    """Maps code-point offsets to (line, column) and back. Lines end at \\n, \\r\\n or \\r."""

    __slots__ = ("text", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = line_starts(text)

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def line_start(self, line: int) -> int:
        line = max(0, min(line, len(self._starts) - 1))
        return self._starts[line]

    def line_text(self, line: int) -> str:
        start = self.line_start(line)
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return Position(line, offset - self._starts[line])

    def offset(self, line: int, column: int) -> int:
        """Offset of a (line, code-point column); out-of-range values are clamped to the document."""
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self.text)
        start = self._starts[line]
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self.text)
        # Do not run past the line break.
        content_end = end
        while content_end > start and self.text[content_end - 1] in "\r\n":
            content_end -= 1
        return start + max(0, min(column, content_end - start))

    def utf16_column(self, offset: int) -> int:
        """Column of an offset in UTF-16 code units (what LSP and SARIF count by default)."""
        pos = self.position(offset)
        start = self._starts[pos.line]
        segment = self.text[start:offset]
        return len(segment) + sum(1 for ch in segment if ord(ch) > 0xFFFF)
