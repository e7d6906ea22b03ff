"""Writer stage: flow lines in, gzip flow files out (active/ -> ready/), with rotation.

One open file per (file specification, ifAlias). Lines arrive as UTF-8 bytes, one
datagram's worth at a time, straight from the hot path (`LineFormat.lines`, compiled or
its twin), and are buffered in memory blocks (`MemoryPool`); a block is compressed
with gzip level 1 (isal when installed, stdlib zlib otherwise) and written with a
`Z_SYNC_FLUSH` when it is full or a second old, so a file cut short by kill -9 still
decodes up to its last block. A file closes when its
specification's record-level is reached (exactly: a datagram is split across files) or
its timeout has passed since it was opened, whichever comes first; closing writes the
gzip trailer, fsyncs, publishes the file to ready/ and hands it to the exporter.

At most `max_open` files are open at once (`flowc.runtime.files.descriptors`: the process's
descriptor limit less a reserve): opening one more first closes the least recently used
file early (rotation reason `open-files`, counted as `files_closed_open_files`), and while
closed files waiting to be published hold descriptors too, they are published on the spot,
so no record is ever lost to `Too many open files`.

A write that fails (full spool: `flowc.runtime.files.diskfull`) never ends the collector:
the block's records are counted as not written, the file is cut back to its last complete
block, finished there and published like any other; a publish that fails is retried every
`flush_interval` until the spool takes it. Only complete, valid gzip files reach ready/.

`recover()` (run once at start, before the exporter) turns every `active/*.part` left by
a crash into a complete gzip in ready/ holding every complete line it contained.
"""
from __future__ import annotations

import errno
import json
import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from flowc.runtime.clock import Clock
from flowc.runtime.files.descriptors import open_file_budget
from flowc.runtime.files.diskfull import DiskState, seal
from flowc.runtime.files.flowfile import FILE_RATES, FlowFile, Generations, file_view, gz, meta_path
from flowc.runtime.files.memory import MemoryPool
from flowc.runtime.files.naming import expand_name
from flowc.runtime.files.recovery import recover_part, sweep_active
from flowc.runtime.files.spool import ClosedFile, SpoolDirs
from flowc.runtime.plan.model import FileSpec
from flowc.runtime.stats import CounterSink, FileView, RateSet

OnClosed = Callable[[Path, ClosedFile], None]
FileKey = tuple[str, str]  # (file specification name, ifAlias)
OPEN_FILES = "open-files"  # the rotation reason of a file closed early for the descriptor budget


