"""What the lexer of both grammars hands the readers besides tokens: comments and broken text.

Stage parse. Comments and the broken shapes of `grammar/terminals.lark` (an unterminated
string or comment, a control character, invalid UTF-8) are ignored by the parsers; the
lexer calls `Lexed.comment` / `Lexed.broken` for them. Comments wait in `pending` for the
statement they belong to; a broken piece is reported (FC001, FC005, FC010) and the
statement it was in is dropped.
"""
from __future__ import annotations

from collections.abc import Callable

from flowc.compiler.parse.reporter import Reporter
from flowc.compiler.parse.statements import new_span
from flowc.compiler.parse.tokens import Tok
from flowc.compiler.source import Span

# Where a comment was written: its own line or inside a statement ("before" the statement
# that follows), or on the line of a `;` / `{` / `}` just before it.
BEFORE, AFTER_SEMI, AFTER_OPEN, AFTER_CLOSE = "before", ";", "{", "}"

COMMENT_TERMINALS = ("LINE_COMMENT", "BLOCK_COMMENT")
BROKEN_TERMINALS = ("OPEN_STRING", "OPEN_COMMENT", "BAD_CHAR")


def token_span(name: str, tok: Tok) -> Span:
    return new_span(name, tok.line, tok.column, tok.end_line, tok.end_column)


class Lexed:
    """Comments and broken pieces seen by the lexer of one parse."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.report = Reporter(name)
        # (text, span, start offset, kind) in the order written
        self.pending: list[tuple[str, Span, int, str]] = []
        self.comment_starts: dict[int, int] = {}   # end offset -> start offset of each comment
        self.broken_at = -1                        # offset of the last broken piece

    def callbacks(self) -> dict[str, Callable[[Tok], Tok]]:
        table: dict[str, Callable[[Tok], Tok]] = {t: self.comment for t in COMMENT_TERMINALS}
        table.update({t: self.broken for t in BROKEN_TERMINALS})
        return table

    def comment(self, tok: Tok) -> Tok:
        text = tok.value.rstrip("\r")
        start = tok.start_pos
        self.comment_starts[start + len(tok.value)] = start
        self.pending.append((text, token_span(self.name, tok), start, self._kind(start)))
        return tok

    def _kind(self, start: int) -> str:
        """What precedes a comment on its line: nothing (BEFORE), or a `;`, `{` or `}`."""
        text, i = self.text, start - 1
        while i >= 0:
            c = text[i]
            if c in " \t\r\f\v\ufeff":
                i -= 1
            elif i + 1 in self.comment_starts and text[i] == "/":
                i = self.comment_starts[i + 1] - 1
            elif c in ";{}":
                return c
            else:
                return BEFORE
        return BEFORE

    def broken(self, tok: Tok) -> Tok:
        value: str = tok.value
        line, col = tok.line, tok.column
        self.broken_at = tok.start_pos
        if tok.type == "OPEN_STRING":
            self.report.error("FC005", "unterminated string: `\"` without a closing `\"`", line, col)
        elif tok.type == "OPEN_COMMENT":
            self.report.error("FC010", "unterminated comment: `/*` without `*/`", line, col, col + 2)
            self.report.mute()  # the rest of the file is inside the comment: no more findings
        elif value[0] == "\ufffd":
            self.report.error("FC001", "invalid UTF-8: the file is not UTF-8 text here", line, col)
        else:
            self.report.error("FC001", f"unexpected control character {value[0]!r}", line, col)
        return tok

    def take(self, before: int) -> list[tuple[str, Span, int, str]]:
        """The pending comments written before offset `before` (removed from pending)."""
        pending = self.pending
        if pending[-1][2] < before:
            self.pending = []
            return pending
        k = 0
        while k < len(pending) and pending[k][2] < before:
            k += 1
        taken, self.pending = pending[:k], pending[k:]
        return taken
