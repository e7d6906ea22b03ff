"""A real engine under generated traffic, scraped over HTTP on 127.0.0.1: the metrics are the
numbers `show --format json` prints, they rise with traffic and drops, a clear resets them
(a counter reset with a new `_created`), and the probes answer."""
from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from flowc.runtime.counters import Group, of
from flowc.runtime.engine import run_plan
from flowc.runtime.files.spool import SpoolDirs
from flowc.runtime.ops.control import request
from flowc.runtime.ops.metrics import COUNTERS, FAULT_COUNTERS, FAULT_GAUGES
from flowc.runtime.plan.model import Endpoint, Input, Plan, dumps_plan
from flowc.runtime.plan.secret import encode
from flowc.runtime.testbed.generator import FlowRecord, v5_packet

ENGINE = ("import sys; from flowc.runtime.engine import run_plan; from flowc.runtime.plan.model import load_plan; "
          "sys.exit(run_plan(load_plan(sys.argv[1])))")
INPUT = Input("mo-7/1/0.0", "so_3_0_0_0", "1", source_address="127.0.0.1")
CP = "cp-6/0/0"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


class MetricsEngine:
    """`run_plan` in a subprocess with a metrics listener on an ephemeral loopback port."""

    def __init__(self, plan: Plan, tmp_path: Path) -> None:
        self.plan = plan
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # as systemd's NOTIFY_SOCKET
        self.notify.bind(str(tmp_path / "notify"))
        self.notify.settimeout(5)
        env = {**os.environ, "NOTIFY_SOCKET": str(tmp_path / "notify")}
        path = tmp_path / "plan.json"
        path.write_text(dumps_plan(plan))
        self.log = tmp_path / "engine.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-c", ENGINE, str(path)], stderr=out,
                                         start_new_session=True, env=env)
        self.base = ""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.proc.poll() is None:
            text = self.log.read_text()
            if found := re.search(r"metrics listener (http://\S+)/metrics", text):
                self.base = found.group(1)
            if "engine started" in text and self.base:
                return
            time.sleep(0.05)
        self.close()
        raise AssertionError(f"engine did not start:\n{self.log.read_text()}")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def scrape(self) -> Samples:
        status, text = self.get("/metrics")
        assert status == 200
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(text) for s in family.samples}

    def show(self) -> dict:
        reply = request(self.plan.control, {"op": "show", "what": "interface", "interface": "all"})
        return dict(reply["collectors"][0])

    def close(self) -> None:
        self.notify.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def records(n: int) -> list[FlowRecord]:
    return [FlowRecord(src=f"10.0.{i >> 8 & 255}.{i & 255}", dst="192.0.2.9", packets=1, octets=64, first=1,
                       last=2, sport=i % 65536, dport=443, tcp_flags=2, protocol=6, src_as=1, dst_as=2)
            for i in range(n)]


def send(port: int, datagrams: list[bytes]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for datagram in datagrams:
            sender.sendto(datagram, ("127.0.0.1", port))
            time.sleep(0.001)


def good(n_packets: int) -> list[bytes]:
    flows = records(30 * n_packets)
    return [v5_packet(flows[i:i + 30], sys_uptime=5000, unix_secs=1_700_000_000, seq=i)
            for i in range(0, len(flows), 30)]


def settled(engine: MetricsEngine, packets: int) -> dict:
    """The show snapshot once `packets` arrived and two snapshots in a row agree."""
    deadline, last = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        snap = engine.show()
        snap.pop("files"), snap.pop("since")
        if snap["counters"]["packets"]["total"] >= packets and _totals(snap) == _totals(last):
            return snap
        last = snap
        time.sleep(0.3)
    raise AssertionError(f"counters did not settle: {last}")


def _totals(snap: dict | None) -> object:
    if snap is None:
        return None
    return ({k: v["total"] for k, v in snap["counters"]. items()}, snap["drops"], snap["ftp_failures"],
            snap["memory"], snap["inputs"], snap["transfer_log"], snap["channels"])


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted({"collector": CP, **labels}.items())))]


