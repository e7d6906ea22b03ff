"""A collector's snapshot read back from its wire form, checked against the counter declaration.

Stage ops, used by the codec. `decode_snapshot(fields)` builds the `CollectorSnapshot`
record of `flowc.runtime.stats` from a decoded JSON object (or a dict off the collector
pipe), in the key order the collector writes it: every declared counter must be there
(a gauge may be missing: an idle collector reports none), every value of its type. The
parts `show` does not print (`transfer_log`, `since`) read as zeros when missing.
"""
from __future__ import annotations

from flowc.runtime.counters import Group, of
from flowc.runtime.ops.wire import Fields
from flowc.runtime.stats import (
    ChannelView,
    CollectorSnapshot,
    Counters,
    ExporterView,
    FileRate,
    FileRates,
    FileView,
    InputView,
    Totals,
)


def decode_snapshot(f: Fields) -> CollectorSnapshot:
    memory = f.record("memory")
    snap: CollectorSnapshot = {
        "interface": f.text("interface"), "state": f.text("state"),
        "memory": {"used": memory.integer("used"), "free": memory.integer("free")},
        "counters": _rates(f.record("counters")), "ftp_failures": f.integer("ftp_failures"),
        "drops": totals(f.record("drops"), Group.DROPS), "faults": totals(f.record("faults"), Group.FAULTS),
        "channels": [_channel(c) for c in f.records("channels")],
        "transfer_log": totals(f.record("transfer_log"), Group.TRANSFER_LOG) if "transfer_log" in f
        else {c.field: 0 for c in of(Group.TRANSFER_LOG)},
        "since": f.number("since") if "since" in f else 0.0,
        "inputs": [_input(i) for i in f.records("inputs")], "files": [_file(i) for i in f.records("files")],
    }
    if "pid" in f:
        snap["pid"] = f.integer("pid")
    if "exporters" in f:
        snap["exporters"] = [_exporter(e) for e in f.records("exporters")]
    return snap


def _exporter(f: Fields) -> ExporterView:
    return {"exporter": f.text("exporter"), "engine_type": f.integer("engine_type"),
            "engine_id": f.integer("engine_id"), "sequence_missed": f.integer("sequence_missed"),
            "sequence_resets": f.integer("sequence_resets")}


def _rates(f: Fields) -> Counters:
    found: Counters = {}
    for counter in of(Group.RATES):
        view = f.record(counter.field)
        found[counter.field] = {"total": view.integer("total"), "per_second": view.integer("per_second"),
                                "peak": view.integer("peak")}
    return found


def totals(f: Fields, group: Group) -> Totals:
    """A plain part: every declared counter, and the gauges present."""
    return {c.field: f.integer(c.field) for c in of(group) if not c.gauge or c.field in f}


def _channel(f: Fields) -> ChannelView:
    return {"index": f.integer("index"), "current_server": f.text("current_server"),
            "primary_state": f.text("primary_state"), "secondary_state": f.text("secondary_state")}


def _input(f: Fields) -> InputView:
    return {"interface": f.text("interface"), "packets": f.integer("packets"), "bytes": f.integer("bytes")}


def _file(f: Fields) -> FileView:
    view: FileView = {"name": f.text("name"), "flows": f.integer("flows"),
                      "uncompressed_bytes": f.integer("uncompressed_bytes"),
                      "compressed_bytes": f.integer("compressed_bytes"), "state": f.text("state"),
                      "transfer_attempts": f.integer("transfer_attempts")}
    if "compressed_blocks" in f:
        view["compressed_blocks"] = f.integer("compressed_blocks")
    if "block_count" in f:
        view["block_count"] = f.integer("block_count")
    if "rates" in f:
        rates = f.record("rates")
        view["rates"] = FileRates(flows=_file_rate(rates.record("flows")),
                                  uncompressed_bytes=_file_rate(rates.record("uncompressed_bytes")),
                                  compressed_bytes=_file_rate(rates.record("compressed_bytes")))
    return view


def _file_rate(f: Fields) -> FileRate:
    return {"per_second": f.integer("per_second"), "peak": f.integer("peak")}
