"""One collector's pipeline in-process: pcap drop counters, input matching, real UDP, FTP, control."""
from __future__ import annotations

import dataclasses
import gzip
import logging
import socket
import time
from pathlib import Path

import pytest

from flowc.runtime.clock import ManualClock
from flowc.runtime.collector import CollectorPipeline
from flowc.runtime.counters import DROPS
from flowc.runtime.plan.model import Endpoint, Input
from flowc.runtime.testbed.generator import (
    FlowRecord,
    ethernet_frame,
    ipv4_packet,
    udp_datagram,
    v5_packet,
    write_frames,
)

pytestmark = pytest.mark.usefixtures("hot_path")  # compiled hot path and its twin

LOG = logging.getLogger("flowc.test-collector")
UNIX = 1_700_000_000
UPTIME = 100_000_000


def flows(n: int, base: int = 0) -> list[FlowRecord]:
    return [FlowRecord(src=f"192.168.{(base + i) // 250}.{(base + i) % 250 + 1}", dst="10.0.0.1",
                       packets=base + i + 1, octets=(base + i + 1) * 100, first=UPTIME - 5000, last=UPTIME - 1000,
                       sport=1000 + base + i, dport=80, tcp_flags=0x1B, protocol=6, src_as=64512, dst_as=base + i)
            for i in range(n)]


def packet(records: list[FlowRecord], etype: int = 0, eid: int = 0) -> bytes:
    return v5_packet(records, sys_uptime=UPTIME, unix_secs=UNIX, seq=0, engine_type=etype, engine_id=eid)


def expected_fields(r: FlowRecord, alias: str) -> list[str]:
    return ["10.10.10.1", "server1", alias, r.src, r.dst, str(r.packets), str(r.octets), str(UNIX - 5),
            str(UNIX - 1), str(r.sport), str(r.dport), str(r.tcp_flags), str(r.protocol), str(r.src_as),
            str(r.dst_as)]


def file_lines(folder: Path) -> dict[str, list[list[str]]]:
    """ifAlias -> lines (fields without linkDir) of every gzip file in a folder."""
    found: dict[str, list[list[str]]] = {}
    for path in sorted(folder.glob("*.gz")):
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            fields = line.split("|")
            assert len(fields) == 16 and 0 <= int(fields[0]) < 2**64
            found.setdefault(fields[3], []).append(fields[1:])
    return found


def make(plan, **kwargs) -> CollectorPipeline:
    pipeline = CollectorPipeline(plan, plan.collectors[0], log=LOG, **kwargs)
    return pipeline


def frame(src: str, payload: bytes, dport: int = 9995, proto: int = 17, frag: int = 0) -> bytes:
    body = udp_datagram(2055, dport, payload) if proto == 17 else payload
    return ethernet_frame(ipv4_packet(src, "127.0.0.1", proto, body, flags_fragment=frag))


def test_replay_counts_every_drop_and_keeps_every_good_record(plan_builder, tmp_path: Path) -> None:
    plan = plan_builder(inputs=[Input("mo-7/1/0.0", "so_3_0_0_0", "1", source_address="192.0.2.1")])
    good = [packet(flows(30)), packet(flows(7, base=30))]
    bad = {
        "not_ip": ethernet_frame(bytes(28), 0x0806),
        "not_ipv4": ethernet_frame(b"\x60" + bytes(47), 0x86DD),
        "too_small": frame("192.0.2.1", good[0][:100]),
        "fragments": frame("192.0.2.1", good[0], frag=0x2000),
        "icmp": frame("192.0.2.1", b"\x08\x00" + bytes(30), proto=1),
        "tcp": frame("192.0.2.1", bytes(40), proto=6),
        "unknown": frame("192.0.2.1", bytes(40), proto=132),
        "not_jflow": frame("192.0.2.1", b"\x00\x09" + good[0][2:]),
    }
    path = tmp_path / "mixed.pcap"
    write_frames(path, [frame("192.0.2.1", good[0]), *bad.values(), frame("192.0.2.1", good[1])])
    pipeline = make(plan, clock=ManualClock(start=UNIX))
    pipeline.start(listen=False)
    assert pipeline.replay(path) == 10
    pipeline.stop(export_timeout=1.0)
    snap = pipeline.snapshot()
    assert snap["drops"] == {name: (1 if name in bad else 0) for name in DROPS}
    assert snap["counters"]["flows"]["total"] == 37
    assert snap["inputs"] == [{"interface": "mo-7/1/0.0", "packets": 2, "bytes": len(good[0]) + len(good[1])}]
    lines = file_lines(pipeline.dirs.ready)
    assert lines == {"so_3_0_0_0": [expected_fields(r, "so_3_0_0_0") for r in flows(37)]}


