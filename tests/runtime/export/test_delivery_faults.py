"""Every record delivered exactly once (issue 18, items 1-2): a server that answers 226 but
kept part of the file, and a server that renames and then drops the connection before its
250. A pyftpdlib server with one handler method changed plays each; records carry a unique
id and every test counts them on the server: none lost, none twice, none corrupt."""
from __future__ import annotations

import gzip
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flowc.runtime.clock import ManualClock
from flowc.runtime.export.exporter import Exporter
from flowc.runtime.export.ftp import FtplibTransport
from flowc.runtime.files.spool import ClosedFile, SpoolDirs
from flowc.runtime.plan.model import Channel, Collector, Destination, Endpoint, FtpTarget, Plan

LOG = logging.getLogger("flowc.test.delivery")
NAME = "cFlowd-py69Ni69-0-20240101_000000-at_4_0_0_4_1.bcp.bi.gz"


class Counts:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.lock = threading.Lock()

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.values[name] = self.values.get(name, 0) + n


class FaultServer:
    """pyftpdlib on 127.0.0.1 serving `home` to anonymous; `faults` replace handler methods.
    `knobs` is shared with them (a dict the test changes while the server runs)."""

    def __init__(self, home: Path, knobs: dict[str, int], **faults: object) -> None:
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler
        from pyftpdlib.ioloop import IOLoop
        from pyftpdlib.servers import FTPServer

        logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
        self.home, self.knobs = home, knobs
        self.commands: list[str] = []
        seen = self.commands

        class Handler(FTPHandler):
            def pre_process_command(self, line, cmd, arg):
                seen.append(cmd)
                super().pre_process_command(line, cmd, arg)

        authorizer = DummyAuthorizer()
        authorizer.add_anonymous(str(home), perm="elradfmwMT")
        handler = type("FaultHandler", (Handler,), {"authorizer": authorizer, "knobs": knobs, **faults})
        self.server = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
        self.port = self.server.address[1]
        self.halt = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="fault-ftpd")
        self.thread.start()

    def _loop(self) -> None:
        while not self.halt.is_set():
            self.server.ioloop.loop(0.02, blocking=False)
        self.server.close_all()

    def stop(self) -> None:
        self.halt.set()
        self.thread.join(5)

    def target(self) -> FtpTarget:
        return FtpTarget(f"ftp://127.0.0.1:{self.port}/", Endpoint("127.0.0.1", self.port), "", "", "/")


@pytest.fixture
def fault_server(tmp_path) -> Iterator[Callable[..., FaultServer]]:
    servers: list[FaultServer] = []

    def start(knobs: dict[str, int], **faults: object) -> FaultServer:
        home = tmp_path / f"home{len(servers)}"
        home.mkdir()
        servers.append(FaultServer(home, knobs, **faults))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def exporter_for(tmp_path: Path, target: FtpTarget, clock: ManualClock, stats: Counts,
                 retry: int = 0) -> Exporter:
    collector = Collector(interface="cp-6/0/0", listen=Endpoint("127.0.0.1", 0), inputs=(), file_specs=(),
                          default_file_spec="", channels=(Channel(0),),
                          destinations=(Destination("primary", target),))
    spool = tmp_path / "spool"
    plan = Plan(host_name="router1", spool=str(spool), control=str(tmp_path / "c.sock"),
                collectors=(collector,), retry=retry, retry_delay=1)
    dirs = SpoolDirs.for_collector(spool, "cp-6/0/0")
    dirs.create()
    return Exporter(plan, collector, dirs, stats, clock, LOG, FtplibTransport(timeout=5, deadline_clock=clock))


def flow_file(dirs: SpoolDirs, ids: range, name: str = NAME) -> tuple[Path, ClosedFile]:
    """A closed flow file in ready/ whose lines carry the unique ids."""
    part = dirs.active / f"{name}.part"
    data = gzip.compress("".join(f"{i}|10.0.0.1|10.0.0.2|{i % 65536}|record\n" for i in ids).encode())
    part.write_bytes(data)
    closed = ClosedFile(name, len(ids), len(ids) * 30, len(data), 1000.0, 2000.0, 1)
    return dirs.publish(part, closed), closed


def ids_on(home: Path) -> list[int]:
    """The ids in every flow file on the server (a file cut short fails the test here)."""
    return [int(line.split("|")[0]) for path in sorted(home.rglob("*.gz"))
            for line in gzip.decompress(path.read_bytes()).decode().splitlines()]


def translog(exporter: Exporter) -> list[str]:
    return [line for p in sorted(exporter.dirs.translog.glob("*.tmp")) for line in p.read_text().splitlines()]


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def waiting(exporter: Exporter) -> list[Path]:
    return sorted(exporter.dirs.ready.glob("*.gz"))


# ---------------------------------------------------------------- item 1: 226 for a file cut short

def _keep_first_bytes(self, file):
    """pyftpdlib's hook after a finished STOR: the server 'loses' all but the first bytes."""
    if self.knobs["keep"]:
        os.truncate(file, min(os.path.getsize(file), self.knobs["keep"]))


