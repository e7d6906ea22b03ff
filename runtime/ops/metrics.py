"""Prometheus metrics of a running engine, read from the snapshots `show` prints.

`SnapshotCollector(source)` is a `prometheus_client` custom collector: at every scrape it
calls `source()`, which returns the collectors' snapshots exactly as the engine answers
`show services flow-collector interface all extensive --format json`, and turns them
into metric families. Nothing is counted a second time: a scrape and a `show` taken at
the same moment print the same numbers. Per-second rates and peaks are left out on
purpose (Prometheus computes `rate()` from the totals).

Counters carry `_created` = the wall-clock time of the collector's start or its last
`clear services flow-collector statistics`: a clear resets the totals to zero, which
Prometheus treats as a counter reset, like a restart (docs/engine.md, "Metrics").
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from flowc.runtime.counters import Counter, Group, of
from flowc.runtime.ops import procstat
from flowc.runtime.ops.show import counted
from flowc.runtime.stats import CollectorSnapshot

PREFIX = "flowc"
Snapshot = CollectorSnapshot
# snapshot key -> (metric name without `_total`, help), derived from `flowc.runtime.counters`
COUNTERS = {c.field: (c.metric, c.help) for c in of(Group.RATES)}
FAULT_COUNTERS = {c.field: (c.metric, c.help) for c in of(Group.FAULTS) if not c.gauge}
FAULT_GAUGES = {c.field: (c.metric, c.help) for c in of(Group.FAULTS) if c.gauge}
COLLECTING = "Collecting flows"
# state sets (the Prometheus state-set pattern: one 0/1 series per state, the current one 1)
COLLECTOR_STATES = (COLLECTING, "Stopping", "Not responding", "Not running")
SERVER_STATES = ("OK", "Failed", "Not configured")


class SnapshotCollector(Collector):
    """Metric families from `source()`: one snapshot per collector interface."""

    def __init__(self, source: Callable[[], Iterable[Snapshot]]) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        snapshots = list(self.source())
        for group in Group:
            yield from _declared(group, snapshots)
        yield from _inputs(snapshots)
        yield from _gauges(snapshots)
        yield from _channels(snapshots)
        yield from _exporters(snapshots)
        yield from _processes(snapshots)

    def describe(self) -> Iterator[Metric]:
        return iter(())  # no scrape at registration: the engine may not be up yet


def _name(suffix: str) -> str:
    return f"{PREFIX}_{suffix}"


def _declared(group: Group, snapshots: list[Snapshot]) -> Iterator[Metric]:
    """A group's counters as declared: one labelled family (drops by reason), or a family each."""
    part = group.value
    if part.family:
        family = CounterMetricFamily(_name(part.family), part.family_help, labels=["collector", part.label])
        for snap in snapshots:
            for counter in of(group):
                family.add_metric([snap["interface"], counter.field], counted(snap, counter), created=snap["since"])
        yield family
        return
    for counter in of(group):
        yield _family(counter, snapshots)


def _family(counter: Counter, snapshots: list[Snapshot]) -> Metric:
    if counter.gauge:
        gauge = GaugeMetricFamily(_name(counter.metric), counter.help, labels=["collector"])
        for snap in snapshots:
            gauge.add_metric([snap["interface"]], counted(snap, counter))
        return gauge
    family = CounterMetricFamily(_name(counter.metric), counter.help, labels=["collector"])
    for snap in snapshots:
        family.add_metric([snap["interface"]], counted(snap, counter), created=snap["since"])
    return family


def _inputs(snapshots: list[Snapshot]) -> Iterator[Metric]:
    packets = CounterMetricFamily(_name("input_interface_packets"), "Packets accepted from one input "
                                  "interface (show … input).", labels=["collector", "input"])
    octets = CounterMetricFamily(_name("input_interface_bytes"), "Bytes accepted from one input "
                                 "interface (show … input).", labels=["collector", "input"])
    for snap in snapshots:
        for item in snap["inputs"]:
            labels = [snap["interface"], item["interface"]]
            packets.add_metric(labels, item["packets"], created=snap["since"])
            octets.add_metric(labels, item["bytes"], created=snap["since"])
    yield packets
    yield octets


