"""Junos-style text for the operational commands, from the engine's control replies.

`render(kind, level, reply)` turns a reply of the control socket into the text the seed
shows for `show services flow-collector interface|input|file`, `clear services
flow-collector statistics` and the two `request services flow-collector` commands.
Section headers start in column 0, their lines are indented two spaces (as the reference
reconstructs Junos' layout); tables right-align their numbers.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from flowc.runtime.ops.replies import Cleared, ClearReply, Reply
from flowc.runtime.stats import (
    ChannelView,
    CollectorSnapshot,
    Counters,
    Drops,
    Faults,
    FileRate,
    FileView,
    InputView,
    RateView,
)

INDENT = "  "
NUMBER_WIDTH = 10  # terse columns: blocks of several collectors line up
TERSE_COLUMNS = (  # (first header line, second header line, counter)
    ("Packets", "", "packets"),
    ("Bytes", "", "bytes"),
    ("Flows", "", "flows"),
    ("Uncompressed", "Bytes", "uncompressed_bytes"),
    ("Compressed", "Bytes", "compressed_bytes"),
    ("FTP bytes", "", "ftp_bytes"),
    ("FTP files", "", "ftp_files"),
)
DROPS = (
    ("No memory", "no_memory"), ("Not IP", "not_ip"), ("Not IPv4", "not_ipv4"),
    ("Too small", "too_small"), ("Fragments", "fragments"), ("ICMP", "icmp"),
    ("TCP", "tcp"), ("Unknown", "unknown"), ("Not JUNOS flow", "not_jflow"),
)
RESPONSE_PREFIX = {"test-file-transfer": "Response: "}


def render(kind: str, level: str, reply: Reply | ClearReply) -> str:
    """The command's text (ends with a newline); an error reply renders as `error: …`."""
    if not reply.get("ok", False) and "interface" not in reply:
        error = cast(Reply, reply).get("error", "the engine refused the request")
        return f"error: {error}\n"
    if kind in ("change-destination", "test-file-transfer"):
        lines = _request(kind, cast(Reply, reply))
    elif kind == "clear":
        lines = _clear(cast(ClearReply, reply).get("collectors", []))
    elif kind in RENDERERS:
        lines = RENDERERS[kind](cast(Reply, reply).get("collectors", []), level or "terse")
    else:
        raise ValueError(f"unknown show kind {kind!r}")
    return "".join(f"{line}\n" for line in lines)


# ---------------------------------------------------------------- interface

def _interface(collectors: list[CollectorSnapshot], level: str) -> list[str]:
    lines: list[str] = []
    for snap in collectors:
        lines += _heading(snap)
        if level == "terse":
            lines += _terse_table(snap["counters"])
        else:
            lines += _interface_detail(snap, extensive=level == "extensive")
    return lines


def _heading(snap: CollectorSnapshot | Cleared | Reply) -> list[str]:
    return [f"Flow collector interface: {snap.get('interface', '')}",
            f"Interface state: {snap.get('state', 'Collecting flows')}"]


def _by_name(counters: Counters) -> Mapping[str, RateView]:
    """The counters by name (the keys are RATE_COUNTERS; a missing one is a KeyError)."""
    return cast(Mapping[str, RateView], counters)


def _terse_table(counters: Counters) -> list[str]:
    values = [str(_total(counters, key)) for _, _, key in TERSE_COLUMNS]
    widths = [max(len(top), len(value), NUMBER_WIDTH) for (top, _, _), value in zip(TERSE_COLUMNS, values)]
    rows = ([c[0] for c in TERSE_COLUMNS], [c[1] for c in TERSE_COLUMNS], values)
    return [_row(cells, widths) for cells in rows]


def _row(cells: Iterable[str], widths: list[int]) -> str:
    return "  ".join(cell.rjust(width) for cell, width in zip(cells, widths)).rstrip()


def _interface_detail(snap: CollectorSnapshot, extensive: bool) -> list[str]:
    c = _by_name(snap["counters"])
    memory = snap["memory"]
    lines = ["Memory:", f"{INDENT}Used: {memory['used']}, Free: {memory['free']}"]
    lines += ["Input:", _rate(c, "Packets", "packets"), _rate(c, "Bytes", "bytes"),
              _rate(c, "Flow records processed", "flows")]
    if extensive:
        lines += ["Allocation:", _rate(c, "Blocks allocated", "blocks_allocated"),
                  _rate(c, "Blocks freed", "blocks_freed"),
                  _rate(c, "Blocks unavailable", "blocks_unavailable")]
    lines += ["Files:", _rate(c, "Files created", "files_created"),
              _rate(c, "Files exported", "files_exported")]
    if extensive:
        lines.append(_rate(c, "Files destroyed", "files_destroyed"))
    lines += ["Throughput:", _rate(c, "Uncompressed bytes", "uncompressed_bytes"),
              _rate(c, "Compressed bytes", "compressed_bytes")]
    if extensive:
        lines += ["Packet drops:", *_drops(snap["drops"])]
        lines += ["Faults:", *_faults(snap["faults"])]
    lines += ["File Transfer:", _rate(c, "FTP bytes", "ftp_bytes"), _rate(c, "FTP files", "ftp_files"),
              f"{INDENT}FTP failure: {snap['ftp_failures']}"]
    for channel in snap["channels"]:
        lines += _channel(channel)
    return lines


