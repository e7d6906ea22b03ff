"""Recovery from syntax errors in brace text: what was wrong, and how the parse goes on.

Stage parse. `recover` is called by the Lark backend (`backend.py`) where the brace parser
stops: it reports the finding (FC002 missing `;`, FC003 a `}` too many, FC004 an unclosed
`{`, FC006 `[ … ]` trouble, FC001 anything else), then repairs the parse through the
backend's `Repair` so that it goes on: it feeds the `;`, `]` or `}` that is missing, or
drops the token that does not fit.
"""
from __future__ import annotations

from collections.abc import Sized
from typing import TYPE_CHECKING, Protocol

from flowc.compiler.parse.lexing import Lexed
from flowc.compiler.parse.tokens import Mark, Tok, mark, unquote

if TYPE_CHECKING:
    from flowc.compiler.parse.backend import Repair


class _BraceBuilder(Protocol):
    """What recovery needs of the brace builder (`braceform.py`, which imports this module)."""

    @property
    def lexed(self) -> Lexed: ...
    @property
    def stack(self) -> Sized: ...  # the open blocks whose header is reduced

_SHOWN = {"RBRACE": "}", "LBRACE": "{", "SEMI": ";", "LSQB": "[", "RSQB": "]", "NL": "line end", "$END": "end"}


def recover(b: _BraceBuilder, repair: Repair) -> bool:
    """Report the error where `repair` stopped and repair the parse; True: go on parsing."""
    tok = repair.token
    if tok.type == "$END":
        _finish(b, repair)
        return True
    _end_statement(b, repair, tok)
    if tok.type in repair.accepts():
        repair.feed(tok)
        return True
    report = b.lexed.report
    where = _where(repair)
    if tok.type == "RBRACE":
        report.error("FC003", "`}` without a matching `{`", tok.line, tok.column)
    elif tok.type == "RSQB":
        report.error("FC006", "`]` without a matching `[`", tok.line, tok.column)
    elif tok.type == "LSQB" and where == "list":
        report.error("FC006", "`[` inside a `[ … ]` list", tok.line, tok.column)
    elif tok.type == "LSQB":
        report.error("FC001", "`[` must follow a statement name", tok.line, tok.column)
    else:
        report.error("FC001", f"unexpected `{tok.value}`", tok.line, tok.column)
    return True


def _where(repair: Repair) -> str:
    """"list" inside `[ … ]`, "listed" just after its `]`, "words" inside a statement, or ""."""
    held = repair.held()
    if not held:
        return ""
    if held[-1].token is not None and held[-1].token.type == "RSQB":
        return "listed"
    seen = False
    for value in reversed(held):
        kind = value.token.type if value.token is not None else ""
        if kind == "NL":
            continue  # a blank line between items, or a line end inside `[ … ]`
        if kind in ("WORD", "STRING") or _is_values(value.rule):
            seen = True
        elif kind == "LSQB":
            return "list"
        else:
            break
    return "words" if seen else ""


def _is_values(rule: str) -> bool:
    """Words not reduced yet: `_value`, a `_value+` (`__statement_plus_1`) or a list's values."""
    return rule == "_value" or "_plus_" in rule or rule.startswith(("__list_star", "__tagged_list_star"))


def _list_start(repair: Repair) -> Tok | None:
    for value in reversed(repair.held()):
        if value.token is not None and value.token.type == "LSQB":
            return value.token
    return None


def _end_statement(b: _BraceBuilder, repair: Repair, tok: Tok) -> None:
    """Before a token that cannot go on the statement: close the `[` and end it with `;`."""
    report = b.lexed.report
    where = _where(repair)
    start = _list_start(repair) if where == "list" else None
    if start is not None and tok.type in ("SEMI", "LBRACE", "RBRACE", "$END"):
        what = "" if tok.type == "$END" else f" before `{_SHOWN[tok.type]}`"
        report.error("FC006", f"unclosed `[`: expected `]`{what}", start.line, start.column)
        repair.feed(mark("RSQB", "]", tok))
        where = "listed"
    if where == "listed" and tok.type != "SEMI" and tok.type != "NL":
        report.error("FC002", "missing `;` after `]`", tok.line, tok.column)
        repair.feed(mark("SEMI", ";", tok))
    elif where == "words" and tok.type in ("RBRACE", "$END") and "SEMI" in repair.accepts():
        last = repair.held()[-1].last
        if last is not None:
            at_end = " at the end of the file" if tok.type == "$END" else ""
            report.error("FC002", f"missing `;` after `{_text(last)}`{at_end}", last.end_line, last.end_column)
        repair.feed(mark("SEMI", ";", tok))


def _finish(b: _BraceBuilder, repair: Repair) -> None:
    """The end of the file: end the statement, close every open block (FC004 for each)."""
    line, end_col, pos = _end_of(b.lexed.text)
    end = Mark("$END", "", pos, line, end_col, line, end_col)
    _end_statement(b, repair, end)
    if "SEMI" in repair.accepts():  # tags with nothing after them
        repair.feed(mark("SEMI", ";", end))
    # One `}` per open block (the block callback reports FC004 for a `}` at the end): the
    # builder's stack holds the blocks whose header is reduced, a `{` on top of the parser's
    # stack is one whose header is not yet (asking `accepts()` for each `}` would copy the
    # parser's stacks once per level: quadratic in the nesting).
    held = repair.held()
    top = held[-1].token if held else None
    opened = len(b.stack) + (1 if top is not None and top.type == "LBRACE" else 0)
    close = Mark("RBRACE", "}", pos, line, end_col - 1, line, end_col)
    for _ in range(opened):
        repair.feed(close)


def _end_of(text: str) -> tuple[int, int, int]:
    line = text.count("\n") + 1
    return line, len(text) - (text.rfind("\n") + 1) + 1, len(text)


def _text(tok: Tok) -> str:
    return unquote(tok.value) if tok.type == "STRING" else str(tok.value)
