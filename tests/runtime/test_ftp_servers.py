"""The FTP export against a real vsftpd, not only pyftpdlib.

vsftpd runs as a child process in the foreground (`background=NO`) with its own config
file in a temp directory, listening on 127.0.0.1 only, on a free high port, with a small
passive port range on 127.0.0.1. It serves ANONYMOUS users only (no system account is
created, used or changed): the anonymous root is a temp directory chrooted by vsftpd,
uploads, MKD, RNFR/RNTO and DELE are allowed in its `pub/` (owned by `ftp`, the account the
vsftpd package creates and anonymous sessions run as). A named user ("flowc") is refused with `530 This FTP server is anonymous
only.`, which is the refused login the failover test needs. vsftpd needs root for its
chroot; without root, or without the binary (`apt-get install vsftpd`), the tests skip.
"""
from __future__ import annotations

import gzip
import logging
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flowc.runtime.clock import ManualClock
from flowc.runtime.exporter import Exporter
from flowc.runtime.ftp import FtpFailure, FtplibTransport, UploadRequest, expand_path
from flowc.runtime.plan import Channel, Collector, Destination, Endpoint, FtpTarget, Plan, TransferLog
from flowc.runtime.spool import ClosedFile, SpoolDirs
from flowc.runtime.translog import Translog, TransferRecord

LOG = logging.getLogger("flowc.test.ftp_servers")
VSFTPD = shutil.which("vsftpd") or "/usr/sbin/vsftpd"
RUN_AS = "ftp"          # the account the vsftpd package creates (home /srv/ftp)
NOPRIV = "nobody"

