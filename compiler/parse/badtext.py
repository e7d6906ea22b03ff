"""Invalid UTF-8 and control characters inside quoted strings and comments: located findings.

Stage parse. The lexer reports a bad character between words itself (the BAD_CHAR terminal
of `grammar/terminals.lark`); inside a `"…"` string or a comment it is part of a longer
token, and would be kept (and printed back by `fmt`) silently. `hidden_bad` finds those with
one scan of the text (nothing to do for clean text) and reports each line that has one
(FC001), unless a finding is on that line already.
"""
from __future__ import annotations

import re

from flowc.compiler.diagnostics import Diagnostic, sort_diagnostics
from flowc.compiler.parse.reporter import MAX_ERRORS, Reporter

# what BAD_CHAR matches: control characters other than blanks and line ends, and U+FFFD (the
# replacement of bytes that are not UTF-8, see Source.read)
_BAD = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def hidden_bad(text: str, name: str, diagnostics: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    """`diagnostics` plus FC001 for each line with a bad character no finding covers."""
    if _BAD.search(text) is None:
        return diagnostics
    lines = {d.span.line for d in diagnostics}
    report = Reporter(name)
    line, line_start, pos = 1, 0, 0
    for match in _BAD.finditer(text):
        at = match.start()
        newlines = text.count("\n", pos, at)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", pos, at) + 1
        pos = at
        if line in lines or len(diagnostics) + len(report.items) >= MAX_ERRORS:
            continue
        lines.add(line)
        char = match.group()
        message = ("invalid UTF-8: the file is not UTF-8 text here" if char == "\ufffd"
                   else f"unexpected control character {char!r}")
        report.error("FC001", message, line, at - line_start + 1)
    return sort_diagnostics([*diagnostics, *report.items]) if report.items else diagnostics
