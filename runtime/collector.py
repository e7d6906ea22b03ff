"""One collector (cp-) interface's pipeline, inside one process.

receiver (UDP sockets or a pcap) -> input matching -> decoder (`LineFormat`) -> writer
(gzip files, rotation) -> exporter (FTP threads), with statistics and the control
requests of `flowc show/clear/request`. The receive loop (`run`) owns everything but the
exporter: datagrams are decoded and written on the thread that read them, counters are
plain ints handed to `CollectorStats` every tick (10 times a second), and control
requests arrive on a pipe polled between batches, so the hot path takes no lock.

Input matching lives in `flowc.runtime.ingest.inputs`; losses before the collector (kernel
drops, flow_sequence gaps, checked once per datagram) in `flowc.runtime.ingest.losses`.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Sized
from pathlib import Path
from typing import Any, Protocol

from flowc.runtime.clock import Clock, SystemClock
from flowc.runtime.counters import DROPS
from flowc.runtime.export.exporter import Exporter
from flowc.runtime.export.requests import change_destination, test_file_transfer
from flowc.runtime.files.memory import DEFAULT_BLOCK_SIZE, MemoryPool
from flowc.runtime.files.spool import ClosedFile, SpoolDirs
from flowc.runtime.files.writer import Writer
from flowc.runtime.ingest.decoder import REASONS
from flowc.runtime.ingest.hotpath import current
from flowc.runtime.ingest.inputs import InputTable
from flowc.runtime.ingest.losses import Episodes, KernelDrops, SequenceGaps
from flowc.runtime.ingest.pcap import Datagram, classify, read_pcap
from flowc.runtime.ingest.receiver import UdpReceiver
from flowc.runtime.ops.codec import answer
from flowc.runtime.ops.messages import (
    ChangeDestination,
    Clear,
    Failure,
    Health,
    Heartbeat,
    Reconfigure,
    Reload,
    Reply,
    Request,
    Show,
    SnapshotReply,
    State,
    Stop,
    TestFileTransfer,
)
from flowc.runtime.ops.wire import Wire
from flowc.runtime.plan.model import Collector, FileSpec, Plan
from flowc.runtime.stats import (
    CollectorSnapshot,
    CollectorStats,
    ExportSnapshot,
    FileRate,
    FileView,
    Totals,
)

STATE = "Collecting flows"
FALLBACK_SPEC = FileSpec("default", "flowc-%D_%T-%I_%N.gz")
TICK = 0.1


class PendingLines(Protocol):
    """The transfer log as the collector sees it: lines kept in memory, to be written later."""

    @property
    def pending(self) -> Sized: ...


class ExportSide(Protocol):
    """What the collector needs of its exporter (`flowc.runtime.export.exporter.Exporter`)."""

    @property
    def translog(self) -> PendingLines: ...

    def start(self) -> None: ...

    def stop(self, timeout: float = ...) -> None: ...

    def submit(self, path: Path, closed: ClosedFile) -> None: ...

    def snapshot(self) -> ExportSnapshot: ...

    def clear(self) -> None: ...

    def reconfigure(self, collector: Collector, plan: Plan) -> None: ...


ExporterFactory = Callable[[Plan, Collector, SpoolDirs, CollectorStats, Clock, logging.Logger], ExportSide]


class CollectorPipeline:
    """Everything one collector process runs."""

    def __init__(self, plan: Plan, collector: Collector, *, clock: Clock | None = None,
                 log: logging.Logger | None = None, exporter_factory: ExporterFactory | None = None,
                 block_size: int = DEFAULT_BLOCK_SIZE, flush_interval: float = 1.0) -> None:
        self.plan, self.collector = plan, collector
        self.clock = clock or SystemClock()
        self.log = log or logging.getLogger(f"flowc.{collector.interface}")
        self.dirs = SpoolDirs.for_collector(plan.spool, collector.interface)
        self.stats = CollectorStats(self.clock.monotonic())
        self.memory = MemoryPool(plan.memory_budget, self.stats, block_size)
        specs = collector.file_specs or (FALLBACK_SPEC,)
        names = {s.name for s in specs}
        self.default_spec = collector.default_file_spec if collector.default_file_spec in names else specs[0].name
        self.writer = Writer(self.dirs, specs, stats=self.stats, memory=self.memory, clock=self.clock,
                             log=self.log, on_closed=self._closed, flush_interval=flush_interval)
        self.hot = current()
        self.v5_count = self.hot.v5_count
        self.inputs = InputTable(plan, collector, names, self.default_spec, self.log, self.hot)
        self.endpoints = self.inputs.endpoints
        self._exporter_factory = exporter_factory
        self.exporter: ExportSide | None = None
        self.receiver: UdpReceiver | None = None
        self.n_packets = self.n_bytes = self.n_flows = 0
        self.drops = dict.fromkeys(DROPS, 0)
        self.stopping = False
        self.last_tick = time.monotonic()  # the receive loop's heartbeat (`/healthz`)
        self.sequences = SequenceGaps()
        self.expected = self.sequences.expected  # the hot path's own reference
        self.kernel: KernelDrops | None = None
        self.episodes = Episodes(self.log)
        self.foreign: set[str] = set()  # exporters already told that v9/IPFIX is not taken
        self._next_poll = 0.0

    # ------------------------------------------------------------------ lifecycle
    def start(self, listen: bool = True, sockets: list[socket.socket] | None = None) -> None:
        """Spool dirs, exporter threads, crash recovery (what a full spool cannot take yet
        is recovered later), then (live) the sockets: bound here, or `sockets` already
        bound for `self.endpoints` (lent by the supervisor)."""
        self.dirs.create()
        self.exporter = exporter = self._make_exporter()
        exporter.start()  # first: it frees room in a full spool
        for closed in self.writer.recover():
            self._closed(self.dirs.ready / closed.name, closed)
        if listen:
            self.writer.start_closer()
            self.receiver = UdpReceiver(self.endpoints, sockets, self.hot)
            self.kernel = KernelDrops(self.receiver.sockets)
            sizes = ",".join(str(s) for s in self.receiver.buffer_sizes)
            where = ",".join(f"{h}:{p}" for h, p in self.receiver.addresses)
            self.log.info("collecting flows listen=%s rcvbuf=%s", where, sizes)

    def _make_exporter(self) -> ExportSide:
        factory = self._exporter_factory or Exporter
        return factory(self.plan, self.collector, self.dirs, self.stats, self.clock, self.log)

    def stop(self, export_timeout: float = 10.0) -> None:
        """Close and publish every active file, then stop the exporter (files stay in ready/)."""
        self.stopping = True
        self.flush_counters()
        self.writer.close_all()
        self.writer.stop_closer()
        if self.receiver is not None:
            self.receiver.close()
            self.receiver = None
        if self.exporter is not None:
            self.exporter.stop(export_timeout)

    def _closed(self, path: Path, closed: ClosedFile) -> None:
        if self.exporter is not None:
            self.exporter.submit(path, closed)

    # ------------------------------------------------------------------ hot path
    def on_datagram(self, buf: Any, size: int, source: str, index: int) -> None:
        """One UDP payload from `source` that arrived on socket `index`."""
        self.n_packets += 1
        self.n_bytes += size
        count = self.v5_count(buf, size)
        if count <= 0:
            self.drops[REASONS[count]] += 1
            if count and source not in self.foreign:
                self._foreign(buf, size, source)
            return
        key = (source, buf[20], buf[21])
        sequence = buf[16] << 24 | buf[17] << 16 | buf[18] << 8 | buf[19]
        expected = self.expected.get(key)
        self.expected[key] = (sequence + count) & 0xFFFFFFFF
        if expected is not None and expected != sequence:
            self._gap(key, expected, sequence)
        route = self.inputs.routes.get((index, source, buf[20], buf[21]))
        if route is None:
            route = self.inputs.route(index, source, buf[20], buf[21])
        try:
            kept = self.writer.add(route.key, route.lines(buf, count), count)
        except OSError as exc:  # disk full, spool gone …: count, log once, keep running
            self.writer.disk.failed(exc, count)
            return
        if kept:
            route.packets += 1
            route.bytes += size
            self.n_flows += count
        else:
            self.drops["no_memory"] += 1

    def _gap(self, key: tuple[str, int, int], expected: int, sequence: int) -> None:
        missed = self.sequences.gap(key, expected, sequence)
        source, engine_type, engine_id = key
        what = (f"{missed} records missed (flow_sequence {sequence}, expected {expected})" if missed
                else f"flow_sequence reset (got {sequence}, expected {expected})")
        self.episodes.seen(f"sequence {key}", missed, time.monotonic(),
                           f"exporter {source} engine_type={engine_type} engine_id={engine_id}: {what}")

    def _foreign(self, buf: Any, size: int, source: str) -> None:
        """Say once per exporter what arrived when it is NetFlow v9 or IPFIX (still counted
        as Not JUNOS flow)."""
        version = buf[0] << 8 | buf[1] if size >= 2 else 0
        names = {9: "NetFlow v9", 10: "IPFIX"}
        if version in names:
            self.foreign.add(source)
            self.log.warning("exporter %s sends %s (version %d); this collector takes cflowd (NetFlow) v5 "
                             "only: its datagrams are counted as Not JUNOS flow (logged once per exporter)",
                             source, names[version], version)

    def on_frame(self, linktype: int, frame: bytes) -> None:
        """One captured frame (replay): drops counted here, datagrams passed on."""
        found = classify(linktype, frame)
        if isinstance(found, str):
            self.n_packets += 1
            self.n_bytes += len(frame)
            self.drops[found] += 1
            return
        self.on_datagram(found.payload, len(found.payload), found.source,
                         self.inputs.port_index(found.destination_port))

    # ------------------------------------------------------------------ loop
    def run(self, poll_control: Callable[[], None] | None = None,
            should_stop: Callable[[], bool] | None = None, control_fd: int | None = None) -> None:
        """Receive until `stopping` (set by a stop request or `should_stop()`)."""
        receiver = self.receiver
        assert receiver is not None, "start(listen=True) first"
        if control_fd is not None:
            receiver.register(control_fd)
        handle, sockets = self.on_datagram, range(len(receiver.sockets))
        next_tick = 0.0
        while not self.stopping:
            got = 0
            for index in sockets:
                got += receiver.drain(index, handle, 2048)
            now = time.monotonic()
            if now >= next_tick:
                next_tick = now + TICK
                self.tick()
                if poll_control is not None:
                    poll_control()
                if should_stop is not None and should_stop():
                    self.stopping = True
            if not got and -1 in receiver.wait(TICK) and poll_control is not None:
                poll_control()  # a control request woke us: answer it now

    def tick(self) -> None:
        self.last_tick = time.monotonic()
        self.flush_counters()
        self.stats.tick(self.clock.monotonic())
        try:
            self.writer.tick()
        except OSError as exc:  # the spool failing in a way the writer did not foresee
            self.writer.disk.failed(exc, 0)

    def flush_counters(self) -> None:
        pending = {"packets": self.n_packets, "bytes": self.n_bytes, "flows": self.n_flows}
        pending.update(self.drops)
        pending["sequence_missed"], pending["sequence_resets"] = self.sequences.take()
        pending["kernel_drops"] = self._kernel_drops()
        self.n_packets = self.n_bytes = self.n_flows = 0
        self.drops = dict.fromkeys(DROPS, 0)
        self.stats.add_many(pending)

    def _kernel_drops(self) -> int:
        """Datagrams the kernel dropped since the last poll (read at most once a second)."""
        now = time.monotonic()
        if self.kernel is None or now < self._next_poll:
            return 0
        self._next_poll = now + 1.0
        dropped = 0
        for where, count in self.kernel.poll():
            dropped += count
            self.episodes.seen(f"kernel {where}", count, now, f"socket {where}: the kernel dropped {count} "
                               "datagrams (receive buffer full: the collector did not read fast enough)")
        return dropped

    def replay(self, path: Path, owns: Callable[[Datagram | str], bool] | None = None,
               poll_control: Callable[[], None] | None = None) -> int:
        """Feed every frame of a pcap (those `owns` accepts) through the pipeline; frames read."""
        frames = 0
        for linktype, frame in read_pcap(path):
            if owns is not None and not owns(classify(linktype, frame)):
                continue
            self.on_frame(linktype, frame)
            frames += 1
            if frames % 1024 == 0:
                self.tick()
                if poll_control is not None:
                    poll_control()
        self.tick()
        return frames

    def wait_exported(self, timeout: float, poll_control: Callable[[], None] | None = None) -> bool:
        """After a replay: wait until the exporter has no file left (True) or `timeout`."""
        deadline = time.monotonic() + timeout
        while self._waiting_files() and self.collector.destinations:
            if time.monotonic() >= deadline or self.stopping:
                return False
            if poll_control is not None:
                poll_control()
            time.sleep(0.05)
        return not self._waiting_files()

    def _waiting_files(self) -> int:
        return len(self.exporter.snapshot()["files"]) if self.exporter is not None else 0

    # ------------------------------------------------------------------ control
    def handle(self, message: Wire) -> Wire:
        """Answer one control request in its wire form (already routed to this collector)."""
        return answer(self.answer, message)

    def answer(self, request: Request) -> Reply:
        """Answer one control request."""
        interface = self.collector.interface
        match request:
            case Show():
                return SnapshotReply(self.snapshot())
            case Health():
                if not self.writer.spool_ok():  # deleted and not creatable again: a restart may help
                    return Failure(f"{interface}: spool {self.dirs.root} cannot be written or created again")
                return Heartbeat(interface, round(time.monotonic() - self.last_tick, 3))
            case Clear():
                self.flush_counters()
                self.stats.clear()
                self.inputs.clear()
                self.sequences.clear()
                self.writer.clear_rates()
                if self.exporter is not None:
                    self.exporter.clear()
                return State(True, interface, STATE)
            case ChangeDestination() | TestFileTransfer():
                return self._destination(request)
            case Reconfigure(plan=plan):
                return self._reconfigure(plan)
            case Stop():
                self.stopping = True
                return State(True, interface, "Stopping")
            case Reload():
                return Failure("a collector process does not reload; the engine does")

    def _destination(self, request: ChangeDestination | TestFileTransfer) -> Reply:
        """change-destination / test-file-transfer, on the real exporter."""
        exporter = self.exporter
        if not isinstance(exporter, Exporter):
            return Failure(f"{self.collector.interface}: no exporter takes destination requests here")
        match request:
            case ChangeDestination(role=role, how=how, clear_files=files, clear_logs=logs):
                return self._answer(*change_destination(exporter, role, how, files, logs))
        return self._answer(*test_file_transfer(exporter, request.filename, request.channel, request.role))

    def _reconfigure(self, plan: Plan) -> Reply:
        """New export settings (destinations, channels, retry, transfer log) in place."""
        collector = plan.collector(self.collector.interface)
        if self.exporter is not None:
            self.exporter.reconfigure(collector, plan)
        self.plan, self.collector = plan, collector
        self.log.info("export settings reloaded")
        return self._answer(True, "export settings reloaded")

    def _answer(self, ok: bool, text: str) -> Reply:
        return State(ok, self.collector.interface, STATE, text)

    def snapshot(self) -> CollectorSnapshot:
        self.flush_counters()
        stats = self.stats.snapshot()
        exported: ExportSnapshot = (self.exporter.snapshot() if self.exporter is not None
                                    else {"channels": [], "files": [], "ftp_failures": 0})
        return {
            "interface": self.collector.interface,
            "state": "Stopping" if self.stopping else STATE,
            "memory": {"used": self.memory.used, "free": self.memory.free},
            "counters": stats["counters"], "ftp_failures": stats["ftp_failures"],
            "drops": stats["drops"], "faults": self._faults(stats["faults"]), "channels": exported["channels"],
            "transfer_log": stats["transfer_log"], "since": stats["since"],
            "inputs": self.inputs.views(),
            "files": self._file_views(exported["files"]),
            "pid": os.getpid(), "exporters": self.sequences.views(),
        }

    def _faults(self, faults: Totals) -> Totals:
        """The counted faults, and the transfer-log lines waiting in memory right now."""
        pending = len(self.exporter.translog.pending) if self.exporter is not None else 0
        return {**faults, "translog_lines_pending": pending}

    def _file_views(self, exported: list[FileView]) -> list[FileView]:
        """Active files, files being closed, then the exporter's (a name listed once)."""
        queued = [self._waiting_view(f) for f in exported]
        names = {f["name"] for f in queued}
        return [f for f in self.writer.snapshot_files() if f["name"] not in names] + queued

    def _waiting_view(self, view: FileView) -> FileView:
        blocks = self.writer.closed_blocks.get(view["name"], 0)
        zero: FileRate = {"per_second": 0, "peak": 0}
        return {**view, "compressed_blocks": blocks, "block_count": blocks,
                "rates": {"flows": zero, "uncompressed_bytes": zero, "compressed_bytes": zero}}
