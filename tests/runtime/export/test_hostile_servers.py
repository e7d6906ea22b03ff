"""Fault injection on the export side (issue 10, items 2-4): a server that trickles, one that
already holds the name, two collectors with the same file name, a transfer log that cannot
be written. Records carry a unique id; every test counts them on the server."""
from __future__ import annotations

import gzip
import logging
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from flowc.runtime.clock import ManualClock
from flowc.runtime.export.exporter import Exporter
from flowc.runtime.export.ftp import FtplibTransport
from flowc.runtime.export.requests import CHANGED, change_destination
from flowc.runtime.files.spool import ClosedFile, SpoolDirs
from flowc.runtime.plan.model import Channel, Collector, Destination, Endpoint, FtpTarget, Plan

LOG = logging.getLogger("flowc.test.hostile")
NAME = "cFlowd-py69Ni69-0-20240101_000000-at_4_0_0_4_1.bcp.bi.gz"


class Counts:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()
        self.lock = threading.Lock()

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.values[name] += n


class Trickler:
    """A TCP server that answers every connection with an endless multiline 220 reply,
    one byte every 0.2 s: no socket timeout ever fires, nothing is ever uploaded."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.halt = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.halt.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        text = b"220-slow server\r\n"
        with conn:
            for i in range(100_000):
                if self.halt.wait(0.2):
                    return
                try:
                    conn.sendall(text[i % len(text):i % len(text) + 1])
                except OSError:
                    return

    def target(self) -> FtpTarget:
        return FtpTarget(f"ftp://flowc@127.0.0.1:{self.port}/", Endpoint("127.0.0.1", self.port),
                         "flowc", "", "/")

    def close(self) -> None:
        self.halt.set()
        self.sock.close()


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def plan_for(spool: Path, targets: list[FtpTarget], interfaces: tuple[str, ...] = ("cp-6/0/0",),
             **fields: int) -> Plan:
    collectors = tuple(Collector(
        interface=name, listen=Endpoint("127.0.0.1", 0), inputs=(), file_specs=(), default_file_spec="",
        channels=(Channel(0),),
        destinations=tuple(Destination(r, t) for r, t in zip(("primary", "secondary"), targets)))
        for name in interfaces)
    return Plan(host_name="router1", spool=str(spool), control=str(spool / "c.sock"),
                collectors=collectors, **fields)  # type: ignore[arg-type]


def exporter_for(plan: Plan, interface: str, clock: ManualClock, stats: Counts) -> Exporter:
    dirs = SpoolDirs.for_collector(plan.spool, interface)
    dirs.create()
    return Exporter(plan, plan.collector(interface), dirs, stats, clock, LOG,
                    FtplibTransport(timeout=5, deadline_clock=clock))


def flow_file(dirs: SpoolDirs, ids: range, name: str = NAME) -> tuple[Path, ClosedFile]:
    """A closed flow file in ready/ whose lines are the unique ids."""
    part = dirs.active / f"{name}.part"
    data = gzip.compress("".join(f"{i}|record\n" for i in ids).encode())
    part.write_bytes(data)
    closed = ClosedFile(name, len(ids), len(ids) * 10, len(data), 1000.0, 2000.0, 1)
    return dirs.publish(part, closed), closed


def ids_on(home: Path) -> list[int]:
    return [int(line.split("|")[0]) for path in sorted(home.rglob("*.gz"))
            for line in gzip.decompress(path.read_bytes()).decode().splitlines()]


def test_a_trickling_server_fails_at_the_deadline_and_the_file_fails_over(ftp_server, tmp_path) -> None:
    slow, good = Trickler(), ftp_server()
    plan = plan_for(tmp_path / "spool", [slow.target(), good.target()], ftp_minimum_rate=1_000_000,
                    ftp_deadline_allowance=5)
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(plan, "cp-6/0/0", clock, stats)
    flow_file(exporter.dirs, range(1, 5001))
    exporter.start()
    try:
        wait_until(lambda: slow.connections == 1, "the upload to start")
        time.sleep(0.5)
        assert exporter.snapshot()["files"][0]["state"] == "Exporting primary"
        clock.advance(6)  # past 5 s + size at 1 Mbit/s: the attempt ends, the secondary takes it
        wait_until(lambda: not list(exporter.dirs.ready.glob("*.gz")), "the file on the secondary")
        wait_until(lambda: any(":sf=1:" in line for p in exporter.dirs.translog.glob("*.tmp")
                               for line in p.read_text().splitlines()), "the transfer-log line")
        assert sorted(ids_on(good.home)) == list(range(1, 5001))
        assert stats.values["ftp_deadline_failures"] == 1 and stats.values["ftp_failures"] == 1
        channel = exporter.snapshot()["channels"][0]
        assert (channel["primary_state"], channel["current_server"]) == ("Failed", "Secondary")
        lines = [line for p in exporter.dirs.translog.glob("*.tmp") for line in p.read_text().splitlines()]
        assert any(":sf=0:" in line and "deadline" in line for line in lines)
        assert any(":sf=1:" in line for line in lines)
    finally:
        exporter.stop(5)
        slow.close()


def test_change_destination_immediately_aborts_a_stalled_upload(ftp_server, tmp_path) -> None:
    slow, good = Trickler(), ftp_server()
    plan = plan_for(tmp_path / "spool", [slow.target(), good.target()])
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(plan, "cp-6/0/0", clock, stats)
    flow_file(exporter.dirs, range(1, 1001))
    exporter.start()
    try:
        wait_until(lambda: slow.connections == 1, "the upload to start")
        assert change_destination(exporter, "secondary", "immediately", False, False) == (True, CHANGED)
        wait_until(lambda: not list(exporter.dirs.ready.glob("*.gz")), "the file on the secondary", 5.0)
        assert sorted(ids_on(good.home)) == list(range(1, 1001))
    finally:
        exporter.stop(5)
        slow.close()


def test_two_collectors_with_the_same_file_name_never_overwrite_each_other(ftp_server, tmp_path) -> None:
    server = ftp_server()
    (server.home / NAME).write_bytes(gzip.compress(b"0|already there\n"))
    plan = plan_for(tmp_path / "spool", [server.target()], interfaces=("cp-6/0/0", "cp-7/0/0"))
    clock, stats = ManualClock(), Counts()
    exporters = [exporter_for(plan, name, clock, stats) for name in ("cp-6/0/0", "cp-7/0/0")]
    for index, exporter in enumerate(exporters):
        for n in range(3):
            first = index * 30_000 + n * 10_000 + 1
            flow_file(exporter.dirs, range(first, first + 10_000), NAME.replace("_1.", f"_{n + 5}."))
        flow_file(exporter.dirs, range(100_000 + index * 10, 100_010 + index * 10))
    for exporter in exporters:
        exporter.start()
    try:
        wait_until(lambda: not any(list(e.dirs.ready.glob("*.gz")) for e in exporters), "every upload")
    finally:
        for exporter in exporters:
            exporter.stop(5)
    found = ids_on(server.home)
    expected = [0, *range(1, 60_001), *range(100_000, 100_020)]
    assert sorted(found) == expected, "a file on the server was replaced"
    assert stats.values["name_conflicts"] == 5  # NAME twice, _5 _6 _7 once each
    names = sorted(p.name for p in server.home.iterdir())
    assert NAME in names and not [n for n in names if n.endswith(".part")]


def test_a_transfer_log_that_cannot_be_written_loses_nothing_and_uploads_once(ftp_server, tmp_path) -> None:
    server = ftp_server()
    plan = plan_for(tmp_path / "spool", [server.target()])
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(plan, "cp-6/0/0", clock, stats)
    exporter.start()
    shutil.rmtree(exporter.dirs.translog)
    exporter.dirs.translog.write_text("not a directory")  # every transfer-log write fails
    try:
        for n in range(3):
            exporter.submit(*flow_file(exporter.dirs, range(n * 100 + 1, n * 100 + 101), f"f{n}.gz"))
        wait_until(lambda: not list(exporter.dirs.ready.glob("*.gz")), "every upload")
        wait_until(lambda: stats.values["translog_write_failures"] == 3, "the lines (after the removal)")
        assert all(t.is_alive() for t in exporter._threads), "an export thread ended"
        assert stats.values["translog_write_failures"] == 3 and len(exporter.translog.pending) == 3
        exporter.submit(*flow_file(exporter.dirs, range(301, 401), "f3.gz"))  # still exporting
        wait_until(lambda: not list(exporter.dirs.ready.glob("*.gz")), "the fourth upload")
        wait_until(lambda: stats.values["translog_write_failures"] == 4, "its line (after the removal)")
        exporter.dirs.translog.unlink()
        exporter.dirs.create()  # the directory is back: the kept lines are written

        def caught_up() -> bool:
            clock.advance(2)
            return not exporter.translog.pending

        wait_until(caught_up, "the kept lines to be written")
    finally:
        exporter.stop(5)
    restarted = exporter_for(plan, "cp-6/0/0", clock, stats)  # a restart uploads nothing again
    restarted.start()
    time.sleep(0.5)
    restarted.stop(5)
    assert sorted(ids_on(server.home)) == list(range(1, 401)), "a file was uploaded twice or lost"
    lines = [line for p in exporter.dirs.translog.glob("*.tmp") for line in p.read_text().splitlines()]
    assert sorted(line.split('"')[1] for line in lines if ":sf=1:" in line) == ["f0.gz", "f1.gz", "f2.gz", "f3.gz"]
