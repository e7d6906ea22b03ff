"""Recovery from syntax errors in brace text, with Lark's interactive parser.

Stage parse. `recover` is the `on_error` handler of the brace parser (`braceform.py`): it
reports the finding (FC002 missing `;`, FC003 a `}` too many, FC004 an unclosed `{`, FC006
`[ … ]` trouble, FC001 anything else), then repairs the parse so that it goes on: it feeds
the `;`, `]` or `}` that is missing, or drops the token that does not fit.
"""
from __future__ import annotations

from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken

from flowc.compiler.parse.reductions import Seq

_BraceBuilder = Any  # compiler/parse/braceform.py's builder (it imports this module)

_VALUES = ("WORD", "STRING")
_SHOWN = {"RBRACE": "}", "LBRACE": "{", "SEMI": ";", "LSQB": "[", "RSQB": "]", "NL": "line end", "$END": "end"}


def recover(b: _BraceBuilder, e: UnexpectedInput) -> bool:
    """Report `e` and repair the parse; True: go on parsing."""
    if not isinstance(e, UnexpectedToken) or e.interactive_parser is None:
        return False
    ip: Any = e.interactive_parser  # lark's InteractiveParser (untyped methods)
    tok = e.token
    if tok.type == "$END":
        _finish(b, ip)
        return True
    _end_statement(b, ip, tok)
    if tok.type in ip.accepts():
        ip.feed_token(tok)
        return True
    report = b.lexed.report
    where = _where(ip)
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


def _where(ip: Any) -> str:
    """"list" inside `[ … ]`, "listed" just after its `]`, "words" inside a statement, or ""."""
    stack = ip.parser_state.value_stack
    if not stack:
        return ""
    if isinstance(stack[-1], Token) and stack[-1].type == "RSQB":
        return "listed"
    seen = False
    for value in reversed(stack):
        if isinstance(value, Token) and value.type == "NL":
            continue  # a blank line between items, or a line end inside `[ … ]`
        if _is_values(value):
            seen = True
        elif isinstance(value, Token) and value.type == "LSQB":
            return "list"
        else:
            break
    return "words" if seen else ""


def _is_values(value: object) -> bool:
    """Words (or line ends) not reduced yet: tokens, or the internal tree of a `_value+`."""
    if isinstance(value, Token):
        return value.type in ("WORD", "STRING", "NL")
    if isinstance(value, Seq):
        data = value.rule  # the direct callbacks of reductions.py
    elif isinstance(value, Tree):
        data = str(value.data)
    else:
        return False
    # `_value`, a `_value+` (`__statement_plus_1`) or a list's values
    return data == "_value" or "_plus_" in data or data.startswith(("__list_star", "__tagged_list_star"))


def _last_token(value: Any) -> Any:
    while isinstance(value, (Tree, list)):
        value = value.children[-1] if isinstance(value, Tree) else value[-1]
    return value


def _list_start(ip: Any) -> Any:
    for value in reversed(ip.parser_state.value_stack):
        if isinstance(value, Token) and value.type == "LSQB":
            return value
    return None


def _end_statement(b: _BraceBuilder, ip: Any, tok: Any) -> None:
    """Before a token that cannot go on the statement: close the `[` and end it with `;`."""
    report = b.lexed.report
    where = _where(ip)
    if where == "list" and tok.type in ("SEMI", "LBRACE", "RBRACE", "$END"):
        start = _list_start(ip)
        what = "" if tok.type == "$END" else f" before `{_SHOWN[tok.type]}`"
        report.error("FC006", f"unclosed `[`: expected `]`{what}", start.line, start.column)
        ip.feed_token(_synthetic("RSQB", "]", tok))
        where = "listed"
    if where == "listed" and tok.type != "SEMI" and tok.type != "NL":
        report.error("FC002", "missing `;` after `]`", tok.line, tok.column)
        ip.feed_token(_synthetic("SEMI", ";", tok))
    elif where == "words" and tok.type in ("RBRACE", "$END") and "SEMI" in ip.accepts():
        last = _last_token(ip.parser_state.value_stack[-1])
        at_end = " at the end of the file" if tok.type == "$END" else ""
        report.error("FC002", f"missing `;` after `{_text(last)}`{at_end}", last.end_line, last.end_column)
        ip.feed_token(_synthetic("SEMI", ";", tok))


def _finish(b: _BraceBuilder, ip: Any) -> None:
    """The end of the file: end the statement, close every open block (FC004 for each)."""
    line, end_col, pos = _end_of(b.lexed.text)
    end = Token("$END", "", pos, line, end_col, line, end_col, pos)
    _end_statement(b, ip, end)
    if "SEMI" in ip.accepts():  # tags with nothing after them
        ip.feed_token(_synthetic("SEMI", ";", end))
    # One `}` per open block (the block callback reports FC004 for a `}` at the end): the
    # builder's stack holds the blocks whose header is reduced, a `{` on top of the parser's
    # stack is one whose header is not yet (asking `accepts()` for each `}` would copy the
    # parser's stacks once per level: quadratic in the nesting).
    stack = ip.parser_state.value_stack
    opened = len(b.stack) + (1 if stack and isinstance(stack[-1], Token) and stack[-1].type == "LBRACE" else 0)
    close = Token("RBRACE", "}", pos, line, end_col - 1, line, end_col, pos)
    for _ in range(opened):
        ip.feed_token(close)


def _end_of(text: str) -> tuple[int, int, int]:
    line = text.count("\n") + 1
    return line, len(text) - (text.rfind("\n") + 1) + 1, len(text)


def _synthetic(kind: str, value: str, at: Any) -> Token:
    return Token(kind, value, at.start_pos, at.line, at.column, at.line, at.column, at.start_pos)


def _text(tok: Any) -> str:
    from flowc.compiler.parse.tokens import unquote
    return unquote(tok.value) if tok.type == "STRING" else str(tok.value)
