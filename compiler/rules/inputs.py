"""Rules on the input interfaces of interface-map: mo- units that the collector hears."""
from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Severity
from flowc.compiler.ir.model import FlowCollectorConfig
from flowc.compiler.rules.queries import MO_UNIT, entries
from flowc.compiler.rules.rule import Finding, rule


@rule("FC230", "input.not-mo-unit", Severity.ERROR)
def not_mo_unit(config: FlowCollectorConfig) -> Iterator[Finding]:
    """An interface-map input is not a monitoring services logical unit (mo-F/P/P.U).

    Bad:
        interface-map { so-0/1/0.0 { collector cp-6/0/0; } }
    Good:
        interface-map { mo-7/1/0.0 { collector cp-6/0/0; } }
    """
    for entry in entries(config):
        if not MO_UNIT.match(entry.input):
            hint = (f"name the logical unit: {entry.input}.0" if entry.input.startswith("mo-")
                    else "inputs are the mo- units that export cflowd records to the collector")
            yield Finding(entry.span, f"input {entry.input} is not a monitoring services unit (mo-F/P/P.U)", hint)


@rule("FC231", "input.unknown-interface", Severity.WARNING)
def unknown_interface(config: FlowCollectorConfig) -> Iterator[Finding]:
    """An interface-map input names an mo- unit that is not configured under interfaces.

    Bad:
        interface-map { mo-7/1/0.0 { … } }    # no interfaces mo-7/1/0 unit 0
    Good:
        interfaces { mo-7/1/0 { unit 0 { family inet; } } }
    """
    for entry in entries(config):
        if MO_UNIT.match(entry.input) and config.unit(entry.input) is None:
            yield Finding(entry.span, f"input {entry.input} is not configured under interfaces",
                          f"configure interfaces {entry.input.replace('.', ' unit ')}")


@rule("FC232", "input.not-exported-to-collector", Severity.ERROR)
def not_exported(config: FlowCollectorConfig) -> Iterator[Finding]:
    """No forwarding-options monitoring group exports an input to the collector PIC.

    Bad:
        interface-map { mo-7/1/0.0 { collector cp-6/0/0; } }   # no monitoring group uses it
    Good:
        forwarding-options { monitoring g1 { family inet { output {
            flow-export-destination collector-pic; interface mo-7/1/0.0 { engine-id 1; } } } } }
    """
    exported = {
        out.name.removesuffix(".0") if out.name.endswith(".0") else out.name
        for group in config.monitoring if group.flow_export_destination == "collector-pic"
        for out in group.interfaces
    }
    for entry in entries(config):
        if MO_UNIT.match(entry.input) and entry.input.removesuffix(".0") not in exported:
            yield Finding(entry.span, f"no monitoring group exports {entry.input} to the collector PIC",
                          "add it to a forwarding-options monitoring group with "
                          "flow-export-destination collector-pic")


RULES = (not_mo_unit, unknown_interface, not_exported)
