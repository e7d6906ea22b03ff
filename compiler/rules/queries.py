"""Which interfaces are flow collectors, inputs and their references (shared by rules)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from flowc.compiler.ir.model import FlowCollectorConfig, MapEntry
from flowc.compiler.source import NO_SPAN, Span

CP_NAME = re.compile(r"^cp-(\d+)/(\d+)/(\d+)$")
MO_UNIT = re.compile(r"^mo-\d+/\d+/\d+\.\d+$")


def collector_refs(config: FlowCollectorConfig) -> Iterator[tuple[str, Span]]:
    """Every collector named under interface-map (default first), with its word's span."""
    imap = config.collector.interface_map if config.collector else None
    if imap is None:
        return
    if imap.collector:
        yield imap.collector, imap.collector_span or imap.span
    for entry in imap.entries:
        if entry.collector:
            yield entry.collector, entry.collector_span or entry.span


def collectors(config: FlowCollectorConfig) -> dict[str, Span]:
    """Collector names (cp- interfaces referenced by interface-map) -> first reference."""
    out: dict[str, Span] = {}
    for name, span in collector_refs(config):
        out.setdefault(name, span)
    return out


def collector_interfaces(config: FlowCollectorConfig) -> list[str]:
    """cp- interfaces in use: referenced collectors that exist, else every configured cp-."""
    referenced = [name for name in collectors(config) if CP_NAME.match(name)]
    return referenced or [i.name for i in config.interfaces if i.name.startswith("cp-")]


def entries(config: FlowCollectorConfig) -> tuple[MapEntry, ...]:
    imap = config.collector.interface_map if config.collector else None
    return imap.entries if imap else ()


def span_or(span: Span | None, fallback: Span) -> Span:
    return span if span is not None and span != NO_SPAN else fallback
