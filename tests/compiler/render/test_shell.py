"""The shell target run for real: `flowc.sh start`, cflowd records over UDP, flow files on
an FTP server (pyftpdlib on 127.0.0.1), `flowc.sh stop`."""
from __future__ import annotations

import gzip
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flowc.compiler.render.setup import Options, render, write_files
from flowc.runtime.plan.model import (
    Channel,
    Collector,
    Destination,
    Endpoint,
    FileSpec,
    FtpTarget,
    Plan,
)

USER, PASSWORD = "flowc", "render-e2e"


class Ftpd:
    def __init__(self, home: Path) -> None:
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler
        from pyftpdlib.ioloop import IOLoop
        from pyftpdlib.servers import FTPServer

        logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
        authorizer = DummyAuthorizer()
        authorizer.add_user(USER, PASSWORD, str(home), perm="elradfmwMT")
        handler = type("Handler", (FTPHandler,), {"authorizer": authorizer})
        self.server = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
        self.port = self.server.address[1]
        self.halt = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self) -> None:
        while not self.halt.is_set():
            self.server.ioloop.loop(0.02, blocking=False)
        self.server.close_all()

    def stop(self) -> None:
        self.halt.set()
        self.thread.join(5)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def e2e_plan(ftp_port: int, listen_port: int) -> Plan:
    from flowc.runtime.plan.secret import encode

    url = f"ftp://{USER}@192.0.2.10/"
    target = FtpTarget(url, Endpoint("192.0.2.10", 21), USER, encode(PASSWORD, salt="Q"), "/")
    collector = Collector(
        "cp-6/0/0", Endpoint("127.0.0.1", listen_port), (),
        (FileSpec("1", "cFlowd-%D_%T-%I_%N.bcp.bi.gz", record_level=200, timeout=60),), "1",
        (Channel(0), Channel(1)), (Destination("primary", target),))
    return Plan("router1", "spool", "flowc.sock", (collector,))


def wait_for(condition, limit: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll a condition (a bounded wait, not a timing assertion)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.parametrize("secrets", ["in-plan", "by-reference"])
def test_shell_target_runs_and_files_reach_the_ftp_server(tmp_path: Path, secrets: str) -> None:
    """`by-reference`: the plan has no password, `flowc run` takes it from the env file
    named by FLOWC_SECRETS_FILE, as in the container setups."""
    from flowc.compiler.lowering.secrets import redact, secret_refs
    from flowc.runtime.testbed.generator import generate

    home = tmp_path / "ftp"
    home.mkdir()
    ftpd = Ftpd(home)
    listen = free_udp_port()
    setup = tmp_path / "setup"
    plan = e2e_plan(ftpd.port, listen)
    env = {k: v for k, v in os.environ.items() if k != "FLOWC" and not k.startswith("FLOWC_SECRET")}
    if secrets == "by-reference":
        (tmp_path / "secrets.env").write_text("".join(f"{k}={v}\n" for k, v in secret_refs(plan).items()))
        env["FLOWC_SECRETS_FILE"] = str(tmp_path / "secrets.env")
        plan = redact(plan)
    write_files(render(plan, "shell", Options(flowc=f"{sys.executable} -m flowc.compiler.cli")), setup)
    # the site maps the router's FTP host to the test server, as an operator would
    site = (setup / "site.yaml").read_text()
    mapped = site.replace('"192.0.2.10": "192.0.2.10:21"', f'"192.0.2.10": "127.0.0.1:{ftpd.port}"')
    assert mapped != site, site  # never let the engine reach for the router's address
    (setup / "site.yaml").write_text(mapped)
    script = str(setup / "flowc.sh")
    try:
        started = subprocess.run([script, "start"], capture_output=True, text=True, env=env, timeout=60)
        assert started.returncode == 0, started.stderr + (setup / "flowc.log").read_text()
        assert "flowc: started" in started.stdout
        pid = int((setup / "flowc.pid").read_text())
        assert subprocess.run([script, "status"], capture_output=True, env=env).returncode == 0
        reloaded = subprocess.run([script, "reload"], capture_output=True, text=True, env=env, timeout=240)
        assert reloaded.returncode == 0, reloaded.stdout + reloaded.stderr  # the unchanged plan: applied
        sent = generate(Endpoint("127.0.0.1", listen), rate=4000, duration=0.5)
        assert sent.records >= 1000
        assert wait_for(lambda: len(list(home.glob("*.gz"))) >= 2), (setup / "flowc.log").read_text()
        stopped = subprocess.run([script, "stop"], capture_output=True, text=True, env=env, timeout=120)
        assert stopped.returncode == 0 and "flowc: stopped" in stopped.stdout
        assert not (setup / "flowc.pid").exists()
        assert not _alive(pid)
    finally:
        _kill_leftover(setup / "flowc.pid")
        ftpd.stop()
    uploaded = sorted(home.glob("*.gz"))
    lines = gzip.decompress(uploaded[0].read_bytes()).decode().splitlines()
    assert len(lines) == 200 and all(len(line.split("|")) == 16 for line in lines)
    assert uploaded[0].name.startswith("cFlowd-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill_leftover(pidfile: Path) -> None:
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text()), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
