"""Receiver stage: UDP datagrams (live) or pcap frames (replay) in, v5 payloads out.

Live: one non-blocking UDP socket per listen endpoint, each with a large receive buffer
(32 MiB requested with SO_RCVBUFFORCE when allowed, else SO_RCVBUF up to
`net.core.rmem_max`; `buffer_sizes` says what the kernel granted). `drain()` is the
tight receive loop, the handler called per datagram before the next one is read, no
copies: with the compiled hot path `recvmmsg` fills 64 slots per system call
(`_hotpath.BatchReceiver`); its pure-Python twin is a `recvfrom_into` loop over one
preallocated buffer.

Replay: `read_pcap()` yields the frames of a classic libpcap file (either byte order,
micro- or nanosecond), and `classify()` peels link layer (Ethernet with VLAN tags, raw
IP, Linux cooked v1/v2, BSD loopback), IPv4 and UDP off a frame, or names the drop
counter it belongs to: not_ip, not_ipv4, too_small, fragments, icmp, tcp, unknown.
"""
from __future__ import annotations

import select
import socket
import struct
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from flowc.runtime.ingest.hotpath import Handler, HotPath, current
from flowc.runtime.plan.model import Endpoint

RECEIVE_BUFFER = 32 * 1024 * 1024
# Python's socket module does not name SO_RCVBUFFORCE; Linux's value (asm-generic/socket.h).
SO_RCVBUFFORCE: int | None = getattr(socket, "SO_RCVBUFFORCE", 33 if sys.platform == "linux" else None)
DATAGRAM_MAX = 65535

LINK_NULL, LINK_ETHERNET, LINK_RAW, LINK_RAW_OLD, LINK_SLL, LINK_IPV4, LINK_IPV6, LINK_SLL2 = (
    0, 1, 101, 12, 113, 228, 229, 276)
_PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
               b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}


class PcapError(ValueError):
    """A file that is not a classic libpcap capture."""


class UdpReceiver:
    """Non-blocking UDP sockets with big buffers and a drain loop."""

    def __init__(self, endpoints: Sequence[Endpoint],
                 sockets: Sequence[socket.socket] | None = None, hot: HotPath | None = None) -> None:
        """Bind the endpoints, or adopt already bound `sockets` (one per endpoint); receive
        through the compiled batch receiver when `hot` (default: `current()`) has it."""
        self.sockets: list[socket.socket] = []
        if sockets is not None:
            self.sockets = list(sockets)
            for sock in self.sockets:
                sock.setblocking(False)
        try:
            for endpoint in endpoints if sockets is None else ():
                self.sockets.append(open_socket(endpoint))
        except OSError:
            self.close()
            raise
        self.buffer = bytearray(DATAGRAM_MAX)
        batch = (hot or current()).batch
        self._batches = [batch(s.fileno()) for s in self.sockets] if batch is not None else None
        self._poll = select.poll()
        self._index = {s.fileno(): i for i, s in enumerate(self.sockets)}
        for s in self.sockets:
            self._poll.register(s, select.POLLIN)

    @property
    def buffer_sizes(self) -> list[int]:
        return [s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) for s in self.sockets]

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [s.getsockname()[:2] for s in self.sockets]

    def register(self, fileno: int) -> None:
        """Also wake `wait()` when this descriptor (a control pipe) is readable."""
        self._poll.register(fileno, select.POLLIN)

    def wait(self, timeout: float) -> list[int]:
        """Indexes of readable sockets (and -1 for any other registered descriptor)."""
        events = self._poll.poll(max(0, int(timeout * 1000)))
        return [self._index.get(fd, -1) for fd, _ in events]

    def drain(self, index: int, handle: Handler, limit: int = 4096) -> int:
        """Read up to `limit` datagrams from one socket; the count read."""
        if self._batches is not None:
            return self._batches[index].drain(index, handle, limit)
        recv, buf = self.sockets[index].recvfrom_into, self.buffer
        done = 0
        try:
            while done < limit:
                size, address = recv(buf)
                done += 1
                handle(buf, size, address[0], index)
        except (BlockingIOError, InterruptedError):
            pass
        return done

    def close(self) -> None:
        for s in self.sockets:
            s.close()


def open_socket(endpoint: Endpoint) -> socket.socket:
    family = socket.AF_INET6 if ":" in endpoint.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        _grow_buffer(sock)
        sock.bind((endpoint.host, endpoint.port))
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _grow_buffer(sock: socket.socket) -> None:
    force = SO_RCVBUFFORCE
    if force is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, force, RECEIVE_BUFFER)
            return
        except OSError:
            pass
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    except OSError:
        pass


