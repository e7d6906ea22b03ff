"""A stopped (SIGSTOP) collector under traffic: `show … all` and `/metrics` still answer with
the others and mark it "Not responding"; SIGTERM to the engine ends every child, so a second
engine binds the same ports (issue 18 item 5)."""
from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.runtime.test_engine_metrics import MetricsEngine, good, send, value

GENEROUS = 8.0  # the calls answer in about 2 s; this only proves they returned


def show_all(control: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "show", "services", "flow-collector",
                           "interface", "all", "--format", "json", "--control", control],
                          capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_stopped_collector_is_shown_not_responding_and_sigterm_ends_it(plan_builder, ftp_server,
                                                                         tmp_path: Path) -> None:
    from flowc.runtime.plan.model import Endpoint
    from flowc.runtime.plan.secret import encode

    server = ftp_server()
    plan = plan_builder(interfaces=("cp-6/0/0", "cp-6/0/1"), metrics=Endpoint("127.0.0.1", 0),
                        destinations=[server.target("/", password=encode("s3cret-pass"))])
    engine = MetricsEngine(plan, tmp_path)
    stopped_pid = 0
    try:
        reply = json.loads(show_all(plan.control)[1])
        pids = {c["interface"]: c["pid"] for c in reply["collectors"]}
        stopped_pid = pids["cp-6/0/1"]
        os.kill(stopped_pid, signal.SIGSTOP)
        send(plan.collectors[1].listen.port, good(20))
        started = time.monotonic()
        code, out, err = show_all(plan.control)
        took_show = time.monotonic() - started
        assert code == 0, err
        states = {c["interface"]: c["state"] for c in json.loads(out)["collectors"]}
        assert states == {"cp-6/0/0": "Collecting flows", "cp-6/0/1": "Not responding"}
        started = time.monotonic()
        samples = engine.scrape()
        took_metrics = time.monotonic() - started
        assert value(samples, "flowc_collector_state", state="Collecting flows") == 1
        assert samples[("flowc_collector_state", (("collector", "cp-6/0/1"), ("state", "Not responding")))] == 1
        assert samples[("flowc_collector_state", (("collector", "cp-6/0/1"), ("state", "Collecting flows")))] == 0
        assert value(samples, "flowc_collector_process_open_fds") > 0   # the running child's /proc figures
        assert took_show < GENEROUS and took_metrics < GENEROUS
        text = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "show", "services", "flow-collector",
                               "interface", "all", "--control", plan.control],
                              capture_output=True, text=True, timeout=60).stdout
        assert "Interface state: Not responding" in text
        cleared = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "clear", "services", "flow-collector",
                                  "statistics", "interface", "all", "--format", "json", "--control", plan.control],
                                 capture_output=True, text=True, timeout=60)
        states = {c["interface"]: c["state"] for c in json.loads(cleared.stdout)["collectors"]}
        assert cleared.returncode == 1 and states == {"cp-6/0/0": "Collecting flows", "cp-6/0/1": "Not responding"}
        os.killpg(engine.proc.pid, signal.SIGTERM)       # while the child is still stopped
        assert engine.proc.wait(60) in (0, 1)            # 1 only if it had to be killed (SIGKILL)
        assert "collector cp-6/0/1 did not stop; terminating" in engine.log.read_text()
        assert not alive(stopped_pid), "the stopped collector outlived its engine"
    finally:
        if stopped_pid and alive(stopped_pid):
            os.kill(stopped_pid, signal.SIGKILL)
        engine.close()
    (tmp_path / "again").mkdir()
    second = MetricsEngine(dataclasses.replace(plan, metrics=Endpoint("127.0.0.1", 0)), tmp_path / "again")
    try:
        assert "cannot listen" not in second.log.read_text()
        assert second.proc.poll() is None
    finally:
        second.close()


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    from flowc.runtime.processes.handle import CollectorProcess

    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(1, flush=True); time.sleep(60)"
    stubborn = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert stubborn.stdout is not None and stubborn.stdout.readline()   # its handler is in place
    assert CollectorProcess(stubborn).end(0.5) is True
    assert stubborn.poll() == -signal.SIGKILL
    polite = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    os.kill(polite.pid, signal.SIGSTOP)                                   # stopped: SIGCONT lets SIGTERM act
    assert CollectorProcess(polite).end(5.0) is False
    assert polite.poll() == -signal.SIGTERM


