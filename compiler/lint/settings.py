"""Lint settings: `[tool.flowc]` in pyproject.toml, or flowc.toml (suppressions: `suppressions.py`).

Settings: `select` / `ignore` (codes, code prefixes such as `FC2`, or dotted rule names),
`severity` (code -> error|warning|info), `per-file-ignores` (glob -> codes), `extensions`
(what a folder walk picks up), `fail-on`.
"""
from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowc.compiler.diagnostics import Severity, UsageError
from flowc.compiler.rules.registry import lookup

DEFAULT_EXTENSIONS = (".conf", ".set", ".cfg", ".txt", ".junos")


@dataclass(frozen=True, slots=True)
class LintSettings:
    """How findings are selected and rated. Empty `select` means every code."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    fail_on: Severity = Severity.ERROR
    junos_schema: bool = False  # `schema = true` / `lint --schema`: FC110-FC112 anywhere

    def enabled(self, code: str, file: str = "") -> bool:
        if self.select and not any(matches(code, s) for s in self.select):
            return False
        if any(matches(code, s) for s in self.ignore):
            return False
        posix = Path(file).as_posix() if file else ""
        return not any(
            (fnmatch.fnmatch(posix, glob) or fnmatch.fnmatch(Path(posix).name, glob))
            and any(matches(code, c) for c in codes)
            for glob, codes in self.per_file_ignores
        )

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)


def matches(code: str, selector: str) -> bool:
    """Does a selector (code, code prefix, dotted rule name or ALL) name this code?"""
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
    known = {"select", "ignore", "severity", "per-file-ignores", "extensions", "fail-on", "schema"}
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
    if not isinstance(table.get("schema", False), bool):
        raise UsageError(f"{where}: schema: expected true or false")
    return LintSettings(_strings(table, "select", where), _strings(table, "ignore", where), severity,
                        per_file, extensions, fail_on, bool(table.get("schema", False)))


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    return tuple(_list(table.get(key, []), f"{where}: {key}"))


def _list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [v for v in re.split(r"[,\s]+", value) if v]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise UsageError(f"{where}: expected a list of strings")
