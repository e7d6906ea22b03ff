"""Decoder: hand-built NetFlow v5 bytes, every header and record field, and the line format."""
from __future__ import annotations

import random
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowc.runtime.ingest import decoder
from flowc.runtime.ingest.decoder import DecodeError, check_packet, decode_packet, unix_seconds

try:
    from flowc.runtime.ingest import _hotpath
except ImportError:  # the compiled hot path is not built: the twin alone
    FACES = [decoder.LineFormat]
else:
    FACES = [decoder.LineFormat, _hotpath.LineFormat]
# every LineFormat test runs on the pure-Python twin and on the compiled hot path
both_faces = pytest.mark.parametrize("LineFormat", FACES, ids=lambda f: f.__module__.rsplit(".", 1)[1])

# header: version 5, count 2, uptime 100000000 ms, unix_secs 1077926400, nsecs 500000000,
# sequence 77, engine type 1, engine id 2, sampling 0x4005
HEADER = bytes.fromhex("0005 0002 05f5e100 403fda00 1dcd6500 0000004d 01 02 4005".replace(" ", ""))
RECORD_1 = bytes.fromhex(
    "c0a80a64"  # src 192.168.10.100
    "0a000001"  # dst 10.0.0.1
    "0a000002"  # nexthop 10.0.0.2
    "0003" "0004"  # input 3, output 4
    "00000008"  # packets 8
    "00000c40"  # octets 3136
    "05f5d990"  # first = uptime - 1904 ms
    "05f5dd78"  # last = uptime - 904 ms
    "2020" "3030"  # sport 8224, dport 12336
    "00" "1b" "06" "10"  # pad, tcp_flags 27, protocol 6, tos 16
    "fde8" "fde9"  # src_as 65000, dst_as 65001
    "18" "10" "0000")  # masks 24 / 16, pad
RECORD_2 = bytes.fromhex(
    "01020304" "05060708" "00000000" "0000" "0000" "ffffffff" "ffffffff"
    "05f5e100" "05f5e100" "0000" "0303" "00" "00" "01" "00" "0000" "0000" "00" "00" "0000")
PACKET = HEADER + RECORD_1 + RECORD_2


def test_header_fields() -> None:
    h = decode_packet(PACKET).header
    assert (h.version, h.count, h.sys_uptime, h.unix_secs, h.unix_nsecs) == (5, 2, 100_000_000, 1077926400, 500_000_000)
    assert (h.flow_sequence, h.engine_type, h.engine_id, h.sampling_interval) == (77, 1, 2, 0x4005)


def test_record_fields() -> None:
    r = decode_packet(PACKET).records[0]
    assert (r.srcaddr, r.dstaddr, r.nexthop) == ("192.168.10.100", "10.0.0.1", "10.0.0.2")
    assert (r.input, r.output, r.packets, r.octets) == (3, 4, 8, 3136)
    assert (r.first, r.last) == (100_000_000 - 1904, 100_000_000 - 904)
    assert (r.srcport, r.dstport, r.tcp_flags, r.protocol, r.tos) == (8224, 12336, 27, 6, 16)
    assert (r.src_as, r.dst_as, r.src_mask, r.dst_mask) == (65000, 65001, 24, 16)
    second = decode_packet(PACKET).records[1]
    assert (second.packets, second.octets, second.dstport, second.protocol) == (2**32 - 1, 2**32 - 1, 0x0303, 1)


def test_times_from_uptime() -> None:
    packet = decode_packet(PACKET)
    # unix time of the header is 1077926400.5; first was 1.904 s earlier, last 0.904 s
    assert packet.unix_time(packet.records[0].first) == 1077926398
    assert packet.unix_time(packet.records[0].last) == 1077926399
    assert packet.unix_time(packet.records[1].first) == 1077926400