def test_records_lost_while_a_collector_is_stopped_are_all_accounted_for(plan_builder, ftp_server, hot_path,
                                                                          tmp_path: Path) -> None:
    """Issue 18 item 4: SIGSTOP, more datagrams than the socket buffer holds, SIGCONT: records
    processed + sequence records missed == records sent, and the kernel's drops are the gap."""
    from flowc.runtime.plan.model import Endpoint
    from flowc.runtime.plan.secret import encode
    from flowc.runtime.testbed.generator import FlowRecord, v5_packet

    server = ftp_server()
    plan = plan_builder(metrics=Endpoint("127.0.0.1", 0),
                        destinations=[server.target("/", password=encode("s3cret-pass"))])
    one = [FlowRecord(src="10.0.0.1", dst="192.0.2.9", packets=1, octets=64, first=1, last=2, sport=1,
                      dport=443, tcp_flags=2, protocol=6, src_as=1, dst_as=2)]
    sent = 110_000   # 1-record datagrams: more than a 32 MiB receive buffer holds (about 80,000)
    datagrams = [v5_packet(one, sys_uptime=5000, unix_secs=1_700_000_000, seq=i) for i in range(sent)]
    engine = MetricsEngine(plan, tmp_path)
    pid = 0
    try:
        pid = json.loads(show_all(plan.control)[1])["collectors"][0]["pid"]
        os.kill(pid, signal.SIGSTOP)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for datagram in datagrams:
                sender.sendto(datagram, ("127.0.0.1", plan.collectors[0].listen.port))
            os.kill(pid, signal.SIGCONT)
            time.sleep(0.5)
            sender.sendto(v5_packet(one, sys_uptime=5000, unix_secs=1_700_000_000, seq=sent),
                          ("127.0.0.1", plan.collectors[0].listen.port))
        snap = settled_snapshot(engine, lambda s: s["counters"]["flows"]["total"] > 0)
        received = snap["counters"]["flows"]["total"] + snap["drops"]["no_memory"]
        missed, dropped = snap["faults"]["sequence_missed"], snap["drops"]["kernel_drops"]
        assert dropped > 0, "the test did not overflow the socket buffer"
        assert received + missed == sent + 1
        assert dropped == missed          # every record missed was a datagram the kernel dropped
        assert snap["faults"]["sequence_resets"] == 0
        samples = engine.scrape()
        assert value(samples, "flowc_input_sequence_records_missed_total") == missed
        assert value(samples, "flowc_input_packet_drops_total", reason="kernel_drops") == dropped
        assert snap["exporters"] == [{"exporter": "127.0.0.1", "engine_type": 0, "engine_id": 0,
                                      "sequence_missed": missed, "sequence_resets": 0}]
        assert value(samples, "flowc_exporter_sequence_records_missed_total", exporter="127.0.0.1",
                     engine_type="0", engine_id="0") == missed
        log = engine.log.read_text()
        assert log.count("the kernel dropped") == 1 and log.count("records missed (flow_sequence") == 1
    finally:
        if pid:
            os.kill(pid, signal.SIGCONT)
        engine.close()


def settled_snapshot(engine: MetricsEngine, ready) -> dict:
    """The show snapshot once `ready(snapshot)` and two snapshots 1.5 s apart agree."""
    deadline, last = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        snap = engine.show()
        key = (snap["counters"]["flows"]["total"], snap["drops"], snap["faults"])
        if ready(snap) and key == last:
            return snap
        last = key
        time.sleep(1.5)
    raise AssertionError(f"counters did not settle: {last}")