@pytest.fixture
def engine(plan_builder, ftp_server, tmp_path: Path):
    server = ftp_server()
    plan = plan_builder(inputs=[INPUT], destinations=[server.target("/", password=encode("s3cret-pass"))],
                        record_level=600,
                        metrics=Endpoint("127.0.0.1", 0))
    running = MetricsEngine(plan, tmp_path)
    yield running
    running.close()


def assert_equal_to_show(samples: Samples, snap: dict) -> None:
    for key, (name, _) in COUNTERS.items():
        assert value(samples, f"flowc_{name}_total") == snap["counters"][key]["total"], key
    for reason, count in snap["drops"].items():
        assert value(samples, "flowc_input_packet_drops_total", reason=reason) == count, reason
    assert value(samples, "flowc_ftp_failures_total") == snap["ftp_failures"]
    assert value(samples, "flowc_memory_used_bytes") == snap["memory"]["used"]
    assert value(samples, "flowc_transfer_log_lines_total") == snap["transfer_log"]["lines"]
    for key, (name, _) in FAULT_COUNTERS.items():
        assert value(samples, f"flowc_{name}_total") == snap["faults"][key], key
    for key, (name, _) in FAULT_GAUGES.items():
        assert value(samples, f"flowc_{name}") == snap["faults"].get(key, 0), key
    for item in snap["inputs"]:
        assert value(samples, "flowc_input_interface_packets_total", input=item["interface"]) == item["packets"]
        assert value(samples, "flowc_input_interface_bytes_total", input=item["interface"]) == item["bytes"]
    for channel in snap["channels"]:
        index = str(channel["index"])
        assert value(samples, "flowc_export_current_server", channel=index,
                     server=channel["current_server"].lower()) == 1
        assert value(samples, "flowc_export_server_state", channel=index, server="primary",
                     state=channel["primary_state"]) == 1
        others = {"OK", "Failed", "Not configured"} - {channel["primary_state"]}   # a state set: the rest 0
        assert [value(samples, "flowc_export_server_state", channel=index, server="primary", state=state)
                for state in sorted(others)] == [0] * len(others)


def test_scrape_equals_show_and_rises_with_traffic_and_drops(engine: MetricsEngine) -> None:
    port = engine.plan.collectors[0].listen.port
    before = engine.scrape()
    assert value(before, "flowc_input_packets_total") == 0
    assert value(before, "flowc_collector_up") == 1
    send(port, good(40) + [b"\x00\x05\x00"] * 3 + [b"\x00\x09" + bytes(40)] * 2)
    snap = settled(engine, 45)
    after = engine.scrape()
    assert_equal_to_show(after, snap)
    assert value(after, "flowc_input_packets_total") == 45
    assert value(after, "flowc_input_flow_records_total") == 1200
    assert value(after, "flowc_input_packet_drops_total", reason="too_small") == 3
    assert value(after, "flowc_input_packet_drops_total", reason="not_jflow") == 2
    assert value(after, "flowc_files_created_total") >= 2
    assert value(after, "flowc_ftp_files_total") == value(after, "flowc_files_exported_total") >= 2
    assert value(after, "flowc_transfer_log_lines_total") >= 2  # one line per transfer attempt


def test_every_fault_field_is_exported() -> None:
    assert set(FAULT_COUNTERS) | set(FAULT_GAUGES) == {c.field for c in of(Group.FAULTS)}
    assert not set(FAULT_COUNTERS) & set(FAULT_GAUGES)


def show_json(engine: MetricsEngine) -> dict:
    """`flowc show services flow-collector interface all extensive --format json`, as an operator runs it."""
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "show", "services", "flow-collector",
                           "interface", "all", "extensive", "--format", "json", "--control", engine.plan.control],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout)["collectors"][0])