def _gauges(snapshots: list[Snapshot]) -> Iterator[Metric]:
    up = GaugeMetricFamily(_name("collector_up"), "1 while the collector process collects flows.",
                           labels=["collector"])
    states_of = GaugeMetricFamily(_name("collector_state"), "1 for the collector's state, 0 for the others "
                              "(show: Interface state; Not responding: alive but no answer within 2 s).",
                              labels=["collector", "state"])
    used = GaugeMetricFamily(_name("memory_used_bytes"), "Memory in use (show: Memory Used).",
                             labels=["collector"])
    free = GaugeMetricFamily(_name("memory_free_bytes"), "Memory left of the budget (show: Memory Free).",
                             labels=["collector"])
    files = GaugeMetricFamily(_name("files"), "Flow files in the spool, by state (show … file).",
                              labels=["collector", "state"])
    for snap in snapshots:
        interface = snap["interface"]
        up.add_metric([interface], 1 if snap["state"] == COLLECTING else 0)
        for name in _states(COLLECTOR_STATES, snap["state"]):
            states_of.add_metric([interface, name], 1 if name == snap["state"] else 0)
        used.add_metric([interface], snap["memory"]["used"])
        free.add_metric([interface], snap["memory"]["free"])
        states: dict[str, int] = {}
        for entry in snap["files"]:
            states[entry["state"]] = states.get(entry["state"], 0) + 1
        for state, count in sorted(states.items()):
            files.add_metric([interface, state], count)
    yield from (up, states_of, used, free, files)


def _states(known: tuple[str, ...], current: str) -> tuple[str, ...]:
    """Every known state, and the current one if it is not among them."""
    return known if current in known else (*known, current)


def _channels(snapshots: list[Snapshot]) -> Iterator[Metric]:
    current = GaugeMetricFamily(_name("export_current_server"), "1 for the server an export channel "
                                "sends to (show: Current server).", labels=["collector", "channel", "server"])
    state = GaugeMetricFamily(_name("export_server_state"), "1 for each export server's state, 0 for "
                              "its other states (show: Primary/Secondary server state).",
                              labels=["collector", "channel", "server", "state"])
    for snap in snapshots:
        for channel in snap["channels"]:
            where = [snap["interface"], str(channel["index"])]
            servers = (("primary", channel["primary_state"]), ("secondary", channel["secondary_state"]))
            for role, role_state in servers:
                current.add_metric([*where, role], 1 if channel["current_server"].lower() == role else 0)
                for name in _states(SERVER_STATES, role_state):
                    state.add_metric([*where, role, name], 1 if name == role_state else 0)
    yield current
    yield state


def _exporters(snapshots: list[Snapshot]) -> Iterator[Metric]:
    """Per exporter and engine with flow_sequence gaps (show … extensive, Receive losses)."""
    labels = ["collector", "exporter", "engine_type", "engine_id"]
    missed = CounterMetricFamily(_name("exporter_sequence_records_missed"), "Records an exporter and engine "
                                 "sent that never arrived (its flow_sequence gaps).", labels=labels)
    resets = CounterMetricFamily(_name("exporter_sequence_resets"), "Times an exporter and engine's "
                                 "flow_sequence went back or jumped.", labels=labels)
    for snap in snapshots:
        for view in snap.get("exporters", []):
            where = [snap["interface"], view["exporter"], str(view["engine_type"]), str(view["engine_id"])]
            missed.add_metric(where, view["sequence_missed"], created=snap["since"])
            resets.add_metric(where, view["sequence_resets"], created=snap["since"])
    yield missed
    yield resets


PROCESS_FIGURES = (  # (metric suffix, help, ProcessStat field, counter?)
    ("cpu_seconds", "CPU time (user and system) of the collector process.", "cpu_seconds", True),
    ("resident_memory_bytes", "Resident memory of the collector process.", "resident_bytes", False),
    ("virtual_memory_bytes", "Virtual memory of the collector process.", "virtual_bytes", False),
    ("open_fds", "Open file descriptors of the collector process.", "open_fds", False),
    ("threads", "Threads of the collector process.", "threads", False),
    ("start_time_seconds", "Start time of the collector process (epoch seconds).", "start_time", False),
)


def _processes(snapshots: list[Snapshot]) -> Iterator[Metric]:
    """`flowc_collector_process_*{collector=…}`: each collector child's /proc figures."""
    stats = [(snap["interface"], procstat.read(snap["pid"])) for snap in snapshots if "pid" in snap]
    for suffix, text, field, counter in PROCESS_FIGURES:
        name = _name(f"collector_process_{suffix}")
        family: CounterMetricFamily | GaugeMetricFamily = (
            CounterMetricFamily(name, text, labels=["collector"]) if counter
            else GaugeMetricFamily(name, text, labels=["collector"]))
        for interface, stat in stats:
            if stat is not None:
                family.add_metric([interface], getattr(stat, field))
        yield family
