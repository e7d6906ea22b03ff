"""Monitoring rules Junos enforces at commit (FC240, FC241): their YAML cases, and the
checks on hand-built IR (both run without a flow collector)."""
from __future__ import annotations

from flowc.compiler.ir.model import CflowdHost, Chassis, FlowCollectorConfig, MonitoringGroup, Pic
from flowc.compiler.rules.monitoring import cflowd_with_collector_pic, gres_with_monitoring
from flowc.compiler.rules.registry import REGISTRY
from flowc.compiler.source import Span

from .casetests import test_fails, test_passes  # noqa: F401 (collected here, with this module's cases)

RULE_CASES = ("monitoring",)


def at(line: int) -> Span:
    return Span("t.conf", line, 1, line, 2)


def test_both_rules_run_without_a_flow_collector() -> None:
    assert REGISTRY["FC240"].always and REGISTRY["FC241"].always


def test_cflowd_is_reported_at_the_first_host_of_a_collector_pic_group() -> None:
    groups = (
        MonitoringGroup("a", "collector-pic", cflowd=(CflowdHost("192.0.2.9", 2055, at(3)), CflowdHost("192.0.2.8", None, at(4)))),
        MonitoringGroup("b", "cflowd-collector", cflowd=(CflowdHost("192.0.2.7", 2055, at(7)),)),
        MonitoringGroup("c", "collector-pic"),
    )
    found = list(cflowd_with_collector_pic.check(FlowCollectorConfig(monitoring=groups)))
    assert [(f.span.line, f.message.split(":")[0]) for f in found] == [(3, "monitoring a")]


def test_gres_points_at_its_word_else_at_chassis() -> None:
    pics = (Pic(6, 0, "flow-collector"),)
    with_word = Chassis(pics, True, span=at(1), graceful_switchover_span=at(2))
    without_word = Chassis(pics, True, span=at(1))
    assert [f.span.line for f in gres_with_monitoring.check(FlowCollectorConfig(chassis=with_word))] == [2]
    assert [f.span.line for f in gres_with_monitoring.check(FlowCollectorConfig(chassis=without_word))] == [1]


def test_gres_without_a_monitoring_application_is_allowed() -> None:
    chassis = Chassis((Pic(6, 0, None),), True, span=at(1))
    assert list(gres_with_monitoring.check(FlowCollectorConfig(chassis=chassis))) == []
