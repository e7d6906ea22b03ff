"""Partial uploads against a real pure-ftpd (issue 18, item 1 b and c): with `--autorename`
an upload killed half way must not be published by the next attempt, and a disk that fills
mid-upload must not publish what fitted. Records carry a unique id and are counted on the
server: none lost, none twice, none corrupt, and no temporary left behind.

pure-ftpd runs as a child process in the foreground on 127.0.0.1 and a free port, with one
virtual user (a PureDB file made with `pure-pw mkdb`, the password hashed by `openssl passwd
-6`) chrooted to a temp directory owned by `nobody`. Debian's pure-ftpd package conflicts
with vsftpd, so `.ci/run` extracts it (`apt-get download` + `dpkg -x`) into
`~/.cache/flowc/pure-ftpd` and the binary runs from there; an installed one is used when
present. It needs root (privilege separation, chroot); without root or the binary, the
tests skip with the reason.
"""
from __future__ import annotations

import gzip
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
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

LOG = logging.getLogger("flowc.test.pureftpd")
NAME = "cFlowd-py69Ni69-0-20240101_000000-at_4_0_0_4_1.bcp.bi.gz"
USER, PASSWORD = "flowc", "pure-s3cret"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "flowc" / "pure-ftpd"


def _binary(name: str, folder: str) -> Path | None:
    for candidate in (shutil.which(name), f"/usr/{folder}/{name}", CACHE / "usr" / folder / name):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PureFtpd:
    """A pure-ftpd child serving `home` to USER; `options` are more command-line flags."""

    def __init__(self, base: Path, home: Path, options: tuple[str, ...]) -> None:
        ftpd, pure_pw = _binary("pure-ftpd", "sbin"), _binary("pure-pw", "bin")
        assert ftpd is not None and pure_pw is not None
        nobody = pwd.getpwnam("nobody")
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        hashed = subprocess.run(["openssl", "passwd", "-6", PASSWORD], capture_output=True, text=True,
                                check=True).stdout.strip()
        (base / "passwd").write_text(f"{USER}:{hashed}:{nobody.pw_uid}:{nobody.pw_gid}::{home}/./::::::::::::\n")
        subprocess.run([str(pure_pw), "mkdb", str(base / "pure.pdb"), "-f", str(base / "passwd")],
                       check=True, capture_output=True)
        self.home, self.port = home, _free_port()
        low = min(_free_port(), 65535 - 20)
        self.output = base / "pure-ftpd.out"
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(
                [str(ftpd), "-S", f"127.0.0.1,{self.port}", "-l", f"puredb:{base / 'pure.pdb'}", "-E",
                 "-u", "1", "-A", "-H", "-4", "-p", f"{low}:{low + 20}", *options],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.skip(f"pure-ftpd exited {self.process.returncode}: {self.output.read_text()[-300:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                    if sock.recv(64).startswith(b"220"):
                        return
            except OSError:
                time.sleep(0.05)
        pytest.skip("pure-ftpd did not answer within 10 s")

    def target(self) -> FtpTarget:
        return FtpTarget(f"ftp://{USER}@127.0.0.1:{self.port}/", Endpoint("127.0.0.1", self.port),
                         USER, PASSWORD, "/")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture
def pure_ftpd(tmp_path_factory) -> Iterator[Callable[..., PureFtpd]]:
    """Factory: `pure_ftpd(*flags, home=None)` starts one (skips when it cannot)."""
    if _binary("pure-ftpd", "sbin") is None or _binary("pure-pw", "bin") is None:
        pytest.skip(f"pure-ftpd not found (apt-get install pure-ftpd, or let .ci/run extract it into {CACHE})")
    if os.geteuid() != 0:
        pytest.skip("pure-ftpd needs root (privilege separation and chroot)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to hash the test user's password")
    servers: list[PureFtpd] = []

    def start(*options: str, home: Path | None = None) -> PureFtpd:
        base = tmp_path_factory.mktemp("pureftpd")
        base.chmod(0o755)
        if home is None:
            home = base / "home"
            home.mkdir()
        servers.append(PureFtpd(base, home, options))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


class Counts:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.lock = threading.Lock()

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.values[name] = self.values.get(name, 0) + n


def plan_for(spool: Path, target: FtpTarget, rate_bps: int | None = None) -> Plan:
    collector = Collector(interface="cp-6/0/0", listen=Endpoint("127.0.0.1", 0), inputs=(), file_specs=(),
                          default_file_spec="", channels=(Channel(0, rate_bps=rate_bps),),
                          destinations=(Destination("primary", target),))
    return Plan(host_name="router1", spool=str(spool), control=str(spool / "c.sock"),
                collectors=(collector,), retry=0, retry_delay=1)


def exporter_for(plan: Plan, clock: ManualClock, stats: Counts) -> Exporter:
    dirs = SpoolDirs.for_collector(plan.spool, "cp-6/0/0")
    dirs.create()
    return Exporter(plan, plan.collectors[0], dirs, stats, clock, LOG, FtplibTransport(timeout=10, deadline_clock=clock))


def flow_file(dirs: SpoolDirs, count: int) -> Path:
    """A closed flow file of `count` records, ids 1..count, that hardly compresses."""
    text = "".join(f"{i}|{os.urandom(12).hex()}|record\n" for i in range(1, count + 1))
    part = dirs.active / f"{NAME}.part"
    part.write_bytes(gzip.compress(text.encode(), compresslevel=1))
    closed = ClosedFile(NAME, count, len(text), part.stat().st_size, 1000.0, 2000.0, 1)
    return dirs.publish(part, closed)


def ids_on(home: Path) -> list[int]:
    return [int(line.split("|")[0]) for path in sorted(home.rglob("*.gz"))
            for line in gzip.decompress(path.read_bytes()).decode().splitlines()]


def deliver(exporter: Exporter, clock: ManualClock, timeout: float = 60.0) -> None:
    """Run the exporter until the spool is empty, the manual clock moving its back-off on."""
    exporter.start()
    deadline = time.monotonic() + timeout
    try:
        while list(exporter.dirs.ready.glob("*.gz")):
            assert time.monotonic() < deadline, "the file was never delivered"
            clock.advance(1)
            time.sleep(0.05)
    finally:
        exporter.stop(10)


CHILD = """
import sys, threading
from pathlib import Path
from flowc.runtime.clock import SystemClock
from flowc.runtime.export.exporter import Exporter
from flowc.runtime.files.spool import SpoolDirs
from flowc.runtime.plan.model import Channel, Collector, Destination, Endpoint, FtpTarget, Plan
import logging
spool, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
target = FtpTarget(f"ftp://{user}@127.0.0.1:{port}/", Endpoint("127.0.0.1", port), user, password, "/")
collector = Collector(interface="cp-6/0/0", listen=Endpoint("127.0.0.1", 0), inputs=(), file_specs=(),
                      default_file_spec="", channels=(Channel(0, rate_bps=800_000),),
                      destinations=(Destination("primary", target),))
plan = Plan(host_name="router1", spool=spool, control=spool + "/c.sock", collectors=(collector,))
class Sink:
    def add(self, name, n=1): pass
Exporter(plan, collector, SpoolDirs.for_collector(spool, "cp-6/0/0"), Sink(), SystemClock(),
         logging.getLogger("child")).start()
threading.Event().wait()
"""


@pytest.mark.parametrize("flags", [("--autorename",), ()], ids=["autorename", "plain"])
def test_a_killed_upload_is_never_published_by_the_next_attempt(pure_ftpd, tmp_path, flags):
    server = pure_ftpd(*flags)
    spool = tmp_path / "spool"
    plan = plan_for(spool, server.target())
    dirs = SpoolDirs.for_collector(spool, "cp-6/0/0")
    dirs.create()
    flow_file(dirs, 40_000)                                  # about 1 MB: 10 s at 800 kbit/s
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(spool), str(server.port), USER, PASSWORD])
    try:
        deadline = time.monotonic() + 30
        while not [p for p in server.home.iterdir() if p.stat().st_size > 100_000]:   # .pureftpd-upload.*
            assert time.monotonic() < deadline and child.poll() is None, "the upload never started"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(5)
    deadline = time.monotonic() + 10                         # pure-ftpd keeps the partial as asked
    while not [p for p in server.home.iterdir() if p.name.endswith(".part")]:
        assert time.monotonic() < deadline, f"no partial kept: {list(server.home.iterdir())}"
        time.sleep(0.05)
    stale = [p.name for p in server.home.iterdir()]
    assert len(stale) == 1 and stale[0].startswith(f"{NAME}.cp-6_0_0.")      # nothing published
    clock, stats = ManualClock(), Counts()
    deliver(exporter_for(plan, clock, stats), clock)
    assert sorted(p.name for p in server.home.iterdir()) == [NAME]   # the stale temporary swept
    assert sorted(ids_on(server.home)) == list(range(1, 40_001))
    assert stats.values["files_exported"] == 1


