"""Junos-style text for the operational commands, from the engine's control replies.

`render(kind, level, reply)` turns a reply of the control socket into the text the seed
shows for `show services flow-collector interface|input|file`, `clear services
flow-collector statistics` and the two `request services flow-collector` commands.
Section headers start in column 0, their lines are indented two spaces (as the reference
reconstructs Junos' layout); tables right-align their numbers.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from flowc.runtime.counters import COUNTERS, Counter, Group, Section
from flowc.runtime.ops.codec import decode_reply
from flowc.runtime.ops.messages import Cleared, ClearReply, Failure, Reply, Snapshots, State
from flowc.runtime.ops.wire import Fields
from flowc.runtime.stats import (
    ChannelView,
    CollectorSnapshot,
    ExporterView,
    FileRate,
    FileView,
    InputView,
    RateView,
)

INDENT = "  "
NUMBER_WIDTH = 10  # terse columns: blocks of several collectors line up
TERSE_COLUMNS = tuple(c for c in COUNTERS if c.terse is not None)
RESPONSE_PREFIX = {"test-file-transfer": "Response: "}


def render(kind: str, level: str, reply: Mapping[str, object]) -> str:
    """The command's text (ends with a newline) from the reply's wire form; an error reply
    renders as `error: …`, a malformed one raises `MessageError`."""
    wire = dict(reply)
    f = Fields(wire, "reply")
    if not f.flag("ok", False) and "interface" not in f:
        return f"error: {f.text('error', 'the engine refused the request')}\n"
    if kind in ("change-destination", "test-file-transfer"):
        lines = _text(kind, level, decode_reply(wire, State))
    elif kind == "clear":
        lines = _text(kind, level, decode_reply(wire, ClearReply))
    elif kind in RENDERERS:
        lines = _text(kind, level, decode_reply(wire, Snapshots))
    else:
        raise ValueError(f"unknown show kind {kind!r}")
    return "".join(f"{line}\n" for line in lines)


def _text(kind: str, level: str, reply: Reply) -> list[str]:
    match reply:
        case Failure(error=error):
            return [f"error: {error}"]
        case State():
            return _request(kind, reply)
        case ClearReply(collectors=collectors):
            return _clear(collectors)
        case Snapshots(collectors=collectors):
            return RENDERERS[kind](list(collectors), level or "terse")
    raise ValueError(f"no text for {type(reply).__name__}")


# ---------------------------------------------------------------- interface

def _interface(collectors: list[CollectorSnapshot], level: str) -> list[str]:
    lines: list[str] = []
    for snap in collectors:
        lines += _heading(snap["interface"], snap["state"])
        if level == "terse":
            lines += _terse_table(snap)
        else:
            lines += _interface_detail(snap, extensive=level == "extensive")
    return lines


def _heading(interface: str, state: str) -> list[str]:
    return [f"Flow collector interface: {interface}", f"Interface state: {state}"]


def _terse_table(snap: CollectorSnapshot) -> list[str]:
    heads = [c.terse or ("", "") for c in TERSE_COLUMNS]
    values = [str(_rate_view(snap, c)["total"]) for c in TERSE_COLUMNS]
    widths = [max(len(top), len(value), NUMBER_WIDTH) for (top, _), value in zip(heads, values)]
    rows = ([h[0] for h in heads], [h[1] for h in heads], values)
    return [_row(cells, widths) for cells in rows]


def _row(cells: Iterable[str], widths: list[int]) -> str:
    return "  ".join(cell.rjust(width) for cell, width in zip(cells, widths)).rstrip()


def _interface_detail(snap: CollectorSnapshot, extensive: bool) -> list[str]:
    memory = snap["memory"]
    lines = ["Memory:", f"{INDENT}Used: {memory['used']}, Free: {memory['free']}"]
    for section in Section:
        shown = [c for c in COUNTERS if c.section is section and section is not Section.NONE
                 and (extensive or not c.extensive)]
        if shown:
            lines += [f"{section.value}:", *_section(snap, shown)]
        if section is Section.RECEIVE and extensive:
            lines += [_exporter(e) for e in snap.get("exporters", [])]
    for channel in snap["channels"]:
        lines += _channel(channel)
    return lines


def _section(snap: CollectorSnapshot, shown: list[Counter]) -> list[str]:
    """Rated counters a line each, then the plain ones two a line."""
    lines = [_rate(c.label, _rate_view(snap, c)) for c in shown if c.group.value.rated]
    cells = [f"{c.label}: {counted(snap, c)}" for c in shown if not c.group.value.rated]
    return lines + [INDENT + ", ".join(cells[i:i + 2]) for i in range(0, len(cells), 2)]


def _exporter(view: ExporterView) -> str:
    """One exporter and engine with flow_sequence gaps, under Receive losses."""
    return (f"{INDENT}Exporter {view['exporter']} engine {view['engine_type']}/{view['engine_id']}: "
            f"Sequence records missed: {view['sequence_missed']}, Sequence resets: {view['sequence_resets']}")


def _rate_view(snap: CollectorSnapshot, counter: Counter) -> RateView:
    return snap["counters"][counter.field]   # a counter missing is a KeyError, not a line that prints 0


def counted(snap: CollectorSnapshot, counter: Counter) -> int:
    """A counter's total in a snapshot (a gauge an idle collector did not report is 0)."""
    match counter.group:
        case Group.RATES:
            return _rate_view(snap, counter)["total"]
        case Group.TOTALS:
            return snap["ftp_failures"]
        case Group.DROPS:
            part = snap["drops"]
        case Group.FAULTS:
            part = snap["faults"]
        case Group.TRANSFER_LOG:
            part = snap["transfer_log"]
    return part.get(counter.field, 0) if counter.gauge else part[counter.field]


def _rate(label: str, entry: RateView) -> str:
    return (f"{INDENT}{label}: {entry['total']}, per second: {entry['per_second']}, "
            f"peak per second: {entry['peak']}")


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

def _clear(collectors: tuple[Cleared, ...]) -> list[str]:
    lines: list[str] = []
    for entry in collectors:
        lines += _heading(entry.interface, entry.state)
        lines.append("Statistics cleared successfully")
    return lines


def _request(kind: str, reply: State) -> list[str]:
    return [*_heading(reply.interface, reply.state), f"{RESPONSE_PREFIX.get(kind, '')}{reply.message or ''}"]


RENDERERS = {"interface": _interface, "input": _input, "file": _file}
