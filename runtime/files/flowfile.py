"""An open flow file (`active/NAME.part`): its gzip stream, pending block, counters.

Also the generation counter (`%N`, kept in the spool across restarts) and the view of an
open file that `show … file` prints.
"""
from __future__ import annotations

import os
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from flowc.runtime.plan.model import FileSpec
from flowc.runtime.stats import FileRates, FileView, RateSet


def _deflate() -> ModuleType:
    """isal is ~3x faster than zlib at level 1 and writes standard gzip; zlib without it."""
    try:
        from isal import isal_zlib
    except ImportError:  # pragma: no cover - the fallback of a bare install
        return zlib
    return isal_zlib


gz = _deflate()

FILE_RATES = ("flows", "uncompressed_bytes", "compressed_bytes")


def new_compressor() -> Any:  # zlib's Compress (isal's twin has no public type)
    """A gzip-framed deflate stream at level 1."""
    return gz.compressobj(1, gz.DEFLATED, 31)


class FlowFile:
    """An open file in active/: its compressor, pending block and counters."""

    __slots__ = (
        "blocks",
        "buffer",
        "buffered",
        "compressed",
        "compressor",
        "created",
        "fd",
        "first_buffered",
        "flushed_records",
        "generation",
        "if_alias",
        "meta_records",
        "meta_time",
        "name",
        "opened",
        "part",
        "rates",
        "records",
        "spec",
        "uncompressed",
        "used",
    )

    def __init__(self, spec: FileSpec, if_alias: str, name: str, part: Path, created: float,
                 opened: float, generation: int) -> None:
        self.spec, self.if_alias, self.name, self.part = spec, if_alias, name, part
        self.fd = os.open(part, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        self.compressor = new_compressor()
        self.buffer: list[bytes] = []  # lines as UTF-8, one datagram per item
        self.buffered = 0
        self.records = self.uncompressed = self.compressed = self.blocks = 0
        self.created, self.opened, self.generation = created, opened, generation
        self.first_buffered = opened
        self.rates = RateSet(FILE_RATES, opened)
        self.flushed_records = 0
        self.meta_records = -1
        self.meta_time = opened
        self.used = 0  # the writer's use counter at the last add (least recently used closes first)

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
        """The next number; kept in memory when the spool cannot take the file (full disk)."""
        self.last += 1
        tmp = self.path.with_suffix(".tmp")
        try:
            tmp.write_text(str(self.last), "ascii")
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)
        return self.last


def file_view(f: FlowFile) -> FileView:
    totals = f.totals()
    rates = cast(FileRates, {name: {"per_second": f.rates.rates[name].per_second, "peak": f.rates.rates[name].peak}
                             for name in FILE_RATES})
    return {"name": f.name, "flows": totals["flows"],
            "uncompressed_bytes": totals["uncompressed_bytes"],
            "compressed_bytes": totals["compressed_bytes"], "state": "Active",
            "transfer_attempts": 0, "compressed_blocks": f.blocks, "block_count": f.blocks,
            "rates": rates}


def meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".meta.json")
