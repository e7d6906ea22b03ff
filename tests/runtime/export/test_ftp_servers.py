"""The FTP export against a real vsftpd, and against other servers' quirks.

vsftpd runs as a child process in the foreground (`background=NO`) with its own config
file in a temp directory, listening on 127.0.0.1 only, on a free high port, with a small
passive port range on 127.0.0.1; the fixture kills it at the end. It serves ANONYMOUS
users only, so no system account is created or changed: the anonymous root is a temp
directory that vsftpd chroots to, and uploads, MKD, RNFR/RNTO and DELE are allowed in its
`pub/`, owned by `ftp` (the account the vsftpd package creates; anonymous sessions run as
it). The anonymous password is asked for (`331`, vsftpd's default). A named user ("flowc")
is refused with `530 This FTP server is anonymous only.`: the refused login of the
failover test. vsftpd needs root for its chroot; without root, the `ftp` account or the
binary (`apt-get install vsftpd`), those tests skip. Variants of the config (`pasv_address`
of a NATed server, upload-only, `max_per_ip`) run as more vsftpd processes.

The second half reproduces other servers' habits with pyftpdlib, one quirk at a time
(no root needed), one test per interop fix in `flowc.runtime.export` (ftp, claim).
"""
from __future__ import annotations

import ftplib
import gzip
import logging
import os
import pwd
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flowc.runtime.clock import ManualClock
from flowc.runtime.export.exporter import Exporter
from flowc.runtime.export.failure import FtpFailure
from flowc.runtime.export.ftp import FtplibTransport, UploadRequest, expand_path
from flowc.runtime.export.translog import ArchiveSetup, TransferRecord, Translog
from flowc.runtime.files.spool import ClosedFile, SpoolDirs
from flowc.runtime.plan.model import Channel, Collector, Destination, Endpoint, FtpTarget, Plan, TransferLog

LOG = logging.getLogger("flowc.test.ftp_servers")
VSFTPD = shutil.which("vsftpd") or "/usr/sbin/vsftpd"
RUN_AS = "ftp"          # the account the vsftpd package creates (home /srv/ftp)
NOPRIV = "nobody"