def test_a_file_the_server_cut_short_after_226_is_never_published(fault_server, tmp_path):
    knobs = {"keep": 1000}
    server = fault_server(knobs, on_file_received=_keep_first_bytes)
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(tmp_path, server.target(), clock, stats)
    flow_file(exporter.dirs, range(1, 30_001))
    exporter.start()
    try:
        wait_until(lambda: stats.values.get("ftp_failures", 0) >= 1, "the first attempt to fail")
        assert list(server.home.iterdir()) == []            # nothing published, the temporary deleted
        assert len(waiting(exporter)) == 1                  # the spool copy stays
        failed = [line for line in translog(exporter) if ":sf=0:" in line]
        assert failed and "the server holds 1000 of" in failed[0] and "not published" in failed[0]
        knobs["keep"] = 0                                   # the server behaves again

        def delivered() -> bool:
            clock.advance(1)
            return not waiting(exporter)

        wait_until(delivered, "the retry to deliver")
    finally:
        exporter.stop(5)
    assert sorted(ids_on(server.home)) == list(range(1, 30_001))
    assert sorted(p.name for p in server.home.iterdir()) == [NAME]
    assert sum(":sf=1:" in line for line in translog(exporter)) == 1


def test_a_server_that_never_says_the_size_gets_nothing_published(fault_server, tmp_path):
    """No SIZE, no MLST, no LIST size: no proof, so the file is not published (it waits)."""
    def refuse(self, line):
        self.respond("502 Command not implemented.")

    server = fault_server({}, ftp_SIZE=refuse, ftp_MLST=refuse, ftp_LIST=refuse)
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(tmp_path, server.target(), clock, stats)
    flow_file(exporter.dirs, range(1, 101))
    exporter.start()
    try:
        wait_until(lambda: stats.values.get("ftp_failures", 0) >= 1, "the attempt to fail")
    finally:
        exporter.stop(5)
    assert list(server.home.iterdir()) == [] and len(waiting(exporter)) == 1
    assert any("does not tell the size" in line for line in translog(exporter))


def test_without_size_the_mlst_size_fact_is_the_proof(fault_server, tmp_path):
    def refuse(self, line):
        self.respond("502 Command not implemented.")

    server = fault_server({}, ftp_SIZE=refuse)
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(tmp_path, server.target(), clock, stats)
    flow_file(exporter.dirs, range(1, 1001))
    exporter.start()
    try:
        wait_until(lambda: not waiting(exporter), "the upload")
    finally:
        exporter.stop(5)
    assert sorted(ids_on(server.home)) == list(range(1, 1001))
    assert "MLST" in server.commands


# ---------------------------------------------------------------- item 2: the reply to RNTO lost

def _rename_then_hang_up(self, path):
    """Rename as asked, then drop the control connection before the 250 (`drops` times)."""
    if self.knobs["drops"] <= 0:
        return type(self).__mro__[2].ftp_RNTO(self, path)
    self.knobs["drops"] -= 1
    os.rename(self._rnfr, path)
    self._rnfr = None
    self.close()
    return None


def test_a_rename_whose_reply_is_lost_is_one_delivery(fault_server, tmp_path, caplog):
    server = fault_server({"drops": 1}, ftp_RNTO=_rename_then_hang_up)
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(tmp_path, server.target(), clock, stats)
    flow_file(exporter.dirs, range(1, 20_001))
    with caplog.at_level(logging.INFO, logger=LOG.name):
        exporter.start()
        try:
            wait_until(lambda: not waiting(exporter), "the delivery")
        finally:
            exporter.stop(5)
    assert sorted(p.name for p in server.home.iterdir()) == [NAME]      # never a second copy
    assert sorted(ids_on(server.home)) == list(range(1, 20_001))
    lines = translog(exporter)
    assert len(lines) == 1 and ":sf=1:" in lines[0] and ":rc=213:" in lines[0]
    assert stats.values.get("name_conflicts", 0) == 0 and stats.values["files_exported"] == 1
    assert sum("reply to the rename was lost" in r.getMessage() for r in caplog.records) == 1


def _refuse_logins_after_drop(self, line):
    """USER refused while `refusals` is above 0: the server is 'down' right after the drop."""
    if self.knobs["refusals"] > 0 and self.knobs["drops"] == 0:
        self.knobs["refusals"] -= 1
        self.respond("421 Service not available, closing control connection.")
        self.close_when_done()
        return None
    return type(self).__mro__[2].ftp_USER(self, line)


def test_a_lost_reply_found_on_a_later_attempt_is_still_one_delivery(fault_server, tmp_path):
    knobs = {"drops": 1, "refusals": 1}
    server = fault_server(knobs, ftp_RNTO=_rename_then_hang_up, ftp_USER=_refuse_logins_after_drop)
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(tmp_path, server.target(), clock, stats, retry=2)
    flow_file(exporter.dirs, range(1, 5001))
    exporter.start()
    try:
        def delivered() -> bool:
            clock.advance(1)
            return not waiting(exporter)

        wait_until(delivered, "the delivery")
    finally:
        exporter.stop(5)
    assert sorted(p.name for p in server.home.iterdir()) == [NAME]
    assert sorted(ids_on(server.home)) == list(range(1, 5001))
    lines = translog(exporter)
    assert [":sf=1:" in line for line in lines] == [False, True]
    assert "after RNTO" in lines[0] and ":rc=213:" in lines[1]
    assert server.commands.count("STOR") == 1                           # sent once


