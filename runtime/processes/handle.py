"""A collector process as the supervisor holds it: the `Popen`, its control connection
(a socket pair carrying the codec's wire objects, pickled; replies matched by request id)
and its log pipe.

The child is a fresh interpreter (`python -c "…child_entry(…)"`): no fork of a threaded
parent, no re-import of the caller's `__main__`. Listening sockets are passed down with
`pass_fds`, so the supervisor keeps them across child restarts.
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from flowc.runtime.ops.codec import R, decode_reply, on_pipe, pipe_id
from flowc.runtime.ops.messages import Failure, Request
from flowc.runtime.ops.wire import MessageError
from flowc.runtime.plan.model import Plan

REQUEST_WAIT = 10.0


@dataclass(frozen=True, slots=True)
class ChildSetup:
    """What a collector process is told at start (pickled over its control pipe)."""

    plan: Plan
    interface: str
    first: bool                     # the first collector of the plan (replays own the rest)
    replay: str | None              # a pcap to replay instead of listening
    other_ports: frozenset[int]     # ports of the other collectors (replay: whose datagrams to skip)
    fds: tuple[int, ...] = ()       # lent listening sockets, as descriptor numbers in the child


class CollectorProcess:
    """A collector child: a fresh interpreter (no fork of a threaded parent, no re-import
    of the caller's __main__), talking over an inherited socket pair and log pipe."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def exitcode(self) -> int | None:
        return self.popen.poll()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def join(self, timeout: float) -> None:
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    def terminate(self) -> None:
        self.popen.terminate()

    def end(self, grace: float) -> bool:
        """SIGTERM (and SIGCONT, so a stopped child can act on it and close its files), then
        SIGKILL if it is still there after `grace` seconds; True when it had to be killed."""
        if not self.is_alive():
            return False
        try:
            self.popen.terminate()
            os.kill(self.popen.pid, signal.SIGCONT)
        except ProcessLookupError:
            return False
        self.join(grace)
        if not self.is_alive():
            return False
        self.popen.kill()
        self.join(5.0)
        return True


def spawn_collector(setup: ChildSetup, lent: list[socket.socket] | None = None
                    ) -> tuple[CollectorProcess, Connection, Connection]:
    """Start a collector process; (process, control connection, log connection)."""
    ours, theirs = socket.socketpair()
    log_read, log_write = os.pipe()
    fds = [s.fileno() for s in lent or ()]
    code = f"from flowc.runtime.processes.child import child_entry; child_entry({theirs.fileno()}, {log_write})"
    popen = subprocess.Popen([sys.executable, "-c", code], pass_fds=(theirs.fileno(), log_write, *fds),
                             stdin=subprocess.DEVNULL)
    theirs.close()
    os.close(log_write)
    conn = Connection(ours.detach())
    conn.send(dataclasses.replace(setup, fds=tuple(fds)))
    return CollectorProcess(popen), conn, Connection(log_read, writable=False)


class Child:
    """One collector process as the supervisor sees it."""

    def __init__(self, interface: str) -> None:
        self.interface = interface
        self.process: Any = None
        self.conn: Connection | None = None
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.restarts = 0
        self.next_start = 0.0
        self.started = 0.0  # time.monotonic() of the last start: a healthy run resets `restarts`
        self.ready = False

    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    def request(self, message: Request, expect: type[R], timeout: float = REQUEST_WAIT) -> R | Failure:
        """Send `message` and wait for its reply, of type `expect` (or the `Failure` it reports)."""
        deadline = time.monotonic() + timeout
        if not self.lock.acquire(timeout=timeout):
            if self.ready and self.alive():  # another request is waiting for it: it hangs
                return Failure(f"{self.interface}: collector process not responding")
            return Failure(f"{self.interface}: collector process is busy starting")
        try:
            if self.conn is None or not self.ready or not self.alive():
                return Failure(f"{self.interface}: collector process not running")
            return self._exchange(message, expect, max(0.0, deadline - time.monotonic()))
        finally:
            self.lock.release()

    def _exchange(self, message: Request, expect: type[R], timeout: float) -> R | Failure:
        assert self.conn is not None
        ident = next(self.ids)
        try:
            self.conn.send(on_pipe(message, ident))
            deadline = time.monotonic() + timeout
            while self.conn.poll(max(0.0, deadline - time.monotonic())):
                reply = self.conn.recv()
                if pipe_id(reply) == ident:
                    return decode_reply(reply, expect)
        except MessageError as exc:
            return Failure(f"{self.interface}: collector process answered what flowc cannot read: {exc}")
        except (EOFError, OSError):
            pass
        if self.alive():
            return Failure(f"{self.interface}: collector process not responding")
        return Failure(f"{self.interface}: collector process did not answer")
