"""Live reload: a new plan applied to a running engine, collectors untouched where unchanged."""
from __future__ import annotations

import dataclasses
import io
import re
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
from flowc.runtime.plan.model import Endpoint, Plan, dumps_plan
from flowc.runtime.testbed.generator import FlowRecord, v5_packet

UPTIME = 50_000_000


def send(port: int, records: int) -> None:
    flows = [FlowRecord(f"10.0.0.{i % 250 + 1}", "192.0.2.1", 1, 64, UPTIME, UPTIME) for i in range(records)]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for i in range(0, records, 30):
            sender.sendto(v5_packet(flows[i:i + 30], sys_uptime=UPTIME, unix_secs=1_700_000_000, seq=i),
                          ("127.0.0.1", port))


def wait_for(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def show(plan: Plan) -> dict[str, dict]:
    reply = request(plan.control, {"op": "show", "interface": "all"})
    return {c["interface"]: c for c in reply["collectors"]}


def flows(plan: Plan, interface: str) -> int:
    return show(plan)[interface]["counters"]["flows"]["total"]


def with_listen(plan: Plan, index: int, port: int) -> Plan:
    collectors = list(plan.collectors)
    collectors[index] = dataclasses.replace(collectors[index], listen=Endpoint("127.0.0.1", port))
    return dataclasses.replace(plan, collectors=tuple(collectors))


def sealed(target):
    """The FTP target with its password in $9$ form, as plan files carry it."""
    from flowc.runtime.plan.secret import encode

    return dataclasses.replace(target, password=encode(target.password))


@pytest.fixture
def engine(plan_builder, ftp_server):
    """A running two-collector engine (in a thread) and its log; stopped afterwards."""
    plan = plan_builder(interfaces=("cp-6/0/0", "cp-7/0/0"), destinations=[sealed(ftp_server().target())])
    stream = io.StringIO()
    runner = threading.Thread(target=run_plan, args=(plan,), kwargs={"log_stream": stream})
    runner.start()
    wait_for(lambda: "engine started" in stream.getvalue(), what="engine start")
    yield plan, stream
    request(plan.control, {"op": "stop"})
    runner.join(60)


def test_restart_one_collector_leave_the_other_alone(engine, udp_port) -> None:
    plan, stream = engine
    before = show(plan)
    send(plan.collectors[0].listen.port, 60)
    wait_for(lambda: flows(plan, "cp-6/0/0") == 60, what="cp-6/0/0 flows")
    new_port = udp_port()
    new = with_listen(plan, 1, new_port)
    reply = request(plan.control, {"op": "reload", "plan": dumps_plan(new)}, timeout=60)
    assert reply["ok"], reply
    assert (reply["restarted"], reply["unchanged"], reply["started"], reply["stopped"]) == (
        ["cp-7/0/0"], ["cp-6/0/0"], [], [])
    after = show(plan)
    assert after["cp-6/0/0"]["pid"] == before["cp-6/0/0"]["pid"]  # untouched: same process
    assert after["cp-7/0/0"]["pid"] != before["cp-7/0/0"]["pid"]
    assert flows(plan, "cp-6/0/0") == 60  # its counters survived
    send(new_port, 30)
    wait_for(lambda: flows(plan, "cp-7/0/0") == 30, what="cp-7/0/0 on its new port")
    assert "reload applied started=- stopped=- restarted=cp-7/0/0" in stream.getvalue()


def test_start_and_stop_collectors(engine, udp_port) -> None:
    plan, _ = engine
    send(plan.collectors[1].listen.port, 30)
    wait_for(lambda: flows(plan, "cp-7/0/0") == 30, what="cp-7/0/0 flows")
    third = dataclasses.replace(plan.collectors[0], interface="cp-8/0/0", listen=Endpoint("127.0.0.1", udp_port()))
    new = dataclasses.replace(plan, collectors=(plan.collectors[0], third))
    reply = request(plan.control, {"op": "reload", "plan": dumps_plan(new)}, timeout=60)
    assert reply["ok"] and reply["started"] == ["cp-8/0/0"] and reply["stopped"] == ["cp-7/0/0"], reply
    assert list(show(plan)) == ["cp-6/0/0", "cp-8/0/0"]
    stopped = SpoolDirs.for_collector(plan.spool, "cp-7/0/0")
    assert not list(stopped.active.glob("*.part"))  # its active file was closed and published
    send(third.listen.port, 30)
    wait_for(lambda: flows(plan, "cp-8/0/0") == 30, what="the new collector receiving")


def test_refused_reloads_change_nothing(engine) -> None:
    plan, _ = engine
    before = show(plan)
    bad = request(plan.control, {"op": "reload", "plan": "{\"version\": 1}"})
    assert bad["ok"] is False and "invalid plan" in bad["error"]
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(("127.0.0.1", 0))
    try:
        taken = with_listen(plan, 1, holder.getsockname()[1])
        reply = request(plan.control, {"op": "reload", "plan": dumps_plan(taken)})
    finally:
        holder.close()
    assert reply["ok"] is False and "cp-7/0/0: cannot listen on" in reply["error"]
    moved = dataclasses.replace(plan, control=plan.control + ".2")
    reply = request(plan.control, {"op": "reload", "plan": dumps_plan(moved)})
    assert reply["ok"] is False and "restart the engine" in reply["error"]
    same = request(plan.control, {"op": "reload", "plan": dumps_plan(plan)})
    assert same["ok"] and same["unchanged"] == ["cp-6/0/0", "cp-7/0/0"]
    assert request(plan.control, {"op": "reload"})["ok"] is False  # no source to re-read
    assert {k: v["pid"] for k, v in show(plan).items()} == {k: v["pid"] for k, v in before.items()}


def test_export_only_change_keeps_the_process(engine, ftp_server) -> None:
    plan, _ = engine
    before = show(plan)["cp-6/0/0"]["pid"]
    other = sealed(ftp_server().target())
    first = dataclasses.replace(plan.collectors[0], destinations=(
        dataclasses.replace(plan.collectors[0].destinations[0], target=other),))
    new = dataclasses.replace(plan, collectors=(first, plan.collectors[1]))
    reply = request(plan.control, {"op": "reload", "plan": dumps_plan(new)}, timeout=60)
    assert reply["export_only"] == ["cp-6/0/0"] and reply["unchanged"] == ["cp-7/0/0"]
    assert reply["ok"], reply
    assert show(plan)["cp-6/0/0"]["pid"] == before


ENGINE = ("import sys; from flowc.runtime.engine import run_plan; from flowc.runtime.plan.model import load_plan; "
          "p = sys.argv[1]; sys.exit(run_plan(load_plan(p), reload_source=lambda: load_plan(p)))")


def test_sighup_rereads_the_source(plan_builder, ftp_server, udp_port, tmp_path: Path) -> None:
    plan = plan_builder(destinations=[sealed(ftp_server().target())])
    path = tmp_path / "plan.json"
    path.write_text(dumps_plan(plan))
    log = tmp_path / "engine.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-c", ENGINE, str(path)], stderr=out, start_new_session=True)
    try:
        wait_for(lambda: "engine started" in log.read_text(), what="engine start")
        port = udp_port()
        path.write_text(dumps_plan(with_listen(plan, 0, port)))
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP: reload applied" in log.read_text(), what="reload")
        send(port, 30)
        wait_for(lambda: flows(plan, "cp-6/0/0") == 30, what="flows on the new port")
        path.write_text("not a plan")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP: reload refused" in log.read_text(), what="refusal")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_a_restart_keeps_the_socket_so_nothing_sent_meanwhile_is_lost(plan_builder, dead_endpoint) -> None:
    from flowc.runtime.plan.model import FtpTarget

    nowhere = FtpTarget(f"ftp://flowc@{dead_endpoint}/", dead_endpoint, "flowc", "", "/")
    plan = plan_builder(interfaces=("cp-6/0/0", "cp-7/0/0"), destinations=[nowhere])  # files stay in ready/
    stream = io.StringIO()
    runner = threading.Thread(target=run_plan, args=(plan,), kwargs={"log_stream": stream})
    runner.start()
    try:
        wait_for(lambda: "engine started" in stream.getvalue(), what="engine start")
        port = plan.collectors[1].listen.port
        other = dataclasses.replace(plan.collectors[1], file_specs=(
            dataclasses.replace(plan.collectors[1].file_specs[0], timeout=300),))
        new = dataclasses.replace(plan, collectors=(plan.collectors[0], other))
        done: list[dict] = []
        reloading = threading.Thread(target=lambda: done.append(
            request(plan.control, {"op": "reload", "plan": dumps_plan(new)}, timeout=60)))
        reloading.start()
        for _ in range(20):  # while the collector process is being replaced
            send(port, 30)
            time.sleep(0.02)
        reloading.join(60)
        assert done[0]["ok"] and done[0]["restarted"] == ["cp-7/0/0"], done
        send(port, 30)
        wait_for(lambda: flows(plan, "cp-7/0/0") + closed_records(plan) == 21 * 30,
                 what="every record sent across the restart")
    finally:
        request(plan.control, {"op": "stop"})
        runner.join(60)