def _xmd5(self, path):
    with open(path, "rb") as source:
        self.respond(f"250 {hashlib.md5(source.read()).hexdigest()}")


def _feat_with_xmd5(self, line):
    from pyftpdlib.handlers import FTPHandler

    self._extra_feats = ["XMD5"]
    FTPHandler.ftp_FEAT(self, line)


def _impostor_then_hang_up(self, path):
    """Do NOT rename: put another file of the same size at the final name, then hang up."""
    if self.knobs["drops"] <= 0:
        return type(self).__mro__[2].ftp_RNTO(self, path)
    self.knobs["drops"] -= 1
    with open(path, "wb") as out:
        out.write(b"\0" * os.path.getsize(self._rnfr))
    self._rnfr = None
    self.close()
    return None


def test_a_same_size_file_with_another_checksum_is_not_taken_for_the_delivery(fault_server, tmp_path):
    from pyftpdlib.handlers import FTPHandler

    commands = {**FTPHandler.proto_cmds,
                "XMD5": {"perm": "r", "auth": True, "arg": True, "help": "Syntax: XMD5 <SP> file-name"}}
    server = fault_server({"drops": 1}, ftp_RNTO=_impostor_then_hang_up, ftp_XMD5=_xmd5,
                          proto_cmds=commands, ftp_FEAT=_feat_with_xmd5)
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(tmp_path, server.target(), clock, stats, retry=1)
    flow_file(exporter.dirs, range(1, 3001))
    exporter.start()
    try:
        def delivered() -> bool:
            clock.advance(1)
            return not waiting(exporter)

        wait_until(delivered, "the delivery")
    finally:
        exporter.stop(5)
    impostor = server.home / NAME
    assert impostor.read_bytes() == b"\0" * impostor.stat().st_size    # never replaced
    stored = [p for p in server.home.iterdir() if p.name != NAME]
    assert [p.name for p in stored] == [NAME.replace(".bcp", "~cp-6_0_0-1.bcp")]
    assert sorted(int(line.split("|")[0]) for line in gzip.decompress(stored[0].read_bytes()).decode().splitlines()) \
        == list(range(1, 3001))
    assert "XMD5" in server.commands


def _rename_then_say_nothing(self, path):
    """Rename as asked and never answer: the uploader waits for its 250 until it is killed."""
    os.rename(self._rnfr, path)
    self._rnfr = None


CHILD = """
import logging, sys, threading
from flowc.runtime.clock import SystemClock
from flowc.runtime.export.exporter import Exporter
from flowc.runtime.files.spool import SpoolDirs
from flowc.runtime.plan.model import Channel, Collector, Destination, Endpoint, FtpTarget, Plan
spool, port = sys.argv[1], int(sys.argv[2])
target = FtpTarget(f"ftp://127.0.0.1:{port}/", Endpoint("127.0.0.1", port), "", "", "/")
collector = Collector(interface="cp-6/0/0", listen=Endpoint("127.0.0.1", 0), inputs=(), file_specs=(),
                      default_file_spec="", channels=(Channel(0),), destinations=(Destination("primary", target),))
plan = Plan(host_name="router1", spool=spool, control=spool + "/c.sock", collectors=(collector,))
class Sink:
    def add(self, name, n=1): pass
Exporter(plan, collector, SpoolDirs.for_collector(spool, "cp-6/0/0"), Sink(), SystemClock(),
         logging.getLogger("child")).start()
threading.Event().wait()
"""


def test_a_crash_after_rnto_before_its_reply_is_settled_by_the_next_run(fault_server, tmp_path):
    import signal
    import subprocess
    import sys

    server = fault_server({}, ftp_RNTO=_rename_then_say_nothing)
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(tmp_path, server.target(), clock, stats)
    flow_file(exporter.dirs, range(1, 10_001))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path / "spool"), str(server.port)])
    try:
        wait_until(lambda: (server.home / NAME).exists(), "the rename on the server")
        assert exporter.dirs.rename_note(NAME).exists()      # noted before RNTO
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(5)
    assert waiting(exporter)                                 # killed before its 250: still in the spool
    exporter.start()                                         # the next run, on the same spool
    try:
        wait_until(lambda: not waiting(exporter), "the settled delivery")
    finally:
        exporter.stop(5)
    assert sorted(p.name for p in server.home.iterdir()) == [NAME]      # never a second copy
    assert sorted(ids_on(server.home)) == list(range(1, 10_001))
    assert server.commands.count("STOR") == 1
    lines = translog(exporter)
    assert len(lines) == 1 and ":sf=1:" in lines[0] and ":rc=213:" in lines[0]
    assert not exporter.dirs.rename_note(NAME).exists()
