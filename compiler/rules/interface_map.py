"""Rules on `services flow-collector interface-map` and the file specifications it names."""
from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Severity
from flowc.compiler.ir.model import FlowCollectorConfig
from flowc.compiler.rules.rule import Finding, at, rule


@rule("FC201", "interface-map.unknown-file-spec", Severity.ERROR)
def unknown_file_spec(config: FlowCollectorConfig) -> Iterator[Finding]:
    """interface-map names a file specification that does not exist.

    Bad:
        file-specification { variant 1 { name-format "f-%D_%T-%I_%N.gz"; } }
        interface-map { file-specification 2; }
    Good:
        file-specification { variant 1 { name-format "f-%D_%T-%I_%N.gz"; } }
        interface-map { file-specification 1; }
    """
    fc = config.collector
    imap = fc.interface_map if fc else None
    if fc is None or imap is None:
        return
    known = {spec.name for spec in fc.file_specs}
    refs = [(imap.file_spec, imap.file_spec_span or imap.span, "the default")]
    refs += [(e.file_spec, e.file_spec_span or e.span, e.input) for e in imap.entries]
    for name, span, owner in refs:
        if name is not None and name not in known:
            have = ", ".join(sorted(known)) or "none"
            yield Finding(span, f"file-specification {name} ({owner}) is not defined",
                          f"defined file specifications: {have}")


@rule("FC202", "interface-map.no-collector", Severity.ERROR)
def no_collector(config: FlowCollectorConfig) -> Iterator[Finding]:
    """An input interface has no collector and interface-map has no default collector.

    Bad:
        interface-map { mo-7/1/0.0 { file-specification 1; } }
    Good:
        interface-map { collector cp-6/0/0; mo-7/1/0.0 { file-specification 1; } }
    """
    yield from _without_default(config, "collector", "collector interface", "collector", "collector cp-F/P/0;")


@rule("FC203", "interface-map.no-file-spec", Severity.ERROR)
def no_file_spec(config: FlowCollectorConfig) -> Iterator[Finding]:
    """An input interface has no file specification and there is no default one.

    Bad:
        interface-map { collector cp-6/0/0; mo-7/1/0.0; }
    Good:
        interface-map { collector cp-6/0/0; file-specification 1; mo-7/1/0.0; }
    """
    yield from _without_default(config, "file_spec", "file specification", "file specification",
                                "file-specification N;")


def _without_default(config: FlowCollectorConfig, field: str, names: str, has: str,
                     statement: str) -> Iterator[Finding]:
    """Findings where interface-map has no default `field` and an entry (or the map) none either."""
    imap = config.collector.interface_map if config.collector else None
    if imap is None or getattr(imap, field):
        return
    if not imap.entries:
        yield Finding(imap.span, f"interface-map names no {names}", f"add `{statement}` to interface-map")
    for entry in imap.entries:
        if not getattr(entry, field):
            yield Finding(entry.span, f"input {entry.input} has no {has} and there is no default",
                          f"add `{statement}` to the entry or to interface-map")


@rule("FC204", "interface-map.missing", Severity.ERROR)
def missing(config: FlowCollectorConfig) -> Iterator[Finding]:
    """services flow-collector has no interface-map, so no collector interface is used.

    Bad:
        services { flow-collector { destinations { "ftp://u@192.0.2.1/" { password "$9$…"; } } } }
    Good:
        services { flow-collector { interface-map { collector cp-6/0/0; file-specification 1; } … } }
    """
    fc = config.collector
    if fc is not None and fc.interface_map is None:
        yield Finding(at(fc.span), "services flow-collector has no interface-map",
                      "add `interface-map { collector cp-F/P/0; file-specification N; }`")


RULES = (unknown_file_spec, no_collector, no_file_spec, missing)
