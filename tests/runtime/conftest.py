"""Fixtures shared by the runtime tests."""
from __future__ import annotations

import logging as _ftp_logging
import socket as _ftp_socket

# ---------------------------------------------------------------- FTP servers (exporter side)
# A real pyftpdlib server on 127.0.0.1 (port 0) in a thread, with knobs to refuse logins,
# go down, or cut uploads after some bytes; plus a silent listener and a dead port.
import tempfile as _plan_tempfile
import threading as _ftp_threading
from pathlib import Path as _FtpPath

import pytest as _ftp_pytest

FTP_USER = "flowc"
FTP_PASSWORD = "s3cret-pass"


class FtpTestServer:
    """pyftpdlib serving `home` to FTP_USER; knobs: refuse_login, disconnect_after, down()."""

    def __init__(self, home: _FtpPath) -> None:
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.exceptions import AuthenticationFailed
        from pyftpdlib.handlers import DTPHandler, FTPHandler
        from pyftpdlib.ioloop import IOLoop
        from pyftpdlib.servers import FTPServer

        _ftp_logging.getLogger("pyftpdlib").setLevel(_ftp_logging.WARNING)
        self.home = home
        self.refuse_login = False
        self.disconnect_after: int | None = None  # cut the upload after this many bytes
        self.disconnects = 0
        self.logins = 0
        knobs = self

        class Authorizer(DummyAuthorizer):
            def validate_authentication(self, username, password, handler):
                knobs.logins += 1
                if knobs.refuse_login:
                    raise AuthenticationFailed("Login refused by test server.")
                super().validate_authentication(username, password, handler)

        class CuttingDTP(DTPHandler):
            def handle_read(self) -> None:
                super().handle_read()
                limit = knobs.disconnect_after
                if limit is not None and self.tot_bytes_received >= limit and not self._closed:
                    knobs.disconnects += 1
                    self.cmd_channel.close()

            handle_read_event = handle_read

        authorizer = Authorizer()
        authorizer.add_user(FTP_USER, FTP_PASSWORD, str(home), perm="elradfmwMT")
        handler = type("Handler", (FTPHandler,), {
            "authorizer": authorizer, "dtp_handler": CuttingDTP, "banner": "flowc test ftpd",
            "auth_failed_timeout": 0})
        self._server = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
        self.port = self._server.address[1]
        self._halt = _ftp_threading.Event()
        self._thread = _ftp_threading.Thread(target=self._loop, daemon=True, name="ftpd")
        self._thread.start()

    def _loop(self) -> None:
        while not self._halt.is_set():
            self._server.ioloop.loop(0.02, blocking=False)
        self._server.close_all()

    def down(self) -> None:
        """Stop listening: from now on connections are refused."""
        self._halt.set()
        self._thread.join(5)

    def target(self, path: str = "/", password: str = FTP_PASSWORD, username: str = FTP_USER):
        from flowc.runtime.plan.model import Endpoint, FtpTarget

        url = f"ftp://{username}@127.0.0.1:{self.port}{path}"
        return FtpTarget(url, Endpoint("127.0.0.1", self.port), username, password, path)


@_ftp_pytest.fixture
def ftp_server(tmp_path_factory):
    """Factory: `ftp_server()` starts one more server with its own home directory."""
    servers: list[FtpTestServer] = []

    def start() -> FtpTestServer:
        home = tmp_path_factory.mktemp("ftphome")
        servers.append(FtpTestServer(home))
        return servers[-1]

    yield start
    for server in servers:
        server.down()


@_ftp_pytest.fixture
def dead_endpoint():
    """A 127.0.0.1 port nothing listens on (connections are refused)."""
    from flowc.runtime.plan.model import Endpoint

    sock = _ftp_socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return Endpoint("127.0.0.1", port)


@_ftp_pytest.fixture
def silent_endpoint():
    """A 127.0.0.1 port that accepts TCP connections but never says a word."""
    from flowc.runtime.plan.model import Endpoint

    sock = _ftp_socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield Endpoint("127.0.0.1", sock.getsockname()[1])
    sock.close()


