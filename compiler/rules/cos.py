"""Rules on the class of service of the collectors' export channels (units 0 and 1).

Each export channel's CoS is a chain (`flowc.compiler.rules.coschain`): classification, the
class, scheduling, the rate. Each link has its code; a channel gets one finding at most,
at its first missing or broken link. FC229 compares the two channels of a collector.
"""
from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Severity
from flowc.compiler.ir.model import FlowCollectorConfig, LogicalUnit
from flowc.compiler.rules.coschain import Chain, Link, chain, classification_span, filter_span
from flowc.compiler.rules.queries import collector_interfaces
from flowc.compiler.rules.rule import Finding, at, rule
from flowc.compiler.source import Span


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
    for found in _chains(config, Link.NOTHING):
        unit = found.unit
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
        for name in unit.output_filters:
            yield Finding(filter_span(unit, name),
                          f"filter output {name} on {unit.name}: do not apply a CoS filter "
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
        for name in unit.output_filters:
            if config.filter(name) is None:
                yield Finding(filter_span(unit, name), f"filter {name} on {unit.name} is not defined under firewall",
                              f"define firewall filter {name}")


@rule("FC223", "cos.unknown-scheduler-map", Severity.ERROR)
def unknown_scheduler_map(config: FlowCollectorConfig) -> Iterator[Finding]:
    """class-of-service on an export channel names a scheduler-map that does not exist.

    Bad:
        class-of-service { interfaces { cp-6/0/0 { unit 0 { scheduler-map ftp-map; } } } }
    Good:
        class-of-service { scheduler-maps { ftp-map { forwarding-class ftp scheduler ftp-s; } } … }
    """
    for found in _chains(config, Link.MAP):
        yield Finding(at(found.span), f"scheduler-map {found.missing} on {found.unit.name} is not defined",
                      "define it under class-of-service scheduler-maps")


@rule("FC224", "cos.unknown-forwarding-class", Severity.ERROR)
def unknown_forwarding_class(config: FlowCollectorConfig) -> Iterator[Finding]:
    """An export channel's forwarding class (from its filter or its CoS) is not defined.

    Bad:
        firewall { filter cp-ftp { term all { then forwarding-class ftp; } } }   # no class ftp
    Good:
        class-of-service { forwarding-classes { class ftp queue-num 1; } }
    """
    for found in _chains(config, Link.CLASS):
        yield Finding(at(found.span), f"forwarding-class {found.missing} used by {found.unit.name} is not defined",
                      "define it under class-of-service forwarding-classes")


@rule("FC225", "cos.unknown-scheduler", Severity.ERROR)
def unknown_scheduler(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A scheduler-map used by an export channel names a scheduler that does not exist.

    Bad:
        scheduler-maps { ftp-map { forwarding-class ftp scheduler ftp-s; } }   # no ftp-s
    Good:
        schedulers { ftp-s { transmit-rate percent 20; } }
    """
    reached = {c.scheduler_map.name for c in _all_chains(config)
               if c.scheduler_map and (c.broken is None or c.broken >= Link.SCHEDULER)}
    schedulers = {s.name for s in config.cos.schedulers}
    for smap in config.cos.scheduler_maps:
        for entry in smap.entries if smap.name in reached else ():
            if entry.scheduler and entry.scheduler not in schedulers:
                yield Finding(entry.span, f"scheduler {entry.scheduler} in scheduler-map {smap.name} is not defined",
                              "define it under class-of-service schedulers")


@rule("FC226", "cos.channel-not-classified", Severity.ERROR)
def channel_not_classified(config: FlowCollectorConfig) -> Iterator[Finding]:
    """Nothing puts an export channel's FTP traffic into a forwarding class.

    A scheduler-map on the unit is not enough: without an output filter whose terms set
    `then forwarding-class` (or a fixed `forwarding-class` on the unit's class of service)
    the transfers run as best-effort, not in the class the scheduler-map gives bandwidth.
    Also reported when the filter's terms classify the traffic to some FTP destinations
    only (at the term that lets the rest through, or at the filter it runs off).
    Bad:
        cp-6/0/0 { unit 0 { family inet { filter { output cp-ftp; } } } }
        firewall { filter cp-ftp { term all { then accept; } } }
    Good:
        firewall { filter cp-ftp { term all { then { forwarding-class ftp-export; accept; } } } }
    """
    for (span, host), units in _grouped(_chains(config, Link.CLASSIFIED)).items():
        if host:
            yield _partly_classified(span, host, units)
        else:
            yield from (_not_classified(config, found) for found in units)


def _not_classified(config: FlowCollectorConfig, found: Chain) -> Finding:
    unit, served = found.unit, _served(config, found)
    served_hint = f" (a class its scheduler-map serves: {served})" if served else ""
    if unit.output_filters:
        return Finding(at(found.span), f"filter {', '.join(unit.output_filters)} puts the FTP traffic of export "
                       f"channel {unit.name} in no forwarding class",
                       f"add a term with `then forwarding-class CLASS`{served_hint}")
    return Finding(at(found.span), f"nothing puts the FTP traffic of export channel {unit.name} in a "
                   "forwarding class", "apply an output filter (family inet filter output FILTER) whose "
                   f"terms set `then forwarding-class CLASS`{served_hint}")


def _partly_classified(span: Span, host: str, units: list[Chain]) -> Finding:
    fw = ", ".join(units[0].unit.output_filters)
    term = units[0].term
    how = f"term {term} lets it through first" if term else "it runs off the end of the filter (discarded)"
    fix = f"add `then forwarding-class CLASS` to term {term}, or a term before it for {host}" if term \
        else f"add a term for {host} with `then {{ forwarding-class CLASS; accept; }}`"
    return Finding(span, f"filter {fw} puts the FTP traffic of export channel{_names(units)} to {host} in no "
                   f"forwarding class: {how}", fix)


@rule("FC227", "cos.channel-not-scheduled", Severity.ERROR)
def channel_not_scheduled(config: FlowCollectorConfig) -> Iterator[Finding]:
    """An export channel's forwarding class gets no scheduler (no scheduler-map, or not in it).

    Reported at the unit when no scheduler-map applies to it, at the scheduler-map when
    the map has no `forwarding-class CLASS scheduler S` for the channel's class.

    Bad:
        class-of-service { scheduler-maps { cp-export { forwarding-class best-effort scheduler be; } } }
        # the channel's filter sets forwarding-class ftp-export
    Good:
        class-of-service { scheduler-maps { cp-export { forwarding-class ftp-export scheduler ftp; } } }
    """
    for found in _chains(config, Link.SCHEDULED):
        unit = found.unit
        yield Finding(at(found.span), f"no scheduler-map applies to export channel {unit.name}",
                      f"apply one: class-of-service interfaces {unit.name.replace('.', ' unit ')} scheduler-map MAP")
    for (span, fc), units in _grouped(_chains(config, Link.MAPPED)).items():
        smap = units[0].scheduler_map.name if units[0].scheduler_map else ""
        yield Finding(span, f"scheduler-map {smap} does not map forwarding-class {fc} of export channel"
                      f"{_names(units)}", f"add `forwarding-class {fc} scheduler SCHEDULER;` to scheduler-map {smap}")


@rule("FC228", "cos.scheduler-without-rate", Severity.WARNING)
def scheduler_without_rate(config: FlowCollectorConfig) -> Iterator[Finding]:
    """The scheduler of an export channel's forwarding class has no transmit-rate.

    Without one the transfers get no guaranteed share of the bandwidth.
    Bad:
        schedulers { ftp-sched { priority high; } }
    Good:
        schedulers { ftp-sched { transmit-rate percent 75; buffer-size percent 75; } }
    """
    for (span, name), units in _grouped(_chains(config, Link.RATE)).items():
        yield Finding(span, f"scheduler {name} of export channel{_names(units)} has no transmit-rate",
                      f"add `transmit-rate percent N;` to scheduler {name}")


@rule("FC229", "cos.channels-differ", Severity.WARNING)
def channels_differ(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A collector's two export channels put their FTP traffic in different forwarding classes.

    One classified and the other not counts too. Both channels carry the same kind of
    transfers; explain an intended difference with an inline suppression
    (`# flowc: ignore FC229`).
    Bad:
        cp-6/0/0 { unit 0 { family inet { filter { output cp-ftp; } } } unit 1 { family inet; } }
    Good:
        cp-6/0/0 { unit 0 { family inet { filter { output cp-ftp; } } }
                   unit 1 { family inet { filter { output cp-ftp; } } } }
    """
    for name in collector_interfaces(config):
        pair = [chain(config, unit) for unit in _units_of(config, name)]
        if len(pair) == 2 and pair[0].class_names != pair[1].class_names:
            odd = pair[0] if not pair[0].classes else pair[1]
            shown = " and ".join(f"{c.unit.name} ({', '.join(sorted(c.class_names)) or 'none'})" for c in pair)
            yield Finding(classification_span(odd.unit), f"export channels put their FTP traffic in different "
                          f"forwarding classes: {shown}",
                          "classify both channels alike, or explain the difference with `# flowc: ignore FC229`")


def _all_chains(config: FlowCollectorConfig) -> Iterator[Chain]:
    for unit in _units(config, (0, 1)):
        yield chain(config, unit)


def _chains(config: FlowCollectorConfig, link: Link) -> Iterator[Chain]:
    """The export channels whose first broken link is `link`."""
    return (found for found in _all_chains(config) if found.broken is link)


def _units_of(config: FlowCollectorConfig, name: str) -> list[LogicalUnit]:
    interface = config.interface(name)
    return [u for n in (0, 1) if interface and (u := interface.unit(n))]


def _grouped(chains: Iterator[Chain]) -> dict[tuple[Span, str], list[Chain]]:
    """Channels broken at the same place for the same thing (two units sharing a map)."""
    out: dict[tuple[Span, str], list[Chain]] = {}
    for found in chains:
        out.setdefault((at(found.span), found.missing), []).append(found)
    return out


def _names(chains: list[Chain]) -> str:
    return ("s " if len(chains) > 1 else " ") + ", ".join(c.unit.name for c in chains)


def _served(config: FlowCollectorConfig, found: Chain) -> str:
    """The classes of the scheduler-map that applies to the unit, if any."""
    cos_unit = config.cos.unit(found.unit.name)
    smap = config.cos.scheduler_map(cos_unit.scheduler_map) if cos_unit and cos_unit.scheduler_map else None
    return ", ".join(e.forwarding_class for e in smap.entries) if smap else ""


RULES = (export_channel_missing, filter_on_receive_unit, unknown_filter, unknown_scheduler_map,
         unknown_forwarding_class, unknown_scheduler, channel_not_classified, channel_not_scheduled,
         scheduler_without_rate, channels_differ)
