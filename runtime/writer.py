"""Writer stage: flow lines in, gzip flow files out (active/ -> ready/), with rotation.

One open file per (file specification, ifAlias). Lines are buffered in memory blocks
(`MemoryPool`); a block is compressed with gzip level 1 (isal when installed, stdlib
zlib otherwise) and written with a `Z_SYNC_FLUSH` when it is full or a second old, so a
file cut short by kill -9 still decodes up to its last block. A file closes when its
specification's record-level is reached (exactly: a datagram is split across files) or
its timeout has passed since it was opened, whichever comes first; closing writes the
gzip trailer, fsyncs, publishes the file to ready/ and hands it to the exporter.

`recover()` (run once at start, before the exporter) turns every `active/*.part` left by
a crash into a complete gzip in ready/ holding every complete line it contained.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import threading
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from flowc.runtime.clock import Clock
from flowc.runtime.memory import MemoryPool
from flowc.runtime.naming import expand_name
from flowc.runtime.plan import FileSpec
from flowc.runtime.spool import ClosedFile, SpoolDirs
from flowc.runtime.stats import CounterSink, RateSet

try:  # isal is ~3x faster than zlib at level 1 and writes standard gzip
    from isal import isal_zlib as _gz
except ImportError:  # pragma: no cover - the fallback of a bare install
    _gz = zlib  # type: ignore[assignment]

FILE_RATES = ("flows", "uncompressed_bytes", "compressed_bytes")
OnClosed = Callable[[Path, ClosedFile], None]
FileKey = tuple[str, str]  # (file specification name, ifAlias)


def new_compressor():  # type: ignore[no-untyped-def]
    """A gzip-framed deflate stream at level 1."""
    return _gz.compressobj(1, _gz.DEFLATED, 31)


class FlowFile:
    """An open file in active/: its compressor, pending block and counters."""

    __slots__ = ("spec", "if_alias", "name", "part", "fd", "compressor", "buffer", "buffered",
                 "records", "uncompressed", "compressed", "created", "opened", "generation",
                 "blocks", "first_buffered", "rates", "flushed_records", "meta_records", "meta_time")

    def __init__(self, spec: FileSpec, if_alias: str, name: str, part: Path, created: float,
                 opened: float, generation: int) -> None:
        self.spec, self.if_alias, self.name, self.part = spec, if_alias, name, part
        self.fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self.compressor = new_compressor()
        self.buffer: list[str] = []
        self.buffered = 0
        self.records = self.uncompressed = self.compressed = self.blocks = 0
        self.created, self.opened, self.generation = created, opened, generation
        self.first_buffered = opened
        self.rates = RateSet(FILE_RATES, opened)
        self.flushed_records = 0
        self.meta_records = -1
        self.meta_time = opened

    def totals(self) -> dict[str, int]:
        return {"flows": self.records, "uncompressed_bytes": self.uncompressed + self.buffered,
                "compressed_bytes": self.compressed}

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]


class Generations:
    """The generation number (`%N`) of a collector, kept across restarts in the spool."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.last = int(path.read_text("ascii").strip() or 0)
        except (OSError, ValueError):
            self.last = 0

    def next(self) -> int:
        self.last += 1
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(str(self.last), "ascii")
        os.replace(tmp, self.path)
        return self.last


