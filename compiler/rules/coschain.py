"""The class of service of one export channel (cp- unit 0 or 1) as a chain of links.

Stage rules. Input: the IR and one logical unit. Output: a `Chain`: the forwarding classes
the unit's FTP traffic is put in and the first link that is missing or broken, with the
span where it should be fixed. The links, in order:

1. classification: an output filter (`filter output`, `filter output-list`) whose terms set
   `then forwarding-class`, or the unit's fixed class (`class-of-service interfaces cp-…
   unit N forwarding-class`); every filter named must exist; the FTP traffic to each
   destination host must end in a class (`flowc.compiler.rules.filtermatch`);
2. the class exists (defined under `forwarding-classes`, or one of Junos' defaults);
3. scheduling: a scheduler-map applies to the unit (or its physical interface, also through
   `cp-*` and `unit *`), it exists, it maps every class, and each scheduler exists;
4. the scheduler has a transmit rate.

The cos rules report each link (one code per link); a unit yields one finding at most.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from ipaddress import IPv4Address
from urllib.parse import urlsplit

from flowc.compiler.ir.model import CosUnit, FlowCollectorConfig, LogicalUnit, SchedulerMap
from flowc.compiler.rules.filtermatch import outcome
from flowc.compiler.rules.rule import at
from flowc.compiler.source import Span

# Forwarding classes every Junos router has without configuring them.
DEFAULT_CLASSES = frozenset({
    "best-effort", "expedited-forwarding", "assured-forwarding", "network-control",
    "be", "ef", "af", "nc",
})


class Link(IntEnum):
    """The links of the chain, in the order they are checked."""

    NOTHING = 0          # no CoS at all on the unit (FC220)
    FILTER = 1           # an output filter that is not defined (FC222)
    CLASSIFIED = 2       # nothing puts the FTP traffic in a forwarding class (FC226)
    CLASS = 3            # the forwarding class is not defined (FC224)
    SCHEDULED = 4        # no scheduler-map applies to the unit (FC227)
    MAP = 5              # the scheduler-map is not defined (FC223)
    MAPPED = 6           # the scheduler-map does not map the class (FC227)
    SCHEDULER = 7        # the scheduler the map names is not defined (FC225)
    RATE = 8             # the scheduler has no transmit-rate (FC228)


@dataclass(frozen=True, slots=True)
class Classified:
    """A forwarding class the unit's FTP traffic is put in, and the word that puts it there."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Chain:
    """One export channel's chain: its classes and its first broken link (None: whole).
    `missing` names what is missing at that link (a filter, a class, a scheduler, or the
    FTP host whose traffic no class reaches; then `term` is the term that let it through
    unclassified, "" when it ran off the end of the filters)."""

    unit: LogicalUnit
    classes: tuple[Classified, ...] = ()
    scheduler_map: SchedulerMap | None = None
    broken: Link | None = None
    span: Span | None = None
    missing: str = ""
    term: str = ""

    @property
    def class_names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.classes)


def chain(config: FlowCollectorConfig, unit: LogicalUnit) -> Chain:
    """Follow the chain of `unit` up to its first missing or broken link."""
    cos_unit = config.cos.unit(unit.name)
    if not unit.output_filters and cos_unit is None:
        return Chain(unit, broken=Link.NOTHING, span=unit.span)
    undefined = next((name for name in unit.output_filters if config.filter(name) is None), None)
    if undefined is not None:
        return Chain(unit, broken=Link.FILTER, span=filter_span(unit, undefined), missing=undefined)
    sets_a_class = any(fw.forwarding_classes for name in unit.output_filters if (fw := config.filter(name)))
    if not sets_a_class and not (cos_unit and cos_unit.forwarding_class):
        return Chain(unit, broken=Link.CLASSIFIED, span=classification_span(unit))
    classes = classified(config, unit, cos_unit)
    partly = _unclassified_host(config, unit, cos_unit, classes)
    if partly is not None or not classes:
        return partly or Chain(unit, broken=Link.CLASSIFIED, span=classification_span(unit))
    known = DEFAULT_CLASSES | {fc.name for fc in config.cos.forwarding_classes}
    unknown = next((c for c in classes if c.name not in known), None)
    if unknown is not None:
        return Chain(unit, classes, broken=Link.CLASS, span=unknown.span, missing=unknown.name)
    return _scheduling(config, Chain(unit, classes), cos_unit)


