"""The Lark parsers of `grammar/curly.lark` and `grammar/set.lark`, built once and cached.

Stage parse. `lalr_parser(grammar, callbacks, backend)` gives a Lark LALR parser with the
contextual lexer whose rule callbacks (`transformer=`) and lexer callbacks are those of
`callbacks`: the readers build statements as the parser reduces, no tree is made. The
grammar analysis is cached on disk by Lark (`cache=`), so that start-up stays small.

The backend is lark-cython when it is installed (the `fast` extra) and pure-Python Lark
otherwise; `FLOWC_PARSER=python` forces pure Python. Both give the same statements; a
syntax error is always recovered by the pure-Python parser (its interactive parser).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from lark import Lark
from lark.exceptions import UnexpectedInput
from lark.lexer import TerminalDef

from flowc.compiler.parse.lexing import Lexed
from flowc.compiler.parse.reductions import install

Backend = Literal["cython", "python"]

# part of the cache file's name: a new value when what is cached changes (plain_name)
_CACHE_VERSION = 2
_PARSERS: dict[tuple[str, int, Backend], Lark] = {}


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


def grammar_text(name: str) -> str:
    return files("flowc.grammar").joinpath(name).read_text(encoding="utf-8")


def _cache_path(name: str, backend: Backend) -> str:
    """Lark's cache file for a grammar: in the temp dir, keyed by the grammar texts."""
    digest = hashlib.sha256()
    for part in (name, "terminals.lark"):
        digest.update(grammar_text(part).encode())
    tag = f"flowc-{name.split('.')[0]}-{backend}-{_CACHE_VERSION}-{digest.hexdigest()[:16]}.lark-cache"
    return str(Path(tempfile.gettempdir()) / tag)


def plain_name(terminal: TerminalDef) -> TerminalDef:
    """A terminal named by a plain `str`: the grammar loader names it with a Token (a str
    subclass whose `==` is Python code), and the lexer looks every token's name up in sets
    of these names (`newline_types`), calling that `==` once per token."""
    terminal.name = str(terminal.name)
    return terminal


def lalr_parser(name: str, callbacks: object, lexer_callbacks: dict[str, Callable[[Any], Any]],
                backend: Backend) -> Lark:
    """The LALR parser of grammar `name` with these rule and lexer callbacks (one per
    callbacks object and backend, built on first use)."""
    key = (name, id(callbacks), backend)
    parser = _PARSERS.get(key)
    if parser is None:
        path = files("flowc.grammar").joinpath(name)
        plugins = cython_plugins() if backend == "cython" else None
        options: dict[str, Any] = {"_plugins": plugins} if plugins else {}
        parser = Lark(grammar_text(name), parser="lalr", lexer="contextual", transformer=callbacks,
                      lexer_callbacks=lexer_callbacks, import_paths=[str(Path(str(path)).parent)],
                      source_path=str(path), cache=_cache_path(name, backend), maybe_placeholders=False,
                      edit_terminals=plain_name, **options)
        install(parser, callbacks)
        _PARSERS[key] = parser
    return parser


class Recoverable(Protocol):
    """A statement builder that the parser calls back, which can start over on a text."""

    lexed: Lexed

    def reset(self, text: str, name: str) -> None: ...


B = TypeVar("B", bound=Recoverable)


def parse_recovering(grammar: str, builder: B, text: str, name: str, backend: Backend,
                     recover: Callable[[B, UnexpectedInput], bool]) -> None:
    """Parse `text` with `backend`; on a syntax error start over on pure Lark, whose
    interactive parser lets `recover` repair the error and go on (so both backends give the
    same findings). What recovery cannot repair ends the file's findings with one FC001."""
    try:
        lalr_parser(grammar, builder, builder.lexed.callbacks(), backend).parse(text)
    except UnexpectedInput:
        builder.reset(text, name)
        parser = lalr_parser(grammar, builder, builder.lexed.callbacks(), "python")
        try:
            parser.parse(text, on_error=lambda e: recover(builder, e))
        except UnexpectedInput as stuck:
            builder.lexed.report.error("FC001", "syntax error: the file cannot be read on from here",
                                       max(stuck.line, 1), max(stuck.column, 1))