class Writer:
    """All open files of one collector."""

    def __init__(self, dirs: SpoolDirs, specs: Sequence[FileSpec], *, stats: CounterSink,
                 memory: MemoryPool, clock: Clock, log: logging.Logger, on_closed: OnClosed,
                 flush_interval: float = 1.0) -> None:
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

    # ------------------------------------------------------------------ hot path
    def add(self, key: FileKey, text: str, count: int) -> bool:
        """Buffer `count` lines for a file; False when no memory block is left."""
        f = self.files.get(key)
        if f is None:
            f = self._open(key)
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

    def _add_at_level(self, f: FlowFile, key: FileKey, text: str, count: int) -> bool:
        lines = text.splitlines(keepends=True)
        take = f.spec.record_level - f.records
        head = "".join(lines[:take])
        f.buffer.append(head)
        f.buffered += len(head)
        f.records += take
        self.close(f, "record-level")
        rest = lines[take:]
        return not rest or self.add(key, "".join(rest), len(rest))

    def _flush_block(self, f: FlowFile) -> None:
        data = "".join(f.buffer).encode()
        f.buffer.clear()
        f.buffered = 0
        out = f.compressor.compress(data) + f.compressor.flush(_gz.Z_SYNC_FLUSH)
        f.write(out)
        f.uncompressed += len(data)
        f.compressed += len(out)
        f.flushed_records = f.records
        f.blocks += 1
        self.stats.add("uncompressed_bytes", len(data))
        self.stats.add("compressed_bytes", len(out))
        self.memory.release()

    # ------------------------------------------------------------------ lifecycle
    def _open(self, key: FileKey) -> FlowFile:
        spec = self.specs[key[0]]
        created, generation = self.clock.time(), self.generations.next()
        name, refused = expand_name(spec.name_format, created, key[1], generation)
        if refused:
            self.log.warning("name-format macro refused spec=%s macros=%s name=%s",
                             spec.name, ",".join(refused), name)
        name = self._unique(name, generation)
        part = self.dirs.active / f"{name}.part"
        f = FlowFile(spec, key[1], name, part, created, self.clock.monotonic(), generation)
        self.files[key] = f
        self.stats.add("files_created")
        self.log.info("file opened name=%s ifalias=%s generation=%d", name, key[1], generation)
        return f

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
        if f.buffer:
            self._flush_block(f)
        trailer = f.compressor.flush()
        f.write(trailer)
        f.compressed += len(trailer)
        del self.files[(f.spec.name, f.if_alias)]
        if self._closer is not None:
            self.closing[f.name] = f  # still listed by `show` until the exporter has it
            self._closer.put((f, reason, self.clock.time()))
        else:
            self._finish(f, reason, self.clock.time())

    def _finish(self, f: FlowFile, reason: str, when: float) -> None:
        try:
            self._publish(f, reason, when)
        finally:
            self.closing.pop(f.name, None)

    def _publish(self, f: FlowFile, reason: str, when: float) -> None:
        os.fsync(f.fd)
        os.close(f.fd)
        _meta_path(f.part).unlink(missing_ok=True)
        if not f.records:
            f.part.unlink(missing_ok=True)
            return
        closed = ClosedFile(f.name, f.records, f.uncompressed, f.compressed, f.created, when, f.generation)
        path = self.dirs.publish(f.part, closed)
        self._remember_blocks(f)
        self.log.info("file closed name=%s records=%d uncompressed=%d compressed=%d reason=%s",
                      f.name, f.records, f.uncompressed, f.compressed, reason)
        self.on_closed(path, closed)

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
            if f.buffer and now - f.first_buffered >= self.flush_interval:
                self._flush_block(f)
            if now - f.meta_time >= self.flush_interval:
                f.meta_time = now
                self._write_meta(f)
            if now - f.opened >= f.spec.timeout:
                self.close(f, "timeout")
            else:
                f.rates.tick(now, f.totals())

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
        path = _meta_path(f.part)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, sort_keys=True), "utf-8")
        os.replace(tmp, path)

    # ------------------------------------------------------------------ show
    def snapshot_files(self) -> list[dict[str, object]]:
        """Open files (Active), then files being closed (Waiting) not yet with the exporter."""
        closing = [{**_file_view(f), "state": "Waiting"} for f in list(self.closing.values())]
        return [_file_view(f) for f in self.files.values()] + closing

    def clear_rates(self) -> None:
        now = self.clock.monotonic()
        for f in self.files.values():
            f.rates = RateSet(FILE_RATES, now)
            f.rates.reset(f.totals())

    # ------------------------------------------------------------------ recovery
    def recover(self) -> list[ClosedFile]:
        """Close every `active/*.part` a crash left: complete lines kept, published."""
        recovered = []
        for part in sorted(self.dirs.active.glob("*.part")):
            closed = recover_part(part, self.dirs, self.clock.time())
            if closed is not None:
                recovered.append(closed)
                self.log.info("file recovered name=%s records=%d", closed.name, closed.records)
            else:
                self.log.info("file recovered empty, removed name=%s", part.name[:-5])
        for stale in self.dirs.active.glob("*.tmp"):
            stale.unlink(missing_ok=True)
        return recovered


def _file_view(f: FlowFile) -> dict[str, object]:
    totals = f.totals()
    rates = {name: {"per_second": f.rates.rates[name].per_second, "peak": f.rates.rates[name].peak}
             for name in FILE_RATES}
    return {"name": f.name, "flows": totals["flows"],
            "uncompressed_bytes": totals["uncompressed_bytes"],
            "compressed_bytes": totals["compressed_bytes"], "state": "Active",
            "transfer_attempts": 0, "compressed_blocks": f.blocks, "block_count": f.blocks,
            "rates": rates}


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".meta.json")


def recover_part(part: Path, dirs: SpoolDirs, now: float) -> ClosedFile | None:
    """Re-write a possibly truncated gzip `.part` as a complete file in ready/."""
    meta_path = _meta_path(part)
    meta = _read_meta(meta_path)
    tmp = part.with_name(part.name + ".recovered")
    records, raw, packed = _recompress(part, tmp)
    name = part.name[: -len(".part")]
    meta_path.unlink(missing_ok=True)
    if not records:
        tmp.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
        return None
    created = float(meta.get("created", part.stat().st_mtime))
    closed = ClosedFile(name, records, raw, packed, created, now, int(meta.get("generation", 0)))
    dirs.publish(tmp, closed)
    part.unlink(missing_ok=True)
    return closed


def _read_meta(path: Path) -> dict[str, object]:
    try:
        return dict(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return {}


def _recompress(part: Path, out: Path) -> tuple[int, int, int]:
    """Decode what is readable, keep complete lines, write a fresh gzip: (lines, raw, packed)."""
    decoder = zlib.decompressobj(31)
    compressor = new_compressor()
    carry, records, raw, packed = b"", 0, 0, 0
    with part.open("rb") as src, out.open("wb") as dst:
        while chunk := src.read(1 << 20):
            try:
                data = carry + decoder.decompress(chunk)
            except zlib.error:
                break
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if cut:
                records += data.count(b"\n", 0, cut)
                raw += cut
                block = compressor.compress(data[:cut])
                dst.write(block)
                packed += len(block)
            if decoder.eof:
                break
        tail = compressor.flush()
        dst.write(tail)
        dst.flush()
        os.fsync(dst.fileno())
    return records, raw, packed + len(tail)
