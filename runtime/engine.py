"""The composition root: a plan in, one collector process per cp- interface, supervised.

`run_plan()` creates the spool directories, starts one collector process per collector
(so two collectors use two cores; `flowc.runtime.processes.supervisor`), waits until each listens
(or reports why it cannot), serves the control socket at `plan.control` and routes its
requests to the collectors, restarts a collector process that dies (its crash-left files
are recovered by the new one), reloads on SIGHUP when given a `reload_source`, and on
SIGINT/SIGTERM (or `stop_after`, or the end of a replay) asks every collector to close
and publish its files, then returns an exit code: 0 stopped cleanly, 1 the plan has no
collector or a collector had to be killed (SIGKILL) to stop, 2 a collector could not start
or the replay file is unreadable. Every collector process is gone when it returns.

Logs from every process go to one stream (`flowc.runtime.processes.logline`).
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from flowc.runtime.files.descriptors import raise_open_file_limit
from flowc.runtime.files.spool import SpoolDirs
from flowc.runtime.ingest.hotpath import describe
from flowc.runtime.ingest.inputs import endpoints
from flowc.runtime.ingest.sockets import ListenError
from flowc.runtime.ops.codec import answer
from flowc.runtime.ops.control import Handler
from flowc.runtime.ops.messages import Failure, ReloadReply, Reply, Request, Stop
from flowc.runtime.ops.notify import Notifier
from flowc.runtime.ops.wire import Wire
from flowc.runtime.plan.model import Plan
from flowc.runtime.processes.logline import SinkHandler, StreamSink, child_logger
from flowc.runtime.processes.preflight import SpoolLock, SpoolLocked, startup_problems
from flowc.runtime.processes.supervisor import Supervisor

if TYPE_CHECKING:
    from flowc.runtime.ops.health import Verdict


def run_plan(plan: Plan, *, replay: Path | None = None, stop_after: float | None = None,
             log_stream: TextIO | None = None,
             reload_source: Callable[[], Plan] | None = None,
             only: frozenset[str] | None = None) -> int:
    """Run every collector of `plan` until a signal, `stop_after` seconds, or a replay's end.

    `reload_source` (optional) makes a fresh plan from wherever this one came from: SIGHUP
    and a `{"op": "reload"}` request without a plan apply what it returns (docs/reload.md).
    `only` (`flowc run --collector`): a reloaded plan keeps just these collectors.
    """
    sink = StreamSink(log_stream or sys.stderr)
    log = child_logger("engine", SinkHandler(sink))
    log.info("engine starting hot-path=%s", describe())
    if not plan.collectors:
        log.error("the plan has no collector (cp-) interface: nothing to run")
        return 1
    if replay is not None and (problem := _unreadable_pcap(replay)):
        log.error("%s", problem)
        return 2
    problems = startup_problems(plan)
    for problem in problems:
        log.error("%s", problem)
    if problems:
        return 2
    umask = os.umask(0o077)  # spool, transfer logs: 0600 files, 0700 directories (children inherit it)
    before, now = raise_open_file_limit()  # many exporters, many open files (children inherit it)
    if now != before:
        log.info("open files limit raised from %d to %d", before, now)
    lock = SpoolLock(plan.spool)
    try:
        lock.acquire()
        for collector in plan.collectors:
            SpoolDirs.for_collector(plan.spool, collector.interface).create()
        return _supervise(plan, sink, log, RunOptions(replay, stop_after, reload_source, only))
    except (SpoolLocked, OSError) as exc:
        log.error("%s", exc if isinstance(exc, SpoolLocked) else f"spool {plan.spool}: {exc.strerror or exc}")
        return 2
    finally:
        lock.release()
        os.umask(umask)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How `run_plan` was asked to run (see its docstring)."""

    replay: Path | None
    stop_after: float | None
    reload_source: Callable[[], Plan] | None
    only: frozenset[str] | None


def _supervise(plan: Plan, sink: StreamSink, log: logging.Logger, options: RunOptions) -> int:
    supervisor = Supervisor(plan, sink, log, options.replay)
    supervisor.reload_source = options.reload_source
    supervisor.only = options.only
    stop = StopFlag()
    restore = _install_signals(stop)
    try:
        return _run(plan, supervisor, stop, options.stop_after, options.replay, log)
    finally:
        restore()


def _unreadable_pcap(path: Path) -> str | None:
    from flowc.runtime.ingest.pcap import PcapError, read_pcap

    try:
        next(read_pcap(Path(path)), None)
    except PcapError as exc:
        return str(exc)
    except OSError as exc:
        return f"{path}: cannot read: {exc.strerror or exc}"
    return None


def _run(plan: Plan, supervisor: Supervisor, stop: StopFlag, stop_after: float | None,
         replay: Path | None, log: logging.Logger) -> int:
    try:
        probes = _start_probes(plan, supervisor, log)
    except OSError as exc:
        log.error("metrics listener %s: %s", plan.metrics, exc.strerror or exc)
        return 2
    try:
        return _serve(plan, supervisor, stop, stop_after, replay, log, probes)
    finally:
        if probes is not None:
            probes.stop()


