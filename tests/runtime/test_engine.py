"""The engine as users run it: a subprocess per test, real UDP in, real FTP out, signals, kill -9."""
from __future__ import annotations

import dataclasses
import gzip
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flowc.runtime.engine import run_plan
from flowc.runtime.files.spool import SpoolDirs
from flowc.runtime.ops.control import request
from flowc.runtime.plan.model import Input, Plan, dumps_plan
from flowc.runtime.plan.secret import encode
from flowc.runtime.testbed.generator import FlowRecord, v5_packet, write_pcap

pytestmark = pytest.mark.usefixtures("hot_path")  # compiled hot path and its twin

ENGINE = ("import sys; from flowc.runtime.engine import run_plan; from flowc.runtime.plan.model import load_plan; "
          "sys.exit(run_plan(load_plan(sys.argv[1])))")
UNIX, UPTIME = 1_700_000_000, 50_000_000


def flows(n: int, base: int = 0) -> list[FlowRecord]:
    return [FlowRecord(src=f"10.{(base + i) >> 16 & 255}.{(base + i) >> 8 & 255}.{(base + i) & 255}",
                       dst="192.0.2.99", packets=base + i + 1, octets=(base + i + 1) * 64, first=UPTIME - 2000,
                       last=UPTIME, sport=(base + i) % 65536, dport=443, tcp_flags=2, protocol=6, src_as=1,
                       dst_as=2) for i in range(n)]


def send(port: int, records: list[FlowRecord], engine: tuple[int, int] = (0, 0)) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for i in range(0, len(records), 30):
            sender.sendto(v5_packet(records[i:i + 30], sys_uptime=UPTIME, unix_secs=UNIX, seq=i,
                                    engine_type=engine[0], engine_id=engine[1]), ("127.0.0.1", port))
            if i % 600 == 0:
                time.sleep(0.002)


def keys(records: list[FlowRecord]) -> list[tuple[str, ...]]:
    return sorted((r.src, r.dst, str(r.packets), str(r.octets), str(UNIX - 2), str(UNIX), str(r.sport), "443",
                   "2", "6", "1", "2") for r in records)


def found(*folders: Path) -> list[tuple[str, ...]]:
    """Record keys (src … dst_as, without linkDir/analyzer/ifAlias) of every .gz in the folders."""
    rows = []
    for folder in folders:
        for path in folder.glob("*.gz"):
            subprocess.run(["gzip", "-t", str(path)], check=True)
            for line in gzip.decompress(path.read_bytes()).decode().splitlines():
                fields = line.split("|")
                assert fields[1:4] == ["10.10.10.1", "server1", "so_3_0_0_0"]
                rows.append(tuple(fields[4:]))
    return sorted(rows)


def with_secret(plan: Plan) -> Plan:
    """Plan files carry passwords in $9$ form."""
    collectors = []
    for c in plan.collectors:
        dests = tuple(dataclasses.replace(d, target=dataclasses.replace(d.target, password=encode(d.target.password)))
                      for d in c.destinations)
        collectors.append(dataclasses.replace(c, destinations=dests))
    return dataclasses.replace(plan, collectors=tuple(collectors))


RUNNING: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_engine_left_behind():
    yield
    while RUNNING:
        proc = RUNNING.pop()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