def test_no_memory_drops_when_the_budget_is_exhausted(plan_builder, tmp_path: Path) -> None:
    plan = plan_builder(memory_budget=1 << 20)  # 64 KiB reserve + 7 blocks of 128 KiB
    path = tmp_path / "many.pcap"
    write_frames(path, [frame(f"198.51.100.{n}", packet(flows(1))) for n in range(1, 10)])
    pipeline = make(plan, clock=ManualClock(start=UNIX))
    pipeline.start(listen=False)
    pipeline.replay(path)
    snap = pipeline.snapshot()
    assert snap["drops"]["no_memory"] == 2
    assert snap["counters"]["blocks_unavailable"]["total"] == 2
    assert snap["counters"]["blocks_allocated"]["total"] == 7
    assert snap["memory"] == {"used": (64 + 7 * 128) * 1024, "free": 64 * 1024}  # less than a block left
    pipeline.stop(export_timeout=1.0)
    assert len(file_lines(pipeline.dirs.ready)) == 7


def test_matching_by_source_engine_and_listen_port(plan_builder, udp_port) -> None:
    own = Endpoint("127.0.0.1", udp_port())
    plan = plan_builder(inputs=[
        Input("mo-7/1/0.0", "so_3_0_0_0", "1", source_address="192.0.2.1", engine_type=1, engine_id=1),
        Input("mo-7/2/0.0", "so_3_1_0_0", "1", source_address="192.0.2.1", engine_type=1, engine_id=2),
        Input("mo-7/3/0.0", "at_4_0_0_4", "1", listen=own),
    ])
    pipeline = make(plan)
    assert pipeline.inputs.match(0, "192.0.2.1", 1, 2).interface == "mo-7/2/0.0"
    assert pipeline.inputs.match(0, "192.0.2.1", 1, 1).interface == "mo-7/1/0.0"
    assert pipeline.inputs.match(0, "192.0.2.1", 9, 9) is None  # arbitrary engine fields: kept, unmatched
    assert pipeline.inputs.match(0, "192.0.2.9", 1, 1) is None
    assert pipeline.inputs.match(1, "203.0.113.5", 77, 3).interface == "mo-7/3/0.0"  # its own port decides