def closed_records(plan: Plan) -> int:
    """Records the old cp-7/0/0 process put in files before it stopped."""
    import json

    dirs = SpoolDirs.for_collector(plan.spool, "cp-7/0/0")
    return sum(json.loads(m.read_text())["records"] for m in dirs.ready.glob("*.meta.json"))


# ---------------------------------------------------------------- reload under traffic

def records_in(*folders: Path) -> int:
    """Records (lines) in every complete .gz flow file of the folders."""
    import gzip

    return sum(len(gzip.decompress(p.read_bytes()).splitlines())
               for folder in folders for p in folder.glob("*.gz"))


def opened_at(name: str) -> float:
    """The UTC open time in a `X-%D_%T-%N.gz` name."""
    import calendar

    stamp = name.split("-")[1]
    return float(calendar.timegm(time.strptime(stamp, "%Y%m%d_%H%M%S")))


def test_reload_under_traffic_loses_nothing(plan_builder, ftp_server) -> None:
    """A's destination changes (export-only), B's file specification (restart), while
    both receive a steady stream: every record sent to either is in a file afterwards,
    and A's files opened after the reload go to A's new server."""
    from flowc.runtime.testbed.generator import generate

    old, new, b_server = ftp_server(), ftp_server(), ftp_server()
    plan = plan_builder(interfaces=("cp-6/0/0", "cp-7/0/0"), destinations=[sealed(old.target())],
                        record_level=2000, name_format="A-%D_%T-%N.gz")
    a, b = plan.collectors
    b = dataclasses.replace(b, destinations=(dataclasses.replace(b.destinations[0], target=sealed(b_server.target())),),
                            file_specs=(dataclasses.replace(b.file_specs[0], name_format="B-%D_%T-%N.gz"),))
    plan = dataclasses.replace(plan, collectors=(a, b))
    new_a = dataclasses.replace(a, destinations=(dataclasses.replace(a.destinations[0], target=sealed(new.target())),))
    new_b = dataclasses.replace(b, file_specs=(dataclasses.replace(b.file_specs[0], record_level=1500),))
    reloaded = dataclasses.replace(plan, collectors=(new_a, new_b))
    stream = io.StringIO()
    runner = threading.Thread(target=run_plan, args=(plan,), kwargs={"log_stream": stream})
    runner.start()
    sent: dict[str, int] = {}
    try:
        wait_for(lambda: "engine started" in stream.getvalue(), what="engine start")
        senders = [threading.Thread(target=lambda c=c, r=r, i=i: sent.__setitem__(
            c.interface, generate(c.listen, r, 3.0, seed=i).records))
            for i, (c, r) in enumerate(((a, 6000), (b, 4000)))]
        for sender in senders:
            sender.start()
        time.sleep(1.0)
        reply = request(plan.control, {"op": "reload", "plan": dumps_plan(reloaded)}, timeout=60)
        applied = time.time()
        assert reply["ok"], reply
        assert (reply["export_only"], reply["restarted"]) == (["cp-6/0/0"], ["cp-7/0/0"])
        for sender in senders:
            sender.join(30)
        # traffic after the reload, however long the reload took on a loaded machine
        time.sleep(max(0.0, applied + 1.0 - time.time()))
        sent["cp-6/0/0"] += generate(a.listen, 6000, 1.0, seed=7).records
        wait_for(lambda: any(opened_at(p.name) >= applied for p in new.home.glob("*.gz")),
                 what="a file of A opened after the reload on the new server")
    finally:
        request(plan.control, {"op": "stop"})
        runner.join(60)
    spool_a = SpoolDirs.for_collector(plan.spool, "cp-6/0/0").ready
    spool_b = SpoolDirs.for_collector(plan.spool, "cp-7/0/0").ready
    assert records_in(old.home, new.home, spool_a) == sent["cp-6/0/0"]
    assert records_in(b_server.home, spool_b) == sent["cp-7/0/0"]
    log = stream.getvalue()
    after = log[log.index("[cp-6/0/0] INFO export settings reloaded"):]
    closed_after = re.findall(r"\[cp-6/0/0\] INFO file closed name=(\S+)", after)
    assert closed_after and not {p.name for p in old.home.iterdir()} & set(closed_after)
    assert set(closed_after) <= {p.name for p in new.home.iterdir()} | {p.name for p in spool_a.glob("*.gz")}