class Writer:
    """All open files of one collector."""

    def __init__(self, dirs: SpoolDirs, specs: Sequence[FileSpec], *, stats: CounterSink,
                 memory: MemoryPool, clock: Clock, log: logging.Logger, on_closed: OnClosed,
                 flush_interval: float = 1.0, max_open: int | None = None) -> None:
        self.dirs, self.stats, self.memory, self.clock, self.log = dirs, stats, memory, clock, log
        self.specs = {spec.name: spec for spec in specs}
        self.on_closed = on_closed
        self.flush_interval = flush_interval
        self.files: dict[FileKey, FlowFile] = {}
        self.generations = Generations(dirs.root / "generation")
        self.closed_blocks: dict[str, int] = {}
        self.closing: dict[str, FlowFile] = {}
        self._closer: queue.SimpleQueue[tuple[FlowFile, str, float] | None] | None = None
        self._closer_thread: threading.Thread | None = None
        self.disk = DiskState(dirs.active, stats, log)
        self.cut: set[str] = set()  # files whose last write failed: finished by `seal`
        self.later: list[tuple[FlowFile, str, float]] = []  # publishes to try again
        self._later_lock = threading.Lock()
        self._retry_at = 0.0
        self.recovery_pending = False
        self.max_open = max_open or open_file_budget()
        self._uses = 0  # a counter stamped on a file at each add: the least recently used goes first

    # ------------------------------------------------------------------ hot path
    def add(self, key: FileKey, text: bytes, count: int) -> bool:
        """Buffer `count` lines for a file; False when no memory block is left."""
        f = self.files.get(key)
        if f is None:
            f = self._open(key)
        self._uses += 1
        f.used = self._uses
        if not f.buffer:
            if not self.memory.allocate():
                return False
            f.first_buffered = self.clock.monotonic()
        if f.records + count >= f.spec.record_level:
            return self._add_at_level(f, key, text, count)
        f.buffer.append(text)
        f.buffered += len(text)
        f.records += count
        if f.buffered >= self.memory.block_size:
            self._flush_block(f)
        return True

    def _add_at_level(self, f: FlowFile, key: FileKey, text: bytes, count: int) -> bool:
        lines = text.splitlines(keepends=True)
        take = f.spec.record_level - f.records
        head = b"".join(lines[:take])
        f.buffer.append(head)
        f.buffered += len(head)
        f.records += take
        self.close(f, "record-level")
        rest = lines[take:]
        return not rest or self.add(key, b"".join(rest), len(rest))

    def _flush_block(self, f: FlowFile) -> bool:
        """Compress and write the pending block; False when the write failed (the file
        is then cut back and closed, its block's records counted as not written)."""
        data = b"".join(f.buffer)
        f.buffer.clear()
        f.buffered = 0
        out = f.compressor.compress(data) + f.compressor.flush(gz.Z_SYNC_FLUSH)
        try:
            f.write(out)
        except OSError as exc:
            self.memory.release()
            self._write_failed(f, exc)
            return False
        if self.disk.failing:
            self.disk.wrote()
        f.uncompressed += len(data)
        f.compressed += len(out)
        f.flushed_records = f.records
        f.blocks += 1
        self.stats.add("uncompressed_bytes", len(data))
        self.stats.add("compressed_bytes", len(out))
        self.memory.release()
        return True

    def _write_failed(self, f: FlowFile, exc: OSError) -> None:
        """The file cannot go on (its compressor is past what the disk holds): count what
        is lost, and close it at its last complete block."""
        self.disk.failed(exc, f.records - f.flushed_records)
        f.records = f.flushed_records
        self.cut.add(f.name)
        self.files.pop((f.spec.name, f.if_alias), None)
        self._hand_over(f, "write error")

    # ------------------------------------------------------------------ lifecycle
    def _open(self, key: FileKey) -> FlowFile:
        while len(self.files) >= self.max_open:
            self._close_least_recent()
        spec = self.specs[key[0]]
        created, generation = self.clock.time(), self.generations.next()
        name, refused = expand_name(spec.name_format, created, key[1], generation)
        if refused:
            self.log.warning("name-format macro refused spec=%s macros=%s name=%s",
                             spec.name, ",".join(refused), name)
        name = self._unique(name, generation)
        part = self.dirs.active / f"{name}.part"
        try:
            f = FlowFile(spec, key[1], name, part, created, self.clock.monotonic(), generation)
        except FileNotFoundError:  # the spool was deleted under us: make it again, once
            if not self._spool_back():
                raise
            f = FlowFile(spec, key[1], name, part, created, self.clock.monotonic(), generation)
        self.files[key] = f
        self.stats.add("files_created")
        self.log.info("file opened name=%s ifalias=%s generation=%d", name, key[1], generation)
        return f

    def _close_least_recent(self) -> None:
        """Close the file written to least recently: the descriptor budget is spent."""
        f = min(self.files.values(), key=lambda candidate: candidate.used)
        self.stats.add("files_closed_open_files")
        self.close(f, OPEN_FILES)

    def _spool_back(self) -> bool:
        """Recreate the spool directories (deleted while running); False when impossible."""
        if not self.dirs.ensure():
            return False
        self.log.warning("spool directory %s was missing; created again", self.dirs.root)
        return True

    def spool_ok(self) -> bool:
        """Whether the spool takes files (its directories made again if they were deleted):
        the collector's health; False means restarting the process is the remedy."""
        return self.dirs.writable()

    def _unique(self, name: str, generation: int) -> str:
        if not self._taken(name):
            return name
        stem, dot, rest = name.partition(".")
        unique = f"{stem}~{generation}{dot}{rest}"
        self.log.warning("file name in use name=%s using=%s", name, unique)
        return unique

    def _taken(self, name: str) -> bool:
        return (any(f.name == name for f in self.files.values())
                or (self.dirs.ready / name).exists() or (self.dirs.active / f"{name}.part").exists())

    def close(self, f: FlowFile, reason: str) -> None:
        """Finish a file: last block and gzip trailer here; fsync, publish and hand-over
        to the exporter on the closer thread when there is one (an fsync can take a while,
        and the receive loop must not stall on it)."""
        if f.buffer and not self._flush_block(f):
            return
        trailer = f.compressor.flush()
        try:
            f.write(trailer)
        except OSError as exc:
            self._write_failed(f, exc)
            return
        f.compressed += len(trailer)
        del self.files[(f.spec.name, f.if_alias)]
        self._hand_over(f, reason)

    def _hand_over(self, f: FlowFile, reason: str) -> None:
        if self._closer is not None and len(self.files) + len(self.closing) < self.max_open:
            self.closing[f.name] = f  # still listed by `show` until the exporter has it
            self._closer.put((f, reason, self.clock.time()))
        else:
            self._finish(f, reason, self.clock.time())

    def _finish(self, f: FlowFile, reason: str, when: float) -> None:
        try:
            self._publish(f, reason, when)
        except OSError as exc:  # full spool: the file stays complete in active/, tried again
            self.disk.failed(exc, 0)
            self.closing[f.name] = f
            with self._later_lock:
                self.later.append((f, reason, when))
            return
        self.closing.pop(f.name, None)

    def _publish(self, f: FlowFile, reason: str, when: float) -> None:
        if f.name in self.cut:
            if not seal(f.fd, f.compressed):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            f.compressed += 10
            self.cut.discard(f.name)
        os.fsync(f.fd)
        if not f.part.exists():
            self._rescue(f)
        self.dirs.ensure()  # ready/ deleted alone: publish fails below and is tried again
        meta_path(f.part).unlink(missing_ok=True)
        if not f.records:
            os.close(f.fd)
            f.part.unlink(missing_ok=True)
            return
        closed = ClosedFile(f.name, f.records, f.uncompressed, f.compressed, f.created, when, f.generation,
                            reason)
        path = self.dirs.publish(f.part, closed)
        os.close(f.fd)
        self._remember_blocks(f)
        self.log.info("file closed name=%s records=%d uncompressed=%d compressed=%d reason=%s",
                      f.name, f.records, f.uncompressed, f.compressed, reason)
        self.on_closed(path, closed)

    def _rescue(self, f: FlowFile) -> None:
        """The .part was deleted with its directory while open: the open descriptor still
        holds every byte, so they are copied to a new .part in a spool made again."""
        if not self.dirs.ensure():
            raise OSError(errno.ENOENT, f"spool directory {self.dirs.active} cannot be created")
        fd = os.open(f.part, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            offset = 0
            while chunk := os.pread(f.fd, 1 << 20, offset):
                offset += len(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError:
            os.close(fd)
            f.part.unlink(missing_ok=True)
            raise
        os.close(f.fd)
        f.fd = fd
        self.log.warning("file %s was deleted from the spool while open; written again from memory",
                         f.name)

    def start_closer(self) -> None:
        """Finish closed files on a thread of their own from now on."""
        if self._closer is None:
            self._closer = queue.SimpleQueue()
            self._closer_thread = threading.Thread(target=self._run_closer, daemon=True, name="closer")
            self._closer_thread.start()

    def _run_closer(self) -> None:
        assert self._closer is not None
        while (item := self._closer.get()) is not None:
            try:
                self._finish(*item)
            except OSError as exc:
                self.log.error("file close failed name=%s: %s", item[0].name, exc)

    def stop_closer(self) -> None:
        """Wait until every closed file is published (the closer thread ends)."""
        if self._closer is not None and self._closer_thread is not None:
            self._closer.put(None)
            self._closer_thread.join()
            self._closer = self._closer_thread = None

    def _remember_blocks(self, f: FlowFile) -> None:
        if len(self.closed_blocks) > 1000:
            self.closed_blocks.pop(next(iter(self.closed_blocks)))
        self.closed_blocks[f.name] = f.blocks

    def tick(self) -> None:
        """Flush blocks a second old, close files past their timeout, roll file rates."""
        now = self.clock.monotonic()
        for f in list(self.files.values()):
            if f.buffer and now - f.first_buffered >= self.flush_interval and not self._flush_block(f):
                continue
            if now - f.meta_time >= self.flush_interval:
                f.meta_time = now
                self._write_meta(f)
            if now - f.opened >= f.spec.timeout:
                self.close(f, "timeout")
            else:
                f.rates.tick(now, f.totals())
        if (self.later or self.recovery_pending) and now >= self._retry_at:
            self._retry_at = now + self.flush_interval
            self._retry()

    def _retry(self) -> None:
        """Publish again what the full spool refused; recover the .part files left."""
        with self._later_lock:
            again, self.later = self.later, []
        for item in again:
            if self._closer is not None:
                self._closer.put(item)
            else:
                self._finish(*item)
        if self.recovery_pending:
            busy = {f.name for f in self.files.values()} | set(self.closing)
            for closed in self.recover(skip=busy):
                self.on_closed(self.dirs.ready / closed.name, closed)

    def close_all(self, reason: str = "shutdown") -> None:
        for f in list(self.files.values()):
            self.close(f, reason)

    def _write_meta(self, f: FlowFile) -> None:
        """`active/NAME.part.meta.json`: what the .part holds so far (flushed records)."""
        if f.meta_records == f.flushed_records:
            return
        f.meta_records = f.flushed_records
        meta = {"name": f.name, "records": f.flushed_records, "uncompressed_bytes": f.uncompressed,
                "compressed_bytes": f.compressed, "created": f.created, "generation": f.generation}
        path = meta_path(f.part)
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(meta, sort_keys=True), "utf-8")
            os.replace(tmp, path)
        except OSError:  # advisory only (recovery reads the .part itself); full spool
            tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------------ show
    def snapshot_files(self) -> list[FileView]:
        """Open files (Active), then files being closed (Waiting) not yet with the exporter."""
        closing: list[FileView] = [{**file_view(f), "state": "Waiting"} for f in list(self.closing.values())]
        return [file_view(f) for f in self.files.values()] + closing

    def clear_rates(self) -> None:
        now = self.clock.monotonic()
        for f in self.files.values():
            f.rates = RateSet(FILE_RATES, now)
            f.rates.reset(f.totals())

    # ------------------------------------------------------------------ recovery
    def recover(self, skip: set[str] | frozenset[str] = frozenset()) -> list[ClosedFile]:
        """Close every `active/*.part` a crash left (but those named in `skip`): complete
        lines kept, published. One the full spool cannot take yet stays, tried again on
        a later tick (`recovery_pending`)."""
        recovered = []
        self.recovery_pending = False
        sweep_active(self.dirs, skip)
        for part in sorted(self.dirs.active.glob("*.part")):
            if part.name[:-5] in skip:
                continue
            try:
                closed = recover_part(part, self.dirs, self.clock.time())
            except OSError as exc:
                part.with_name(part.name + ".recovered").unlink(missing_ok=True)
                self.disk.failed(exc, 0)
                self.recovery_pending = True
                continue
            if closed is not None:
                recovered.append(closed)
                self.log.info("file recovered name=%s records=%d", closed.name, closed.records)
            else:
                self.log.info("file recovered: nothing to publish, removed name=%s", part.name[:-5])
        return recovered
