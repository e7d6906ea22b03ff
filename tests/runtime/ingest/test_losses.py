"""Losses before the collector: flow_sequence gaps and resets per exporter and engine, the
kernel's socket drops read from /proc/net/udp, v9/IPFIX said once per exporter."""
from __future__ import annotations

import logging
import socket
import struct

import pytest

from flowc.runtime.collector import CollectorPipeline
from flowc.runtime.ingest.losses import QUIET, Episodes, KernelDrops, SequenceGaps, socket_drops
from flowc.runtime.testbed.generator import FlowRecord, v5_packet

pytestmark = pytest.mark.usefixtures("hot_path")  # compiled hot path and its twin

RECORD = FlowRecord(src="10.0.0.1", dst="192.0.2.9", packets=1, octets=64, first=1, last=2, sport=1,
                    dport=443, tcp_flags=2, protocol=6, src_as=1, dst_as=2)


def datagram(seq: int, count: int = 3, engine_id: int = 0) -> bytearray:
    return bytearray(v5_packet([RECORD] * count, sys_uptime=5000, unix_secs=1_700_000_000, seq=seq,
                               engine_id=engine_id))


@pytest.fixture
def pipeline(plan_builder, caplog):
    plan = plan_builder()
    made = CollectorPipeline(plan, plan.collectors[0], log=logging.getLogger("flowc.test-losses"))
    made.dirs.create()
    caplog.set_level(logging.INFO, "flowc.test-losses")
    yield made
    made.writer.close_all()


def feed(pipeline: CollectorPipeline, source: str, *datagrams: bytearray) -> dict[str, int]:
    for data in datagrams:
        pipeline.on_datagram(data, len(data), source, 0)
    pipeline.flush_counters()
    faults = pipeline.stats.snapshot()["faults"]
    return {"missed": faults["sequence_missed"], "resets": faults["sequence_resets"]}


def test_gaps_are_counted_per_exporter_and_engine(pipeline, caplog) -> None:
    # exporter A engine 0: 0..2, 3..5, then 12: 6 records missed; engine 1 has its own sequence
    assert feed(pipeline, "192.0.2.1", datagram(0), datagram(3), datagram(100, engine_id=1),
                datagram(12), datagram(103, engine_id=1)) == {"missed": 6, "resets": 0}
    # another exporter starting anywhere is not a gap; going back is a reset, not a loss
    assert feed(pipeline, "192.0.2.2", datagram(5000), datagram(40)) == {"missed": 6, "resets": 1}
    # the 32-bit sequence wraps without a gap
    assert feed(pipeline, "192.0.2.3", datagram(2**32 - 3), datagram(0)) == {"missed": 6, "resets": 1}
    assert caplog.text.count("records missed (flow_sequence 12, expected 6)") == 1
    assert pipeline.snapshot()["exporters"] == [
        {"exporter": "192.0.2.1", "engine_type": 0, "engine_id": 0, "sequence_missed": 6, "sequence_resets": 0},
        {"exporter": "192.0.2.2", "engine_type": 0, "engine_id": 0, "sequence_missed": 0, "sequence_resets": 1}]
    assert pipeline.handle({"op": "clear"})["ok"] and pipeline.snapshot()["exporters"] == []
    assert caplog.text.count("flow_sequence reset (got 40, expected 5003)") == 1


def test_gap_arithmetic() -> None:
    gaps = SequenceGaps()
    assert gaps.gap(("a", 0, 0), 10, 15) == 5
    assert gaps.gap(("a", 0, 0), 10, 5) == 0 and gaps.take() == (5, 1) and gaps.take() == (0, 0)


def test_one_log_line_per_episode(caplog) -> None:
    log = logging.getLogger("flowc.test-episodes")
    caplog.set_level(logging.INFO, log.name)
    episodes = Episodes(log)
    for now in (100.0, 101.0, 105.0, 114.0):          # a loss at least every QUIET seconds: one episode
        episodes.seen("kernel a", 3, now, "lost on a")
    episodes.seen("kernel b", 1, 114.0, "lost on b")   # another place: its own episode
    episodes.seen("kernel a", 1, 114.0 + QUIET + 1, "lost on a")  # after a quiet spell: a new one
    assert caplog.text.count("lost on a") == 2 and caplog.text.count("lost on b") == 1


def test_ipfix_and_v9_are_named_once_per_exporter(pipeline, caplog) -> None:
    v9 = bytearray(struct.pack("!HH", 9, 1) + bytes(40))
    ipfix = bytearray(struct.pack("!HH", 10, 60) + bytes(56))
    for _ in range(3):
        feed(pipeline, "192.0.2.7", v9)
        feed(pipeline, "192.0.2.8", ipfix)
    assert pipeline.stats.snapshot()["drops"]["not_jflow"] == 6            # still counted as before
    assert caplog.text.count("exporter 192.0.2.7 sends NetFlow v9 (version 9); this collector takes "
                             "cflowd (NetFlow) v5 only") == 1
    assert caplog.text.count("exporter 192.0.2.8 sends IPFIX (version 10)") == 1


def test_the_kernel_drops_of_a_socket_are_read_by_inode() -> None:
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    receiver.bind(("127.0.0.1", 0))
    port = receiver.getsockname()[1]
    drops = KernelDrops([receiver])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for _ in range(200):
            sender.sendto(bytes(1000), ("127.0.0.1", port))
    grown = drops.poll()
    again = drops.poll()
    receiver.close()
    assert [where for where, _ in grown] == [f"127.0.0.1:{port}"]
    assert 100 < grown[0][1] < 200 and again == []


def test_socket_drops_reads_the_drops_column(tmp_path) -> None:
    table = tmp_path / "udp"
    table.write_text("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
                     "inode ref pointer drops\n"
                     "  412: 0100007F:A13C 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
                     "270883 2 0000000099ef407b 17\n")
    assert socket_drops({270883, 5}, [str(table), str(tmp_path / "missing")]) == {270883: 17}
