"""The syntax error reporter of one file: FC0xx diagnostics, capped at MAX_ERRORS.

Stage parse. The brace and set readers call `error(...)` with a line and column; the
reporter builds the span and stops after MAX_ERRORS with one FC009.
"""
from __future__ import annotations

from flowc.compiler.diagnostics import Diagnostic, Related, Severity
from flowc.compiler.parse.statements import new_span

MAX_ERRORS = 50


class Reporter:
    """Collects the syntax diagnostics of one file, up to MAX_ERRORS (then one FC009)."""

    __slots__ = ("full", "items", "name")

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