def test_a_collector_filter_holds_across_reloads(plan_builder, ftp_server) -> None:
    """`flowc run --collector cp-6/0/0` (run_plan(only=…)): a reloaded plan keeps just it."""
    full = plan_builder(interfaces=("cp-6/0/0", "cp-7/0/0"), destinations=[sealed(ftp_server().target())])
    plan = dataclasses.replace(full, collectors=full.collectors[:1])
    stream = io.StringIO()
    runner = threading.Thread(target=run_plan, args=(plan,),
                              kwargs={"log_stream": stream, "only": frozenset({"cp-6/0/0"})})
    runner.start()
    try:
        wait_for(lambda: "engine started" in stream.getvalue(), what="engine start")
        reply = request(plan.control, {"op": "reload", "plan": dumps_plan(full)}, timeout=60)
        assert reply["ok"] and reply["unchanged"] == ["cp-6/0/0"] and reply["started"] == [], reply
        other = dataclasses.replace(full, collectors=full.collectors[1:])
        reply = request(plan.control, {"op": "reload", "plan": dumps_plan(other)}, timeout=60)
        assert reply["ok"] is False and "has no collector cp-6/0/0" in reply["error"]
        assert list(show(plan)) == ["cp-6/0/0"]
    finally:
        request(plan.control, {"op": "stop"})
        runner.join(60)