class Engine:
    def __init__(self, plan: Plan, tmp_path: Path, name: str = "engine") -> None:
        self.plan = plan
        path = tmp_path / f"{name}.plan.json"
        path.write_text(dumps_plan(with_secret(plan)))
        self.log = tmp_path / f"{name}.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-c", ENGINE, str(path)], stderr=out,
                                         start_new_session=True)
        RUNNING.append(self.proc)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.proc.poll() is None:
            if "engine started" in self.log.read_text():
                return
            time.sleep(0.05)
        raise AssertionError(f"engine did not start:\n{self.log.read_text()}")

    def show(self) -> dict:
        return request(self.plan.control, {"op": "show", "what": "interface", "interface": "all"}, timeout=10)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(60)

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def wait_for(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


INPUT = Input("mo-7/1/0.0", "so_3_0_0_0", "1", source_address="127.0.0.1")


def test_udp_to_ftp_show_and_sigterm(plan_builder, ftp_server, tmp_path: Path) -> None:
    server = ftp_server()
    plan = plan_builder(inputs=[INPUT], destinations=[server.target("/")], record_level=1000)
    engine = Engine(plan, tmp_path)
    sent = flows(2400)
    send(plan.collectors[0].listen.port, sent)
    wait_for(lambda: len(list(server.home.glob("*.gz"))) == 2, what="two rotated files uploaded")
    snap = engine.show()["collectors"][0]
    assert snap["interface"] == "cp-6/0/0" and snap["state"] == "Collecting flows"
    assert snap["counters"]["flows"]["total"] == 2400 and snap["counters"]["packets"]["total"] == 80
    assert snap["inputs"] == [{"interface": "mo-7/1/0.0", "packets": 80, "bytes": 80 * (24 + 30 * 48)}]
    assert [f["flows"] for f in snap["files"] if f["state"] == "Active"] == [400]
    assert engine.stop() == 0
    dirs = SpoolDirs.for_collector(plan.spool, "cp-6/0/0")
    assert found(server.home, dirs.ready) == keys(sent)
    assert not list(dirs.active.iterdir())
    log = engine.log.read_text()
    assert "flowc[cp-6/0/0] INFO file closed name=" in log and "reason=shutdown" in log
    assert "flowc[engine] INFO engine stopped" in log
    assert not Path(plan.control).exists()


def test_kill_9_then_restart_loses_no_flushed_record(plan_builder, ftp_server, dead_endpoint,
                                                     tmp_path: Path) -> None:
    from flowc.runtime.plan.model import FtpTarget

    nowhere = FtpTarget(f"ftp://flowc@{dead_endpoint}/", dead_endpoint, "flowc", "x", "/")
    plan = plan_builder(inputs=[INPUT], destinations=[nowhere])
    dirs = SpoolDirs.for_collector(plan.spool, "cp-6/0/0")
    engine = Engine(plan, tmp_path, "first")
    sent = flows(3000)
    send(plan.collectors[0].listen.port, sent)

    def flushed() -> int:
        metas = list(dirs.active.glob("*.part.meta.json"))
        return sum(json.loads(m.read_text())["records"] for m in metas)

    wait_for(lambda: flushed() == 3000, what="every record flushed to the .part")
    engine.kill9()
    assert list(dirs.active.glob("*.part")) and not list(dirs.ready.glob("*.gz"))
    server = ftp_server()
    plan = plan_builder(inputs=[INPUT], destinations=[server.target()])
    again = Engine(plan, tmp_path, "second")
    wait_for(lambda: list(server.home.glob("*.gz")), what="the recovered file uploaded")
    assert again.stop() == 0
    assert "file recovered name=" in again.log.read_text()
    assert found(server.home, dirs.ready) == keys(sent)
    assert not list(dirs.active.iterdir())


def test_a_port_in_use_is_a_clear_error(plan_builder, tmp_path: Path) -> None:
    plan = plan_builder()
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(("127.0.0.1", plan.collectors[0].listen.port))
    stream = io.StringIO()
    try:
        assert run_plan(plan, log_stream=stream) == 2
    finally:
        holder.close()
    assert f"cp-6/0/0: cannot listen on 127.0.0.1:{plan.collectors[0].listen.port}" in stream.getvalue()


def test_replay_two_collectors_and_control_routing(plan_builder, tmp_path: Path) -> None:
    plan = plan_builder(inputs=[INPUT], interfaces=("cp-6/0/0", "cp-7/0/0"))
    first, second = (c.listen.port for c in plan.collectors)
    sent = flows(90)
    pcap = tmp_path / "in.pcap"
    packets = [v5_packet(sent[i:i + 30], sys_uptime=UPTIME, unix_secs=UNIX, seq=i, engine_type=0, engine_id=0)
               for i in (0, 30, 60)]
    write_pcap(pcap, [("127.0.0.1", "127.0.0.1", 2055, first, packets[0]),
                      ("127.0.0.1", "127.0.0.1", 2055, second, packets[1]),
                      ("198.51.100.7", "127.0.0.1", 2055, first, packets[2])])
    stream = io.StringIO()
    assert run_plan(plan, replay=pcap, log_stream=stream) == 0
    ready = [SpoolDirs.for_collector(plan.spool, c.interface).ready for c in plan.collectors]
    one = [n.name for n in ready[0].glob("*.gz")]
    assert sorted(n.rsplit("-", 1)[1] for n in one) == ["198_51_100_7_2.bcp.bi.gz", "so_3_0_0_0_1.bcp.bi.gz"]
    assert len(list(ready[1].glob("*.gz"))) == 1  # cp-7/0/0 got the datagram sent to its port
    assert "replay done" in stream.getvalue()


def test_control_requests_are_routed_per_collector(plan_builder, ftp_server) -> None:
    server = ftp_server()
    plan = plan_builder(interfaces=("cp-6/0/0", "cp-7/0/0"), destinations=[server.target()])
    stream = io.StringIO()
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(run_plan(plan, log_stream=stream)))
    runner.start()
    try:
        wait_for(lambda: "engine started" in stream.getvalue(), what="engine start")
        send(plan.collectors[1].listen.port, flows(30))
        wait_for(lambda: request(plan.control, {"op": "show", "interface": "cp-7/0/0"})["collectors"][0]
                 ["counters"]["flows"]["total"] == 30, what="flows counted")
        both = request(plan.control, {"op": "show", "what": "file", "interface": "all"})
        assert [c["interface"] for c in both["collectors"]] == ["cp-6/0/0", "cp-7/0/0"]
        assert len({c["pid"] for c in both["collectors"]}) == 2  # one process per collector
        assert request(plan.control, {"op": "show", "interface": "cp-1/2/3"})["ok"] is False
        cleared = request(plan.control, {"op": "clear", "interface": "cp-7/0/0"})
        assert cleared == {"ok": True, "collectors": [{"interface": "cp-7/0/0", "state": "Collecting flows"}]}
        assert request(plan.control, {"op": "show", "interface": "cp-7/0/0"})["collectors"][0]["counters"][
            "flows"]["total"] == 0
        answer = request(plan.control, {"op": "change-destination", "interface": "cp-6/0/0", "role": "secondary",
                                        "how": "gracefully", "clear_files": False, "clear_logs": False})
        assert answer["ok"] is False and answer["interface"] == "cp-6/0/0" and answer["message"]
        answer = request(plan.control, {"op": "test-file-transfer", "interface": "cp-6/0/0", "filename": "t1",
                                        "channel": 1, "role": "primary"})
        assert answer["ok"] is True and answer["state"] == "Collecting flows"
    finally:
        assert request(plan.control, {"op": "stop"})["ok"]
        runner.join(60)
    assert result == [0]