def test_a_disk_that_fills_mid_upload_publishes_nothing_until_there_is_room(pure_ftpd, small_fs, tmp_path):
    disk = small_fs(512 * 1024)
    home = disk / "home"
    home.mkdir()
    server = pure_ftpd("--autorename", home=home)
    spool = tmp_path / "spool"
    plan = plan_for(spool, server.target())
    clock, stats = ManualClock(), Counts()
    exporter = exporter_for(plan, clock, stats)
    flow_file(exporter.dirs, 80_000)                         # about 2 MB: four times the disk
    exporter.start()
    try:
        deadline = time.monotonic() + 30
        while stats.values.get("ftp_failures", 0) < 2:
            assert time.monotonic() < deadline, "the attempts did not fail"
            clock.advance(1)
            time.sleep(0.05)
        assert not (home / NAME).exists()                    # nothing published from a full disk
        assert list(exporter.dirs.ready.glob("*.gz"))        # the spool copy stays
    finally:
        exporter.stop(10)
    subprocess.run(["mount", "-o", "remount,size=16m", str(disk)], check=True)
    deliver(exporter_for(plan, clock, stats), clock)
    assert sorted(p.name for p in home.iterdir()) == [NAME]  # no temporary left behind
    assert sorted(ids_on(home)) == list(range(1, 80_001))
