"""sd_notify over a real datagram socket, as systemd listens for it."""
from __future__ import annotations

import socket
from pathlib import Path

from flowc.runtime.ops.notify import Notifier


def listener(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    return sock


def test_ready_and_watchdog_pings_only_while_healthy(tmp_path: Path) -> None:
    with listener(tmp_path / "notify") as sock:
        notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "3000000"})
        assert notifier.interval == 1.0
        assert notifier.send("READY=1")
        assert sock.recv(100) == b"READY=1"
        notifier.tick(lambda: True, now=10.0)
        assert sock.recv(100) == b"WATCHDOG=1"
        notifier.tick(lambda: True, now=10.5)           # not yet a third of the period later
        notifier.tick(lambda: False, now=11.0)          # due, but a collector is stuck: no ping
        notifier.tick(lambda: True, now=12.1)
        assert sock.recv(100) == b"WATCHDOG=1"
        sock.setblocking(False)
        try:
            extra = sock.recv(100)
        except BlockingIOError:
            extra = b""
        assert extra == b""


def test_abstract_socket_names_and_no_systemd() -> None:
    name = f"flowc-test-{id(object())}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).send("STOPPING=1")
        assert sock.recv(100) == b"STOPPING=1"
    silent = Notifier({})
    assert not silent.send("READY=1") and silent.interval is None
    silent.tick(lambda: 1 / 0 == 0)  # never asks without a watchdog
