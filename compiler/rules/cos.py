"""Rules on the class of service of the collectors' export channels (units 0 and 1)."""
from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Severity
from flowc.compiler.ir.model import FlowCollectorConfig, LogicalUnit
from flowc.compiler.rules.queries import collector_interfaces
from flowc.compiler.rules.rule import Finding, at, rule

# Forwarding classes every Junos router has without configuring them.
DEFAULT_CLASSES = frozenset({
    "best-effort", "expedited-forwarding", "assured-forwarding", "network-control",
    "be", "ef", "af", "nc",
})


def _units(config: FlowCollectorConfig, numbers: tuple[int, ...]) -> Iterator[LogicalUnit]:
    for name in collector_interfaces(config):
        interface = config.interface(name)
        for number in numbers if interface else ():
            unit = interface.unit(number) if interface else None
            if unit is not None:
                yield unit


@rule("FC220", "cos.export-channel-missing", Severity.ERROR)
def export_channel_missing(config: FlowCollectorConfig) -> Iterator[Finding]:
    """An export channel (cp- unit 0 or 1) has no class-of-service configuration.

    Juniper calls this CoS mandatory: it gives the file transfers their bandwidth.
    Bad:
        cp-6/0/0 { unit 0 { family inet { address 10.1.1.1/32 { destination 10.1.1.2; } } } }
    Good:
        cp-6/0/0 { unit 0 { family inet { filter { output cp-ftp; } address … } } }
        firewall { filter cp-ftp { term all { then forwarding-class ftp; } } }
    """
    for unit in _units(config, (0, 1)):
        if config.channel_cos(unit.name) is None:
            yield Finding(unit.span, f"export channel {unit.name} has no class-of-service configuration",
                          "apply an output filter that sets a forwarding class (or class-of-service "
                          f"interfaces {unit.name.replace('.', ' unit ')}) with a scheduler")


@rule("FC221", "cos.filter-on-receive-unit", Severity.ERROR)
def filter_on_receive_unit(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A CoS filter or scheduler is applied to unit 2, the flow receive channel.

    Bad:
        cp-6/0/0 { unit 2 { family inet { filter { output cp-ftp; } } } }
    Good:
        cp-6/0/0 { unit 2 { family inet { address 10.0.0.1/32 { destination 10.0.0.2; } } } }
    """
    for unit in _units(config, (2,)):
        if unit.filter_output:
            yield Finding(at(unit.filter_output_span, unit.span),
                          f"filter output {unit.filter_output} on {unit.name}: do not apply a CoS filter "
                          "to the flow receive channel", "remove the filter from unit 2")
        cos_unit = config.cos.unit(unit.name)
        if cos_unit is not None and cos_unit.scheduler_map:
            yield Finding(cos_unit.span, f"class-of-service on {unit.name}: unit 2 is the flow receive channel",
                          "apply class of service to units 0 and 1 only")


@rule("FC222", "cos.unknown-filter", Severity.ERROR)
def unknown_filter(config: FlowCollectorConfig) -> Iterator[Finding]:
    """An export channel's output filter is not defined under firewall.

    Bad:
        cp-6/0/0 { unit 0 { family inet { filter { output cp-ftp; } } } }   # no filter cp-ftp
    Good:
        firewall { filter cp-ftp { term all { then forwarding-class ftp; } } }
    """
    for unit in _units(config, (0, 1, 2)):
        if unit.filter_output and config.filter(unit.filter_output) is None:
            yield Finding(at(unit.filter_output_span, unit.span),
                          f"filter {unit.filter_output} on {unit.name} is not defined under firewall",
                          f"define firewall filter {unit.filter_output}")


@rule("FC223", "cos.unknown-scheduler-map", Severity.ERROR)
def unknown_scheduler_map(config: FlowCollectorConfig) -> Iterator[Finding]:
    """class-of-service on an export channel names a scheduler-map that does not exist.

    Bad:
        class-of-service { interfaces { cp-6/0/0 { unit 0 { scheduler-map ftp-map; } } } }
    Good:
        class-of-service { scheduler-maps { ftp-map { forwarding-class ftp scheduler ftp-s; } } … }
    """
    maps = {m.name for m in config.cos.scheduler_maps}
    for unit in _units(config, (0, 1)):
        cos_unit = config.cos.unit(unit.name)
        if cos_unit and cos_unit.scheduler_map and cos_unit.scheduler_map not in maps:
            yield Finding(cos_unit.span, f"scheduler-map {cos_unit.scheduler_map} on {unit.name} is not defined",
                          "define it under class-of-service scheduler-maps")


@rule("FC224", "cos.unknown-forwarding-class", Severity.ERROR)
def unknown_forwarding_class(config: FlowCollectorConfig) -> Iterator[Finding]:
    """An export channel's forwarding class (from its filter or its CoS) is not defined.

    Bad:
        firewall { filter cp-ftp { term all { then forwarding-class ftp; } } }   # no class ftp
    Good:
        class-of-service { forwarding-classes { class ftp queue-num 1; } }
    """
    known = DEFAULT_CLASSES | {fc.name for fc in config.cos.forwarding_classes}
    for unit in _units(config, (0, 1)):
        channel = config.channel_cos(unit.name)
        if channel and channel.forwarding_class and channel.forwarding_class not in known:
            yield Finding(channel.span if unit.filter_output_span is None else unit.filter_output_span,
                          f"forwarding-class {channel.forwarding_class} used by {unit.name} is not defined",
                          "define it under class-of-service forwarding-classes")


@rule("FC225", "cos.unknown-scheduler", Severity.ERROR)
def unknown_scheduler(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A scheduler-map used by an export channel names a scheduler that does not exist.

    Bad:
        scheduler-maps { ftp-map { forwarding-class ftp scheduler ftp-s; } }   # no ftp-s
    Good:
        schedulers { ftp-s { transmit-rate percent 20; } }
    """
    used = {c.scheduler_map for u in _units(config, (0, 1)) if (c := config.cos.unit(u.name)) and c.scheduler_map}
    schedulers = {s.name for s in config.cos.schedulers}
    for smap in config.cos.scheduler_maps:
        if smap.name not in used:
            continue
        for entry in smap.entries:
            if entry.scheduler and entry.scheduler not in schedulers:
                yield Finding(entry.span, f"scheduler {entry.scheduler} in scheduler-map {smap.name} is not defined",
                              "define it under class-of-service schedulers")


RULES = (export_channel_missing, filter_on_receive_unit, unknown_filter, unknown_scheduler_map,
         unknown_forwarding_class, unknown_scheduler)