# ---------------------------------------------------------------- plans and ports (engine side)
# `plan_builder(...)` makes a one- or two-collector Plan with a spool in tmp_path, a short
# control-socket path, free UDP ports on 127.0.0.1 and optional FTP destinations;
# `free_udp_port()` finds a port nothing listens on.



def free_udp_port() -> int:
    sock = _ftp_socket.socket(_ftp_socket.AF_INET, _ftp_socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@_ftp_pytest.fixture
def plan_builder(tmp_path):
    """Factory: `plan_builder(inputs=..., destinations=..., **plan_fields)` -> Plan."""
    from flowc.runtime.plan.model import Channel, Collector, Destination, Endpoint, FileSpec, Plan

    control_dir = _FtpPath(_plan_tempfile.mkdtemp(prefix="fc"))

    def build(*, inputs=(), destinations=(), interfaces=("cp-6/0/0",), record_level=500000,
              timeout=600, name_format="cFlowd-py69Ni69-0-%D_%T-%I_%N.bcp.bi.gz", **fields):
        spec = FileSpec("1", name_format, record_level=record_level, timeout=timeout)
        targets = tuple(Destination(role, t) for role, t in zip(("primary", "secondary"), destinations))
        collectors = tuple(
            Collector(interface=name, listen=Endpoint("127.0.0.1", free_udp_port()),
                      inputs=tuple(inputs) if index == 0 else (), file_specs=(spec,),
                      default_file_spec="1", channels=(Channel(0), Channel(1)), destinations=targets)
            for index, name in enumerate(interfaces))
        values = {"host_name": "router1", "spool": str(tmp_path / "spool"),
                  "control": str(control_dir / "ctl.sock"), "collectors": collectors,
                  "analyzer_address": "10.10.10.1", "analyzer_id": "server1"}
        values.update(fields)
        return Plan(**values)

    yield build
    for leftover in control_dir.iterdir():
        leftover.unlink()
    control_dir.rmdir()



@_ftp_pytest.fixture
def udp_port():
    """Factory: a free UDP port on 127.0.0.1."""
    return free_udp_port


# ---------------------------------------------------------------- both hot paths
# `pytestmark = pytest.mark.usefixtures("hot_path")` runs a module's tests once on the
# compiled hot path (when it is built) and once on its pure-Python twin; the engine's child
# processes inherit the choice through FLOWC_HOTPATH.
def _hot_path_faces() -> list[str]:
    try:
        from flowc.runtime.ingest import _hotpath  # noqa: F401
    except ImportError:
        return ["python"]
    return ["compiled", "python"]


@_ftp_pytest.fixture(params=_hot_path_faces())
def hot_path(request, monkeypatch):
    """The hot path face of this test run ("compiled" or "python"), set in FLOWC_HOTPATH."""
    from flowc.runtime.ingest.hotpath import ENV, current

    monkeypatch.setenv(ENV, request.param)
    assert current().name == request.param
    return request.param


# ---------------------------------------------------------------- a small filesystem (full-disk tests)
# `small_fs(size)` mounts a tmpfs of `size` bytes in a fresh directory (root only, as CI
# runs) and unmounts it at teardown; where mounting is not possible the test is skipped.

@_ftp_pytest.fixture
def small_fs(tmp_path_factory):
    import os as _os
    import subprocess as _subprocess

    mounted: list[_FtpPath] = []

    def mount(size: int) -> _FtpPath:
        where = tmp_path_factory.mktemp("smallfs")
        if _os.geteuid() != 0:
            _ftp_pytest.skip("mounting a small tmpfs needs root (CI runs the suite as root)")
        done = _subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
                               capture_output=True, text=True, check=False)
        if done.returncode != 0:
            _ftp_pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        _subprocess.run(["umount", "-l", str(where)], check=False)
