"""Lint settings (`[tool.flowc]` in pyproject.toml, or flowc.toml) and inline suppressions.

Settings: `select` / `ignore` (codes, code prefixes such as `FC2`, or dotted rule names),
`severity` (code -> error|warning|info), `per-file-ignores` (glob -> codes), `extensions`
(what a folder walk picks up), `fail-on`. Inline suppressions are comments containing
`flowc: ignore CODE[, CODE…]` attached to a statement (`/* … */` before it in brace
files, `# …` before it in set files): they silence those codes on that statement only.
"""
from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowc.compiler.diagnostics import Diagnostic, Severity, UsageError
from flowc.compiler.source import Span
from flowc.compiler.statements import Comment, Statement

DEFAULT_EXTENSIONS = (".conf", ".set", ".cfg", ".txt", ".junos")
SUPPRESSION = re.compile(r"flowc:\s*(?:ignore|noqa)\b[:\s]*([A-Za-z0-9_.,\s-]*)", re.IGNORECASE)
CODE = re.compile(r"^FC\d{3}$")


@dataclass(frozen=True, slots=True)
class LintSettings:
    """How findings are selected and rated. Empty `select` means every code."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    fail_on: Severity = Severity.ERROR

    def enabled(self, code: str, file: str = "") -> bool:
        if self.select and not any(_matches(code, s) for s in self.select):
            return False
        if any(_matches(code, s) for s in self.ignore):
            return False
        posix = Path(file).as_posix() if file else ""
        return not any(
            (fnmatch.fnmatch(posix, glob) or fnmatch.fnmatch(Path(posix).name, glob))
            and any(_matches(code, c) for c in codes)
            for glob, codes in self.per_file_ignores
        )

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)


def _matches(code: str, selector: str) -> bool:
    from flowc.compiler.rules import lookup

    selector = selector.strip()
    if selector.upper() == "ALL":
        return True
    rule = lookup(selector) if not selector.upper().startswith("FC") else None
    if rule is not None:
        return rule.code == code
    return code.upper().startswith(selector.upper())


def load_settings(start: str | Path | None = None, config: str | Path | None = None) -> LintSettings:
    """Settings from `config` if given, else the nearest flowc.toml or pyproject.toml with a
    [tool.flowc] table, walking up from `start` (default: the current directory)."""
    if config is not None:
        return settings_from(_read_toml(Path(config)), str(config))
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("flowc.toml", "pyproject.toml"):
            path = folder / name
            if path.is_file():
                data = _read_toml(path)
                table = data.get("tool", {}).get("flowc") if "tool" in data else None
                if name == "flowc.toml":
                    return settings_from(table if table is not None else data, str(path))
                if table is not None:
                    return settings_from(table, str(path))
    return LintSettings()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None


def settings_from(table: Mapping[str, Any], where: str = "settings") -> LintSettings:
    """Build settings from a `[tool.flowc]`-shaped mapping; UsageError on bad values."""
    known = {"select", "ignore", "severity", "per-file-ignores", "extensions", "fail-on"}
    unknown = set(table) - known
    if unknown:
        raise UsageError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))} in [tool.flowc]")
    try:
        severity = {str(k).upper(): Severity.parse(str(v)) for k, v in dict(table.get("severity", {})).items()}
        fail_on = Severity.parse(str(table.get("fail-on", "error")))
    except ValueError as exc:
        raise UsageError(f"{where}: {exc}") from None
    extensions = tuple(e if e.startswith(".") else f".{e}" for e in _strings(table, "extensions", where)) \
        or DEFAULT_EXTENSIONS
    per_file = tuple((str(glob), tuple(_list(codes, where))) for glob, codes in
                     dict(table.get("per-file-ignores", {})).items())
    return LintSettings(_strings(table, "select", where), _strings(table, "ignore", where), severity,
                        per_file, extensions, fail_on)


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    return tuple(_list(table.get(key, []), f"{where}: {key}"))


def _list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [v for v in re.split(r"[,\s]+", value) if v]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise UsageError(f"{where}: expected a list of strings")


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
                if _matches(diagnostic.code, code):
                    suppression.used.add(code)
                    hit = True
        return hit

    def leftovers(self, settings: LintSettings) -> list[Diagnostic]:
        """FC290 for suppressions that silenced nothing, FC291 for unknown codes."""
        from flowc.compiler.rules import lookup

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
    from flowc.compiler.rules import lookup

    rule = lookup(selector)
    return rule.code if rule else selector.upper()
