"""The supervisor: starts, watches, restarts, reconfigures and stops collector processes,
and routes control requests to them.

Each collector runs in a child process (`flowc.runtime.processes.handle`, `flowc.runtime.processes.child`);
the supervisor binds the listening sockets and lends them (`flowc.runtime.ingest.sockets`), so a
child that dies is restarted (after 1, 2, 4 … at most 30 seconds; back to 1 s once it
ran HEALTHY seconds) on the same socket. `apply(new_plan)` is live reload
(docs/reload.md): collectors are started, stopped, restarted or handed new export
settings according to `flowc.runtime.plan.delta`.

A collector that does not answer (stopped, hung) never holds the others up: `show … all`,
`/metrics` and `/healthz` ask every collector at once and show a silent one as "Not
responding"; `stop_all` ends every child before it returns (SIGTERM, then SIGKILL after
KILL_GRACE; `killed` names those it had to kill).
"""
from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from flowc.runtime.ingest.inputs import endpoints
from flowc.runtime.ingest.sockets import ListenSockets
from flowc.runtime.ops.codec import decode_event
from flowc.runtime.ops.messages import (
    ChangeDestination,
    Clear,
    Cleared,
    ClearReply,
    CollectorHealth,
    Failure,
    Health,
    Heartbeat,
    Ready,
    Reload,
    ReloadReply,
    Reply,
    Request,
    Routed,
    Show,
    SnapshotReply,
    Snapshots,
    StartFailed,
    State,
    Stop,
    Stopping,
    TestFileTransfer,
    ok,
)
from flowc.runtime.ops.wire import MessageError
from flowc.runtime.plan.model import Plan, PlanError, loads_plan
from flowc.runtime.processes.handle import Child, ChildSetup, spawn_collector
from flowc.runtime.processes.logline import StreamSink
from flowc.runtime.processes.reload import apply_plan
from flowc.runtime.stats import CollectorSnapshot, CollectorStats

STOP_WAIT = 30.0
START_WAIT = 30.0
RELOAD_WAIT = 180.0
HEALTH_WAIT = 2.0  # a receive loop that does not answer within this is not turning
SHOW_WAIT = 1.5  # show … all and /metrics: collectors asked at once, those silent this long "Not responding"
KILL_GRACE = 5.0  # after SIGTERM, a child still there is killed (SIGKILL)
NOT_RESPONDING, NOT_RUNNING = "Not responding", "Not running"
HEALTHY = 30.0  # a collector that ran this long is restarted after 1 s again when it dies


