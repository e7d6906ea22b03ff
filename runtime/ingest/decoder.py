"""Decoder stage: NetFlow v5 (cflowd) datagrams in, pipe-separated flow lines out.

Two faces over one layout (reference §6.2, network byte order):

- `decode_packet(data)` returns a `V5Packet` with every header and record field (tests,
  tools, the slow path);
- `v5_count(data, size)` and `LineFormat` are the pure-Python twin of the compiled hot path
  (`_hotpath.pyx`, chosen by `hotpath`) and its reference: `v5_count` is the v5 check that
  feeds the drop counters; `LineFormat` uses one precompiled `struct.Struct` per record, one
  `%`-template per (analyzer, ifAlias) with the constants baked in, addresses formatted as
  four `%d` octets (faster than `socket.inet_ntoa`), linkDir from a per-route PRNG, and
  returns the lines as UTF-8 bytes (what the writer compresses).

A line (SPEC §4): linkDir|analyzer-address|analyzer-ID|ifAlias|src|dst|packets|bytes|
start|end|sport|dport|tcp_flags|protocol|src_as|dst_as. Start and end are Unix seconds:
`unix_secs*1000 + unix_nsecs/1e6 - (sys_uptime - First)`, floored to a second, with the
32-bit millisecond uptime taken modulo 2**32 (signed difference) so a wrapped uptime or a
record a little "from the future" still lands on the right second.
"""
from __future__ import annotations

import random
import struct
from dataclasses import dataclass

HEADER = struct.Struct("!HHIIIIBBH")
HEADER_AFTER_COUNT = struct.Struct("!IIIBB")  # sys_uptime, unix_secs, unix_nsecs, seq, engine_type, engine_id
VERSION_COUNT = struct.Struct("!HH")
RECORD = struct.Struct("!4s4s4sHHIIIIHHxBBBHHBBxx")
HOT_RECORD = struct.Struct("!BBBBBBBB8xIIIIHHxBBxHH4x")  # only the fields a line needs
HEADER_SIZE = HEADER.size
RECORD_SIZE = RECORD.size
MAX_RECORDS = 30
VERSION = 5
# within this many ms of a 32-bit uptime wrap a record's First/Last may lie across it
_WRAP_GUARD = 86_400_000

assert HEADER_SIZE == 24 and RECORD_SIZE == 48 and HOT_RECORD.size == 48


class DecodeError(ValueError):
    """A datagram that is not a complete NetFlow v5 export; `reason` names the drop counter."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class V5Header:
    version: int
    count: int
    sys_uptime: int
    unix_secs: int
    unix_nsecs: int
    flow_sequence: int
    engine_type: int
    engine_id: int
    sampling_interval: int


@dataclass(frozen=True, slots=True)
class V5Record:
    srcaddr: str
    dstaddr: str
    nexthop: str
    input: int
    output: int
    packets: int
    octets: int
    first: int
    last: int
    srcport: int
    dstport: int
    tcp_flags: int
    protocol: int
    tos: int
    src_as: int
    dst_as: int
    src_mask: int
    dst_mask: int


@dataclass(frozen=True, slots=True)
class V5Packet:
    header: V5Header
    records: tuple[V5Record, ...]

    def unix_time(self, uptime_ms: int) -> int:
        """Unix seconds of a record's First/Last (an exporter uptime in ms)."""
        return unix_seconds(self.header.sys_uptime, self.header.unix_secs,
                            self.header.unix_nsecs, uptime_ms)


