"""Tokens of Junos configuration text, shared by the brace and the set form readers.

The token syntax is declared in `grammar/terminals.lark`; this module compiles it into one
regex (`TOKEN`, one group per terminal, leading blanks skipped) so that the readers can
iterate over a whole file with `finditer` and build statements without a parse tree.
`Reporter` collects the syntax findings of one file, up to `MAX_ERRORS`.
"""
from __future__ import annotations

import re
from importlib.resources import files

from flowc.compiler.diagnostics import Diagnostic, Related, Severity
from flowc.compiler.statements import new_span

MAX_ERRORS = 50
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


# Lines copied from a Junos CLI session along with the configuration, each from column 1:
# a `{master:0}` / `{primary:node0}` state, an `[edit …]` banner (or `[Type ^D at a new
# line to end input]`), a `user@host> command` or `user@host# command` prompt (a state may
# precede a banner or a prompt), the messages Junos prints around a commit, a load or a
# save, and the pager's `---(more 40%)---`.
# Junos never writes a statement like that, so the readers skip them as they skip blank
# lines, except the command of a `user@host# set …` prompt (configuration mode), which is
# kept: a pasted session of `set` commands reads as those commands.
_PROMPT = r"[\w.-]+@[\w.-]+(?::[\w.-]+)*(?P<mode>[>#%])(?![^ \t\r\n])(?P<command>[^\r\n]*)"
_BANNER = r"\[(?:edit|Type \^D)[^\]\r\n]*\]"
_MESSAGE = (r"(?:Entering|Exiting) configuration mode|configuration check succeeds|commit complete"
            r"|load complete|\^D|Wrote \d+ lines? of configuration to [^\r\n]*")
# the pager's prompt: what follows it on the same line (after a `\r`) is the next line
_PAGER = r"---\(more[^)\r\n]*\)---[ \t\r]*"
_STATE = r"\{[A-Za-z][\w:.-]*\}"
SESSION_LINE = re.compile(
    rf"(?m)^(?:(?:(?:{_STATE})?(?:{_BANNER}|{_PROMPT}|{_MESSAGE})|{_STATE})[ \t]*(?=\r?\n|\Z)|{_PAGER})")
# configuration-mode commands whose text a prompt line keeps
_KEPT = frozenset(("set", "delete", "deactivate", "activate", "insert", "protect", "unprotect", "annotate",
                   "rename", "copy", "top", "up"))


def blank_session_lines(text: str) -> str:
    """`text` with every CLI session line (see SESSION_LINE) turned into spaces, so that
    lines and columns stay where they were."""
    if "@" not in text and "\n{" not in text and "\n[" not in text and text[:1] not in ("{", "[") \
            and "complete" not in text and "configuration mode" not in text and "^D" not in text \
            and "---(more" not in text and "Wrote " not in text:
        return text  # the common case, without a regex scan
    if SESSION_LINE.search(text) is None:
        return text
    return SESSION_LINE.sub(_blank, text)


def kept_command(m: re.Match[str]) -> bool:
    """Is this SESSION_LINE match a configuration-mode prompt whose command is kept?"""
    if m.group("mode") != "#":
        return False
    words = m.group("command").split()
    return bool(words) and (words[0] in _KEPT or words[0] == "edit" and len(words) > 1)


def _blank(m: re.Match[str]) -> str:
    line = m.group(0)
    if kept_command(m):
        keep = m.start("command") - m.start(0)
        return " " * keep + line[keep:]
    return " " * len(line)


def unquote(token: str) -> str:
    """The value of a `"…"` token: quotes removed, `\\"` and `\\\\` resolved."""
    inner = token[1:-1]
    return _ESCAPE.sub(r"\1", inner) if "\\" in inner else inner


class Reporter:
    """Collects the syntax diagnostics of one file, up to MAX_ERRORS (then one FC009)."""

    __slots__ = ("name", "items", "full")

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[Diagnostic] = []
        self.full = False

    def error(self, code: str, message: str, line: int, column: int, end_column: int | None = None,
              *, related: tuple[Related, ...] = (), hint: str = "", severity: Severity = Severity.ERROR) -> None:
        if self.full:
            return
        span = new_span(self.name, line, column, line, end_column if end_column is not None else column + 1)
        if len(self.items) >= MAX_ERRORS:
            self.full = True
            self.items.append(Diagnostic("FC009", Severity.ERROR,
                                         f"too many errors (more than {MAX_ERRORS}); stopped reporting", span))
            return
        self.items.append(Diagnostic(code, severity, message, span, hint, related))

    def mute(self) -> None:
        """Report nothing more (what follows is a consequence of the last finding)."""
        self.full = True
