"""Source text and spans: where every word, statement and finding came from.

A `Span` is a half-open region of one file, 1-based lines and columns (columns count
characters, not bytes). Spans never take part in equality of the things that carry them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A region of a source file: start line/column and end line/column (end exclusive)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def cover(self, other: Span) -> Span:
        """The smallest span that holds both (same file assumed)."""
        start = min((self.line, self.column), (other.line, other.column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(self.file, start[0], start[1], end[0], end[1])


NO_SPAN = Span("<none>", 0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Source:
    """A configuration file's text, read once, with line access for carets."""

    name: str
    text: str

    @classmethod
    def read(cls, path: str | Path) -> Source:
        raw = Path(path).read_bytes()
        return cls(str(path), raw.decode("utf-8", errors="replace"))

    def line(self, number: int) -> str:
        """The text of 1-based line `number`, without its line end ('' if out of range)."""
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""
