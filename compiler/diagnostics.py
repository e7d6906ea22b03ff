"""Diagnostics are values: every problem any stage finds, with a code and a span.

Codes are never reused: FC0xx syntax, FC1xx structure (schema), FC2xx semantic rules,
FC3xx plan/lowering, FC9xx internal. Stages return diagnostics; only the facade raises.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from flowc.compiler.source import NO_SPAN, Span


class Severity(enum.IntEnum):
    """Ordered so that `severity >= Severity.ERROR` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(frozen=True, slots=True)
class Related:
    """A second location that explains a diagnostic (e.g. where a `{` was opened)."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. Sorted by file, line, column, code."""

    code: str
    severity: Severity
    message: str
    span: Span = NO_SPAN
    hint: str = ""
    related: tuple[Related, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.column, self.code, self.message)

    def __str__(self) -> str:
        return f"{self.span}: {self.severity} {self.code} {self.message}"


def sort_diagnostics(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    """Deterministic order: file, line, column, code, message; duplicates removed."""
    return tuple(sorted(set(diagnostics), key=Diagnostic.sort_key))


class FlowcError(Exception):
    """Raised by the facade when a stage's diagnostics stop the work (exit code 1)."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...], rendered: str = "") -> None:
        super().__init__("; ".join(str(d) for d in diagnostics[:3]))
        self.diagnostics = diagnostics
        self.rendered = rendered  # the findings as the lint text format shows them, if known


class UsageError(Exception):
    """A problem with how flowc was called, or with files it could not read (exit code 2)."""