@both_faces
def test_line_has_the_seed_field_order(LineFormat: type) -> None:
    fmt = LineFormat("10.10.10.1", "server1", "at_4_0_0_4", random.Random(7))
    lines = fmt.lines(PACKET, 2).decode().splitlines()
    assert len(lines) == 2
    fields = lines[0].split("|")
    assert fields[1:] == ["10.10.10.1", "server1", "at_4_0_0_4", "192.168.10.100", "10.0.0.1", "8",
                          "3136", "1077926398", "1077926399", "8224", "12336", "27", "6", "65000", "65001"]
    assert 0 <= int(fields[0]) < 2**64
    assert lines[1].split("|")[4:] == ["1.2.3.4", "5.6.7.8", "4294967295", "4294967295", "1077926400",
                                       "1077926400", "0", "771", "0", "1", "0", "0"]


@both_faces
def test_link_dir_is_random_per_record(LineFormat: type) -> None:
    fmt = LineFormat("", "", "x")
    ids = {line.split("|")[0] for _ in range(50) for line in fmt.lines(PACKET, 2).decode().splitlines()}
    assert len(ids) == 100


@both_faces
def test_constants_cannot_break_the_template(LineFormat: type) -> None:
    fmt = LineFormat("", "100%|x", "a%d")
    line = fmt.lines(PACKET, 1).decode()
    assert line.split("|")[2:4] == ["100%_x", "a%d"]


@both_faces
def test_wrapped_uptime_uses_signed_difference(LineFormat: type) -> None:
    # uptime 1000 ms just after a 32-bit wrap, flow started 3000 ms earlier (before the wrap)
    assert unix_seconds(1000, 2_000_000_000, 0, 2**32 - 2000) == 2_000_000_000 - 3
    packet = bytearray(PACKET)
    struct.pack_into("!I", packet, 4, 1000)
    struct.pack_into("!II", packet, 24 + 24, 2**32 - 2000, 500)
    fields = LineFormat("", "", "x").lines(packet, 1).decode().split("|")
    assert fields[8:10] == ["1077926397", "1077926400"]


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "too_small"),
    (b"\x00", "too_small"),
    (b"\x00\x09\x00\x01" + bytes(100), "not_jflow"),
    (b"\x00\x05\x00\x00" + bytes(100), "not_jflow"),
    (b"\x00\x05\x00\x1f" + bytes(2000), "not_jflow"),
    (PACKET[:24], "too_small"),
    (PACKET[:-1], "too_small"),
])
def test_bad_packets_name_their_drop_counter(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        check_packet(data)
    assert caught.value.reason == reason


def test_trailing_bytes_are_ignored() -> None:
    assert len(decode_packet(PACKET + b"\0" * 7).records) == 2


@both_faces
@given(st.binary(max_size=1600))
def test_any_bytes_decode_or_raise_decode_error(LineFormat: type, data: bytes) -> None:
    try:
        packet = decode_packet(data)
    except DecodeError as exc:
        assert exc.reason in ("too_small", "not_jflow")
    else:
        assert len(LineFormat("", "", "x").lines(data, len(packet.records)).splitlines()) == len(packet.records)
        assert decoder.v5_count(data, len(data)) == len(packet.records)


@both_faces
@given(st.integers(0, 2**32 - 1), st.integers(-10_000, 3_600_000), st.integers(0, 2**31),
       st.integers(0, 999_999_999))
def test_times_are_right_on_both_paths_and_across_a_wrap(LineFormat: type, up: int, ago: int, secs: int, nsecs: int) -> None:
    packet = bytearray(PACKET[:24 + 48])
    struct.pack_into("!III", packet, 4, up, secs, nsecs)
    struct.pack_into("!II", packet, 24 + 24, (up - ago) % 2**32, (up - ago) % 2**32)
    fields = LineFormat("", "", "x").lines(packet, 1).decode().split("|")
    expected = (secs * 1000 + nsecs // 1_000_000 - ago) // 1000
    assert fields[8:10] == [str(expected), str(expected)]
