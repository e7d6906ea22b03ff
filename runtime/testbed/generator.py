"""A NetFlow v5 (cflowd) traffic generator and a tiny pcap writer.

`generate()` sends random flows to a collector at a steady record rate: it builds a pool
of packets first, then only patches each header's unix_secs and flow_sequence and sends
in a tight loop paced in batches (so it outruns any Python collector). `v5_packet()`
builds one datagram from `FlowRecord`s; `write_pcap()` writes Ethernet/IPv4/UDP frames
to a classic libpcap file, and `write_frames()` writes arbitrary frames (the tests use
it for every kind of bad packet).
"""
from __future__ import annotations

import random
import socket
import struct
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flowc.runtime.ingest.decoder import HEADER, MAX_RECORDS, RECORD
from flowc.runtime.plan.model import Endpoint

POOL = 64
PCAP_HEADER = struct.Struct("<IHHiIII")
PCAP_RECORD = struct.Struct("<IIII")
LINK_ETHERNET = 1
ICMP_TYPE_CODES = (0x0000, 0x0800, 0x0303, 0x0B00)  # echo reply, echo request, port unreachable, TTL exceeded


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """One v5 flow record; times are exporter uptimes in milliseconds."""

    src: str
    dst: str
    packets: int
    octets: int
    first: int
    last: int
    sport: int = 0
    dport: int = 0
    tcp_flags: int = 0
    protocol: int = 17
    src_as: int = 0
    dst_as: int = 0
    nexthop: str = "0.0.0.0"
    input: int = 0
    output: int = 0
    tos: int = 0
    src_mask: int = 0
    dst_mask: int = 0


@dataclass(frozen=True, slots=True)
class GenerateResult:
    packets: int
    records: int
    seconds: float


def v5_packet(records: Sequence[FlowRecord], *, sys_uptime: int, unix_secs: int, seq: int,
              engine_type: int = 0, engine_id: int = 0, unix_nsecs: int = 0,
              sampling_interval: int = 0) -> bytes:
    """A NetFlow v5 datagram carrying 1..30 records."""
    if not 1 <= len(records) <= MAX_RECORDS:
        raise ValueError("a v5 packet carries 1..30 records")
    head = HEADER.pack(5, len(records), sys_uptime, unix_secs, unix_nsecs, seq & 0xFFFFFFFF,
                       engine_type, engine_id, sampling_interval)
    return head + b"".join(_record(r) for r in records)


def _record(r: FlowRecord) -> bytes:
    return RECORD.pack(socket.inet_aton(r.src), socket.inet_aton(r.dst), socket.inet_aton(r.nexthop),
                       r.input, r.output, r.packets, r.octets, r.first, r.last, r.sport, r.dport,
                       r.tcp_flags, r.protocol, r.tos, r.src_as, r.dst_as, r.src_mask, r.dst_mask)


def random_record(rng: random.Random, uptime: int) -> FlowRecord:
    protocol = rng.choice((6, 6, 17, 17, 1))
    first = uptime - rng.randrange(1000, 60_000)
    # ICMP carries no ports: v5 puts type * 256 + code in the destination port
    sport, dport = (0, rng.choice(ICMP_TYPE_CODES)) if protocol == 1 else (rng.randrange(65536), rng.randrange(65536))
    return FlowRecord(
        src=socket.inet_ntoa(rng.getrandbits(32).to_bytes(4, "big")),
        dst=socket.inet_ntoa(rng.getrandbits(32).to_bytes(4, "big")),
        packets=rng.randrange(1, 5000), octets=rng.randrange(40, 6_000_000),
        first=first, last=first + rng.randrange(0, 1000), sport=sport,
        dport=dport, tcp_flags=rng.randrange(64) if protocol == 6 else 0,
        protocol=protocol, src_as=rng.randrange(65536), dst_as=rng.randrange(65536))


def packet_pool(count: int, records_per_packet: int, *, engine_type: int, engine_id: int,
                seed: int, uptime: int = 100_000_000) -> list[bytearray]:
    """Distinct datagrams to send over and over (header time and sequence patched later)."""
    rng = random.Random(seed)
    return [bytearray(v5_packet([random_record(rng, uptime) for _ in range(records_per_packet)],
                                sys_uptime=uptime, unix_secs=0, seq=0,
                                engine_type=engine_type, engine_id=engine_id))
            for _ in range(count)]


def generate(target: Endpoint, rate: int, duration: float, *, records_per_packet: int = 30,
             engine_type: int = 0, engine_id: int = 0, seed: int = 0) -> GenerateResult:
    """Send `rate` records per second for `duration` seconds; what was sent."""
    pool = packet_pool(POOL, records_per_packet, engine_type=engine_type, engine_id=engine_id,
                       seed=seed)
    total = max(1, round(rate * duration / records_per_packet))
    family = socket.AF_INET6 if ":" in target.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
        sock.connect((target.host, target.port))
        started = time.monotonic()
        sent = _send(sock, pool, total, rate / records_per_packet, records_per_packet, started)
        seconds = time.monotonic() - started
    return GenerateResult(sent, sent * records_per_packet, seconds)


def _send(sock: socket.socket, pool: list[bytearray], total: int, packets_per_second: float,
          per_packet: int, started: float) -> int:
    patch, send, clock = struct.Struct("!II").pack_into, sock.send, time.monotonic
    batch = max(1, min(256, int(packets_per_second / 1000)))
    sent, size = 0, len(pool)
    while sent < total:
        due = started + sent / packets_per_second
        ahead = due - clock()
        if ahead > 0:
            time.sleep(ahead)
        now = int(time.time())
        for _ in range(min(batch, total - sent)):
            packet = pool[sent % size]
            patch(packet, 8, now, 0)
            patch(packet, 16, (sent * per_packet) & 0xFFFFFFFF, (packet[20] << 24) | (packet[21] << 16))
            try:
                send(packet)
            except (BlockingIOError, ConnectionRefusedError):
                pass
            sent += 1
    return sent


# ---------------------------------------------------------------------- pcap writer

def ipv4_packet(src: str, dst: str, protocol: int, payload: bytes, *, flags_fragment: int = 0,
                ident: int = 0) -> bytes:
    """An IPv4 packet (checksum left zero: nothing here checks it)."""
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_fragment, 64,
                       protocol, 0, socket.inet_aton(src), socket.inet_aton(dst)) + payload


def udp_datagram(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def ethernet_frame(payload: bytes, ethertype: int = 0x0800) -> bytes:
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ethertype) + payload


def write_frames(path: Path, frames: Iterable[bytes], linktype: int = LINK_ETHERNET) -> None:
    """A classic little-endian microsecond pcap of the given frames."""
    with path.open("wb") as out:
        out.write(PCAP_HEADER.pack(0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for index, frame in enumerate(frames):
            out.write(PCAP_RECORD.pack(1_700_000_000 + index // 1000, (index % 1000) * 1000,
                                       len(frame), len(frame)))
            out.write(frame)


def write_pcap(path: Path, packets: Iterable[tuple[str, str, int, int, bytes]]) -> None:
    """Ethernet/IPv4/UDP frames for (src_ip, dst_ip, sport, dport, payload) tuples."""
    write_frames(path, (ethernet_frame(ipv4_packet(src, dst, 17, udp_datagram(sport, dport, data)))
                        for src, dst, sport, dport, data in packets))