def classified(config: FlowCollectorConfig, unit: LogicalUnit, cos_unit: CosUnit | None) -> tuple[Classified, ...]:
    """The classes the unit's FTP traffic is put in: by the output filters' terms it
    reaches (every classifying term when flowc cannot follow it), and by the unit's fixed
    forwarding class."""
    out: list[Classified] = []
    for fc, name in _filter_classes(config, unit):
        if fc not in {c.name for c in out}:
            out.append(Classified(fc, filter_span(unit, name)))
    if cos_unit is not None and cos_unit.forwarding_class and cos_unit.forwarding_class not in {c.name for c in out}:
        out.append(Classified(cos_unit.forwarding_class, at(cos_unit.forwarding_class_span, cos_unit.span)))
    return tuple(out)


def _filter_classes(config: FlowCollectorConfig, unit: LogicalUnit) -> list[tuple[str, str]]:
    filters = [fw for name in unit.output_filters if (fw := config.filter(name)) is not None]
    hosts = ftp_hosts(config)
    if hosts:
        return [pair for host in hosts for pair in outcome(filters, host).classes]
    return [(fc, fw.name) for fw in filters for fc in fw.forwarding_classes]


def _unclassified_host(config: FlowCollectorConfig, unit: LogicalUnit, cos_unit: CosUnit | None,
                       classes: tuple[Classified, ...]) -> Chain | None:
    """The first FTP destination whose traffic the unit's filters leave in no class."""
    filters = [fw for name in unit.output_filters if (fw := config.filter(name)) is not None]
    if not filters or (cos_unit is not None and cos_unit.forwarding_class):
        return None  # with a fixed class, what the filters leave unclassified keeps it
    for host in ftp_hosts(config):
        result = outcome(filters, host)
        if result.known and result.forwarding_class is None:
            span = result.term.span if result.term else filters[-1].span  # where the missing term goes
            return Chain(unit, classes, None, Link.CLASSIFIED, span, str(host), result.term.name if result.term else "")
    return None


def ftp_hosts(config: FlowCollectorConfig) -> tuple[IPv4Address, ...]:
    """The FTP destinations written as IPv4 addresses (names are not resolved)."""
    hosts: list[IPv4Address] = []
    for site in config.collector.destinations if config.collector else ():
        try:
            hosts.append(IPv4Address(urlsplit(site.url).hostname or ""))
        except ValueError:
            continue
    return tuple(dict.fromkeys(hosts))


def _scheduling(config: FlowCollectorConfig, found: Chain, cos_unit: CosUnit | None) -> Chain:
    unit = found.unit
    if cos_unit is None or not cos_unit.scheduler_map:
        return _broken(found, Link.SCHEDULED, cos_unit.span if cos_unit else unit.span)
    smap = config.cos.scheduler_map(cos_unit.scheduler_map)
    if smap is None:
        return _broken(found, Link.MAP, at(cos_unit.scheduler_map_span, cos_unit.span), cos_unit.scheduler_map)
    found = Chain(unit, found.classes, smap)
    for fc in found.classes:
        entry = smap.entry(fc.name)
        if entry is None or not entry.scheduler:
            return _broken(found, Link.MAPPED, smap.span, fc.name)
        scheduler = config.cos.scheduler(entry.scheduler)
        if scheduler is None:
            return _broken(found, Link.SCHEDULER, entry.span, entry.scheduler)
        if not scheduler.transmit_rate:
            return _broken(found, Link.RATE, scheduler.span, scheduler.name)
    return found


def _broken(found: Chain, link: Link, span: Span, missing: str = "") -> Chain:
    return Chain(found.unit, found.classes, found.scheduler_map, link, span, missing)


def classification_span(unit: LogicalUnit) -> Span:
    """Where a unit's classification is (its output filter) or should be (the unit)."""
    return at(unit.filter_output_span or unit.filter_output_list_span, unit.span)


def filter_span(unit: LogicalUnit, name: str) -> Span:
    """The word naming output filter `name` on `unit`."""
    if name == unit.filter_output:
        return at(unit.filter_output_span, unit.span)
    return at(unit.filter_output_list_span, unit.span)
