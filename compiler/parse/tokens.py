"""Tokens of Junos configuration text, shared by the brace and the set form readers.

The token syntax is declared in `grammar/terminals.lark` and read by Lark (behind
`compiler/parse/backend.py`); the readers see a token only as a `Tok`: its terminal name,
its text and where it was written. This module also holds what the readers do with a
token's text: the statement tags and the value of a quoted string.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

TAGS = frozenset(("inactive:", "protect:", "replace:", "delete:"))
_ESCAPE = re.compile(r'\\(["\\])')


class Tok(Protocol):
    """A token with its position (lines and columns from 1, `start_pos` an offset from 0):
    what the parser hands the readers, whichever backend made it."""

    @property
    def type(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def start_pos(self) -> int: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def end_column(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Mark:
    """A token the readers make themselves: where the end of the file is, or where a
    repair feeds a missing `;`, `]` or `}`."""

    type: str
    value: str
    start_pos: int
    line: int
    column: int
    end_line: int
    end_column: int


def mark(kind: str, value: str, at: Tok) -> Mark:
    """A `kind` token of text `value`, placed where `at` starts."""
    return Mark(kind, value, at.start_pos, at.line, at.column, at.line, at.column)


def unquote(token: str) -> str:
    """The value of a `"…"` token: quotes removed, `\\"` and `\\\\` resolved."""
    inner = token[1:-1]
    return _ESCAPE.sub(r"\1", inner) if "\\" in inner else inner
