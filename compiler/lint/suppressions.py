"""Inline suppressions: `flowc: ignore CODE[, CODE…]` comments on statements.

Stage lint. A suppression is a comment attached to a statement (`/* … */` before it in brace
files, `# …` before it in set files); it silences those codes on that statement only.
Suppressions that silence nothing (FC290) or name unknown codes (FC291) are findings too.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.lint.settings import LintSettings, matches
from flowc.compiler.parse.statements import Comment, Statement
from flowc.compiler.rules.registry import lookup
from flowc.compiler.source import Span

SUPPRESSION = re.compile(r"flowc:\s*(?:ignore|noqa)\b[:\s]*([A-Za-z0-9_.,\s-]*)", re.IGNORECASE)
CODE = re.compile(r"^FC\d{3}$")


@dataclass(slots=True)
class Suppression:
    """One `flowc: ignore …` comment: the codes it names and whether it silenced anything."""

    comment: Comment
    codes: tuple[str, ...]
    used: set[str] = field(default_factory=set)


def _codes(text: str) -> tuple[str, ...] | None:
    match = SUPPRESSION.search(text)
    if match is None:
        return None
    words = [w for w in re.split(r"[,\s]+", match.group(1)) if w]
    return tuple(words)


class Suppressions:
    """Index of suppression comments by the words of the statements they cover."""

    def __init__(self, statements: Iterable[Statement]) -> None:
        self.by_word: dict[tuple[str, int, int], list[Suppression]] = {}
        self.all: dict[tuple[Span, str], Suppression] = {}
        for statement in statements:
            for comment in statement.comments:
                if "flowc" in comment.text:
                    self._add(statement, comment)

    def _add(self, statement: Statement, comment: Comment) -> None:
        codes = _codes(comment.text)
        if codes is None:
            return
        key = (comment.span, comment.text)
        suppression = self.all.setdefault(key, Suppression(comment, codes))
        words = statement.words
        start = max(min(comment.depth, len(words)) - 1, 0)
        line = words[start].span.line if words else 0
        for index, word in enumerate(words):
            if index >= start or word.span.line == line:
                entry = self.by_word.setdefault((word.span.file, word.span.line, word.span.column), [])
                if suppression not in entry:
                    entry.append(suppression)

    def silences(self, diagnostic: Diagnostic) -> bool:
        """True (and the suppression marked used) if a suppression covers this finding."""
        span = diagnostic.span
        hit = False
        for suppression in self.by_word.get((span.file, span.line, span.column), ()):
            for code in suppression.codes:
                if matches(diagnostic.code, code):
                    suppression.used.add(code)
                    hit = True
        return hit

    def leftovers(self, settings: LintSettings) -> list[Diagnostic]:
        """FC290 for suppressions that silenced nothing, FC291 for unknown codes."""
        out = []
        for suppression in self.all.values():
            span = suppression.comment.span
            for code in suppression.codes:
                syntax = bool(CODE.match(code.upper())) and code.upper().startswith("FC0")
                if lookup(code) is None and not syntax:
                    out.append(Diagnostic("FC291", Severity.WARNING, f"suppression names unknown code {code}",
                                          span, "use a code such as FC263 or a rule name"))
                elif code not in suppression.used and settings.enabled(_code_of(code), span.file):
                    out.append(Diagnostic("FC290", Severity.WARNING,
                                          f"unused suppression: no {code} finding on this statement",
                                          span, "remove the comment"))
        return out


def _code_of(selector: str) -> str:
    rule = lookup(selector)
    return rule.code if rule else selector.upper()
