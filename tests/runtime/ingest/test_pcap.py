"""pcap reading and frame classification: every link type and every drop reason."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

from flowc.runtime.ingest.pcap import Datagram, PcapError, classify, read_pcap
from flowc.runtime.testbed.generator import ethernet_frame, ipv4_packet, udp_datagram, write_frames, write_pcap

UDP = udp_datagram(2055, 9995, b"payload")
IP = ipv4_packet("198.51.100.7", "127.0.0.1", 17, UDP)


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "x.pcap"
    write_pcap(path, [("198.51.100.7", "127.0.0.1", 2055, 9995, b"abc"), ("10.0.0.1", "10.0.0.2", 1, 2, b"")])
    frames = list(read_pcap(path))
    assert [lt for lt, _ in frames] == [1, 1]
    assert [classify(*frame) for frame in frames] == [Datagram("198.51.100.7", "127.0.0.1", 2055, 9995, b"abc"),
                                                      Datagram("10.0.0.1", "10.0.0.2", 1, 2, b"")]


def test_big_endian_nanosecond_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "be.pcap"
    frame = ethernet_frame(IP)
    path.write_bytes(struct.pack(">IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1)
                     + struct.pack(">IIII", 1, 2, len(frame), len(frame)) + frame)
    frames = list(read_pcap(path))
    assert frames == [(1, frame)]
    assert classify(*frames[0]) == Datagram("198.51.100.7", "127.0.0.1", 2055, 9995, b"payload")


def test_not_a_pcap(tmp_path: Path) -> None:
    path = tmp_path / "x.pcapng"
    path.write_bytes(b"\x0a\x0d\x0d\x0a" + bytes(40))
    with pytest.raises(PcapError, match="not a libpcap"):
        list(read_pcap(path))


def test_truncated_last_record_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "t.pcap"
    write_frames(path, [ethernet_frame(IP)] * 2)
    path.write_bytes(path.read_bytes()[:-3])
    assert list(read_pcap(path)) == [(1, ethernet_frame(IP))]


@pytest.mark.parametrize(("linktype", "frame"), [
    (1, ethernet_frame(IP)),
    (1, b"\x02" * 12 + b"\x81\x00\x00\x07" + b"\x08\x00" + IP),  # 802.1Q tag
    (101, IP),
    (228, IP),
    (113, bytes(14) + b"\x08\x00" + IP),  # Linux cooked v1
    (276, b"\x08\x00" + bytes(18) + IP),  # Linux cooked v2
    (0, struct.pack("<I", 2) + IP),  # BSD loopback
])
def test_link_layers(linktype: int, frame: bytes) -> None:
    assert classify(linktype, frame) == Datagram("198.51.100.7", "127.0.0.1", 2055, 9995, b"payload")


@pytest.mark.parametrize(("linktype", "frame", "reason"), [
    (1, ethernet_frame(b"\x00" * 40, 0x0806), "not_ip"),  # ARP
    (1, ethernet_frame(b"\x60" + bytes(60), 0x86DD), "not_ipv4"),
    (101, b"\x60" + bytes(60), "not_ipv4"),
    (101, b"\x20" + bytes(60), "not_ip"),
    (0, struct.pack("<I", 30) + bytes(40), "not_ipv4"),
    (1, ethernet_frame(IP[:12]), "too_small"),
    (1, ethernet_frame(ipv4_packet("1.1.1.1", "2.2.2.2", 17, UDP, flags_fragment=0x2000)), "fragments"),
    (1, ethernet_frame(ipv4_packet("1.1.1.1", "2.2.2.2", 17, UDP, flags_fragment=0x0010)), "fragments"),
    (1, ethernet_frame(ipv4_packet("1.1.1.1", "2.2.2.2", 1, b"\x08\x00" + bytes(6))), "icmp"),
    (1, ethernet_frame(ipv4_packet("1.1.1.1", "2.2.2.2", 6, bytes(20))), "tcp"),
    (1, ethernet_frame(ipv4_packet("1.1.1.1", "2.2.2.2", 47, bytes(20))), "unknown"),
    (1, ethernet_frame(ipv4_packet("1.1.1.1", "2.2.2.2", 17, b"\x00\x01")), "too_small"),
    (147, IP, "not_ip"),  # a link type we do not know
])
def test_drop_reasons(linktype: int, frame: bytes, reason: str) -> None:
    assert classify(linktype, frame) == reason


def test_ip_padding_is_cut_at_total_length() -> None:
    found = classify(1, ethernet_frame(IP + b"\0" * 6))  # Ethernet minimum-size padding
    assert found == Datagram("198.51.100.7", "127.0.0.1", 2055, 9995, b"payload")
