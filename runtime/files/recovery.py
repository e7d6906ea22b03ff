"""Crash recovery: a `.part` left by kill -9 becomes a complete gzip file in ready/.

Blocks are written with a sync flush, so a truncated stream still decodes up to its last
complete block; every complete line is kept and re-compressed into a fresh gzip, the
metadata (creation time, generation) taken from `NAME.part.meta.json` when present.
"""
from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any

from flowc.runtime.files.flowfile import meta_path, new_compressor
from flowc.runtime.files.spool import ClosedFile, SpoolDirs


def recover_part(part: Path, dirs: SpoolDirs, now: float) -> ClosedFile | None:
    """Re-write a possibly truncated gzip `.part` as a complete file in ready/."""
    meta_file = meta_path(part)
    meta = _read_meta(meta_file)
    tmp = part.with_name(part.name + ".recovered")
    records, raw, packed = _recompress(part, tmp)
    name = part.name[: -len(".part")]
    meta_file.unlink(missing_ok=True)
    if not records:
        tmp.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
        return None
    created = float(meta.get("created", part.stat().st_mtime))
    closed = ClosedFile(name, records, raw, packed, created, now, int(meta.get("generation", 0)))
    dirs.publish(tmp, closed)
    part.unlink(missing_ok=True)
    return closed


def _read_meta(path: Path) -> dict[str, Any]:
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
