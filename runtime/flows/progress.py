"""Progress of a long read, on stderr and only when stderr is a terminal (never in pipes).

DuckDB reports how far a running query is (`query_progress()`, a percentage); a thread
polls it while the query runs and rewrites one line: files and records done (records
exactly from the spool's `NAME.meta.json` when every file has one, estimated from the
compressed size otherwise), the rate, the time so far. The line is erased at the end.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import duckdb

BYTES_PER_RECORD = 33   # a flowc line at gzip level 1, measured (docs/flows.md)
FIRST_AFTER = 0.5       # seconds before the first line (short reads show nothing)
EVERY = 0.25


class Progress:
    """Shows a query's progress on a terminal; does nothing when `enabled` is false."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.con: duckdb.DuckDBPyConnection | None = None

    @classmethod
    def on_terminal(cls) -> Progress:
        return cls(enabled=sys.stderr.isatty())

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.enabled:
            con.execute("SET enable_progress_bar = true")
            con.execute("SET enable_progress_bar_print = false")
            self.con = con

    @contextmanager
    def watch(self, files: list[Path]) -> Iterator[None]:
        if self.con is None or not files:
            yield
            return
        stop = threading.Event()
        thread = threading.Thread(target=self._poll, args=(files, stop), daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _poll(self, files: list[Path], stop: threading.Event) -> None:
        assert self.con is not None
        records, exact = _records(files)
        start, shown = time.monotonic(), False
        while not stop.wait(EVERY):
            elapsed = time.monotonic() - start
            done = self.con.query_progress()
            if elapsed < FIRST_AFTER or done < 0:
                continue
            share = min(done, 100.0) / 100
            approx = "" if exact else "≈"
            self.stream.write(f"\rreading files {int(share * len(files))}/{len(files)}, records {approx}"
                              f"{_count(share * records)}, {approx}{_count(share * records / elapsed)}/s, "
                              f"{elapsed:.0f} s ")
            self.stream.flush()
            shown = True
        if shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _records(files: list[Path]) -> tuple[int, bool]:
    """Records in the files: exact from metadata when every file has it, else estimated."""
    total = 0
    for path in files:
        try:
            total += int(json.loads(path.with_name(path.name + ".meta.json").read_text("utf-8"))["records"])
        except (OSError, ValueError, KeyError, TypeError):
            return sum(_size(p) for p in files) // BYTES_PER_RECORD, False
    return total, True


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _count(value: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f}"
