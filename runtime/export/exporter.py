"""The exporter stage: closed flow files in the spool's ready/ -> FTP servers.

Two export channels (cp- units 0 and 1) take files from one queue, oldest first; a file
belongs to one channel at a time. A channel uploads to its current server (primary at
start): `retry` extra attempts `retry-delay` seconds apart, then it marks the server
Failed, switches to the other server (an automatic switchover, logged) and tries there.
When every configured server failed for a file, the file goes back to the queue and the
channel backs off (`retry-delay` or 1 s, doubled each round, at most 300 s) before it takes
a file again; any success, reload or `change-destination` ends the back-off. A file leaves ready/ only after the
server acknowledged it; nothing is ever dropped here.

`reconfigure(collector, plan)` (live reload) swaps destinations, channels and retry
settings at the point where `change-destination gracefully` takes effect: a file a
channel takes from now on uses the new settings; an upload under way (with its retries)
finishes with the servers and retry policy it started with.

Every attempt is a line in the transfer log (`flowc.runtime.export.translog`), whose lifecycle
runs on its own thread. Waits are measured on the injected `Clock`, polled every 50 ms
of real time, so `stop()` is prompt and a `ManualClock` drives every delay in tests.
"""
from __future__ import annotations

import bisect
import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flowc.runtime.clock import Clock
from flowc.runtime.export.deadline import DeadlinePolicy
from flowc.runtime.export.failure import FtpAborted, FtpDeadline, FtpFailure
from flowc.runtime.export.ftp import (
    SETTLED,
    FtplibTransport,
    FtpTransport,
    UploadRequest,
    UploadResult,
    display_url,
    expand_path,
)
from flowc.runtime.export.history import AttemptHistory
from flowc.runtime.export.translog import ArchiveSetup, TransferRecord, Translog
from flowc.runtime.files.recovery import waiting_files
from flowc.runtime.files.spool import ClosedFile, SpoolDirs
from flowc.runtime.plan.model import Channel, Collector, FtpTarget, Plan, Role, slug
from flowc.runtime.stats import ChannelView, CounterSink, ExportSnapshot, FileView

POLL = 0.05
MAX_BACKOFF = 300.0
ROLES: tuple[Role, Role] = ("primary", "secondary")


class Outcome(enum.Enum):
    DONE = "done"
    FAILED = "failed"
    ABORTED = "aborted"


@dataclass(slots=True)
class ChannelState:
    """One export channel: its current server and what it thinks of each server."""

    channel: Channel
    current: Role = "primary"
    state: dict[str, str] = field(default_factory=lambda: {"primary": "OK", "secondary": "OK"})
    abort: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)  # new settings: end the back-off
    busy: tuple[ClosedFile, Role] | None = None   # the file and server while uploading
    failed_at: float = 0.0                          # clock.monotonic() when the last attempt failed
    thread: threading.Thread | None = None
    retired: bool = False                           # removed by a reload: ends after its file


