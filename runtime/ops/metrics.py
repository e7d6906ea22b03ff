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

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Literal, cast

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from flowc.runtime.stats import CollectorSnapshot, Faults, RateView

PREFIX = "flowc"
Snapshot = CollectorSnapshot
# snapshot["counters"] key -> (metric name without `_total`, help)
COUNTERS: dict[str, tuple[str, str]] = {
    "packets": ("input_packets", "Packets received (show: Input Packets)."),
    "bytes": ("input_bytes", "Bytes of the packets received (show: Input Bytes)."),
    "flows": ("input_flow_records", "Flow records processed (show: Flow records processed)."),
    "blocks_allocated": ("memory_blocks_allocated", "Memory blocks allocated (show: Blocks allocated)."),
    "blocks_freed": ("memory_blocks_freed", "Memory blocks freed (show: Blocks freed)."),
    "blocks_unavailable": ("memory_blocks_unavailable", "Memory blocks asked for when none was free "
                                                        "(show: Blocks unavailable)."),
    "files_created": ("files_created", "Flow files created (show: Files created)."),
    "files_exported": ("files_exported", "Flow files exported to a server (show: Files exported)."),
    "files_destroyed": ("files_destroyed", "Flow files destroyed (show: Files destroyed)."),
    "uncompressed_bytes": ("files_uncompressed_bytes", "Bytes written before compression "
                                                       "(show: Uncompressed bytes)."),
    "compressed_bytes": ("files_compressed_bytes", "Compressed bytes written (show: Compressed bytes)."),
    "ftp_bytes": ("ftp_bytes", "Bytes sent to FTP servers (show: FTP bytes)."),
    "ftp_files": ("ftp_files", "Files sent to FTP servers (show: FTP files)."),
}
TRANSFER_LOG: dict[Literal["lines", "archive_attempts", "archive_failures"], tuple[str, str]] = {
    "lines": ("transfer_log_lines", "Lines written to the transfer log."),
    "archive_attempts": ("transfer_log_archive_attempts", "Transfer-log files offered to an archive site."),
    "archive_failures": ("transfer_log_archive_failures", "Archive attempts an archive site refused."),
}
# snapshot["faults"] key -> (metric name without `_total`, help): the Faults section of `show … extensive`
FAULT_COUNTERS: dict[str, tuple[str, str]] = {
    "records_not_written": ("spool_records_not_written", "Records lost because the spool could not be "
                            "written, e.g. a full disk (show … extensive: Records not written)."),
    "write_error_episodes": ("spool_write_error_episodes", "Times the spool started failing to be written "
                             "(show … extensive: Write error episodes)."),
    "translog_write_failures": ("transfer_log_write_failures", "Transfer-log lines that could not be "
                                "written at once, kept and retried (show … extensive: Transfer log write "
                                "failures)."),
    "ftp_deadline_failures": ("ftp_deadline_failures", "Uploads ended by the whole-transfer deadline "
                              "(show … extensive: FTP deadline failures)."),
    "name_conflicts": ("ftp_name_conflicts", "Uploads stored under a new name because the server had the "
                       "name already (show … extensive: Name conflicts)."),
    "export_errors": ("export_errors", "Unexpected errors an export thread survived "
                      "(show … extensive: Export errors)."),
}
# snapshot["faults"] key -> (gauge name, help)
FAULT_GAUGES: dict[str, tuple[str, str]] = {
    "translog_lines_pending": ("transfer_log_lines_pending", "Transfer-log lines kept in memory, to be "
                               "written when the log can be (show … extensive: Transfer log lines pending)."),
}
COLLECTING = "Collecting flows"


class SnapshotCollector(Collector):
    """Metric families from `source()`: one snapshot per collector interface."""

    def __init__(self, source: Callable[[], Iterable[Snapshot]]) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        snapshots = list(self.source())
        yield from _counters(snapshots)
        yield from _faults(snapshots)
        yield from _inputs(snapshots)
        yield from _gauges(snapshots)
        yield from _channels(snapshots)

    def describe(self) -> Iterator[Metric]:
        return iter(())  # no scrape at registration: the engine may not be up yet


