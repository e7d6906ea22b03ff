"""The Lark parsers of `grammar/curly.lark` and `grammar/set.lark`: how one is built.

Stage parse, part of the Lark backend (`backend.py` is its door). `build(grammar,
transformer, lexer_callbacks, backend)` gives a Lark LALR parser with the contextual lexer
(`Lark.open_from_package`, the grammar read from the `flowc.grammar` package), whose rule
callbacks (`transformer=`) and lexer callbacks are those given. The grammar analysis is
cached on disk by Lark (`cache=`), so that start-up stays small.

Which backend (lark-cython or pure-Python Lark) is chosen in `backend.py`.
"""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from lark import Lark
from lark.lexer import TerminalDef

# part of the cache file's name: a new value when what is cached changes (plain_name, open_from_package)
_CACHE_VERSION = 3
def grammar_text(name: str) -> str:
    return files("flowc.grammar").joinpath(name).read_text(encoding="utf-8")


def _cache_path(name: str, backend: str) -> str:
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


def build(name: str, transformer: object, lexer_callbacks: dict[str, Callable[[Any], Any]],
          backend: str, options: dict[str, Any]) -> Lark:
    """A new LALR parser of grammar `name` with these rule and lexer callbacks (and the
    backend's own `options`, from `backend.py`)."""
    return Lark.open_from_package("flowc.grammar", name, parser="lalr", lexer="contextual",
                                  transformer=transformer, lexer_callbacks=lexer_callbacks,
                                  cache=_cache_path(name, backend), maybe_placeholders=False,
                                  edit_terminals=plain_name, **options)
