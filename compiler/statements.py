"""Statement paths with spans: what both configuration formats become.

A `Statement` is one `show configuration | display set` line: the full path of words from
the top of the configuration, each word with the span it came from. Brace text and set
text produce equal statement tuples (spans, comments and origins stay out of equality).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flowc.compiler.source import NO_SPAN, Span


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a statement: its value as Junos means it (quotes removed, escapes
    resolved) and where it was written."""

    text: str
    span: Span = field(default=NO_SPAN, compare=False)
    quoted: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Statement:
    """One configuration statement as a full path of words.

    `inactive_at` is 0 for an active statement, else the number of leading words that form
    the outermost deactivated path (`deactivate interfaces ge-0/0/0 unit 1` -> 4).
    `comments` are the comments and annotations written on or just before it (used for
    inline suppressions). `group` and `origin` are set on statements inherited from a
    configuration group: the group's name and the span of the group statement.
    """

    words: tuple[Word, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    inactive_at: int = 0
    protected: bool = field(default=False, compare=False)
    comments: tuple[str, ...] = field(default=(), compare=False)
    group: str | None = field(default=None, compare=False)
    origin: Span | None = field(default=None, compare=False)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(word.text for word in self.words)

    @property
    def inactive(self) -> bool:
        return self.inactive_at > 0

    def __str__(self) -> str:
        return " ".join(self.path)