class Supervisor:
    """Starts, watches, restarts and stops the collector processes; routes control requests."""

    def __init__(self, plan: Plan, sink: StreamSink, log: logging.Logger,
                 replay: Path | None) -> None:
        self.plan, self.sink, self.log, self.replay = plan, sink, log, replay
        self.children = [Child(c.interface) for c in plan.collectors]
        self.readers: list[threading.Thread] = []
        self.sockets = ListenSockets()
        self.changing = threading.RLock()  # watch, reload and stop never interleave
        self.reload_source: Callable[[], Plan] | None = None
        self.only: frozenset[str] | None = None  # `flowc run --collector`: reloads keep these
        self.killed: list[str] = []  # collectors that had to be killed (SIGKILL) at a stop
        # Children must be started by a thread that outlives them (PR_SET_PDEATHSIG fires
        # when the *thread* that forked a child ends), so work asked for on a control
        # thread runs on the thread that runs the engine, via `jobs`.
        self.owner = threading.current_thread()
        self.jobs: queue.SimpleQueue[tuple[Callable[[], ReloadReply | Failure], list[ReloadReply | Failure],
                                           threading.Event]] = queue.SimpleQueue()

    def start(self, child: Child) -> None:
        index = self.children.index(child)
        other_ports = frozenset(
            e.port for i, c in enumerate(self.plan.collectors) if i != index
            for e in [c.listen, *(x.listen for x in c.inputs if x.listen)])
        setup = ChildSetup(self.plan, child.interface, first=index == 0,
                           replay=str(self.replay) if self.replay else None, other_ports=other_ports)
        lent = None if self.replay else self.sockets.ensure(endpoints(self.plan.collectors[index]))
        with child.lock:
            child.ready = False
            child.started = time.monotonic()
            child.process, child.conn, log_read = spawn_collector(setup, lent)
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
                    match decode_event(child.conn.recv()):
                        case Ready():
                            child.ready = True
                            return None
                        case StartFailed(error=error):
                            return error
            except MessageError as exc:
                return f"{child.interface}: collector process said what flowc cannot read: {exc}"
            except (EOFError, OSError):
                pass
        return f"{child.interface}: collector process ended before it was ready"

    def watch(self, now: float) -> None:
        """Restart dead children (live mode), with a growing delay."""
        with self.changing:
            for child in self.children:
                if not child.alive() and child.process is not None:
                    self._revive(child, now)

    def _revive(self, child: Child, now: float) -> None:
        if child.next_start == 0.0:
            if now - child.started >= HEALTHY:
                child.restarts = 0  # a crash after a healthy run is not part of a loop
            child.restarts += 1
            delay = min(30.0, 2.0 ** min(child.restarts - 1, 5))
            child.next_start = now + delay
            self.log.error("collector %s exited code=%s; restarting in %.0fs",
                           child.interface, child.process.exitcode, delay)
        elif now >= child.next_start:
            child.next_start = 0.0
            try:
                self.start(child)
            except OSError as exc:
                self.log.error("collector %s cannot restart: %s", child.interface, exc)
                return
            problem = self.wait_ready(child)
            if problem:
                self.log.error("%s", problem)

    def stop_one(self, child: Child) -> None:
        """Stop one collector as on SIGTERM: its files are closed and published."""
        if child.alive():
            child.request(Stop(), State, timeout=2.0)
        self._join(child, time.monotonic() + STOP_WAIT)

    def _join(self, child: Child, deadline: float) -> None:
        """Wait for the child until `deadline`; then SIGTERM, and SIGKILL after KILL_GRACE."""
        if child.process is None:
            return
        child.process.join(max(0.1, deadline - time.monotonic()))
        if child.process.is_alive():
            self.log.error("collector %s did not stop; terminating (SIGKILL after %.0f s)",
                           child.interface, KILL_GRACE)
            if child.process.end(KILL_GRACE):
                self.killed.append(child.interface)
                self.log.error("collector %s killed (SIGKILL); its open files are recovered at the "
                               "next start", child.interface)

    def stop_all(self) -> None:
        """Ask every collector to stop (at once); wait STOP_WAIT for those that said yes, none
        for those that did not answer; every child is gone when this returns."""
        with self.changing:
            alive = [c for c in self.children if c.alive()]
            said = fan_out(alive, lambda c: ok(c.request(Stop(), State, timeout=2.0)), 2.5, lambda c: False)
            agreed = {c.interface for c, yes in zip(alive, said) if yes}
            deadline = time.monotonic() + STOP_WAIT
            for child in self.children:
                self._join(child, deadline if child.interface in agreed else 0.0)
            self.sockets.close()
        for reader in self.readers:
            reader.join(2.0)

    def run_jobs(self) -> None:
        """Run what other threads asked of the engine's own thread."""
        while not self.jobs.empty():
            job, box, done = self.jobs.get()
            try:
                box.append(job())
            except Exception as exc:  # an engine bug must not end the engine
                self.log.exception("request failed")
                box.append(Failure(f"internal error: {exc}"))
            done.set()

    def reload(self, text: str | None) -> ReloadReply | Failure:
        """A new plan (plan text, or the engine's own source when None), applied live."""
        if threading.current_thread() is self.owner:
            return self._reload(text)
        box: list[ReloadReply | Failure] = []
        done = threading.Event()
        self.jobs.put((lambda: self._reload(text), box, done))
        if not done.wait(RELOAD_WAIT):
            return Failure("the engine did not get to the reload in time")
        return box[0]

    def _reload(self, text: str | None) -> ReloadReply | Failure:
        if self.replay is not None:
            return Failure("a replay cannot be reloaded")
        try:
            if text is not None:
                plan = loads_plan(text, "<reload>")
            elif self.reload_source is not None:
                plan = self.reload_source()
            else:
                return Failure("this engine was started without a source to reload; send the new plan")
        except PlanError as exc:
            return Failure(str(exc))
        except Exception as exc:  # the source's own errors (a config that does not compile …)
            return Failure(f"cannot reload: {exc}")
        if self.only is not None:
            missing = sorted(self.only - {c.interface for c in plan.collectors})
            if missing:
                return Failure(f"the new plan has no collector {', '.join(missing)}, which this engine was "
                               "started to run (--collector); nothing was changed")
            plan = dataclasses.replace(plan, collectors=tuple(
                c for c in plan.collectors if c.interface in self.only))
        return apply_plan(self, plan)

    # ------------------------------------------------------------------ control routing
    def handle(self, request: Request) -> Reply:
        """Answer a control request of the socket: the engine's own, or routed to collectors."""
        match request:
            case Stop():
                return Stopping()
            case Reload(plan=plan):
                return self.reload(plan)
            case Show() | Clear() | ChangeDestination() | TestFileTransfer():
                targets = self._targets(request.interface)
                if isinstance(targets, str):
                    return Failure(targets)
                return self._route(request, targets)
        return Failure(f"unknown request {type(request).__name__.lower()!r}")

    def _route(self, request: Routed, targets: list[Child]) -> Reply:
        match request:
            case Show():
                return Snapshots(tuple(self._snapshots(targets)))
            case Clear():
                replies = fan_out(targets, lambda c: c.request(Clear(), State, timeout=SHOW_WAIT), SHOW_WAIT + 0.3,
                                  lambda c: Failure(f"{c.interface}: collector process not responding"))
                return ClearReply(all(ok(r) for r in replies), tuple(
                    Cleared(c.interface, r.state if isinstance(r, State) else self._silent(c)["state"])
                    for c, r in zip(targets, replies)))
        return _combined([(c.interface, c.request(request, State)) for c in targets])

    def snapshots(self) -> list[CollectorSnapshot]:
        """Every collector's snapshot: the answer to `show … interface all` (and `/metrics`)."""
        return self._snapshots(self.children)

    def health(self) -> list[CollectorHealth]:
        """Each collector's heartbeat: only a turning receive loop answers (`/healthz`)."""
        replies = fan_out(self.children, lambda c: c.request(Health(), Heartbeat, timeout=HEALTH_WAIT),
                          HEALTH_WAIT + 0.5, lambda c: Failure(f"{c.interface}: collector process not responding"))
        return [CollectorHealth(c.interface, True, r.loop_age, "") if isinstance(r, Heartbeat)
                else CollectorHealth(c.interface, False, 0.0, r.error) for c, r in zip(self.children, replies)]

    def _targets(self, interface: str) -> list[Child] | str:
        if interface == "all":
            return list(self.children)
        for child in self.children:
            if child.interface == interface:
                return [child]
        known = ", ".join(c.interface for c in self.children) or "none"
        return f"{interface} is not a flow collector interface of this engine (it runs: {known})"

    def _snapshots(self, children: list[Child]) -> list[CollectorSnapshot]:
        """Every child asked at once; one that does not answer within SHOW_WAIT is shown as
        "Not responding" (alive: stopped, hung) or "Not running" (dead), with zeros."""
        return fan_out(children, self._snapshot, SHOW_WAIT + 0.3, self._silent)

    def _snapshot(self, child: Child) -> CollectorSnapshot:
        reply = child.request(Show(), SnapshotReply, timeout=SHOW_WAIT)
        if isinstance(reply, SnapshotReply):
            return reply.snapshot
        return self._silent(child)

    def _silent(self, child: Child) -> CollectorSnapshot:
        alive = child.alive()
        snap = empty_snapshot(child.interface, NOT_RESPONDING if alive and child.ready else NOT_RUNNING,
                              self.plan.memory_budget)
        if alive and child.process is not None:
            snap["pid"] = child.process.pid
        return snap


