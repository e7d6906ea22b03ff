"""interface-map input rules (FC230..FC232): their YAML cases, and the checks on hand-built IR."""
from __future__ import annotations

from flowc.compiler.ir.model import (
    FlowCollector,
    FlowCollectorConfig,
    Interface,
    InterfaceMap,
    LogicalUnit,
    MapEntry,
    MonitoringGroup,
    MonitoringOutput,
)
from flowc.compiler.rules.inputs import not_exported, not_mo_unit, unknown_interface

from .casetests import test_fails, test_passes  # noqa: F401 (collected here, with this module's cases)

RULE_CASES = ("inputs",)


def config(*inputs: str, interfaces: tuple[Interface, ...] = (),
           monitoring: tuple[MonitoringGroup, ...] = ()) -> FlowCollectorConfig:
    imap = InterfaceMap(collector="cp-6/0/0", entries=tuple(MapEntry(i) for i in inputs))
    return FlowCollectorConfig(collector=FlowCollector(interface_map=imap), interfaces=interfaces,
                               monitoring=monitoring)


def test_not_mo_unit_hints_the_unit_for_a_bare_mo_name() -> None:
    found = list(not_mo_unit.check(config("mo-7/1/0", "so-0/1/0.0", "mo-7/2/0.0")))
    assert [(f.message, f.hint) for f in found] == [
        ("input mo-7/1/0 is not a monitoring services unit (mo-F/P/P.U)", "name the logical unit: mo-7/1/0.0"),
        ("input so-0/1/0.0 is not a monitoring services unit (mo-F/P/P.U)",
         "inputs are the mo- units that export cflowd records to the collector"),
    ]


def test_unknown_interface_needs_the_unit_not_only_the_interface() -> None:
    interfaces = (Interface("mo-7/1/0", units=(LogicalUnit("mo-7/1/0.0", 0),)),)
    found = list(unknown_interface.check(config("mo-7/1/0.0", "mo-7/1/0.1", "mo-9/9/9.0", interfaces=interfaces)))
    assert [(f.message, f.hint) for f in found] == [
        ("input mo-7/1/0.1 is not configured under interfaces", "configure interfaces mo-7/1/0 unit 1"),
        ("input mo-9/9/9.0 is not configured under interfaces", "configure interfaces mo-9/9/9 unit 0"),
    ]


def test_only_groups_exporting_to_the_collector_pic_count() -> None:
    monitoring = (
        MonitoringGroup("to-pic", "collector-pic", interfaces=(MonitoringOutput("mo-7/1/0"),)),
        MonitoringGroup("to-cflowd", "cflowd-collector", interfaces=(MonitoringOutput("mo-7/2/0.0"),)),
    )
    found = list(not_exported.check(config("mo-7/1/0.0", "mo-7/2/0.0", monitoring=monitoring)))
    # an output interface written without `.0` is unit 0; the cflowd group does not export to the PIC
    assert [f.message for f in found] == ["no monitoring group exports mo-7/2/0.0 to the collector PIC"]