def _serve(plan: Plan, supervisor: Supervisor, stop: StopFlag, stop_after: float | None,
           replay: Path | None, log: logging.Logger, probes: Probes | None) -> int:
    from flowc.runtime.ops.control import ControlError, ControlServer

    problems = []
    if replay is None:  # bind every socket first: a taken port stops everything before it starts
        for child in supervisor.children:
            try:
                supervisor.sockets.ensure(endpoints(plan.collector(child.interface)))
            except ListenError as exc:
                problems.append(f"{child.interface}: {exc}")
        if problems:
            for problem in problems:
                log.error("%s", problem)
            supervisor.sockets.close()
            return 2
    for child in supervisor.children:
        try:
            supervisor.start(child)
        except ListenError as exc:
            problems.append(f"{child.interface}: {exc}")
    if not problems:
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
    if probes is not None:
        probes.readiness.bound = True
    notifier = Notifier()
    notifier.send("READY=1")
    try:
        _wait(supervisor, stop, stop_after, replay is not None, notifier)
    finally:
        log.info("engine stopping reason=%s", stop.reason or "exception")
        notifier.send("STOPPING=1")
        if probes is not None:
            probes.readiness.stopping = True
        supervisor.stop_all()
        server.stop()
    if supervisor.killed:
        log.error("engine stopped; had to kill collector(s) %s (exit code 1)", ",".join(supervisor.killed))
        return 1
    log.info("engine stopped")
    return 0


class Probes:
    """The engine's HTTP listener (`flowc.runtime.ops.listener`) and the readiness it reports."""

    def __init__(self, plan: Plan, supervisor: Supervisor, log: logging.Logger) -> None:
        from prometheus_client import CollectorRegistry, ProcessCollector

        from flowc.runtime.ops.health import Readiness
        from flowc.runtime.ops.listener import OpsListener
        from flowc.runtime.ops.metrics import SnapshotCollector

        assert plan.metrics is not None
        self.supervisor = supervisor
        self.readiness = Readiness(tuple(SpoolDirs.for_collector(plan.spool, c.interface).active
                                         for c in plan.collectors))
        self.readiness.plan_loaded = True
        registry = CollectorRegistry(auto_describe=False)
        registry.register(SnapshotCollector(supervisor.snapshots))  # what `show … all` prints
        ProcessCollector(registry=registry)
        self.listener = OpsListener(plan.metrics, registry, self.liveness, self.readiness.verdict, log)

    def liveness(self) -> Verdict:
        from flowc.runtime.ops.health import Check, Verdict

        return Verdict(tuple(
            Check(f"collector {c.interface}", c.ok,
                  f"receive loop turning (last tick {c.loop_age} s ago)" if c.ok else c.error)
            for c in self.supervisor.health()))

    def stop(self) -> None:
        self.listener.stop()


def _start_probes(plan: Plan, supervisor: Supervisor, log: logging.Logger) -> Probes | None:
    """The HTTP listener when the plan asks for one (OSError when it cannot bind)."""
    if plan.metrics is None:
        return None
    probes = Probes(plan, supervisor, log)
    probes.listener.start()
    log.info("metrics listener http://%s/metrics (also /healthz, /readyz)", probes.listener.address)
    return probes


def _control_handler(supervisor: Supervisor, stop: StopFlag) -> Handler:
    """The control socket's handler: the codec around `supervisor.handle`."""
    def handle(request: Request) -> Reply:
        reply = supervisor.handle(request)
        if isinstance(request, Stop):
            stop.set("stop request")
        return reply

    def handler(message: Wire) -> Wire:
        return answer(handle, message)

    return handler


def _wait(supervisor: Supervisor, stop: StopFlag, stop_after: float | None,
          replaying: bool, notifier: Notifier) -> None:
    deadline = None if stop_after is None else time.monotonic() + stop_after
    while not stop.stopped:
        time.sleep(0.1)
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            stop.set("duration")
        elif replaying:
            supervisor.run_jobs()
            if not any(c.alive() for c in supervisor.children):
                stop.set("end of replay")
        else:
            supervisor.run_jobs()
            supervisor.watch(now)
            notifier.tick(lambda: all(h.ok for h in supervisor.health()), now)
            if stop.reload:
                stop.reload = False
                _reload(supervisor)


def _reload(supervisor: Supervisor) -> None:
    match supervisor.reload(None):
        case ReloadReply(error=None, message=message):
            supervisor.log.info("SIGHUP: %s", message or "")
        case ReloadReply(error=error) | Failure(error=error):
            supervisor.log.error("SIGHUP: reload refused: %s", error)


class StopFlag:
    """Set from a signal handler or the control thread; polled by the main loop.

    A plain attribute on purpose: a signal handler that takes a lock (an Event, a
    logging handler) can deadlock against the very code it interrupted."""

    def __init__(self) -> None:
        self.stopped = False
        self.reason = ""
        self.reload = False

    def set(self, reason: str) -> None:
        self.reason = self.reason or reason
        self.stopped = True


def _install_signals(stop: StopFlag) -> Callable[[], None]:
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def on_signal(number: int, _frame: object) -> None:
        if number == signal.SIGHUP:
            stop.reload = True
        else:
            stop.set(signal.Signals(number).name)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}

    def restore() -> None:
        for number, handler in old.items():
            signal.signal(number, handler)

    return restore
