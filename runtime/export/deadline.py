"""The whole-transfer deadline of an upload, and the watchdog that enforces it.

A socket timeout bounds each read and write, but a server that sends one byte every
10 s, or reads one block a minute, never trips it. So every upload also has a deadline
for the whole attempt: `allowance` seconds (connect, login, directory, rename) plus the
time the file takes at `minimum_rate` bits per second (the site file's
`ftp-minimum-rate` and `ftp-deadline-allowance`; defaults 256 kbit/s and 30 s, so a
10 MB file has 30 + 312 s). The `Watchdog` of an upload shuts its sockets down when the
deadline passes or when its abort flag is set (`change-destination … immediately`,
shutdown), so a blocked read or write ends at once instead of at the next block.
Time is the injected `Clock`'s, polled every 50 ms of real time.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from types import TracebackType

from flowc.runtime.clock import Clock

DEFAULT_MINIMUM_RATE = 256_000   # bits per second
DEFAULT_ALLOWANCE = 30           # seconds
POLL = 0.05


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """How long an upload of `size` bytes may take, in all."""

    minimum_rate: int = DEFAULT_MINIMUM_RATE
    allowance: int = DEFAULT_ALLOWANCE

    @classmethod
    def of(cls, minimum_rate: int | None, allowance: int | None) -> DeadlinePolicy:
        return cls(minimum_rate or DEFAULT_MINIMUM_RATE, allowance or DEFAULT_ALLOWANCE)

    def seconds(self, size: int) -> float:
        return self.allowance + size * 8 / self.minimum_rate


class Watchdog:
    """Shuts down the sockets of one upload at its deadline or when `abort` is set.

    Use as a context manager around the upload; `watch(sock)` each socket it opens.
    `fired` is None, "deadline" or "abort" (what ended it)."""

    def __init__(self, clock: Clock, seconds: float | None, abort: threading.Event) -> None:
        self.clock, self.abort = clock, abort
        self.deadline = None if seconds is None else clock.monotonic() + seconds
        self.seconds = seconds
        self.fired: str | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Watchdog:
        self._thread = threading.Thread(target=self._run, daemon=True, name="ftp watchdog")
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shutdown(sock)

    def _run(self) -> None:
        while not self._done.wait(POLL):
            if self.abort.is_set():
                self._fire("abort")
                return
            if self.deadline is not None and self.clock.monotonic() >= self.deadline:
                self._fire("deadline")
                return

    def _fire(self, why: str) -> None:
        with self._lock:
            self.fired = why
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed
