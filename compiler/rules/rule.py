"""What a semantic rule is: a code, a dotted name, a default severity and a check.

A check reads the IR (`flowc.compiler.ir.model.FlowCollectorConfig`) and yields `Finding`s
(span, message, hint); the lint facade turns them into `Diagnostic`s with the severity
that the settings give the code. The check's docstring is the rule's documentation:
first line the summary, then a `Bad:` and a `Good:` example (`flowc rules FC201`).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flowc.compiler.diagnostics import Related, Severity
from flowc.compiler.ir.model import FlowCollectorConfig
from flowc.compiler.source import NO_SPAN, Span


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a rule found: the exact word, what is wrong, how to fix it."""

    span: Span
    message: str
    hint: str = ""
    related: tuple[Related, ...] = field(default=())


Check = Callable[[FlowCollectorConfig], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered check (or, with `check=None`, a code another stage reports)."""

    code: str
    name: str
    severity: Severity
    check: Check | None = None
    doc: str = ""
    always: bool = False  # runs even when the configuration has no flow collector

    @property
    def documentation(self) -> str:
        text = self.doc or (inspect.getdoc(self.check) if self.check else "") or ""
        return inspect.cleandoc(text)

    @property
    def summary(self) -> str:
        return self.documentation.splitlines()[0] if self.documentation else ""


def rule(code: str, name: str, severity: Severity, *, always: bool = False) -> Callable[[Check], Rule]:
    """Decorate a check function into a `Rule` (the family module lists them in RULES)."""

    def wrap(check: Check) -> Rule:
        return Rule(code, name, severity, check, always=always)

    return wrap


def at(span: Span | None, fallback: Span = NO_SPAN) -> Span:
    """A finding's span: the given one, else the fallback."""
    return span if span is not None and span != NO_SPAN else fallback