def _name(suffix: str) -> str:
    return f"{PREFIX}_{suffix}"


def _counters(snapshots: list[Snapshot]) -> Iterator[Metric]:
    for key, (name, text) in COUNTERS.items():
        family = CounterMetricFamily(_name(name), text, labels=["collector"])
        for snap in snapshots:
            counters = cast(Mapping[str, RateView], snap["counters"])
            family.add_metric([snap["interface"]], counters[key]["total"], created=snap["since"])
        yield family
    drops = CounterMetricFamily(_name("input_packet_drops"), "Packets dropped, by reason "
                                "(show … extensive: Packet drops).", labels=["collector", "reason"])
    failures = CounterMetricFamily(_name("ftp_failures"), "Failed FTP transfers (show: FTP failure).",
                                   labels=["collector"])
    for snap in snapshots:
        for reason, count in cast(Mapping[str, int], snap["drops"]).items():  # every reason show prints
            drops.add_metric([snap["interface"], reason], count, created=snap["since"])
        failures.add_metric([snap["interface"]], snap["ftp_failures"], created=snap["since"])
    yield drops
    yield failures
    for key, (name, text) in TRANSFER_LOG.items():
        family = CounterMetricFamily(_name(name), text, labels=["collector"])
        for snap in snapshots:
            family.add_metric([snap["interface"]], snap["transfer_log"][key], created=snap["since"])
        yield family


def _faults(snapshots: list[Snapshot]) -> Iterator[Metric]:
    """Every field of the snapshot's `Faults` record (a missing one, from an older collector, is 0)."""
    def value(faults: Faults, key: str) -> int:
        return cast(Mapping[str, int], faults).get(key, 0)

    for key, (name, text) in FAULT_COUNTERS.items():
        family = CounterMetricFamily(_name(name), text, labels=["collector"])
        for snap in snapshots:
            family.add_metric([snap["interface"]], value(snap["faults"], key), created=snap["since"])
        yield family
    for key, (name, text) in FAULT_GAUGES.items():
        gauge = GaugeMetricFamily(_name(name), text, labels=["collector"])
        for snap in snapshots:
            gauge.add_metric([snap["interface"]], value(snap["faults"], key))
        yield gauge


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
    used = GaugeMetricFamily(_name("memory_used_bytes"), "Memory in use (show: Memory Used).",
                             labels=["collector"])
    free = GaugeMetricFamily(_name("memory_free_bytes"), "Memory left of the budget (show: Memory Free).",
                             labels=["collector"])
    files = GaugeMetricFamily(_name("files"), "Flow files in the spool, by state (show … file).",
                              labels=["collector", "state"])
    for snap in snapshots:
        interface = snap["interface"]
        up.add_metric([interface], 1 if snap["state"] == COLLECTING else 0)
        used.add_metric([interface], snap["memory"]["used"])
        free.add_metric([interface], snap["memory"]["free"])
        states: dict[str, int] = {}
        for entry in snap["files"]:
            states[entry["state"]] = states.get(entry["state"], 0) + 1
        for state, count in sorted(states.items()):
            files.add_metric([interface, state], count)
    yield from (up, used, free, files)


def _channels(snapshots: list[Snapshot]) -> Iterator[Metric]:
    current = GaugeMetricFamily(_name("export_current_server"), "1 for the server an export channel "
                                "sends to (show: Current server).", labels=["collector", "channel", "server"])
    state = GaugeMetricFamily(_name("export_server_state"), "1 for each export server's state (show: "
                              "Primary/Secondary server state).",
                              labels=["collector", "channel", "server", "state"])
    for snap in snapshots:
        for channel in snap["channels"]:
            where = [snap["interface"], str(channel["index"])]
            servers = (("primary", channel["primary_state"]), ("secondary", channel["secondary_state"]))
            for role, role_state in servers:
                current.add_metric([*where, role], 1 if channel["current_server"].lower() == role else 0)
                state.add_metric([*where, role, role_state], 1)
    yield current
    yield state