SETTINGS = {
    "listen": "YES", "listen_ipv6": "NO", "listen_address": "127.0.0.1", "background": "NO",
    "anonymous_enable": "YES", "local_enable": "NO", "write_enable": "YES",
    "anon_upload_enable": "YES", "anon_mkdir_write_enable": "YES",
    "anon_other_write_enable": "YES", "anon_umask": "022",
    "pasv_enable": "YES", "pasv_address": "127.0.0.1", "connect_from_port_20": "NO",
    "isolate": "NO", "isolate_network": "NO", "seccomp_sandbox": "NO",
    "xferlog_enable": "NO", "syslog_enable": "NO", "ftpd_banner": "flowc vsftpd test",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _banner(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        return sock.recv(256).decode("ascii", "replace")


class Vsftpd:
    """A vsftpd child process; `pub` is the anonymous users' writable directory."""

    def __init__(self, base: Path, **overrides: str) -> None:
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
        settings = SETTINGS | {
            "listen_port": self.port, "anon_root": self.root, "ftp_username": RUN_AS,
            "nopriv_user": NOPRIV, "pasv_min_port": pasv, "pasv_max_port": pasv + 40,
            "vsftpd_log_file": base / "vsftpd.log", "secure_chroot_dir": empty} | overrides
        self.config.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
        self.output = base / "vsftpd.out"
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen([VSFTPD, str(self.config)], stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 5.0) -> str | None:
        """None when it answers 220, else why it did not start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.output.read_text(errors="replace")[-300:].strip()
                return (f"vsftpd exited {self.process.returncode} with {self.config}: "
                        f"{said or 'no message (run it by hand to see why)'}")
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
def vsftpd_with(tmp_path_factory) -> Iterator[Callable[..., Vsftpd]]:
    """Factory: `vsftpd_with(setting=value, ...)` starts one more vsftpd (skips if it cannot)."""
    if not os.path.exists(VSFTPD):
        pytest.skip("vsftpd is not installed (apt-get install vsftpd)")
    if os.geteuid() != 0:
        pytest.skip("vsftpd needs root to chroot its anonymous users")
    for user in (RUN_AS, NOPRIV):
        try:
            pwd.getpwnam(user)
        except KeyError:
            pytest.skip(f"no {user!r} account for vsftpd to run as")
    servers: list[Vsftpd] = []

    def start(**overrides: str) -> Vsftpd:
        servers.append(Vsftpd(tmp_path_factory.mktemp("vsftpd"), **overrides))
        problem = servers[-1].wait_ready()
        if problem:
            pytest.skip(f"vsftpd cannot start here: {problem}")
        return servers[-1]

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def vsftpd(vsftpd_with) -> Vsftpd:
    """The usual setup: anonymous users may upload, MKD, rename and delete in pub/."""
    return vsftpd_with()


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


def _upload(target: FtpTarget, local: Path, directory: str, name: str | None = None, sweep: bool = False):
    request = UploadRequest(target, local, name or local.name, directory, sweep=sweep)
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
    wait_until(lambda: len(rig.translog_lines()) == 3, "the transfer-log lines")  # written after removal
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


def test_an_existing_directory_is_used(vsftpd, tmp_path):
    base = vsftpd.folder("twice")
    local = tmp_path / "f.gz"
    local.write_bytes(b"y" * 10)
    _upload(vsftpd.target("/pub/twice/d/"), local, "/pub/twice/d/")     # MKD d
    _upload(vsftpd.target("/pub/twice/d/"), local, "/pub/twice/d/", "g.gz")  # d exists
    assert sorted(p.name for p in (base / "d").iterdir()) == ["f.gz", "g.gz"]


def test_a_directory_made_meanwhile_by_the_other_channel_is_used(vsftpd):
    from flowc.runtime.export.dscp import MarkedFTP
    from flowc.runtime.export.ftp import change_directory

    base = vsftpd.folder("race")

    class Racing(MarkedFTP):
        def cwd(self, dirname: str) -> str:
            try:
                return super().cwd(dirname)
            except ftplib.error_perm:
                made = base / "d"                # the other channel's MKD lands now
                made.mkdir()
                os.chown(made, *pwd.getpwnam(RUN_AS)[2:4])
                raise

    ftp = Racing(timeout=5)
    ftp.connect("127.0.0.1", vsftpd.port)
    try:
        ftp.login("anonymous", "")
        change_directory(ftp, "/pub/race/d/")           # vsftpd answers MKD with 550
        assert ftp.pwd() == "/pub/race/d"
    finally:
        ftp.close()


def test_an_existing_file_is_never_replaced_and_a_stale_part_is(vsftpd, tmp_path):
    """vsftpd: a name already on the server keeps its file; the new one is stored under a
    unique name (issue 10); the stale `.part` of a lost attempt is swept, never reused."""
    base = vsftpd.folder("over")
    local = tmp_path / "f.gz"
    local.write_bytes(b"old" * 1000)
    _upload(vsftpd.target("/pub/over/"), local, "/pub/over/")
    (base / "f.gz.part").write_bytes(b"stale")                 # left by a lost attempt
    local.write_bytes(os.urandom(70_000))
    result = _upload(vsftpd.target("/pub/over/"), local, "/pub/over/", sweep=True)
    assert (base / "f.gz").read_bytes() == b"old" * 1000
    assert (base / "f~flowc-1.gz").read_bytes() == local.read_bytes()
    assert sorted(p.name for p in base.iterdir()) == ["f.gz", "f~flowc-1.gz"]
    assert result.code == 250 and result.bytes_sent == 70_000 and result.name == "f~flowc-1.gz"


def test_dscp_marked_and_rate_limited_upload_arrives_whole(vsftpd, tmp_path):
    base = vsftpd.folder("marked")
    local = tmp_path / "f.gz"
    local.write_bytes(os.urandom(120_000))
    request = UploadRequest(vsftpd.target("/pub/marked/"), local, "f.gz", "/pub/marked/",
                            dscp=46, rate_bps=20_000_000)
    result = FtplibTransport(timeout=5).upload(request)
    assert (base / "f.gz").read_bytes() == local.read_bytes()
    assert result.bytes_sent == 120_000


def test_refused_login_is_retried_then_fails_over(vsftpd, tmp_path, rigs):
    base = vsftpd.folder("failover")
    refused = vsftpd.target("/pub/failover/", username="flowc")
    rig = rigs(make_plan(tmp_path, [refused, vsftpd.target("/pub/failover/")], retry=1))
    path, closed = rig.closed_file()
    original = path.read_bytes()
    rig.exporter.start()
    wait_until(lambda: not rig.ready_names(), "the failover upload")
    wait_until(lambda: len(rig.translog_lines()) == 3, "the transfer-log lines")  # written after removal
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
    translog = Translog(ArchiveSetup(settings, "router1"), directory, clock, FtplibTransport(timeout=5), LOG)
    record = TransferRecord("cFlowd-x.bcp.bi.gz", 552569, 20000, 1077923335.0, True,
                            "ftp://10.63.152.1/tmp/server1/", 250, "", 3280)
    translog.write(record)
    clock.advance(61)
    translog.tick()
    (sent,) = base.iterdir()
    assert sent.name.startswith("router1_flowc_") and sent.name.endswith(".log.gz")
    assert gzip.decompress(sent.read_bytes()).decode() == record.line() + "\n"
    assert not list(directory.rglob("*.gz"))



def test_a_227_naming_another_address_is_ignored_for_the_data_connection(vsftpd_with, tmp_path):
    nat = vsftpd_with(pasv_address="192.0.2.7")        # TEST-NET: what a NATed server says
    base = nat.folder("nat")
    from flowc.runtime.export.dscp import MarkedFTP

    probe = MarkedFTP(timeout=5)
    probe.connect("127.0.0.1", nat.port)
    probe.login("anonymous", "")
    assert "(192,0,2,7," in probe.sendcmd("PASV")      # the server does advertise it
    probe.close()
    local = tmp_path / "f.gz"
    local.write_bytes(os.urandom(50_000))
    _upload(nat.target("/pub/nat/"), local, "/pub/nat/")
    assert (base / "f.gz").read_bytes() == local.read_bytes()


def test_a_per_address_connection_limit_is_a_failed_attempt_with_its_421(vsftpd_with, tmp_path):
    from flowc.runtime.export.dscp import MarkedFTP

    limited = vsftpd_with(max_per_ip="1")
    limited.folder("limited")
    local = tmp_path / "f.gz"
    local.write_bytes(b"q" * 100)
    holder = MarkedFTP(timeout=5)
    for _ in range(100):                    # the start-up probe's session may still count
        try:
            holder.connect("127.0.0.1", limited.port)   # the other channel's session
            break
        except ftplib.error_temp:
            holder.close()
            time.sleep(0.02)
    try:
        with pytest.raises(FtpFailure) as failure:
            _upload(limited.target("/pub/limited/"), local, "/pub/limited/")
    finally:
        holder.close()
    assert failure.value.code == 421 and "too many connections" in failure.value.text
    for _ in range(100):                                # alone, it goes through (once vsftpd
        try:                                            # has reaped the closed session)
            _upload(limited.target("/pub/limited/"), local, "/pub/limited/")
            break
        except FtpFailure as exc:
            assert exc.code == 421
            time.sleep(0.02)
    assert (limited.pub / "limited" / "f.gz").exists()


def test_a_server_that_refuses_renames_fails_with_the_rename_reply(vsftpd_with, tmp_path):
    strict = vsftpd_with(anon_other_write_enable="NO")  # upload only: no RNFR, DELE, overwrite
    base = strict.folder("strict")
    local = tmp_path / "f.gz"
    local.write_bytes(b"z" * 1000)
    with pytest.raises(FtpFailure) as failure:
        _upload(strict.target("/pub/strict/"), local, "/pub/strict/")
    assert failure.value.code == 550
    assert re.search(r"cannot rename f\.gz\.[0-9a-f]{12}\.part to f\.gz: Permission denied\.",
                     failure.value.text)
    assert "RNFR/RNTO" in failure.value.text
    first = [p.name for p in base.iterdir()]
    assert len(first) == 1 and first[0].endswith(".part")       # DELE refused too
    with pytest.raises(FtpFailure) as again:                   # a new temporary, never the old one
        _upload(strict.target("/pub/strict/"), local, "/pub/strict/", sweep=True)
    assert again.value.code == 550
    left = sorted(p.name for p in base.iterdir())
    assert len(left) == 2 and first[0] in left and "f.gz" not in left


# ---------------------------------------------------------------- server quirks, one at a time
# pyftpdlib in a thread with one behaviour changed to what another server does; these run
# everywhere (no root, no vsftpd) and pin each interop fix in flowc.runtime.export.

class Quirky:
    """pyftpdlib on 127.0.0.1 serving `home` to anonymous, its handler given `quirks`."""

    def __init__(self, home: Path, **quirks) -> None:
        import threading

        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler
        from pyftpdlib.ioloop import IOLoop
        from pyftpdlib.servers import FTPServer

        logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
        self.home = home
        self.commands: list[str] = []
        seen = self.commands

        class Handler(FTPHandler):
            def pre_process_command(self, line, cmd, arg):
                seen.append(cmd)
                super().pre_process_command(line, cmd, arg)

        authorizer = DummyAuthorizer()
        authorizer.add_anonymous(str(home), perm="elradfmwMT")
        handler = type("QuirkyHandler", (Handler,), {"authorizer": authorizer, **quirks})
        self.server = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
        self.port = self.server.address[1]
        self.halt = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="quirky-ftpd")
        self.thread.start()

    def _loop(self) -> None:
        while not self.halt.is_set():
            self.server.ioloop.loop(0.02, blocking=False)
        self.server.close_all()

    def stop(self) -> None:
        self.halt.set()
        self.thread.join(5)

    def upload(self, local: Path, directory: str = "/", **fields):
        target = FtpTarget(f"ftp://127.0.0.1:{self.port}{directory}",
                           Endpoint("127.0.0.1", self.port), "", "", directory)
        return FtplibTransport(timeout=5).upload(UploadRequest(target, local, local.name, directory, **fields))


@pytest.fixture
def quirky(tmp_path) -> Iterator[Callable[..., Quirky]]:
    servers: list[Quirky] = []

    def start(**quirks) -> Quirky:
        home = tmp_path / f"home{len(servers)}"
        home.mkdir()
        servers.append(Quirky(home, **quirks))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def payload(tmp_path) -> Path:
    path = tmp_path / "f.gz"
    path.write_bytes(os.urandom(40_000))
    return path


def _refuse_pasv(self, line):
    self.respond("502 PASV not allowed here, use EPSV.")


def test_pasv_refused_falls_back_to_epsv(quirky, payload):
    server = quirky(ftp_PASV=_refuse_pasv)
    server.upload(payload)
    assert (server.home / "f.gz").read_bytes() == payload.read_bytes()
    assert server.commands.count("PASV") == 1 and server.commands.count("EPSV") == 1


def test_227_with_a_foreign_address_still_connects_to_the_server(quirky, payload):
    server = quirky(masquerade_address="192.0.2.9")
    server.upload(payload)
    assert (server.home / "f.gz").read_bytes() == payload.read_bytes()


def _stor_no_overwrite(self, file, mode="w"):
    if os.path.exists(file):
        self.respond("553 Could not create file.")
        return None
    return type(self).__mro__[2].ftp_STOR(self, file, mode)


def _refuse_dele(self, path):
    self.respond("550 Permission denied.")


STALE = ["f.gz.part", "f.gz.0123456789ab.part", "f.gz.part.1"]   # older flowc, an attempt, --autorename
OTHERS = ["f.gz.cp-6_0_1.0123456789ab.part", "g.gz.part"]          # another collector's, another file's


def test_stale_temporaries_of_earlier_attempts_are_swept_never_reused(quirky, payload):
    server = quirky(ftp_STOR=_stor_no_overwrite)
    for name in STALE + OTHERS:
        (server.home / name).write_bytes(b"stale")
    server.upload(payload, sweep=True)
    assert sorted(p.name for p in server.home.iterdir()) == sorted(["f.gz", *OTHERS])
    assert (server.home / "f.gz").read_bytes() == payload.read_bytes()
    assert server.commands.count("STOR") == 1 and server.commands.count("DELE") == len(STALE)


def test_a_first_attempt_neither_lists_nor_touches_stale_temporaries(quirky, payload):
    server = quirky(ftp_STOR=_stor_no_overwrite)
    (server.home / "f.gz.part").write_bytes(b"stale")
    server.upload(payload)
    assert sorted(p.name for p in server.home.iterdir()) == ["f.gz", "f.gz.part"]
    assert (server.home / "f.gz").read_bytes() == payload.read_bytes()
    assert "NLST" not in server.commands and "DELE" not in server.commands


def test_a_stale_temporary_the_server_will_not_delete_stays_and_is_never_published(quirky, payload):
    server = quirky(ftp_STOR=_stor_no_overwrite, ftp_DELE=_refuse_dele)
    (server.home / "f.gz.part").write_bytes(b"stale")
    server.upload(payload, sweep=True)
    assert sorted(p.name for p in server.home.iterdir()) == ["f.gz", "f.gz.part"]
    assert (server.home / "f.gz").read_bytes() == payload.read_bytes()


def _rnto_no_overwrite(self, path):
    if os.path.exists(path):
        self._rnfr = None
        self.respond("553 Rename/move failure: Destination file exists.")
        return None
    return type(self).__mro__[2].ftp_RNTO(self, path)


def test_an_existing_file_is_never_replaced_the_upload_takes_a_new_name(quirky, payload):
    server = quirky(ftp_RNTO=_rnto_no_overwrite)
    (server.home / "f.gz").write_bytes(b"old copy")
    result = server.upload(payload)
    assert sorted(p.name for p in server.home.iterdir()) == ["f.gz", "f~flowc-1.gz"]
    assert (server.home / "f.gz").read_bytes() == b"old copy"
    assert (server.home / "f~flowc-1.gz").read_bytes() == payload.read_bytes()
    assert (result.code, result.name) == (250, "f~flowc-1.gz")


def test_rnto_refused_for_good_reports_rnto_not_dele_and_removes_the_part(quirky, payload):
    def refuse(self, path):
        self._rnfr = None
        self.respond("553 Rename refused by policy.")

    server = quirky(ftp_RNTO=refuse)
    with pytest.raises(FtpFailure) as failure:
        server.upload(payload)
    assert failure.value.code == 553
    assert re.match(r"cannot rename f\.gz\.[0-9a-f]{12}\.part to f\.gz: Rename refused by policy\.",
                    failure.value.text)
    assert list(server.home.iterdir()) == []             # DELE f.gz failed (absent), part removed


def test_rnfr_refused_never_deletes_an_existing_copy(quirky, payload):
    def refuse(self, path):
        self.respond("550 Permission denied.")

    server = quirky(ftp_RNFR=refuse)
    (server.home / "f.gz").write_bytes(b"old copy")
    with pytest.raises(FtpFailure) as failure:
        server.upload(payload)
    assert failure.value.code == 550
    assert (server.home / "f.gz").read_bytes() == b"old copy"
    assert server.commands.count("DELE") == 1                # the part only


@pytest.mark.parametrize("reply", ["521 \"d\" directory already exists.", "450 Try again later.",
                                   "553 Cannot create directory."])
def test_mkd_refused_because_it_was_made_meanwhile_is_fine(quirky, payload, reply):
    def make_then_refuse(self, path):
        os.mkdir(path)                                       # "the other channel" won the race
        self.respond(reply)

    server = quirky(ftp_MKD=make_then_refuse)
    server.upload(payload, "/d/")
    assert (server.home / "d" / "f.gz").read_bytes() == payload.read_bytes()


# over 75 characters: pyftpdlib sends "220-" + it, then "220 " (a multiline welcome)
BANNER = "Welcome to the quirky server.\r\nAuthorised users only; all transfers are logged. Be nice."


def test_multiline_replies_are_read_whole_and_logged_as_one_line(quirky, payload):
    def refuse(self, line):
        self.respond("530-Login incorrect.\r\n We only take known users.\r\n530 Goodbye.")

    server = quirky(banner=BANNER, ftp_PASS=refuse)
    with pytest.raises(FtpFailure) as failure:
        server.upload(payload)
    assert failure.value.code == 530
    assert failure.value.text == "Login incorrect. We only take known users. Goodbye."


def test_a_multiline_success_reply_is_one_line_of_text(quirky, payload):
    def rnto(self, path):
        os.rename(self._rnfr, path)
        self._rnfr = None
        self.respond("250-Rename successful.\r\n250 Have a nice day.")

    server = quirky(banner=BANNER, ftp_RNTO=rnto)
    result = server.upload(payload)
    assert (result.code, result.text) == (250, "Rename successful. Have a nice day.")
    assert (server.home / "f.gz").read_bytes() == payload.read_bytes()
