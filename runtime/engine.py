"""The composition root: a plan in, one collector process per cp- interface, supervised.

`run_plan()` creates the spool directories, starts one child process per collector
(so two collectors use two cores), waits until each is listening (or reports why it
cannot), serves the control socket at `plan.control` and routes its requests to the
children over pipes, restarts a child that dies (its crash-left files are recovered by
the new one), and on SIGINT/SIGTERM (or `stop_after`, or the end of a replay) asks every
child to close and publish its files, then returns an exit code:
0 stopped cleanly, 1 the plan has no collector, 2 a collector could not start.

Logs from every process arrive on pipes and go to one stream, one line each:
`2026-11-26T04:05:06Z flowc[cp-6/0/0] INFO file closed name=… records=…`.
"""
from __future__ import annotations

import itertools
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TextIO

from flowc.runtime.plan import Plan
from flowc.runtime.spool import SpoolDirs

STOP_WAIT = 30.0
START_WAIT = 30.0
REQUEST_WAIT = 10.0
EXPORT_WAIT_AFTER_REPLAY = 10.0


class LogFormat(logging.Formatter):
    """`<UTC time> flowc[<tag>] <LEVEL> <message>`; the tag is the logger name after `flowc.`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))
        tag = record.name.split(".", 1)[1] if record.name.startswith("flowc.") else record.name
        text = f"{stamp} flowc[{tag}] {record.levelname} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class StreamSink:
    """Whole lines to one text stream, from any thread."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lock = threading.Lock()

    def write(self, line: str) -> None:
        with self.lock:
            try:
                self.stream.write(line if line.endswith("\n") else line + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass


class _SinkHandler(logging.Handler):
    def __init__(self, sink: StreamSink) -> None:
        super().__init__()
        self.sink = sink
        self.setFormatter(LogFormat())

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.write(self.format(record))


class _PipeHandler(logging.Handler):
    """A child's log lines, sent to the parent over a one-way pipe."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn
        self.setFormatter(LogFormat())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.conn.send_bytes(self.format(record).encode("utf-8", "replace"))
        except (OSError, ValueError):
            pass


def child_logger(name: str, handler: logging.Handler) -> logging.Logger:
    log = logging.getLogger(f"flowc.{name}")
    for old in list(log.handlers):
        log.removeHandler(old)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return log


# ---------------------------------------------------------------------- child side

def collector_main(plan: Plan, interface: str, conn: Connection, log_conn: Connection,
                   replay: str | None, first: bool, other_ports: frozenset[int]) -> None:
    """Entry point of a collector process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides when to stop
    _die_with_parent()
    log = child_logger(interface, _PipeHandler(log_conn))
    from flowc.runtime.collector import CollectorPipeline

    pipeline = CollectorPipeline(plan, plan.collector(interface), log=log)
    signal.signal(signal.SIGTERM, lambda *_: setattr(pipeline, "stopping", True))
    try:
        pipeline.start(listen=replay is None)
    except OSError as exc:
        where = ", ".join(str(e) for e in pipeline.endpoints)
        conn.send({"event": "error", "error": f"{interface}: cannot listen on {where}: "
                                              f"{exc.strerror or exc}"})
        return
    conn.send({"event": "ready"})
    try:
        if replay is None:
            pipeline.run(poll_control=lambda: _serve(conn, pipeline), control_fd=conn.fileno())
        else:
            _replay(pipeline, Path(replay), first, other_ports, log, lambda: _serve(conn, pipeline))
    except Exception:  # a bug: log it, close what can be closed, let the supervisor restart
        log.exception("collector failed")
        pipeline.stop()
        raise
    pipeline.stop()
    log.info("collector stopped")


def _replay(pipeline: Any, path: Path, first: bool, other_ports: frozenset[int],
            log: logging.Logger, poll_control: Callable[[], None]) -> None:
    from flowc.runtime.receiver import Datagram

    own = {e.port for e in pipeline.endpoints}

    def owns(found: Datagram | str) -> bool:
        if isinstance(found, str):
            return first
        port = found.destination_port
        return port in own or (first and port not in other_ports)

    frames = pipeline.replay(path, owns, poll_control)
    pipeline.writer.close_all("end of replay")
    exported = pipeline.wait_exported(EXPORT_WAIT_AFTER_REPLAY, poll_control)
    log.info("replay done file=%s frames=%d exported=%s", path, frames, "yes" if exported else "no")


def _serve(conn: Connection, pipeline: Any) -> None:
    try:
        while conn.poll():
            message = conn.recv()
            reply = pipeline.handle(message)
            reply["id"] = message.get("id")
            conn.send(reply)
    except (EOFError, OSError):  # the supervisor is gone: stop cleanly
        pipeline.stopping = True


def _die_with_parent() -> None:
    """Ask Linux for SIGTERM when the supervisor dies, so an orphan closes its files."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


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


def spawn_collector(setup: dict[str, Any]) -> tuple[CollectorProcess, Connection, Connection]:
    """Start a collector process; (process, control connection, log connection)."""
    ours, theirs = socket.socketpair()
    log_read, log_write = os.pipe()
    code = f"from flowc.runtime.engine import child_entry; child_entry({theirs.fileno()}, {log_write})"
    popen = subprocess.Popen([sys.executable, "-c", code], pass_fds=(theirs.fileno(), log_write),
                             stdin=subprocess.DEVNULL)
    theirs.close()
    os.close(log_write)
    conn = Connection(ours.detach())
    conn.send(setup)
    return CollectorProcess(popen), conn, Connection(log_read, writable=False)


def child_entry(control_fd: int, log_fd: int) -> None:
    """What a collector process runs: read its setup, then `collector_main`."""
    conn = Connection(control_fd)
    log_conn = Connection(log_fd, readable=False)
    setup = conn.recv()
    collector_main(setup["plan"], setup["interface"], conn, log_conn, setup["replay"],
                   setup["first"], setup["other_ports"])


# ---------------------------------------------------------------------- supervisor

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
        self.ready = False

    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    def request(self, message: dict[str, Any], timeout: float = REQUEST_WAIT) -> dict[str, Any]:
        if not self.lock.acquire(timeout=timeout):
            return {"ok": False, "error": f"{self.interface}: collector process is busy starting"}
        try:
            if self.conn is None or not self.ready or not self.alive():
                return {"ok": False, "error": f"{self.interface}: collector process not running"}
            return self._exchange(message, timeout)
        finally:
            self.lock.release()

    def _exchange(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self.conn is not None
        ident = next(self.ids)
        try:
            self.conn.send({**message, "id": ident})
            deadline = time.monotonic() + timeout
            while self.conn.poll(max(0.0, deadline - time.monotonic())):
                reply = self.conn.recv()
                if reply.get("id") == ident:
                    return reply
        except (EOFError, OSError):
            pass
        return {"ok": False, "error": f"{self.interface}: collector process did not answer"}


class Supervisor:
    """Starts, watches, restarts and stops the collector processes; routes control requests."""

    def __init__(self, plan: Plan, sink: StreamSink, log: logging.Logger,
                 replay: Path | None) -> None:
        self.plan, self.sink, self.log, self.replay = plan, sink, log, replay
        self.children = [Child(c.interface) for c in plan.collectors]
        self.readers: list[threading.Thread] = []

    def start(self, child: Child) -> None:
        index = self.children.index(child)
        other_ports = frozenset(
            e.port for i, c in enumerate(self.plan.collectors) if i != index
            for e in [c.listen, *(x.listen for x in c.inputs if x.listen)])
        setup = {"plan": self.plan, "interface": child.interface, "first": index == 0,
                 "replay": str(self.replay) if self.replay else None, "other_ports": other_ports}
        with child.lock:
            child.ready = False
            child.process, child.conn, log_read = spawn_collector(setup)
        reader = threading.Thread(target=self._pump, args=(log_read,), daemon=True,
                                  name=f"log {child.interface}")
        reader.start()
        self.readers.append(reader)

    def _pump(self, conn: Connection) -> None:
        try:
            while True:
                self.sink.write(conn.recv_bytes().decode("utf-8", "replace"))
        except (EOFError, OSError):
            conn.close()

    def wait_ready(self, child: Child) -> str | None:
        """None once the child listens, else the reason it could not start."""
        assert child.conn is not None
        with child.lock:
            try:
                if child.conn.poll(START_WAIT):
                    event = child.conn.recv()
                    child.ready = event.get("event") == "ready"
                    return None if child.ready else str(event.get("error"))
            except (EOFError, OSError):
                pass
        return f"{child.interface}: collector process ended before it was ready"

    def watch(self, now: float) -> None:
        """Restart dead children (live mode), with a growing delay."""
        for child in self.children:
            if child.alive() or child.process is None:
                continue
            if child.next_start == 0.0:
                child.restarts += 1
                delay = min(30.0, 2.0 ** min(child.restarts - 1, 5))
                child.next_start = now + delay
                self.log.error("collector %s exited code=%s; restarting in %.0fs",
                               child.interface, child.process.exitcode, delay)
            elif now >= child.next_start:
                child.next_start = 0.0
                self.start(child)
                problem = self.wait_ready(child)
                if problem:
                    self.log.error("%s", problem)

    def stop_all(self) -> None:
        for child in self.children:
            if child.alive():
                child.request({"op": "stop"}, timeout=2.0)
        deadline = time.monotonic() + STOP_WAIT
        for child in self.children:
            if child.process is not None:
                child.process.join(max(0.1, deadline - time.monotonic()))
                if child.process.is_alive():
                    self.log.error("collector %s did not stop; terminating", child.interface)
                    child.process.terminate()
                    child.process.join(5.0)
        for reader in self.readers:
            reader.join(2.0)

    # ------------------------------------------------------------------ control routing
    def handle(self, message: dict[str, Any]) -> dict[str, Any]:
        op = message.get("op")
        if op == "stop":
            return {"ok": True, "stopping": True}
        targets = self._targets(str(message.get("interface", "all")))
        if isinstance(targets, str):
            return {"ok": False, "error": targets}
        if op == "show":
            return {"ok": True, "collectors": [self._snapshot(c) for c in targets]}
        if op == "clear":
            replies = [c.request({"op": "clear"}) for c in targets]
            return {"ok": all(r.get("ok") for r in replies),
                    "collectors": [{"interface": c.interface, "state": r.get("state", "Not running")}
                                   for c, r in zip(targets, replies)]}
        if op in ("change-destination", "test-file-transfer"):
            replies = [c.request(message) for c in targets]
            if len(replies) == 1:
                return replies[0] if "message" in replies[0] else {**replies[0], "message": replies[0].get("error", "")}
            return {"ok": all(r.get("ok") for r in replies), "interface": "all",
                    "state": "Collecting flows",
                    "message": "; ".join(f"{c.interface}: {r.get('message', r.get('error', ''))}"
                                         for c, r in zip(targets, replies))}
        return {"ok": False, "error": f"unknown request {op!r}"}

    def _targets(self, interface: str) -> list[Child] | str:
        if interface == "all":
            return list(self.children)
        for child in self.children:
            if child.interface == interface:
                return [child]
        known = ", ".join(c.interface for c in self.children) or "none"
        return f"{interface} is not a flow collector interface of this engine (it runs: {known})"

    def _snapshot(self, child: Child) -> dict[str, Any]:
        reply = child.request({"op": "show"})
        if reply.get("ok"):
            return dict(reply["snapshot"])
        return empty_snapshot(child.interface, "Not running", self.plan.memory_budget)


def empty_snapshot(interface: str, state: str, budget: int) -> dict[str, Any]:
    """A snapshot of zeros for a collector whose process is not answering."""
    from flowc.runtime.stats import CollectorStats

    stats = CollectorStats().snapshot()
    return {"interface": interface, "state": state, "memory": {"used": 0, "free": budget},
            "counters": stats["counters"], "ftp_failures": 0, "drops": stats["drops"],
            "channels": [], "inputs": [], "files": []}


# ---------------------------------------------------------------------- run_plan

def run_plan(plan: Plan, *, replay: Path | None = None, stop_after: float | None = None,
             log_stream: TextIO | None = None) -> int:
    """Run every collector of `plan` until a signal, `stop_after` seconds, or a replay's end."""
    sink = StreamSink(log_stream or sys.stderr)
    log = child_logger("engine", _SinkHandler(sink))
    if not plan.collectors:
        log.error("the plan has no collector (cp-) interface: nothing to run")
        return 1
    if replay is not None and (problem := _unreadable_pcap(replay)):
        log.error("%s", problem)
        return 2
    for collector in plan.collectors:
        SpoolDirs.for_collector(plan.spool, collector.interface).create()
    supervisor = Supervisor(plan, sink, log, replay)
    stop = StopFlag()
    restore = _install_signals(stop)
    try:
        return _run(plan, supervisor, stop, stop_after, replay, log)
    finally:
        restore()


def _unreadable_pcap(path: Path) -> str | None:
    from flowc.runtime.receiver import PcapError, read_pcap

    try:
        next(read_pcap(Path(path)), None)
    except PcapError as exc:
        return str(exc)
    except OSError as exc:
        return f"{path}: cannot read: {exc.strerror or exc}"
    return None


def _run(plan: Plan, supervisor: Supervisor, stop: StopFlag, stop_after: float | None,
         replay: Path | None, log: logging.Logger) -> int:
    from flowc.runtime.control import ControlError, ControlServer

    for child in supervisor.children:
        supervisor.start(child)
    problems = [p for p in (supervisor.wait_ready(c) for c in supervisor.children) if p]
    if problems:
        for problem in problems:
            log.error("%s", problem)
        supervisor.stop_all()
        return 2
    server = ControlServer(plan.control, _control_handler(supervisor, stop))
    try:
        server.start()
    except (ControlError, OSError) as exc:
        log.error("control socket %s: %s", plan.control, exc)
        supervisor.stop_all()
        return 2
    log.info("engine started collectors=%s control=%s", ",".join(c.interface for c in supervisor.children),
             plan.control)
    try:
        _wait(supervisor, stop, stop_after, replay is not None)
    finally:
        log.info("engine stopping reason=%s", stop.reason or "exception")
        supervisor.stop_all()
        server.stop()
    log.info("engine stopped")
    return 0


def _control_handler(supervisor: Supervisor, stop: StopFlag) -> Callable[[dict], dict]:
    def handler(message: dict) -> dict:
        reply = supervisor.handle(message)
        if message.get("op") == "stop":
            stop.set("stop request")
        return reply

    return handler


def _wait(supervisor: Supervisor, stop: StopFlag, stop_after: float | None,
          replaying: bool) -> None:
    deadline = None if stop_after is None else time.monotonic() + stop_after
    while not stop.stopped:
        time.sleep(0.1)
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            stop.set("duration")
        elif replaying:
            if not any(c.alive() for c in supervisor.children):
                stop.set("end of replay")
        else:
            supervisor.watch(now)


class StopFlag:
    """Set from a signal handler or the control thread; polled by the main loop.

    A plain attribute on purpose: a signal handler that takes a lock (an Event, a
    logging handler) can deadlock against the very code it interrupted."""

    def __init__(self) -> None:
        self.stopped = False
        self.reason = ""

    def set(self, reason: str) -> None:
        self.reason = self.reason or reason
        self.stopped = True


def _install_signals(stop: StopFlag) -> Callable[[], None]:
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def on_signal(number: int, _frame: object) -> None:
        stop.set(signal.Signals(number).name)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for number, handler in old.items():
            signal.signal(number, handler)

    return restore