# ---------------------------------------------------------------- a reload that moves the spool

def test_a_reload_that_moves_the_spool_carries_waiting_files(plan_builder, dead_endpoint, ftp_server,
                                                             tmp_path: Path) -> None:
    """Issue 18 item 7: files waiting in the old ready/ move to the new spool, are listed by
    `show … file` meanwhile, and are uploaded from there; one log line says so."""
    from flowc.runtime.plan.model import FtpTarget

    nowhere = FtpTarget(f"ftp://flowc@{dead_endpoint}/", dead_endpoint, "flowc", "", "/")
    plan = plan_builder(destinations=[nowhere], record_level=300)      # files close, then wait
    stream = io.StringIO()
    runner = threading.Thread(target=run_plan, args=(plan,), kwargs={"log_stream": stream})
    runner.start()
    old = SpoolDirs.for_collector(plan.spool, "cp-6/0/0")
    try:
        wait_for(lambda: "engine started" in stream.getvalue(), what="engine start")
        send(plan.collectors[0].listen.port, 1200)
        wait_for(lambda: closed_records_of(old) == 1200, what="files waiting in the old ready/")
        waiting = sorted(p.name for p in old.ready.glob("*.gz"))
        moved = dataclasses.replace(plan, spool=str(tmp_path / "elsewhere"))
        reply = request(plan.control, {"op": "reload", "plan": dumps_plan(moved)}, timeout=60)
        assert reply["ok"], reply
        new = SpoolDirs.for_collector(moved.spool, "cp-6/0/0")
        assert list(old.ready.iterdir()) == [] and closed_records_of(new) == 1200
        listed = request(plan.control, {"op": "show", "what": "file", "interface": "all"})
        assert sorted(f["name"] for f in listed["collectors"][0]["files"]) == waiting
        assert stream.getvalue().count(f"spool moved: cp-6/0/0 carried {len(waiting)} waiting file(s)") == 1
        server = ftp_server()
        live = dataclasses.replace(moved, collectors=tuple(
            dataclasses.replace(c, destinations=(dataclasses.replace(c.destinations[0], target=sealed(
                server.target())),)) for c in moved.collectors))
        assert request(plan.control, {"op": "reload", "plan": dumps_plan(live)}, timeout=60)["ok"]
        wait_for(lambda: records_in(server.home) == 1200, what="every carried record on the server")
    finally:
        request(plan.control, {"op": "stop"})
        runner.join(60)


def closed_records_of(dirs: SpoolDirs) -> int:
    import json

    return sum(json.loads(m.read_text())["records"] for m in dirs.ready.glob("*.meta.json"))