def test_a_fault_counter_scraped_equals_show_json(engine: MetricsEngine) -> None:
    """Records the spool cannot take (its active/ folder replaced by a file) are counted once:
    `flowc_spool_records_not_written_total` is the number `show … --format json` prints."""
    assert value(engine.scrape(), "flowc_spool_records_not_written_total") == 0
    active = SpoolDirs.for_collector(engine.plan.spool, CP).active
    moved = active.with_name("active.moved")
    active.rename(moved)
    active.write_text("a file where the spool directory was")
    try:
        send(engine.plan.collectors[0].listen.port, good(5))
        deadline, last = time.monotonic() + 20, None
        while time.monotonic() < deadline:
            faults = show_json(engine)["faults"]
            if faults["records_not_written"] and faults == last:
                break
            last = faults
            time.sleep(0.3)
        shown = show_json(engine)
        samples = engine.scrape()
    finally:
        active.unlink()
        moved.rename(active)
    assert shown["faults"]["records_not_written"] > 0
    assert shown["faults"]["write_error_episodes"] >= 1
    for key, (name, _) in FAULT_COUNTERS.items():
        assert value(samples, f"flowc_{name}_total") == shown["faults"][key], key
    assert value(samples, "flowc_spool_records_not_written_total") == shown["faults"]["records_not_written"]


def test_clear_resets_counters_with_a_new_created_time(engine: MetricsEngine) -> None:
    send(engine.plan.collectors[0].listen.port, good(10))
    settled(engine, 10)
    first = engine.scrape()
    assert value(first, "flowc_input_packets_total") == 10
    time.sleep(1.1)
    reply = request(engine.plan.control, {"op": "clear", "interface": "all"})
    assert reply["ok"]
    cleared = engine.scrape()
    assert value(cleared, "flowc_input_packets_total") == 0  # a counter reset, as after a restart
    assert value(cleared, "flowc_input_interface_packets_total", input=INPUT.interface) == 0  # per input too
    assert engine.show()["inputs"] == [{"interface": INPUT.interface, "packets": 0, "bytes": 0}]
    assert value(cleared, "flowc_input_packets_created") > value(first, "flowc_input_packets_created")
    send(engine.plan.collectors[0].listen.port, good(2))
    settled(engine, 2)
    assert value(engine.scrape(), "flowc_input_packets_total") == 2


def test_probes_of_a_running_engine(engine: MetricsEngine) -> None:
    assert engine.notify.recv(100) == b"READY=1"  # sd_notify once serving
    status, text = engine.get("/healthz")
    assert status == 200 and f"[+] collector {CP}: receive loop turning" in text
    status, text = engine.get("/readyz")
    assert status == 200, text
    assert engine.get("/nothing")[0] == 404
    active = SpoolDirs.for_collector(engine.plan.spool, CP).active
    moved = active.with_name("active.moved")
    active.rename(moved)
    active.write_text("a file where the spool directory was")
    try:
        status, text = engine.get("/readyz")
        assert status == 503
        assert f"[-] spool {active}: not writable" in text
        # a spool directory that cannot be made again is dead, not just unready (issue 18, item 6);
        # a full disk is only unready: the liveness probe writes no byte
        status, text = engine.get("/healthz")
        assert status == 503 and "cannot be written or created again" in text, text
    finally:
        active.unlink()
        moved.rename(active)
    assert engine.get("/readyz")[0] == 200


def test_a_metrics_address_in_use_is_a_clear_error(plan_builder) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        plan = plan_builder(metrics=Endpoint("127.0.0.1", taken.getsockname()[1]))
        stream = io.StringIO()
        assert run_plan(plan, log_stream=stream) == 2
    assert "metrics listener 127.0.0.1:" in stream.getvalue()
    assert "Address already in use" in stream.getvalue() and "Traceback" not in stream.getvalue()