class Exporter:
    """Uploads one collector's closed files; see the module docstring."""

    def __init__(self, plan: Plan, collector: Collector, dirs: SpoolDirs, stats: CounterSink,
                 clock: Clock, log: logging.Logger, transport: FtpTransport | None = None) -> None:
        self.plan, self.collector, self.dirs = plan, collector, dirs
        self.stats, self.clock, self.log = stats, clock, log
        self.transport = transport or FtplibTransport(deadline_clock=clock)
        self.targets: dict[str, FtpTarget] = {d.role: d.target for d in collector.destinations}
        channels = collector.channels or (Channel(0), Channel(1))
        self.channels = [ChannelState(c) for c in sorted(channels, key=lambda c: c.index)]
        first = self.channels[0].channel
        setup = ArchiveSetup(plan.transfer_log, plan.host_name, first.dscp, first.rate_bps)
        self.translog = Translog(setup, dirs.translog, clock, self.transport, log, stats)
        self.tag = slug(collector.interface)
        self.name_lock = dirs.root.parent / ".names.lock"
        self.translog.tag, self.translog.name_lock = self.tag, self.name_lock
        self.translog.policy = self.policy = DeadlinePolicy.of(plan.ftp_minimum_rate,
                                                               plan.ftp_deadline_allowance)
        self._cond = threading.Condition()
        self._queue: list[tuple[float, str, Path, ClosedFile]] = []
        self._attempts: dict[str, int] = {}
        self.history = AttemptHistory(dirs, log)
        self._failures = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.dirs.create()
        for path, closed in waiting_files(self.dirs, self.log):
            self.history.found_at_start(closed.name, self.targets)
            self.submit(path, closed)
        if not self.targets:
            self.log.warning("%s: no destination configured; files wait in %s",
                             self.collector.interface, self.dirs.ready)
        for state in self.channels:
            state.thread = self.spawn(f"export-{state.channel.index}", self._run, state)
        self.spawn("translog", self._run_translog)

    def spawn(self, name: str, target: Callable[..., object], *args: object) -> threading.Thread:
        thread = threading.Thread(target=target, args=args, daemon=True,
                                  name=f"{self.collector.interface} {name}")
        thread.start()
        self._threads.append(thread)
        return thread

    def submit(self, path: Path, closed: ClosedFile) -> None:
        with self._cond:
            if closed.name in self._attempts:
                return
            self._attempts[closed.name] = 0
            bisect.insort(self._queue, (closed.closed, closed.name, path, closed),
                          key=lambda item: item[:2])
            self._cond.notify()

    def stop(self, timeout: float = 10.0) -> None:
        """Let in-flight uploads finish (abort them after `timeout`); queued files stay."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        if any(t.is_alive() for t in self._threads):
            for state in self.channels:
                state.abort.set()
            for thread in self._threads:
                thread.join(2.0)

    # ------------------------------------------------------------ channel loop
    def _run(self, state: ChannelState) -> None:
        rounds = 0
        while not self._stop.is_set() and not state.retired:
            item = self._take(state)
            if item is None:
                continue
            path, closed = item
            try:
                done = self._export(state, path, closed)
            except Exception:  # a bug or a spool error: never the end of the channel
                self.stats.add("export_errors")
                self.log.exception("%s export channel %d: unexpected error with %s; it stays queued",
                                   self.collector.interface, state.channel.index, closed.name)
                done = False
            self._release(state, path, closed, done)
            rounds = 0 if done else rounds + 1
            if rounds:
                self._pause(self._backoff(rounds), state, since=state.failed_at, wake=state.wake)
            if state.wake.is_set():  # a reload or change-destination: the next round starts afresh
                state.wake.clear()
                rounds = 0

    def _backoff(self, rounds: int) -> float:
        return float(min(MAX_BACKOFF, max(1.0, float(self.plan.retry_delay)) * 2 ** (rounds - 1)))

    def _take(self, state: ChannelState) -> tuple[Path, ClosedFile] | None:
        with self._cond:
            if not self._queue or not self.targets or state.retired:
                self._cond.wait(POLL * 4)
                return None
            _, _name, path, closed = self._queue.pop(0)
            state.busy = (closed, state.current)
            return path, closed

    def _release(self, state: ChannelState, path: Path, closed: ClosedFile, done: bool) -> None:
        with self._cond:
            state.busy = None
            if done or not path.exists():
                self._attempts.pop(closed.name, None)
                self.history.forget(closed.name)
                return
            bisect.insort(self._queue, (closed.closed, closed.name, path, closed),
                          key=lambda item: item[:2])
            self._cond.notify()

    def _pause(self, seconds: float, state: ChannelState | None = None,
               since: float | None = None, wake: threading.Event | None = None) -> None:
        deadline = (self.clock.monotonic() if since is None else since) + seconds
        while self.clock.monotonic() < deadline and not self._stop.is_set():
            if state is not None and state.abort.is_set():
                return
            if wake is not None and wake.is_set():
                return
            self._stop.wait(POLL)

    def _export(self, state: ChannelState, path: Path, closed: ClosedFile) -> bool:
        """Try one file: current server with retries, then the other; True once delivered.

        The servers and retry policy are those in force when the channel took the file
        (a reload meanwhile applies to the next file)."""
        with self._cond:
            targets, retry, delay = self.targets, self.plan.retry, self.plan.retry_delay
        role, attempts = state.current, 0
        tried: set[str] = set()
        while not self._stop.is_set():
            if role not in targets:
                return False
            outcome = self._attempt(state, role, path, closed, targets[role])
            if outcome is Outcome.DONE:
                return True
            if outcome is Outcome.ABORTED:  # change-destination immediately: start afresh
                state.abort.clear()
                with self._cond:
                    targets, retry, delay = self.targets, self.plan.retry, self.plan.retry_delay
                role, attempts = state.current, 0
                continue
            attempts += 1
            if attempts <= retry:
                self._pause(delay, state, since=state.failed_at)
                continue
            self._server_failed(state, role, attempts, targets)
            tried.add(role)
            role, attempts = state.current, 0
            if role in tried:
                return False
        return False

    def _server_failed(self, state: ChannelState, role: Role, attempts: int,
                       targets: dict[str, FtpTarget]) -> None:
        with self._cond:
            if self.targets.get(role) != targets.get(role):
                return  # a reload replaced that server meanwhile: say nothing about the new one
            state.state[role] = "Failed"
            other: Role = "secondary" if role == "primary" else "primary"
            if state.current != role or other not in self.targets:
                return
            state.current = other
        self.log.warning("%s export channel %d: automatic switchover from %s to %s server "
                         "after %d failed attempt(s)", self.collector.interface,
                         state.channel.index, role, other, attempts)

    # ------------------------------------------------------------ one attempt
    def _attempt(self, state: ChannelState, role: Role, path: Path, closed: ClosedFile,
                 target: FtpTarget) -> Outcome:
        if state.abort.is_set():
            return Outcome.ABORTED
        if not path.exists():
            return Outcome.DONE            # purged by clear-files meanwhile
        with self._cond:
            state.busy = (closed, role)
            self._attempts[closed.name] = self._attempts.get(closed.name, 0) + 1
            attempt = self._attempts[closed.name]
        request = self.history.prepare(self.request_for(target, path, closed.name, state.channel), target, attempt)
        started = self.clock.monotonic()
        try:
            result = self.transport.upload(request, state.abort)
        except FtpAborted as exc:
            self.history.failed(closed.name, target, exc)
            self.record(request, closed, False, 0, exc.text, started)
            return Outcome.ABORTED
        except FtpFailure as exc:
            self.history.failed(closed.name, target, exc)
            state.failed_at = self.clock.monotonic()   # delays count from here, not from the log write
            with self._cond:
                if self.targets.get(role) == target:
                    state.state[role] = "Failed"        # not OK while its transfers fail or stall
            self._failed(request, closed, exc, started)
            return Outcome.FAILED
        self._delivered(state, role, target, closed, request, result, started)
        return Outcome.DONE

    def _delivered(self, state: ChannelState, role: Role, target: FtpTarget, closed: ClosedFile,
                   request: UploadRequest, result: UploadResult, started: float) -> None:
        """The server has the file: forget the spool copy first (nothing after this may
        cause a second upload), then count, log and write the transfer log."""
        self.dirs.remove(closed)
        self.history.forget(closed.name)
        with self._cond:
            if self.targets.get(role) == target:
                state.state[role] = "OK"
        self.stats.add("ftp_bytes", result.bytes_sent)
        self.stats.add("ftp_files")
        self.stats.add("files_exported")
        stored = result.name or closed.name
        if result.code == SETTLED:
            self.log.warning("%s: the reply to the rename was lost, but the %s server holds the file "
                             "as %s (verified); not sent again", closed.name, role, stored)
        if stored != closed.name:
            self.stats.add("name_conflicts")
            self.log.warning("%s: the %s server already has that name; stored as %s (never replaced)",
                             closed.name, role, stored)
        self.record(request, closed, True, result.code, "", started, stored)
        self.log.info("%s exported to %s server (%s)", closed.name, role, request.target.url)

    def request_for(self, target: FtpTarget, path: Path, name: str, channel: Channel) -> UploadRequest:
        directory = expand_path(target.path, self.clock.time())
        try:
            deadline: float | None = self.policy.seconds(path.stat().st_size)
        except OSError:
            deadline = None
        return UploadRequest(target, path, name, directory, channel.dscp, channel.rate_bps,
                             deadline=deadline, tag=self.tag, lock=self.name_lock)

    def _failed(self, request: UploadRequest, closed: ClosedFile, exc: FtpFailure, started: float) -> None:
        with self._cond:
            self._failures += 1
        self.stats.add("ftp_failures")
        if isinstance(exc, FtpDeadline):
            self.stats.add("ftp_deadline_failures")
        self.record(request, closed, False, exc.code, exc.text, started)
        self.log.warning("%s: upload to %s failed: %s", closed.name,
                         display_url(request.target, request.directory), exc)

    def record(self, request: UploadRequest, closed: ClosedFile, ok: bool, code: int,
                error: str, started: float, stored: str = "") -> None:
        """One transfer-log line; never raises (a line the log cannot take is kept)."""
        try:
            size = request.local.stat().st_size
        except OSError:
            size = closed.compressed_bytes
        millis = round((self.clock.monotonic() - started) * 1000)
        if not self.translog.write(TransferRecord(
                stored or closed.name, size, closed.records, self.clock.time(), ok,
                display_url(request.target, request.directory), code, error, max(0, millis))):
            self.stats.add("translog_write_failures")

    # ------------------------------------------------------------ transfer log thread
    def _run_translog(self) -> None:
        last = ""
        while not self._stop.is_set():
            try:
                self.translog.tick()
                last = ""
            except Exception as exc:  # a full disk …: said once, tried again every second
                if str(exc) != last:
                    last = str(exc)
                    self.stats.add("export_errors")
                    self.log.error("transfer log: %s", exc)
            self._pause(1.0)

    # ------------------------------------------------------------ operator requests (export/requests.py)
    def switch(self, role: Role, immediately: bool) -> None:
        """Make `role` every channel's current server; abort uploads elsewhere if asked."""
        with self._cond:
            for state in self.channels:
                state.current = role
                state.wake.set()
                if immediately and state.busy and state.busy[1] != role:
                    state.abort.set()

    def purge_waiting(self) -> list[str]:
        """Delete every file waiting in the queue (not those being uploaded)."""
        with self._cond:
            doomed, self._queue = self._queue, []
            for _, name, _, closed in doomed:
                self._attempts.pop(name, None)
                self.dirs.remove(closed)
        for _, name, _, _ in doomed:
            self.stats.add("files_destroyed")
            self.log.warning("%s: %s purged from the export queue (clear-files)",
                             self.collector.interface, name)
        return [name for _, name, _, _ in doomed]

    def reconfigure(self, collector: Collector, plan: Plan) -> None:
        """New export settings (live reload); see the module docstring.

        Destinations, channels (DSCP, rate) and retry/retry-delay apply to the next file
        a channel takes; uploads under way finish where they started. A role whose server
        is unchanged keeps its state (OK/Failed) on every channel; a new or changed one
        starts OK; a channel whose current role is gone falls back to the other one. The
        transfer log takes the new archive sites, prefix, maximum age and host name."""
        targets: dict[str, FtpTarget] = {d.role: d.target for d in collector.destinations}
        wanted = {c.index: c for c in (collector.channels or (Channel(0), Channel(1)))}
        with self._cond:
            changed = {r for r in ROLES if self.targets.get(r) != targets.get(r)}
            self.plan, self.collector, self.targets = plan, collector, targets
            kept = []
            for state in self.channels:
                if state.channel.index not in wanted:
                    state.retired = True
                    continue
                state.channel = wanted.pop(state.channel.index)
                state.wake.set()
                for role in changed:
                    state.state[role] = "OK"
                if state.current not in targets and targets:
                    state.current = "primary" if "primary" in targets else "secondary"
                kept.append(state)
            added = [ChannelState(c) for c in wanted.values()]
            self.channels = sorted(kept + added, key=lambda s: s.channel.index)
            self._cond.notify_all()
        for state in added:
            state.thread = self.spawn(f"export-{state.channel.index}", self._run, state)
        first = self.channels[0].channel if self.channels else Channel(0)
        self.translog.reconfigure(ArchiveSetup(plan.transfer_log, plan.host_name, first.dscp, first.rate_bps))
        if changed:
            self.log.warning("%s: destinations reloaded (%s): files not yet exported go to the new "
                             "server(s)", collector.interface, ", ".join(sorted(changed)))

    def clear(self) -> None:
        with self._cond:
            self._failures = 0

    def snapshot(self) -> ExportSnapshot:
        with self._cond:
            return {
                "channels": [self._channel_view(s) for s in self.channels],
                "files": self._file_views(),
                "ftp_failures": self._failures,
            }

    def _channel_view(self, state: ChannelState) -> ChannelView:
        def server(role: str) -> str:
            return state.state[role] if role in self.targets else "Not configured"

        return {"index": state.channel.index, "current_server": state.current.capitalize(),
                "primary_state": server("primary"), "secondary_state": server("secondary")}

    def _file_views(self) -> list[FileView]:
        busy = {s.busy[0].name: s.busy[1] for s in self.channels if s.busy}
        files = [(c.closed, c.name, c) for _, _, _, c in self._queue]
        files += [(s.busy[0].closed, s.busy[0].name, s.busy[0]) for s in self.channels if s.busy]
        views: list[FileView] = []
        for _, name, closed in sorted(files, key=lambda f: f[:2]):
            role = busy.get(name)
            views.append({
                "name": name, "flows": closed.records,
                "uncompressed_bytes": closed.uncompressed_bytes,
                "compressed_bytes": closed.compressed_bytes,
                "state": f"Exporting {role}" if role else "Waiting",
                "transfer_attempts": self._attempts.get(name, 0),
            })
        return views
