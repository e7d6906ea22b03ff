"""Rules on the collector (cp-) interfaces: name, units, and the PIC's application."""
from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Severity
from flowc.compiler.ir.model import FlowCollectorConfig
from flowc.compiler.rules.queries import CP_NAME, collector_refs, collectors
from flowc.compiler.rules.rule import Finding, rule

REQUIRED_UNITS = (0, 1, 2)


@rule("FC210", "collector.not-cp", Severity.ERROR)
def not_cp(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A collector named under interface-map is not a cp-FPC/PIC/PORT interface.

    Bad:
        interface-map { collector mo-6/0/0; }
    Good:
        interface-map { collector cp-6/0/0; }
    """
    for name, span in collector_refs(config):
        if not CP_NAME.match(name):
            yield Finding(span, f"collector {name} is not a flow collector interface (cp-FPC/PIC/PORT)",
                          "name the cp- interface of a PIC running monitoring-services application flow-collector")


@rule("FC211", "collector.not-configured", Severity.ERROR)
def not_configured(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A collector named under interface-map has no `interfaces cp-…` configuration.

    Bad:
        interface-map { collector cp-6/0/0; }      # and no interfaces cp-6/0/0
    Good:
        interfaces { cp-6/0/0 { unit 0 {…} unit 1 {…} unit 2 {…} } }
    """
    for name, span in collectors(config).items():
        if CP_NAME.match(name) and config.interface(name) is None:
            yield Finding(span, f"collector {name} is not configured under interfaces",
                          f"configure interfaces {name} with units 0, 1 and 2")


@rule("FC212", "collector.no-pic-application", Severity.ERROR)
def no_pic_application(config: FlowCollectorConfig) -> Iterator[Finding]:
    """The collector's PIC is not converted with `monitoring-services application flow-collector`.

    Bad:
        chassis { fpc 6 { pic 0 { monitoring-services { application monitor; } } } }
        interface-map { collector cp-6/0/0; }
    Good:
        chassis { fpc 6 { pic 0 { monitoring-services { application flow-collector; } } } }
    """
    for name, span in collectors(config).items():
        match = CP_NAME.match(name)
        if match is None:
            continue
        pic = config.chassis.pic(int(match.group(1)), int(match.group(2)))
        if pic is None or pic.application is None:
            yield Finding(span, f"collector {name}: fpc {match.group(1)} pic {match.group(2)} has no "
                          "monitoring-services application flow-collector",
                          f"set chassis fpc {match.group(1)} pic {match.group(2)} monitoring-services "
                          "application flow-collector")
        elif pic.application != "flow-collector":
            yield Finding(span, f"collector {name}: fpc {match.group(1)} pic {match.group(2)} runs "
                          f"application {pic.application}, not flow-collector",
                          "a PIC does flow collection or monitoring, never both")


@rule("FC213", "collector.missing-units", Severity.ERROR)
def missing_units(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A collector interface lacks one of units 0 and 1 (export channels) and 2 (receive).

    Bad:
        cp-6/0/0 { unit 0 {…} unit 2 {…} }
    Good:
        cp-6/0/0 { unit 0 {…} unit 1 {…} unit 2 {…} }
    """
    for name in collectors(config):
        interface = config.interface(name)
        if interface is None:
            continue
        absent = [n for n in REQUIRED_UNITS if interface.unit(n) is None]
        if absent:
            units = ", ".join(str(n) for n in absent)
            yield Finding(interface.span, f"collector {name} has no unit {units}",
                          "a flow collector needs unit 0 and 1 (export channels) and unit 2 (flow receive)")


RULES = (not_cp, not_configured, no_pic_application, missing_units)