def unix_seconds(sys_uptime: int, unix_secs: int, unix_nsecs: int, uptime_ms: int) -> int:
    ago = ((sys_uptime - uptime_ms + 0x80000000) & 0xFFFFFFFF) - 0x80000000
    return (unix_secs * 1000 + unix_nsecs // 1_000_000 - ago) // 1000


def check_packet(data: bytes | bytearray | memoryview, size: int | None = None) -> int:
    """The record count of a valid v5 datagram, else DecodeError(reason)."""
    size = len(data) if size is None else size
    if size < VERSION_COUNT.size:
        raise DecodeError("too_small", f"{size} bytes: shorter than a v5 header")
    version, count = VERSION_COUNT.unpack_from(data)
    if version != VERSION:
        raise DecodeError("not_jflow", f"version {version}, not 5")
    if not 1 <= count <= MAX_RECORDS:
        raise DecodeError("not_jflow", f"record count {count} outside 1..30")
    if size < HEADER_SIZE + RECORD_SIZE * count:
        raise DecodeError("too_small", f"{size} bytes: too short for {count} records")
    return int(count)


TOO_SMALL, NOT_JFLOW = 0, -1  # what `v5_count` returns for a datagram that is not kept
REASONS = {TOO_SMALL: "too_small", NOT_JFLOW: "not_jflow"}


def v5_count(data: bytes | bytearray | memoryview, size: int) -> int:
    """`check_packet` without the exception: the record count, or TOO_SMALL / NOT_JFLOW."""
    if size < 4 or len(data) < 4:
        return TOO_SMALL
    version, count = data[0] << 8 | data[1], data[2] << 8 | data[3]
    if version != VERSION or not 1 <= count <= MAX_RECORDS:
        return NOT_JFLOW
    return count if size >= HEADER_SIZE + RECORD_SIZE * count else TOO_SMALL


def decode_packet(data: bytes | bytearray | memoryview) -> V5Packet:
    """Every field of a v5 datagram (extra trailing bytes are ignored)."""
    count = check_packet(data)
    header = V5Header(*HEADER.unpack_from(data))
    records = []
    for index in range(count):
        fields = RECORD.unpack_from(data, HEADER_SIZE + RECORD_SIZE * index)
        src, dst, hop = (_dotted(a) for a in fields[:3])
        records.append(V5Record(src, dst, hop, *fields[3:]))
    return V5Packet(header, tuple(records))


def _dotted(raw: bytes) -> str:
    return ".".join(str(b) for b in raw)


class LineFormat:
    """Formats the records of one datagram into lines for one (analyzer, ifAlias)."""

    __slots__ = ("_bits", "template")

    def __init__(self, analyzer_address: str, analyzer_id: str, if_alias: str,
                 rng: random.Random | None = None) -> None:
        constants = "|".join(_escape(v) for v in (analyzer_address, analyzer_id, if_alias))
        self.template = ("%d|" + constants +
                         "|%d.%d.%d.%d|%d.%d.%d.%d|%d|%d|%d|%d|%d|%d|%d|%d|%d|%d\n")
        self._bits = (rng or random.Random()).getrandbits

    def lines(self, data: bytes | bytearray | memoryview, count: int) -> bytes:
        """All lines of a checked datagram (see `check_packet`), joined and encoded."""
        up, secs, nsecs = HEADER_AFTER_COUNT.unpack_from(data, 4)[:3]
        if up < _WRAP_GUARD or up > 0xFFFFFFFF - _WRAP_GUARD:
            return self._slow_lines(data, count, up, secs, nsecs).encode()
        base = secs * 1000 + nsecs // 1_000_000 - up
        t, bits = self.template, self._bits
        view = memoryview(data)[HEADER_SIZE:HEADER_SIZE + RECORD_SIZE * count]
        return "".join([
            t % (bits(64), a, b, c, d, e, f, g, h, pk, oc, (base + fi) // 1000,
                 (base + la) // 1000, sp, dp, fl, pr, sa, da)
            for a, b, c, d, e, f, g, h, pk, oc, fi, la, sp, dp, fl, pr, sa, da
            in HOT_RECORD.iter_unpack(view)]).encode()

    def _slow_lines(self, data: bytes | bytearray | memoryview, count: int, up: int,
                    secs: int, nsecs: int) -> str:
        """Within a day of an uptime wrap: a First/Last more than 2**31 ms away from the
        header's uptime lies on the other side of the wrap."""
        t, bits, wrap = self.template, self._bits, 0x100000000
        late, early = up + 0x80000000, up - 0x80000000
        base = secs * 1000 + nsecs // 1_000_000 - up
        view = memoryview(data)[HEADER_SIZE:HEADER_SIZE + RECORD_SIZE * count]
        return "".join([
            t % (bits(64), a, b, c, d, e, f, g, h, pk, oc,
                 (base + (fi - wrap if fi > late else fi + wrap if fi < early else fi)) // 1000,
                 (base + (la - wrap if la > late else la + wrap if la < early else la)) // 1000,
                 sp, dp, fl, pr, sa, da)
            for a, b, c, d, e, f, g, h, pk, oc, fi, la, sp, dp, fl, pr, sa, da
            in HOT_RECORD.iter_unpack(view)])


def _escape(text: str) -> str:
    """A constant for the line template: `%` doubled, `|` and line breaks made harmless."""
    return text.replace("%", "%%").replace("|", "_").replace("\n", "_").replace("\r", "_")
