"""Token values of Junos configuration text, shared by the brace and the set form readers.

The token syntax is declared in `grammar/terminals.lark` and read by Lark
(`compiler/parse/grammars.py`); this module holds what the readers do with a token's text:
the statement tags and the value of a quoted string.
"""
from __future__ import annotations

import re

TAGS = frozenset(("inactive:", "protect:", "replace:", "delete:"))
_ESCAPE = re.compile(r'\\(["\\])')


def unquote(token: str) -> str:
    """The value of a `"…"` token: quotes removed, `\\"` and `\\\\` resolved."""
    inner = token[1:-1]
    return _ESCAPE.sub(r"\1", inner) if "\\" in inner else inner
