"""The one door to Lark: run a grammar over a text with a statement builder as its callbacks.

Stage parse. `run(grammar, make, text, backend, recover)` parses `text` with a parser of
`grammar/<grammar>` whose rule callbacks are the methods of a builder made by `make()` (one
fresh builder per parse), and returns that builder. Everything about running Lark fast is
here and in the two modules behind it: which backend (lark-cython when installed, the
`fast` extra, else pure-Python Lark; `FLOWC_PARSER=python` forces pure Python; both give
the same statements), building and caching parsers (`grammars.py`), the direct reduction
callbacks (`reductions.py`), and recovery. This is the only module that touches what Lark
keeps private: `Lark._callbacks`, the table the parser calls on each reduction
(tests/compiler/parse/test_parse_backend.py fails on a Lark that changes it), and the
`_plugins` option through which lark-cython is plugged in.

Parsers are kept in a pool per grammar and backend; a parse takes one (or builds one), binds
its builder to it, and gives it back: parses in several threads at once each have their own
parser and builder, with no lock. A text with a syntax error is parsed once more, on pure
Lark (lark-cython cannot recover): its interactive parser calls `recover(builder, repair)`,
which reports the error and repairs the parse through `Repair`; what it cannot repair ends
the file's findings with one FC001.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar, cast

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken

from flowc.compiler.parse.grammars import build
from flowc.compiler.parse.lexing import Lexed
from flowc.compiler.parse.reductions import Seq, Shapes, bind, prepare, unbind
from flowc.compiler.parse.tokens import Mark, Tok

__all__ = ["Backend", "Builder", "Repair", "cython_plugins", "default_backend", "run"]

Backend = Literal["cython", "python"]
LexerCallback = Callable[[Any], Any]


def cython_plugins() -> dict[str, Any] | None:
    """lark-cython's plugins, or None when it is not installed (or `FLOWC_PARSER=python`)."""
    if os.environ.get("FLOWC_PARSER") == "python":
        return None
    try:
        import lark_cython
    except ImportError:
        return None
    plugins: dict[str, Any] = lark_cython.plugins
    return plugins


def default_backend() -> Backend:
    return "cython" if cython_plugins() is not None else "python"


class Builder(Protocol):
    """A statement builder: a method per grammar rule, and the lexer's findings."""

    @property
    def lexed(self) -> Lexed: ...


B = TypeVar("B", bound=Builder)


@dataclass(eq=False)
class _Hooks:
    """The lexer callbacks of the builder bound to a parser now (the parser's own lexer
    callbacks forward to them)."""

    now: dict[str, LexerCallback] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class _Slot:
    """A parser, owned by one parse at a time, with its callback table."""

    parser: Lark
    table: dict[Any, Any]
    shapes: Shapes | None
    hooks: _Hooks


_POOLS: dict[tuple[str, Backend], list[_Slot]] = {}


def run(grammar: str, make: Callable[[], B], text: str, backend: Backend | None,
        recover: Callable[[B, Repair], bool]) -> B:
    """Parse `text` with a fresh builder; on a syntax error, once more with another fresh
    builder on pure Lark, recovering. Returns the builder that read the whole text."""
    builder = make()
    try:
        _parse(grammar, backend or default_backend(), builder, text, None)
        return builder
    except UnexpectedInput:
        pass
    builder = make()
    try:
        _parse(grammar, "python", builder, text, lambda e: _repair(recover, builder, e))
    except UnexpectedInput as stuck:
        builder.lexed.report.error("FC001", "syntax error: the file cannot be read on from here",
                                   max(stuck.line, 1), max(stuck.column, 1))
    return builder


def _repair(recover: Callable[[B, Repair], bool], builder: B, error: UnexpectedInput) -> bool:
    if not isinstance(error, UnexpectedToken) or error.interactive_parser is None:
        return False
    return recover(builder, Repair(error))


def _parse(grammar: str, backend: Backend, builder: Builder, text: str,
           on_error: Callable[[UnexpectedInput], bool] | None) -> None:
    slot = _take(grammar, backend, builder)
    try:
        slot.parser.parse(text, on_error=on_error)
    finally:
        _give_back(grammar, backend, slot)