def test_real_udp_into_the_pipeline_and_on_to_ftp(plan_builder, ftp_server) -> None:
    server = ftp_server()
    plan = plan_builder(inputs=[Input("mo-7/1/0.0", "so_3_0_0_0", "1", source_address="127.0.0.1",
                                      engine_type=3, engine_id=4)],
                        destinations=[server.target("/")])
    pipeline = make(plan)
    pipeline.start()
    sent = flows(300)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for i in range(0, 270, 30):
            sender.sendto(packet(sent[i:i + 30], 3, 4), ("127.0.0.1", plan.collectors[0].listen.port))
        sender.sendto(packet(sent[270:], 200, 201), ("127.0.0.1", plan.collectors[0].listen.port))
    pump(pipeline, 300)
    snap = pipeline.snapshot()
    assert [f["state"] for f in snap["files"]] == ["Active", "Active"]
    assert {i["interface"]: i["packets"] for i in snap["inputs"]} == {"mo-7/1/0.0": 9, "127.0.0.1": 1}
    pipeline.writer.close_all()
    deadline = time.monotonic() + 10
    while len(list(server.home.glob("*.gz"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    pipeline.stop()
    lines = file_lines(server.home)
    assert lines["so_3_0_0_0"] == [expected_fields(r, "so_3_0_0_0") for r in sent[:270]]
    assert lines["127_0_0_1"] == [expected_fields(r, "127_0_0_1") for r in sent[270:]]
    assert not list(pipeline.dirs.ready.iterdir())
    assert pipeline.stats.totals["files_exported"] == 2


def pump(pipeline: CollectorPipeline, records: int) -> None:
    deadline = time.monotonic() + 10
    while pipeline.n_flows + pipeline.stats.totals["flows"] < records and time.monotonic() < deadline:
        for index in pipeline.receiver.wait(0.2):
            pipeline.receiver.drain(index, pipeline.on_datagram)
    assert pipeline.n_flows + pipeline.stats.totals["flows"] == records


def test_malformed_datagrams_are_counted_never_fatal(plan_builder) -> None:
    pipeline = make(plan_builder())
    pipeline.start()
    port = plan_port(pipeline)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for junk in (b"", b"\x00\x05", b"\x00\x05\x00\x02" + bytes(60), b"\x00\x07" + bytes(100), bytes(1500)):
            sender.sendto(junk, ("127.0.0.1", port))
        sender.sendto(packet(flows(2)), ("127.0.0.1", port))
    pump(pipeline, 2)
    pipeline.stop(export_timeout=1.0)
    drops = pipeline.snapshot()["drops"]
    assert (drops["too_small"], drops["not_jflow"]) == (3, 2)


def plan_port(pipeline: CollectorPipeline) -> int:
    return pipeline.collector.listen.port


def test_control_requests(plan_builder, ftp_server) -> None:
    one, two = ftp_server(), ftp_server()
    plan = plan_builder(destinations=[one.target(), two.target()])
    pipeline = make(plan, clock=ManualClock(start=UNIX))
    pipeline.start(listen=False)
    pipeline.on_datagram(packet(flows(5)), len(packet(flows(5))), "198.51.100.7", 0)
    snap = pipeline.handle({"op": "show", "what": "interface", "interface": "all"})["snapshot"]
    assert set(snap) >= {"interface", "state", "memory", "counters", "ftp_failures", "drops", "channels",
                         "inputs", "files"}
    assert snap["state"] == "Collecting flows"
    assert snap["inputs"] == [{"interface": "198.51.100.7", "packets": 1, "bytes": 24 + 5 * 48}]
    [active] = snap["files"]
    assert active["name"] == "cFlowd-py69Ni69-0-20231114_221320-198_51_100_7_1.bcp.bi.gz"
    assert (active["flows"], active["state"], active["transfer_attempts"]) == (5, "Active", 0)
    assert set(active["rates"]) == {"flows", "uncompressed_bytes", "compressed_bytes"}
    assert [c["current_server"] for c in snap["channels"]] == ["Primary", "Primary"]
    answer = pipeline.handle({"op": "change-destination", "role": "secondary", "how": "immediately",
                              "clear_files": False, "clear_logs": False})
    assert answer["ok"] and answer["interface"] == "cp-6/0/0" and "successful" in answer["message"]
    assert pipeline.handle({"op": "clear"}) == {"ok": True, "interface": "cp-6/0/0", "state": "Collecting flows"}
    assert pipeline.snapshot()["counters"]["flows"]["total"] == 0
    assert pipeline.handle({"op": "bogus"})["ok"] is False
    pipeline.stop(export_timeout=1.0)


def test_collector_without_file_specs_still_writes(plan_builder) -> None:
    plan = plan_builder()
    bare = dataclasses.replace(plan.collectors[0], file_specs=(), default_file_spec="missing")
    pipeline = CollectorPipeline(plan, bare, log=LOG, clock=ManualClock(start=UNIX))
    pipeline.start(listen=False)
    pipeline.on_datagram(packet(flows(1)), 72, "198.51.100.7", 0)
    pipeline.stop(export_timeout=1.0)
    assert [p.name for p in pipeline.dirs.ready.glob("*.gz")] == ["flowc-20231114_221320-198_51_100_7_1.gz"]


def tcp_segment(sport: int, dport: int, flags: int, payload: bytes = b"") -> bytes:
    import struct

    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 65535, 0, 0) + payload


@pytest.mark.skipif(not __import__("shutil").which("softflowd"),
                    reason="softflowd not installed (apt-get install softflowd; .ci/run installs it)")
def test_softflowd_exports_arrive_intact(plan_builder, tmp_path: Path) -> None:
    import subprocess

    frames, expected = [], set()
    for i in range(10):
        src, dst, sizes = f"10.1.0.{i + 1}", f"10.2.0.{i + 1}", (0, 100, 200, 300 + i)
        for ident, (flags, size) in enumerate(zip((0x02, 0x10, 0x18, 0x11), sizes)):
            frames.append(ethernet_frame(ipv4_packet(src, dst, 6, tcp_segment(40000 + i, 80, flags, b"x" * size),
                                                     ident=ident)))
        expected.add((src, dst, "4", str(4 * 40 + sum(sizes)), str(40000 + i), "80", "27", "6"))
        udp = udp_datagram(5000 + i, 53, b"q" * (10 + i))
        frames.append(ethernet_frame(ipv4_packet(f"10.3.0.{i + 1}", "10.4.0.1", 17, udp)))
        expected.add((f"10.3.0.{i + 1}", "10.4.0.1", "1", str(20 + len(udp)), str(5000 + i), "53", "0", "17"))
    pcap = tmp_path / "flows.pcap"
    write_frames(pcap, frames)
    pipeline = make(plan_builder(inputs=[Input("mo-7/1/0.0", "so_3_0_0_0", "1", source_address="127.0.0.1")]))
    pipeline.start()
    port = plan_port(pipeline)
    subprocess.run(["softflowd", "-d", "-r", str(pcap), "-n", f"127.0.0.1:{port}", "-v", "5", "-c", "none"],
                   check=True, capture_output=True, timeout=60)
    pump(pipeline, 20)
    pipeline.stop(export_timeout=1.0)
    lines = file_lines(pipeline.dirs.ready)["so_3_0_0_0"]
    got = {(f[3], f[4], f[5], f[6], f[9], f[10], f[11], f[12]) for f in lines}
    assert len(lines) == 20 and got == expected
    assert all(int(f[7]) <= int(f[8]) for f in lines)  # start <= end (softflowd's own uptime model)


def test_a_write_error_is_counted_and_logged_not_fatal(plan_builder, caplog) -> None:
    pipeline = make(plan_builder(), clock=ManualClock(start=UNIX))
    pipeline.start(listen=False)
    data = packet(flows(3))

    def broken(*_args: object) -> bool:
        raise OSError(28, "No space left on device")

    pipeline.writer.add = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger=LOG.name):
        pipeline.on_datagram(data, len(data), "198.51.100.7", 0)
        pipeline.on_datagram(data, len(data), "198.51.100.7", 0)
    snap = pipeline.snapshot()
    assert snap["faults"]["records_not_written"] == 6 and snap["drops"]["no_memory"] == 0
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if m.startswith(
        f"cannot write flow files in {pipeline.dirs.active}: No space left on device (free space ")]) == 1
    pipeline.stop(export_timeout=1.0)