# ---------------------------------------------------------------------- pcap

@dataclass(frozen=True, slots=True)
class Datagram:
    """A UDP payload peeled out of a frame."""

    source: str
    destination: str
    source_port: int
    destination_port: int
    payload: bytes


def read_pcap(path: Path) -> Iterator[tuple[int, bytes]]:
    """(link type, frame bytes) for every record of a classic pcap file."""
    with path.open("rb") as src:
        head = src.read(24)
        if len(head) < 24 or head[:4] not in _PCAP_MAGIC:
            raise PcapError(f"{path}: not a libpcap capture file (pcapng is not supported)")
        order, _ = _PCAP_MAGIC[head[:4]]
        linktype = struct.unpack(order + "I", head[20:24])[0] & 0x0FFFFFFF
        record = struct.Struct(order + "IIII")
        while len(rec := src.read(16)) == 16:
            _, _, caplen, _ = record.unpack(rec)
            frame = src.read(caplen)
            if len(frame) < caplen:
                return
            yield linktype, frame


def classify(linktype: int, frame: bytes) -> Datagram | str:
    """The UDP datagram inside a frame, or the name of the drop counter for it."""
    packet = _network_layer(linktype, frame)
    if isinstance(packet, str):
        return packet
    return _ipv4_udp(packet)


def _network_layer(linktype: int, frame: bytes) -> bytes | str:
    """The IPv4 packet of a frame, or a drop name (not_ip / not_ipv4 / too_small)."""
    if linktype == LINK_ETHERNET:
        offset, ethertype = 12, None
        while len(frame) >= offset + 2:
            ethertype = int.from_bytes(frame[offset:offset + 2], "big")
            if ethertype not in (0x8100, 0x88A8, 0x9100):
                break
            offset += 4
        return _by_ethertype(ethertype, frame[offset + 2:])
    if linktype == LINK_SLL:
        return _by_ethertype(_u16(frame, 14), frame[16:]) if len(frame) >= 16 else "too_small"
    if linktype == LINK_SLL2:
        return _by_ethertype(_u16(frame, 0), frame[20:]) if len(frame) >= 20 else "too_small"
    if linktype == LINK_NULL:
        if len(frame) < 4:
            return "too_small"
        family = int.from_bytes(frame[:4], "little") if frame[0] else int.from_bytes(frame[:4], "big")
        return frame[4:] if family == 2 else ("not_ipv4" if family in (10, 24, 28, 30) else "not_ip")
    if linktype in (LINK_RAW, LINK_RAW_OLD, LINK_IPV4, LINK_IPV6):
        return _by_version(frame)
    return "not_ip"


def _u16(frame: bytes, offset: int) -> int | None:
    return int.from_bytes(frame[offset:offset + 2], "big") if len(frame) >= offset + 2 else None


def _by_ethertype(ethertype: int | None, payload: bytes) -> bytes | str:
    if ethertype == 0x0800:
        return payload
    if ethertype == 0x86DD:
        return "not_ipv4"
    return "not_ip"


def _by_version(packet: bytes) -> bytes | str:
    if not packet:
        return "too_small"
    version = packet[0] >> 4
    if version == 4:
        return packet
    return "not_ipv4" if version == 6 else "not_ip"


def _ipv4_udp(packet: bytes) -> Datagram | str:
    if len(packet) < 20:
        return "too_small"
    if packet[0] >> 4 != 4:
        return "not_ipv4"
    header = (packet[0] & 0x0F) * 4
    total = int.from_bytes(packet[2:4], "big")
    if header < 20 or len(packet) < header or total < header:
        return "too_small"
    packet = packet[:total]
    if int.from_bytes(packet[6:8], "big") & 0x3FFF:  # MF flag or a fragment offset
        return "fragments"
    protocol = packet[9]
    if protocol != 17:
        return {1: "icmp", 6: "tcp"}.get(protocol, "unknown")
    udp = packet[header:]
    if len(udp) < 8:
        return "too_small"
    source = socket.inet_ntoa(packet[12:16])
    destination = socket.inet_ntoa(packet[16:20])
    sport, dport, length = struct.unpack("!HHH", udp[:6])
    return Datagram(source, destination, sport, dport, udp[8:max(8, min(length, len(udp)))])
