"""Generator: v5 packets that decode to what was put in, and `generate()` over real UDP."""
from __future__ import annotations

import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowc.runtime.ingest.decoder import decode_packet
from flowc.runtime.plan.model import Endpoint
from flowc.runtime.testbed.generator import FlowRecord, generate, packet_pool, v5_packet

addresses = st.integers(0, 2**32 - 1).map(lambda n: socket.inet_ntoa(n.to_bytes(4, "big")))
u16, u32, u8 = st.integers(0, 65535), st.integers(0, 2**32 - 1), st.integers(0, 255)
records = st.builds(FlowRecord, src=addresses, dst=addresses, packets=u32, octets=u32, first=u32, last=u32,
                    sport=u16, dport=u16, tcp_flags=u8, protocol=u8, src_as=u16, dst_as=u16,
                    nexthop=addresses, input=u16, output=u16, tos=u8, src_mask=u8, dst_mask=u8)


@given(st.lists(records, min_size=1, max_size=30), u32, u32, u8, u8)
def test_v5_packet_round_trips(flows: list[FlowRecord], uptime: int, secs: int, etype: int, eid: int) -> None:
    packet = decode_packet(v5_packet(flows, sys_uptime=uptime, unix_secs=secs, seq=9,
                                     engine_type=etype, engine_id=eid))
    assert (packet.header.count, packet.header.sys_uptime, packet.header.unix_secs) == (len(flows), uptime, secs)
    assert (packet.header.engine_type, packet.header.engine_id, packet.header.flow_sequence) == (etype, eid, 9)
    for sent, got in zip(flows, packet.records, strict=True):
        assert (got.srcaddr, got.dstaddr, got.nexthop) == (sent.src, sent.dst, sent.nexthop)
        assert (got.packets, got.octets, got.first, got.last) == (sent.packets, sent.octets, sent.first, sent.last)
        assert (got.srcport, got.dstport, got.tcp_flags, got.protocol, got.tos) == (
            sent.sport, sent.dport, sent.tcp_flags, sent.protocol, sent.tos)
        assert (got.src_as, got.dst_as, got.src_mask, got.dst_mask) == (sent.src_as, sent.dst_as, sent.src_mask,
                                                                          sent.dst_mask)


def test_v5_packet_refuses_31_records() -> None:
    flow = FlowRecord("1.1.1.1", "2.2.2.2", 1, 1, 0, 0)
    with pytest.raises(ValueError):
        v5_packet([flow] * 31, sys_uptime=0, unix_secs=0, seq=0)


def test_pool_is_deterministic_per_seed() -> None:
    one = packet_pool(3, 30, engine_type=1, engine_id=2, seed=5)
    assert one == packet_pool(3, 30, engine_type=1, engine_id=2, seed=5)
    assert one != packet_pool(3, 30, engine_type=1, engine_id=2, seed=6)


def test_generate_sends_what_it_reports() -> None:
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    sink.settimeout(2.0)
    result = generate(Endpoint("127.0.0.1", sink.getsockname()[1]), rate=2000, duration=0.3,
                      records_per_packet=20, engine_type=7, engine_id=9, seed=1)
    assert result.packets == 30 and result.records == 600
    got = [decode_packet(sink.recv(2000)) for _ in range(result.packets)]
    sink.close()
    assert {p.header.count for p in got} == {20}
    assert {(p.header.engine_type, p.header.engine_id) for p in got} == {(7, 9)}
    assert [p.header.flow_sequence for p in got] == [20 * i for i in range(30)]
