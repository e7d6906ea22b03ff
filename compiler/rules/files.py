"""Rules on file specifications and their name-format macros."""
from __future__ import annotations

import re
import time
from collections.abc import Iterator

from flowc.compiler.diagnostics import Severity
from flowc.compiler.ir.model import FileSpec, FlowCollectorConfig
from flowc.compiler.rules.rule import Finding, at, rule

MACRO = re.compile(r"\{%?[A-Za-z_ ]+\}|%.")
SPECIAL = {"%D", "%T", "%I", "%N", "%%"}
BRACE_MACROS = frozenset({
    "am_pm", "date", "day", "day_abbr", "day_full", "generation number", "hour_12", "hour_24",
    "ifalias", "minute", "month", "month_abbr", "month_full", "second", "time", "year", "year_abbr",
})
UNSUPPORTED = frozenset({"num_zone", "time_zone"})
UNIQUE = frozenset({"%N", "%T", "%S", "%s", "{generation number}", "{time}", "{second}"})
_SAMPLE = time.struct_time((2005, 1, 2, 3, 4, 5, 6, 2, 0))


def macros(text: str) -> list[str]:
    """The macros of a name-format in order (`%D`, `{date}`, `%N`; `{%N}` counts as `%N`)."""
    return [m[1:-1] if m.startswith("{%") else m for m in MACRO.findall(text)]


def _specs(config: FlowCollectorConfig) -> tuple[FileSpec, ...]:
    return config.collector.file_specs if config.collector else ()


@rule("FC250", "file-spec.unused", Severity.WARNING)
def unused(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A file specification is not used by interface-map.

    Bad:
        file-specification { variant 1 {…} variant 2 {…} } interface-map { file-specification 1; }
    Good:
        file-specification { variant 1 {…} } interface-map { file-specification 1; }
    """
    imap = config.collector.interface_map if config.collector else None
    used = set()
    if imap is not None:
        used = {imap.file_spec} | {e.file_spec for e in imap.entries}
    for spec in _specs(config):
        if spec.name not in used:
            yield Finding(spec.span, f"file-specification {spec.name} is not used by interface-map",
                          "remove it, or name it under interface-map")


@rule("FC251", "name-format.not-unique", Severity.ERROR)
def not_unique(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A name-format cannot produce unique file names (no %N, %T or time macro).

    Bad:
        name-format "flows-%D.gz";
    Good:
        name-format "cFlowd-py69Ni69-0-%D_%T-%I_%N.bcp.bi.gz";
    """
    for spec in _specs(config):
        if spec.name_format is not None and not UNIQUE.intersection(macros(spec.name_format)):
            yield Finding(at(spec.name_format_span, spec.span),
                          f"name-format of file-specification {spec.name} cannot produce unique names",
                          "add %N (generation number) or %T (time) to the name-format")


@rule("FC252", "name-format.unsafe-macro", Severity.ERROR)
def unsafe_macro(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A name-format puts `/`, `..` or a control character into a file name.

    Bad:
        name-format "flows/%x-%N.gz";     # `/` and %x (01/02/05)
    Good:
        name-format "flows-%D_%T-%N.gz";
    """
    for spec in _specs(config):
        text = spec.name_format
        if text is None:
            continue
        problem = _unsafe(text)
        if problem:
            yield Finding(at(spec.name_format_span, spec.span),
                          f"name-format of file-specification {spec.name}: {problem}",
                          "file names may not hold `/`, `..` or control characters")


def _unsafe(text: str) -> str:
    literal = MACRO.sub("", text)
    if "/" in literal:
        return "`/` in a file name"
    if ".." in literal:
        return "`..` in a file name"
    if any(ord(c) < 32 or ord(c) == 127 for c in literal):
        return "a control character in a file name"
    for macro in macros(text):
        inner = macro.strip("{}")
        if macro in SPECIAL or not inner.startswith("%"):
            continue
        expanded = time.strftime(inner, _SAMPLE)
        if "/" in expanded or any(ord(c) < 32 for c in expanded):
            return f"macro {macro} expands to {expanded!r}"
    return ""


@rule("FC253", "name-format.unknown-macro", Severity.WARNING)
def unknown_macro(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A name-format uses a `{…}` macro that Junos does not know or does not support.

    Bad:
        name-format "flows-{time_zone}-%N.gz";
    Good:
        name-format "flows-{date}_{time}-%N.gz";
    """
    for spec in _specs(config):
        for macro in macros(spec.name_format or ""):
            inner = macro[1:-1] if macro.startswith("{") else ""
            if not inner or inner.startswith("%"):
                continue
            if inner in UNSUPPORTED:
                why = "is documented as not supported"
            elif inner not in BRACE_MACROS:
                why = "is not a known macro"
            else:
                continue
            yield Finding(at(spec.name_format_span, spec.span),
                          f"name-format of file-specification {spec.name}: {macro} {why}",
                          "known macros: %D %T %I %N, {date} {time} {ifalias} {generation number} …")


@rule("FC254", "file-spec.no-name-format", Severity.WARNING)
def no_name_format(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A file specification has no name-format.

    Bad:
        file-specification { variant 1 { data-format flow-compressed; } }
    Good:
        file-specification { variant 1 { name-format "cFlowd-%D_%T-%I_%N.gz"; data-format flow-compressed; } }
    """
    for spec in _specs(config):
        if spec.name_format is None:
            yield Finding(spec.span, f"file-specification {spec.name} has no name-format",
                          'add name-format "cFlowd-%D_%T-%I_%N.gz";')


RULES = (unused, not_unique, unsafe_macro, unknown_macro, no_name_format)