def _rate(counters: Mapping[str, RateView], label: str, key: str) -> str:
    entry = counters[key]
    return (f"{INDENT}{label}: {entry['total']}, per second: {entry['per_second']}, "
            f"peak per second: {entry['peak']}")


def _total(counters: Counters, key: str) -> int:
    return _by_name(counters)[key]["total"]


FAULTS = (
    ("Records not written", "records_not_written"), ("Write error episodes", "write_error_episodes"),
    ("Transfer log write failures", "translog_write_failures"),
    ("Transfer log lines pending", "translog_lines_pending"),
    ("FTP deadline failures", "ftp_deadline_failures"), ("Name conflicts", "name_conflicts"),
    ("Export errors", "export_errors"),
)


def _faults(faults: Faults) -> list[str]:
    """The faults the collector survived (full spool, stalling servers …), two a line."""
    by_name = cast(Mapping[str, int], faults)
    cells = [f"{label}: {by_name.get(key, 0)}" for label, key in FAULTS]
    return [INDENT + ", ".join(cells[i:i + 2]) for i in range(0, len(cells), 2)]


def _drops(drops: Drops) -> list[str]:
    by_reason = cast(Mapping[str, int], drops)
    cells = [f"{label}: {by_reason[key]}" for label, key in DROPS]
    return [INDENT + ", ".join(cells[i:i + 2]) for i in range(0, len(cells), 2)]


def _channel(channel: ChannelView) -> list[str]:
    return [f"Export channel: {channel['index']}",
            f"{INDENT}Current server: {channel['current_server']}",
            f"{INDENT}Primary server state: {channel['primary_state']}, "
            f"Secondary server state: {channel['secondary_state']}"]


# ---------------------------------------------------------------- input

def _input(collectors: list[CollectorSnapshot], level: str) -> list[str]:
    lines: list[str] = []
    for snap in collectors:
        if len(collectors) > 1:
            lines.append(f"Flow collector interface: {snap['interface']}")
        lines += _input_table(snap["inputs"])
    return lines


def _input_table(inputs: list[InputView]) -> list[str]:
    rows = [(i["interface"], str(i["packets"]), str(i["bytes"])) for i in inputs]
    name_w = max([16, *(len(r[0]) for r in rows)])
    pkt_w = max([7, *(len(r[1]) for r in rows)])
    byte_w = max([10, *(len(r[2]) for r in rows)])
    fmt = f"{{:<{name_w}}} {{:>{pkt_w}}} {{:>{byte_w}}}"
    return [fmt.format("Interface", "Packets", "Bytes")] + [fmt.format(*r) for r in rows]


# ---------------------------------------------------------------- file

def _file(collectors: list[CollectorSnapshot], level: str) -> list[str]:
    lines: list[str] = []
    for snap in collectors:
        if len(collectors) > 1:
            lines.append(f"Flow collector interface: {snap['interface']}")
        files = snap["files"]
        if level == "terse":
            lines += _file_table(files)
        else:
            for entry in files:
                lines += _file_detail(entry, extensive=level == "extensive")
    return lines


def _file_table(files: list[FileView]) -> list[str]:
    rows = [(f["name"], str(f["flows"]), f["state"]) for f in files]
    name_w = max([9, *(len(r[0]) for r in rows)])
    flow_w = max([5, *(len(r[1]) for r in rows)])
    fmt = f"{{:<{name_w}}}  {{:>{flow_w}}}  {{}}"
    return [fmt.format("File name", "Flows", "State")] + [fmt.format(*r) for r in rows]


def _file_detail(entry: FileView, extensive: bool) -> list[str]:
    lines = [f"Filename: {entry['name']}", "Throughput:"]
    if extensive:
        zero: FileRate = {"per_second": 0, "peak": 0}
        rates = entry.get("rates", {"flows": zero, "uncompressed_bytes": zero, "compressed_bytes": zero})
        lines += [_file_rate("Flow records", entry["flows"], rates["flows"]),
                  _file_rate("Uncompressed bytes", entry["uncompressed_bytes"], rates["uncompressed_bytes"]),
                  _file_rate("Compressed bytes", entry["compressed_bytes"], rates["compressed_bytes"])]
    else:
        lines.append(f"{INDENT}Flow records: {entry['flows']}, Uncompressed bytes: "
                     f"{entry['uncompressed_bytes']}, Compressed bytes: {entry['compressed_bytes']}")
    lines.append("Status:")
    if extensive:
        lines.append(f"{INDENT}Compressed blocks: {entry.get('compressed_blocks', 0)}, "
                     f"Block count: {entry.get('block_count', 0)}")
    lines.append(f"{INDENT}State: {entry['state']}, Transfer attempts: {entry['transfer_attempts']}")
    return lines


def _file_rate(label: str, total: int, rate: FileRate) -> str:
    return f"{INDENT}{label}: {total}, per second: {rate['per_second']}, peak per second: {rate['peak']}"


# ---------------------------------------------------------------- clear / request

def _clear(collectors: list[Cleared]) -> list[str]:
    lines: list[str] = []
    for entry in collectors:
        lines += _heading(entry)
        lines.append("Statistics cleared successfully")
    return lines


def _request(kind: str, reply: Reply) -> list[str]:
    message = reply.get("message") or reply.get("error", "")
    return [*_heading(reply), f"{RESPONSE_PREFIX.get(kind, '')}{message}"]


RENDERERS = {"interface": _interface, "input": _input, "file": _file}
