"""Collector (cp-) interface rules (FC210..FC213): their YAML cases (`collector.yaml`), and
the checks on hand-built IR."""
from __future__ import annotations

import pytest

from flowc.compiler.ir.model import (
    Chassis,
    FlowCollector,
    FlowCollectorConfig,
    Interface,
    InterfaceMap,
    LogicalUnit,
    MapEntry,
    Pic,
)
from flowc.compiler.rules.cp_interfaces import missing_units, no_pic_application, not_configured, not_cp
from flowc.compiler.source import Span

from .casetests import test_fails, test_passes  # noqa: F401 (collected here, with this module's cases)

RULE_CASES = ("collector",)


def at(line: int) -> Span:
    return Span("t.conf", line, 1, line, 2)


def cp(name: str, *units: int) -> Interface:
    return Interface(name, units=tuple(LogicalUnit(f"{name}.{n}", n) for n in units), span=at(20))


def config(default: str | None, *entries: tuple[str, str], interfaces: tuple[Interface, ...] = (),
           pics: tuple[Pic, ...] = ()) -> FlowCollectorConfig:
    imap = InterfaceMap(collector=default, collector_span=at(2),
                        entries=tuple(MapEntry(i, collector=c, collector_span=at(3 + n))
                                      for n, (i, c) in enumerate(entries)))
    return FlowCollectorConfig(collector=FlowCollector(interface_map=imap), interfaces=interfaces,
                               chassis=Chassis(pics=pics))


def test_not_cp_reports_every_reference_at_its_word() -> None:
    found = list(not_cp.check(config("mo-6/0/0", ("mo-7/1/0.0", "cp-6/0/0"), ("mo-7/2/0.0", "cp-6/0"))))
    assert [(f.span.line, f.message) for f in found] == [
        (2, "collector mo-6/0/0 is not a flow collector interface (cp-FPC/PIC/PORT)"),
        (4, "collector cp-6/0 is not a flow collector interface (cp-FPC/PIC/PORT)"),
    ]


def test_not_configured_reports_a_collector_once_at_its_first_reference() -> None:
    found = list(not_configured.check(config("cp-6/0/0", ("mo-7/1/0.0", "cp-6/0/0"), ("mo-7/2/0.0", "cp-7/0/0"),
                                       interfaces=(cp("cp-7/0/0", 0, 1, 2),))))
    assert [(f.span.line, f.message) for f in found] == [(2, "collector cp-6/0/0 is not configured under interfaces")]


@pytest.mark.parametrize(("pics", "message"), [
    ((), "collector cp-6/1/0: fpc 6 pic 1 has no monitoring-services application flow-collector"),
    ((Pic(6, 1, None),), "collector cp-6/1/0: fpc 6 pic 1 has no monitoring-services application flow-collector"),
    ((Pic(6, 1, "monitor"),), "collector cp-6/1/0: fpc 6 pic 1 runs application monitor, not flow-collector"),
])
def test_pic_application_is_read_from_the_cp_name(pics: tuple[Pic, ...], message: str) -> None:
    assert [f.message for f in no_pic_application.check(config("cp-6/1/0", pics=pics))] == [message]


def test_pic_with_flow_collector_application_is_silent() -> None:
    assert list(no_pic_application.check(config("cp-6/1/0", pics=(Pic(6, 0, "monitor"), Pic(6, 1, "flow-collector"))))) == []


def test_missing_units_lists_every_absent_unit() -> None:
    found = list(missing_units.check(config("cp-6/0/0", interfaces=(cp("cp-6/0/0", 1),))))
    assert [(f.span.line, f.message) for f in found] == [(20, "collector cp-6/0/0 has no unit 0, 2")]
    assert list(missing_units.check(config("cp-6/0/0", interfaces=(cp("cp-6/0/0", 0, 1, 2, 3),)))) == []
