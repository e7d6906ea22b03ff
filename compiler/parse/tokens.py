"""Tokens of Junos configuration text, shared by the brace and the set form readers.

The token syntax is declared in `grammar/terminals.lark`; this module compiles it into one
regex (`TOKEN`, one group per terminal, leading blanks skipped) so that the readers can
iterate over a whole file with `finditer` and build statements without a parse tree.
Error reporting lives in `reporter.py`, pasted-session lines in `transcript.py`.
"""
from __future__ import annotations

import re
from importlib.resources import files

TAGS = frozenset(("inactive:", "protect:", "replace:", "delete:"))
_ESCAPE = re.compile(r'\\(["\\])')

_TOKEN_ORDER = ("NEWLINE", "PUNCT", "BLOCK_COMMENT", "OPEN_COMMENT", "WORD", "STRING", "LINE_COMMENT")
# group numbers in the master regex
NL, PUNCT, BCOMMENT, OPENCOMMENT, WORD, STRING, LCOMMENT, OTHER = range(1, 9)


def _load_terminals() -> dict[str, str]:
    """`NAME: /pattern/flags` lines of grammar/terminals.lark, as {NAME: pattern}."""
    text = files("flowc.grammar").joinpath("terminals.lark").read_text(encoding="utf-8")
    terminals = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z_]+):\s*/(.*)/([a-z]*)\s*$", line)
        if match:
            terminals[match.group(1)] = match.group(2).replace("\\/", "/")
    return terminals


def _master_regex() -> re.Pattern[str]:
    terms = _load_terminals()
    alternatives = "|".join(f"({terms[name]})" for name in _TOKEN_ORDER)
    return re.compile(f"(?s)(?:{terms['WS']})?(?:{alternatives}|(.))")


TOKEN = _master_regex()


def unquote(token: str) -> str:
    """The value of a `"…"` token: quotes removed, `\\"` and `\\\\` resolved."""
    inner = token[1:-1]
    return _ESCAPE.sub(r"\1", inner) if "\\" in inner else inner