def test_a_dead_collector_is_restarted(plan_builder, ftp_server, tmp_path: Path) -> None:
    plan = plan_builder(inputs=[INPUT], destinations=[ftp_server().target()])
    engine = Engine(plan, tmp_path)
    pid = engine.show()["collectors"][0]["pid"]
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: engine.show()["collectors"][0].get("pid", pid) != pid, what="restart")
    send(plan.collectors[0].listen.port, flows(30))
    wait_for(lambda: engine.show()["collectors"][0]["counters"]["flows"]["total"] == 30, what="flows after restart")
    assert engine.stop(signal.SIGINT) == 0
    assert "exited code=-9; restarting" in engine.log.read_text()


def test_replay_of_a_file_that_is_not_a_pcap(plan_builder, tmp_path: Path) -> None:
    bogus = tmp_path / "capture.pcapng"
    bogus.write_bytes(b"\x0a\x0d\x0d\x0a" + bytes(60))
    stream = io.StringIO()
    assert run_plan(plan_builder(), replay=bogus, log_stream=stream) == 2
    assert "capture.pcapng: not a libpcap capture file (pcapng is not supported)" in stream.getvalue()
    assert run_plan(plan_builder(), replay=tmp_path / "missing.pcap", log_stream=stream) == 2
    assert "missing.pcap: cannot read: No such file or directory" in stream.getvalue()


def test_a_plan_without_collectors(plan_builder) -> None:
    stream = io.StringIO()
    assert run_plan(plan_builder(interfaces=()), log_stream=stream) == 1
    assert "ERROR the plan has no collector" in stream.getvalue()


def test_timeout_closes_a_file_with_no_more_traffic(plan_builder, ftp_server, tmp_path: Path) -> None:
    server = ftp_server()
    plan = plan_builder(inputs=[INPUT], destinations=[server.target("/")], timeout=1)
    engine = Engine(plan, tmp_path)
    sent = flows(45)
    send(plan.collectors[0].listen.port, sent)
    wait_for(lambda: list(server.home.glob("*.gz")), what="the file closed by its timeout and uploaded")
    assert found(server.home) == keys(sent)
    assert "reason=timeout" in engine.log.read_text()
    assert engine.stop() == 0


def test_a_collector_killed_again_and_again_keeps_every_record(plan_builder, ftp_server, tmp_path: Path) -> None:
    """Crash loop: each batch is sent while the collector is dead (the supervisor keeps the
    socket, the kernel queues the datagrams) and flushed before the next kill -9; at the end
    every record is on the server exactly once."""
    server = ftp_server()
    plan = plan_builder(inputs=[INPUT], destinations=[server.target("/")])
    dirs = SpoolDirs.for_collector(plan.spool, "cp-6/0/0")
    engine = Engine(plan, tmp_path)
    port = plan.collectors[0].listen.port

    def parts() -> set[str]:
        return {m.name for m in dirs.active.glob("*.part.meta.json")}

    def flushed(old: set[str]) -> int:
        """Records in the new process's files only: a killed process's `.part` stays in
        active/ until the new one has recovered it, and must not pass for the batch."""
        return sum(json.loads(m.read_text())["records"] for m in dirs.active.glob("*.part.meta.json")
                   if m.name not in old)

    sent: list[FlowRecord] = []
    for round_ in range(3):
        pid = engine.show()["collectors"][0]["pid"]
        os.kill(pid, signal.SIGKILL)
        old = parts()
        batch = flows(300, base=1000 * round_)
        send(port, batch)
        sent += batch
        wait_for(lambda pid=pid: engine.show()["collectors"][0].get("pid", pid) != pid, what="the restart")
        wait_for(lambda batch=batch, old=old: flushed(old) == len(batch), what="the batch flushed by the new process")
    assert engine.stop() == 0
    on_server = found(server.home, dirs.ready)
    assert on_server == keys(sent)  # none lost, none twice
    assert engine.log.read_text().count("exited code=-9; restarting") == 3