T = TypeVar("T")


def fan_out(children: list[Child], ask: Callable[[Child], T], wait: float,
            silent: Callable[[Child], T]) -> list[T]:
    """`ask(child)` for every child on its own thread, at once; `silent(child)` for each
    that has not answered within `wait` seconds (its thread ends on its own timeout)."""
    if len(children) <= 1:
        return [ask(c) for c in children]
    answers: dict[int, T] = {}

    def one(index: int, child: Child) -> None:
        answers[index] = ask(child)

    threads = [threading.Thread(target=one, args=(i, c), daemon=True, name=f"ask {c.interface}")
               for i, c in enumerate(children)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + wait
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [answers[i] if i in answers else silent(c) for i, c in enumerate(children)]


def empty_snapshot(interface: str, state: str, budget: int) -> CollectorSnapshot:
    """A snapshot of zeros for a collector whose process is not answering."""
    stats = CollectorStats().snapshot()
    return {"interface": interface, "state": state, "memory": {"used": 0, "free": budget},
            "counters": stats["counters"], "ftp_failures": 0, "drops": stats["drops"],
            "transfer_log": stats["transfer_log"], "since": stats["since"],
            "faults": stats["faults"], "channels": [], "inputs": [], "files": []}


def _combined(replies: list[tuple[str, State | Failure]]) -> Reply:
    """change-destination / test-file-transfer: one collector's answer, or one line for all."""
    if len(replies) == 1:
        reply = replies[0][1]
        return reply if isinstance(reply, State) else Failure(reply.error, reply.message or reply.error)
    text = "; ".join(f"{name}: {r.message or '' if isinstance(r, State) else r.error}" for name, r in replies)
    return State(all(ok(r) for _, r in replies), "all", "Collecting flows", text)
