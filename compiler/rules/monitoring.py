"""Rules Junos itself enforces at commit around monitoring services."""
from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Severity
from flowc.compiler.ir.model import FlowCollectorConfig
from flowc.compiler.rules.rule import Finding, at, rule


@rule("FC240", "monitoring.cflowd-with-collector-pic", Severity.ERROR, always=True)
def cflowd_with_collector_pic(config: FlowCollectorConfig) -> Iterator[Finding]:
    """cflowd is configured in a monitoring group that exports to the collector PIC.

    Junos refuses the commit: "cflowd cannot be configured when flow collection mode is set".
    Bad:
        output { flow-export-destination collector-pic; cflowd 192.0.2.9 port 2055; }
    Good:
        output { flow-export-destination collector-pic; interface mo-7/1/0.0 {…} }
    """
    for group in config.monitoring:
        if group.flow_export_destination == "collector-pic" and group.cflowd:
            host = group.cflowd[0]
            yield Finding(host.span, f"monitoring {group.name}: cflowd cannot be configured when flow "
                          "collection mode is set (flow-export-destination collector-pic)",
                          "remove cflowd, or export to cflowd-collector instead")


@rule("FC241", "chassis.gres-with-monitoring", Severity.ERROR, always=True)
def gres_with_monitoring(config: FlowCollectorConfig) -> Iterator[Finding]:
    """Graceful switchover is configured together with a monitoring-services application.

    Junos refuses the commit: "Graceful Switchover is not supported on monitoring-services application".
    Bad:
        chassis { redundancy { graceful-switchover; }
                  fpc 6 { pic 0 { monitoring-services { application flow-collector; } } } }
    Good:
        chassis { fpc 6 { pic 0 { monitoring-services { application flow-collector; } } } }
    """
    chassis = config.chassis
    if chassis.graceful_switchover and any(p.application for p in chassis.pics):
        yield Finding(at(chassis.graceful_switchover_span, chassis.span),
                      "Graceful Switchover is not supported on monitoring-services application",
                      "remove chassis redundancy graceful-switchover")


RULES = (cflowd_with_collector_pic, gres_with_monitoring)