@pytest.mark.skipif(not (__import__("shutil").which("nfcapd") and __import__("shutil").which("nfreplay")),
                    reason="nfdump tools not installed (apt-get install nfdump; .ci/run installs it)")
def test_nfreplay_with_arbitrary_engine_fields_loses_nothing(plan_builder, udp_port, tmp_path: Path) -> None:
    import subprocess

    from flowc.runtime.ingest.decoder import decode_packet
    from flowc.runtime.testbed.generator import generate, packet_pool

    capture, port = tmp_path / "nfcapd", udp_port()
    capture.mkdir()
    nfcapd = subprocess.Popen(["nfcapd", "-w", str(capture), "-p", str(port), "-b", "127.0.0.1", "-t", "3600"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: udp_queue(port) is not None, "nfcapd listening")
        generate(Endpoint("127.0.0.1", port), rate=3000, duration=0.5, seed=3, engine_type=1, engine_id=2)
        wait_until(lambda: udp_queue(port) == 0, "nfcapd read every datagram")
    finally:
        nfcapd.terminate()
        nfcapd.wait(10)
    [stored] = capture.glob("nfcapd.*")
    expected = {(r.srcaddr, r.dstaddr, str(r.packets), str(r.octets), str(r.srcport), str(r.dstport), str(r.protocol))
                for p in packet_pool(64, 30, engine_type=1, engine_id=2, seed=3)[:50]
                for r in decode_packet(p).records}
    plan = plan_builder(inputs=[Input("mo-7/1/0.0", "so_3_0_0_0", "1", source_address="127.0.0.1",
                                      engine_type=1, engine_id=2)])
    pipeline = make(plan)
    pipeline.start()
    subprocess.run(["nfreplay", "-r", str(stored), "-H", "127.0.0.1", "-p", str(plan_port(pipeline)), "-v", "5"],
                   check=True, capture_output=True, timeout=60)
    pump(pipeline, 1500)
    pipeline.stop(export_timeout=1.0)
    lines = [f for rows in file_lines(pipeline.dirs.ready).values() for f in rows]
    assert {(f[3], f[4], f[5], f[6], f[9], f[10], f[12]) for f in lines} == expected and len(lines) == 1500


def udp_queue(port: int) -> int | None:
    """Bytes waiting in the receive queue of the UDP socket bound to this port (None: none)."""
    for line in Path("/proc/net/udp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port:
            return int(fields[4].split(":")[1], 16)
    return None


def wait_until(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
