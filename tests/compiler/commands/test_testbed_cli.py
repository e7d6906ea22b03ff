"""`flowc testbed ftp`: the plan's FTP servers on loopback, each user with every password
and folder its URLs name; never a server for a non-loopback address."""
from __future__ import annotations

import ftplib
import socket
import subprocess
import sys
from pathlib import Path

from flowc.compiler.api import compile_paths
from flowc.runtime.plan.model import Endpoint
from flowc.runtime.plan.secret import reveal
from flowc.runtime.testbed.ftpsite import ftp_sites, start_servers

CONFIG = Path(__file__).resolve().parents[3] / "examples" / "router1" / "router.conf"


def flowc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_refuses_to_stand_in_for_a_real_address(tmp_path: Path) -> None:
    done = flowc("testbed", "ftp", str(CONFIG), "--duration", "0.1", cwd=tmp_path)
    assert done.returncode == 2 and "not loopback" in done.stderr and "192.168.252.2:21" in done.stderr
    assert not (tmp_path / "ftp-root").exists()


def test_one_server_per_address_every_user_password_and_folder(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site.write_text(f"hosts:\n  192.168.252.2: 127.0.0.1:{port}\n  192.168.253.2: 127.0.0.1:{port}\n")
    plan = compile_paths([CONFIG], site).plan
    assert plan is not None
    (only,) = ftp_sites(plan)  # both hosts map to one address here: one server, one user, two passwords
    assert only.endpoint == Endpoint("127.0.0.1", port) and only.loopback
    assert sorted(d for a in only.accounts for d in a.directories) == ["/tmp/collect1", "/tmp/collect2", "/tmp/logs"]
    passwords = {reveal(d.target.password) for c in plan.collectors for d in c.destinations}
    assert len(passwords) == 2
    (server,) = start_servers(ftp_sites(plan), tmp_path / "root")
    try:
        for password in passwords:
            with ftplib.FTP() as ftp:
                ftp.connect(server.endpoint.host, server.endpoint.port, timeout=10)
                ftp.login("user", password)
                ftp.cwd("/tmp/collect2")
        with ftplib.FTP() as ftp:
            ftp.connect(server.endpoint.host, server.endpoint.port, timeout=10)
            try:
                ftp.login("user", "wrong")
                raise AssertionError("a wrong password was accepted")
            except ftplib.error_perm as exc:
                assert str(exc).startswith("530")
    finally:
        server.stop()