def _take(grammar: str, backend: Backend, builder: Builder) -> _Slot:
    """A parser of the pool (or a new one) with `builder` bound to it."""
    pool = _POOLS.setdefault((grammar, backend), [])
    try:
        slot = pool.pop()  # atomic: two threads never get the same parser
    except IndexError:
        slot = _new_slot(grammar, backend, builder)
    if slot.shapes is not None:
        bind(slot.table, slot.shapes, builder)
    slot.hooks.now = builder.lexed.callbacks()
    return slot


def _give_back(grammar: str, backend: Backend, slot: _Slot) -> None:
    slot.hooks.now = {}
    if slot.shapes is not None:  # a parser that cannot be bound anew is not kept
        unbind(slot.table, slot.shapes)
        _POOLS[(grammar, backend)].append(slot)


def _new_slot(grammar: str, backend: Backend, builder: Builder) -> _Slot:
    hooks = _Hooks()
    forward = {terminal: _forwarder(hooks, terminal) for terminal in builder.lexed.callbacks()}
    plugins = cython_plugins() if backend == "cython" else None
    parser = build(grammar, builder, forward, backend, {"_plugins": plugins} if plugins else {})
    table = _callback_table(parser)
    return _Slot(parser, table, prepare(table), hooks)


def _forwarder(hooks: _Hooks, terminal: str) -> LexerCallback:
    return lambda tok: hooks.now[terminal](tok)


def _callback_table(parser: Lark) -> dict[Any, Any]:
    """The table the parser calls on each reduction, rule -> callback (Lark's private
    `_callbacks`: the one private attribute flowc reads)."""
    table = getattr(parser, "_callbacks", None)
    if not isinstance(table, dict):
        raise RuntimeError(f"this Lark has no callback table flowc can bind ({type(parser).__module__})")
    return table


class Repair:
    """Where the parser stopped on a syntax error, for `recover`: the token it could not
    take, what it accepts there, what it holds (not reduced yet), and feeding it tokens."""

    __slots__ = ("_ip", "token")

    def __init__(self, error: UnexpectedToken) -> None:
        self._ip: Any = error.interactive_parser  # lark's InteractiveParser (partly untyped)
        self.token: Tok = _tok(error.token)

    def accepts(self) -> set[str]:
        """The terminal names the parser takes next."""
        accepted: set[str] = self._ip.accepts()  # lark leaves this method untyped
        return accepted

    def feed(self, tok: Tok) -> None:
        """Give the parser a token (the one it stopped on, or a repair's `tokens.mark`)."""
        if isinstance(tok, Mark):
            tok = _tok(Token(tok.type, tok.value, tok.start_pos, tok.line, tok.column, tok.end_line,
                             tok.end_column, tok.start_pos))
        self._ip.feed_token(tok)

    def held(self) -> list[Held]:
        """What the parser holds, oldest first: tokens, and sequences of a rule not reduced."""
        return [_held(v) for v in self._ip.parser_state.value_stack]


@dataclass(frozen=True, slots=True)
class Held:
    """One value the parser holds: a token, or a sequence (`rule`: the name of its
    rule, `last`: its last token)."""

    token: Tok | None
    rule: str
    last: Tok | None


def _held(value: object) -> Held:
    if isinstance(value, Token):
        return Held(_tok(value), "", _tok(value))
    if isinstance(value, Seq):
        return Held(None, value.rule, _last_token(value))
    if isinstance(value, Tree):
        return Held(None, str(value.data), _last_token(value))
    return Held(None, "", _last_token(value))


def _last_token(value: object) -> Tok | None:
    while isinstance(value, (Tree, list)):
        items = value.children if isinstance(value, Tree) else value
        if not items:
            return None
        value = items[-1]
    return _tok(value) if isinstance(value, Token) else None


def _tok(token: object) -> Tok:
    """A Lark token seen as a `Tok` (lark types its positions Optional; the lexer sets them)."""
    return cast(Tok, token)
