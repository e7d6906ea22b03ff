"""systemd's notification protocol (`sd_notify`), in a few lines of the socket module.

Under `Type=notify` systemd passes `NOTIFY_SOCKET` (a datagram socket path, or an
abstract one starting with `@`); with `WatchdogSec=` also `WATCHDOG_USEC`. `Notifier`
sends `READY=1` once the engine serves, `WATCHDOG=1` while every collector's receive
loop turns (the engine calls `tick()`; a hung collector stops the pings, so systemd
restarts the service), and `STOPPING=1` on the way down. Without `NOTIFY_SOCKET` every
call does nothing.
"""
from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Mapping


class Notifier:
    """Talks to systemd when it listens; silent otherwise."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        path = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + path[1:] if path.startswith("@") else path
        usec = env.get("WATCHDOG_USEC", "")
        self.interval = int(usec) / 3e6 if usec.isdigit() and int(usec) > 0 else None  # ping 3 times a period
        self._next = 0.0

    def send(self, state: str) -> bool:
        """One datagram; False when there is no socket or it cannot be reached (never raises)."""
        if not self.address:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto(state.encode("utf-8"), self.address)
        except OSError:
            return False
        return True

    def tick(self, healthy: Callable[[], bool], now: float | None = None) -> None:
        """`WATCHDOG=1` once per third of the watchdog period, when `healthy()`."""
        if self.interval is None or not self.address:
            return
        now = time.monotonic() if now is None else now
        if now >= self._next:
            self._next = now + self.interval
            if healthy():
                self.send("WATCHDOG=1")