CONFIG = """\
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port={port}
background=NO
anonymous_enable=YES
local_enable=NO
write_enable=YES
anon_root={root}
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
no_anon_password=YES
ftp_username={user}
nopriv_user={nopriv}
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port={pasv_min}
pasv_max_port={pasv_max}
connect_from_port_20=NO
isolate=NO
isolate_network=NO
seccomp_sandbox=NO
xferlog_enable=NO
syslog_enable=NO
vsftpd_log_file={log}
secure_chroot_dir={empty}
ftpd_banner=flowc vsftpd test
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _banner(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        return sock.recv(256).decode("ascii", "replace")


class Vsftpd:
    """A vsftpd child process; `pub` is the anonymous users' writable directory."""

    def __init__(self, base: Path) -> None:
        self.root = base / "root"
        self.pub = self.root / "pub"
        empty = base / "empty"
        for path in (self.root, self.pub, empty):
            path.mkdir(mode=0o755)
        base.chmod(0o755)
        user = pwd.getpwnam(RUN_AS)
        os.chown(self.pub, user.pw_uid, user.pw_gid)
        self.port = _free_port()
        pasv = _free_port()
        pasv = min(pasv, 65535 - 40)
        self.config = base / "vsftpd.conf"
        self.config.write_text(CONFIG.format(
            port=self.port, root=self.root, user=RUN_AS, nopriv=NOPRIV, pasv_min=pasv, pasv_max=pasv + 40,
            log=base / "vsftpd.log", empty=empty))
        self.output = base / "vsftpd.out"
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen([VSFTPD, str(self.config)], stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 5.0) -> str | None:
        """None when it answers 220, else why it did not start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"vsftpd exited {self.process.returncode}: {self.output.read_text()[-300:]}"
            try:
                banner = _banner(self.port)
            except OSError:
                time.sleep(0.05)
                continue
            return None if banner.startswith("220") else f"vsftpd said {banner!r}"
        return "vsftpd did not answer within 5 s"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)

    def target(self, path: str, username: str = "anonymous") -> FtpTarget:
        url = f"ftp://{username}@127.0.0.1:{self.port}{path}"
        return FtpTarget(url, Endpoint("127.0.0.1", self.port), username, "", path)

    def folder(self, name: str) -> Path:
        """A fresh directory in pub/ that the anonymous user may write."""
        path = self.pub / name
        path.mkdir()
        user = pwd.getpwnam(RUN_AS)
        os.chown(path, user.pw_uid, user.pw_gid)
        return path


@pytest.fixture(scope="module")
def vsftpd(tmp_path_factory) -> Iterator[Vsftpd]:
    if not os.path.exists(VSFTPD):
        pytest.skip("vsftpd is not installed (apt-get install vsftpd)")
    if os.geteuid() != 0:
        pytest.skip("vsftpd needs root to chroot its anonymous users")
    for user in (RUN_AS, NOPRIV):
        try:
            pwd.getpwnam(user)
        except KeyError:
            pytest.skip(f"no {user!r} account for vsftpd to run as")
    server = Vsftpd(tmp_path_factory.mktemp("vsftpd"))
    try:
        problem = server.wait_ready()
        if problem:
            pytest.skip(f"vsftpd cannot start here: {problem}")
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- helpers

def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


def make_plan(tmp_path: Path, targets: list[FtpTarget], retry: int = 0) -> Plan:
    collector = Collector(
        interface="cp-6/0/0", listen=Endpoint("127.0.0.1", 0), inputs=(), file_specs=(),
        default_file_spec="", channels=(Channel(0),),
        destinations=tuple(Destination(r, t) for r, t in zip(("primary", "secondary"), targets)))
    return Plan(host_name="router1", spool=str(tmp_path / "spool"), control=str(tmp_path / "c.sock"),
                collectors=(collector,), retry=retry, retry_delay=0)


class Counts:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def add(self, name: str, n: int = 1) -> None:
        self.values[name] = self.values.get(name, 0) + n


class Rig:
    """An exporter over a plan with a real spool and a manual clock."""

    def __init__(self, plan: Plan) -> None:
        self.clock = ManualClock()
        self.dirs = SpoolDirs.for_collector(plan.spool, "cp-6/0/0")
        self.dirs.create()
        self.stats = Counts()
        self.exporter = Exporter(plan, plan.collectors[0], self.dirs, self.stats, self.clock, LOG,
                                 FtplibTransport(timeout=5))
        self.serial = 0

    def closed_file(self, size: int = 100_000) -> tuple[Path, ClosedFile]:
        self.serial += 1
        name = f"cFlowd-py69Ni69-0-20040227_23043{self.serial}-at_4_0_0_4_{self.serial}.bcp.bi.gz"
        part = self.dirs.active / f"{name}.part"
        part.write_bytes(os.urandom(size))
        closed = ClosedFile(name, 20000, size * 7, size, 1000.0 + self.serial,
                            2000.0 + self.serial, self.serial)
        return self.dirs.publish(part, closed), closed

    def ready_names(self) -> set[str]:
        return {p.name for p in self.dirs.ready.iterdir() if not p.name.endswith(".meta.json")}

    def translog_lines(self) -> list[str]:
        return [line for path in sorted(self.dirs.translog.glob("*.tmp"))
                for line in path.read_text().splitlines()]


@pytest.fixture
def rigs() -> Iterator[Callable[[Plan], Rig]]:
    made: list[Rig] = []

    def make(plan: Plan) -> Rig:
        made.append(Rig(plan))
        return made[-1]

    yield make
    for rig in made:
        rig.exporter.stop(timeout=5)


def _upload(target: FtpTarget, local: Path, directory: str, name: str | None = None):
    request = UploadRequest(target, local, name or local.name, directory)
    return FtplibTransport(timeout=5).upload(request)


# ---------------------------------------------------------------- tests

def test_exported_files_arrive_byte_identical_in_a_created_macro_directory(vsftpd, tmp_path, rigs):
    base = vsftpd.folder("flows")
    rig = rigs(make_plan(tmp_path, [vsftpd.target("/pub/flows/%Y/")]))
    year = expand_path("%Y", rig.clock.time())
    files = [rig.closed_file() for _ in range(3)]
    originals = {closed.name: path.read_bytes() for path, closed in files}
    rig.exporter.start()
    wait_until(lambda: not rig.ready_names(), "the spool to empty")
    arrived = base / year
    assert sorted(p.name for p in arrived.iterdir()) == sorted(originals)   # no .part left
    for name, data in originals.items():
        assert (arrived / name).read_bytes() == data
    lines = rig.translog_lines()
    assert len(lines) == 3 and all(":sf=1:rc=250:" in line.replace('"', "").replace(
        f"ul=ftp://anonymous@127.0.0.1:{vsftpd.port}/pub/flows/{year}/:", "") for line in lines), lines


def test_only_one_missing_level_is_created(vsftpd, tmp_path):
    local = tmp_path / "f.gz"
    local.write_bytes(b"x" * 10)
    with pytest.raises(FtpFailure) as failure:
        _upload(vsftpd.target("/pub/absent/2026/"), local, "/pub/absent/2026/")
    assert failure.value.code == 550 and "/pub/absent does not exist" in failure.value.text
    assert not (vsftpd.pub / "absent").exists()


def test_existing_directory_and_a_directory_made_meanwhile_are_both_used(vsftpd, tmp_path):
    base = vsftpd.folder("twice")
    local = tmp_path / "f.gz"
    local.write_bytes(b"y" * 10)
    _upload(vsftpd.target("/pub/twice/d/"), local, "/pub/twice/d/")     # MKD d
    _upload(vsftpd.target("/pub/twice/d/"), local, "/pub/twice/d/", "g.gz")  # d exists
    assert sorted(p.name for p in (base / "d").iterdir()) == ["f.gz", "g.gz"]


def test_an_existing_file_and_a_stale_part_are_overwritten(vsftpd, tmp_path):
    base = vsftpd.folder("over")
    local = tmp_path / "f.gz"
    local.write_bytes(b"old" * 1000)
    _upload(vsftpd.target("/pub/over/"), local, "/pub/over/")
    (base / "f.gz.part").write_bytes(b"stale")                 # left by a lost attempt
    local.write_bytes(os.urandom(70_000))
    result = _upload(vsftpd.target("/pub/over/"), local, "/pub/over/")
    assert (base / "f.gz").read_bytes() == local.read_bytes()
    assert sorted(p.name for p in base.iterdir()) == ["f.gz"]
    assert result.code == 250 and result.bytes_sent == 70_000


def test_refused_login_is_retried_then_fails_over(vsftpd, tmp_path, rigs):
    base = vsftpd.folder("failover")
    refused = vsftpd.target("/pub/failover/", username="flowc")
    rig = rigs(make_plan(tmp_path, [refused, vsftpd.target("/pub/failover/")], retry=1))
    path, closed = rig.closed_file()
    original = path.read_bytes()
    rig.exporter.start()
    wait_until(lambda: not rig.ready_names(), "the failover upload")
    assert (base / closed.name).read_bytes() == original
    lines = rig.translog_lines()
    assert len(lines) == 3, lines                       # 1 + retry 1 on primary, then secondary
    assert all(":sf=0:" in line and ":rc=530:" in line and "anonymous only" in line
               for line in lines[:2]), lines
    assert ":sf=1:" in lines[2] and ":rc=250:" in lines[2]
    assert rig.exporter.snapshot()["channels"][0]["current_server"] == "Secondary"


def test_transfer_log_is_archived_compressed(vsftpd, tmp_path):
    base = vsftpd.folder("archive")
    clock = ManualClock()
    directory = tmp_path / "translog"
    (directory / "failed").mkdir(parents=True)
    settings = TransferLog(filename_prefix="flowc", maximum_age=1,
                           archive_sites=(vsftpd.target("/pub/archive/"),))
    translog = Translog(settings, "router1", directory, clock, FtplibTransport(timeout=5), LOG)
    record = TransferRecord("cFlowd-x.bcp.bi.gz", 552569, 20000, 1077923335.0, True,
                            "ftp://10.63.152.1/tmp/server1/", 250, "", 3280)
    translog.write(record)
    clock.advance(61)
    translog.tick()
    (sent,) = base.iterdir()
    assert sent.name.startswith("router1_flowc_") and sent.name.endswith(".log.gz")
    assert gzip.decompress(sent.read_bytes()).decode() == record.line() + "\n"
    assert not list(directory.rglob("*.gz"))

