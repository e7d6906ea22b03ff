"""Receiver stage, replay: the frames of a pcap file in, UDP datagrams (or drop reasons) out.

`read_pcap()` yields the frames of a classic libpcap file (either byte order, micro- or
nanosecond), and `classify()` peels link layer (Ethernet with VLAN tags, raw IP, Linux
cooked v1/v2, BSD loopback), IPv4 and UDP off a frame, or names the drop counter it
belongs to: not_ip, not_ipv4, too_small, fragments, icmp, tcp, unknown. Live UDP
receiving is `flowc.runtime.ingest.receiver`.
"""
from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LINK_NULL, LINK_ETHERNET, LINK_RAW, LINK_RAW_OLD, LINK_SLL, LINK_IPV4, LINK_IPV6, LINK_SLL2 = (
    0, 1, 101, 12, 113, 228, 229, 276)
_PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
               b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}


class PcapError(ValueError):
    """A file that is not a classic libpcap capture."""


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
