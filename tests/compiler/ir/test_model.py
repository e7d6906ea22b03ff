"""The IR's own lookups, and spans taking no part in equality."""
from __future__ import annotations

import dataclasses

import pytest

from flowc.compiler.ir import model as ir
from flowc.compiler.source import Span

HERE = Span("a.conf", 1, 1, 1, 5)
THERE = Span("b.set", 9, 3, 9, 8)

CONFIG = ir.FlowCollectorConfig(
    collector=ir.FlowCollector(file_specs=(ir.FileSpec("1"), ir.FileSpec("daily"), ir.FileSpec("1", variant=True))),
    interfaces=(
        ir.Interface("mo-7/1/0", units=(ir.LogicalUnit("mo-7/1/0.0", 0), ir.LogicalUnit("mo-7/1/0.5", 5))),
        ir.Interface("cp-6/0/0"),
    ),
    chassis=ir.Chassis(pics=(ir.Pic(6, 0, "flow-collector"), ir.Pic(7, 0, "monitor"))),
    filters=(ir.FirewallFilter("out", ("ef",)),),
    export_cos=(ir.ExportCos("cp-6/0/0.0", dscp=46), ir.ExportCos("cp-6/0/0.1")),
)


@pytest.mark.parametrize(("name", "found"), [
    ("mo-7/1/0.0", "mo-7/1/0.0"),
    ("mo-7/1/0", "mo-7/1/0.0"),      # a bare interface name means unit 0
    ("mo-7/1/0.5", "mo-7/1/0.5"),
    ("mo-7/1/0.1", None),
    ("mo-7/1/0.x", None),
    ("mo-9/9/9.0", None),
    ("cp-6/0/0.0", None),            # the interface exists, the unit does not
])
def test_unit_by_full_name(name: str, found: str | None) -> None:
    unit = CONFIG.unit(name)
    assert (unit.name if unit else None) == found


def test_lookups_by_name_return_the_first_or_none() -> None:
    assert CONFIG.interface("cp-6/0/0") == ir.Interface("cp-6/0/0") and CONFIG.interface("cp-1/0/0") is None
    assert CONFIG.collector is not None
    assert CONFIG.collector.file_spec("1") == ir.FileSpec("1") and CONFIG.collector.file_spec("2") is None
    assert CONFIG.chassis.pic(7, 0) == ir.Pic(7, 0, "monitor") and CONFIG.chassis.pic(0, 7) is None
    assert CONFIG.filter("out") == ir.FirewallFilter("out", ("ef",)) and CONFIG.filter("in") is None
    assert CONFIG.channel_cos("cp-6/0/0.0") == ir.ExportCos("cp-6/0/0.0", dscp=46)
    assert CONFIG.channel_cos("cp-6/0/0.2") is None


def test_interface_map_falls_back_to_its_defaults() -> None:
    imap = ir.InterfaceMap("cp-6/0/0", "1", (ir.MapEntry("a"), ir.MapEntry("b", "cp-7/0/0", "2")))
    assert [(imap.collector_of(e), imap.file_spec_of(e)) for e in imap.entries] == [("cp-6/0/0", "1"), ("cp-7/0/0", "2")]
    assert ir.InterfaceMap().collector_of(ir.MapEntry("a")) is None


def test_defaults_are_the_reference_defaults() -> None:
    spec = ir.FileSpec("1")
    assert (spec.data_format, spec.record_level, spec.timeout) == ("flow-compressed", 500_000, 600)
    assert (ir.FlowCollector().retry, ir.FlowCollector().retry_delay) == (0, 0)
    assert ir.TransferLogArchive().maximum_age == 120


def test_spans_take_no_part_in_equality_or_hash() -> None:
    a = ir.FtpSite("ftp://u@h/", "$9$x", "u", span=HERE, password_span=HERE)
    b = ir.FtpSite("ftp://u@h/", "$9$x", "u", span=THERE, password_span=None)
    assert a == b and hash(a) == hash(b)
    assert a != dataclasses.replace(b, username="v")
    unit_a = ir.LogicalUnit("cp-6/0/0.0", 0, span=HERE, filter_output_span=HERE)
    assert unit_a == ir.LogicalUnit("cp-6/0/0.0", 0, span=THERE)


def test_nodes_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CONFIG.host_name = "x"  # type: ignore[misc]
