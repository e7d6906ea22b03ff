"""Crash recovery: a `.part` left by kill -9 becomes a complete gzip file in ready/, and
ready/ is made sound before the exporter reads it.

Blocks are written with a sync flush, so a truncated stream still decodes up to its last
complete block; every complete line is kept and re-compressed into a fresh gzip, the
metadata (creation time, generation) taken from `NAME.part.meta.json` when present.

`waiting_files` lists ready/ for the exporter at start. A damaged `NAME.meta.json` (0 bytes
after a power cut, cut short, not JSON) is moved to `quarantine/` with one log line and the
metadata rebuilt from the gzip file itself (records and sizes counted by decoding it; a
gzip that ends early is re-compressed with its complete lines, as a `.part` is); a flow
file without metadata gets it the same way; a metadata file without its flow file goes.
Nothing in the spool can stop the start.
"""
from __future__ import annotations

import json
import logging
import os
import zlib
from pathlib import Path
from typing import Any

from flowc.runtime.files.flowfile import meta_path, new_compressor
from flowc.runtime.files.spool import (
    RENAME_NOTE,
    ClosedFile,
    SpoolDirs,
    fsync_directory,
    read_closed,
    write_durably,
)

META = ".meta.json"


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
    closed = ClosedFile(name, records, raw, packed, created, now, int(meta.get("generation", 0)),
                        "crash recovery")
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


def waiting_files(dirs: SpoolDirs, log: logging.Logger) -> list[tuple[Path, ClosedFile]]:
    """The files in ready/ waiting for export, oldest first, their metadata repaired."""
    for path in sorted(dirs.ready.iterdir()) if dirs.ready.is_dir() else []:
        try:
            _check_waiting(path, dirs, log)
        except OSError as exc:  # a file that cannot be read or fixed now stays for next time
            log.error("spool file %s cannot be checked: %s; left as it is", path, exc.strerror or exc)
    return dirs.ready_files()


def _check_waiting(path: Path, dirs: SpoolDirs, log: logging.Logger) -> None:
    if path.name.endswith(".tmp"):
        path.unlink(missing_ok=True)           # a metadata write cut short; its file is checked itself
    elif path.name.endswith(RENAME_NOTE):
        if not path.with_name(path.name[: -len(RENAME_NOTE)]).exists():
            path.unlink()                      # its file was delivered
    elif path.name.endswith(META):
        data = path.with_name(path.name[: -len(META)])
        if not data.exists():
            path.unlink()
            log.warning("spool: %s has no flow file; removed", path.name)
        elif (closed := read_closed(path)) is None or closed.name != data.name:
            moved = _quarantine(path, dirs)
            _rebuilt(data, dirs, log, f"damaged metadata moved to {moved}")
    elif path.is_file() and not path.with_name(path.name + META).exists():
        _rebuilt(path, dirs, log, "no metadata")


def _quarantine(meta: Path, dirs: SpoolDirs) -> Path:
    folder = dirs.root / "quarantine"
    folder.mkdir(mode=0o700, exist_ok=True)
    target, n = folder / meta.name, 0
    while target.exists():
        n += 1
        target = folder / f"{meta.name}.{n}"
    os.replace(meta, target)
    fsync_directory(dirs.ready)
    return target


def _rebuilt(data: Path, dirs: SpoolDirs, log: logging.Logger, why: str) -> None:
    """Metadata for `data` from its content (re-compressed when the gzip ends early)."""
    records, raw, complete = _inspect(data)
    if not complete:
        tmp = data.with_name(data.name + ".recovered")
        records, raw, _ = _recompress(data, tmp)
        os.replace(tmp, data)
    if not records:
        data.unlink()
        log.warning("spool: %s (%s) holds no complete record; removed", data.name, why)
        return
    stamp = data.stat().st_mtime
    closed = ClosedFile(data.name, records, raw, data.stat().st_size, stamp, stamp, 0, "metadata rebuilt")
    write_durably(data.with_name(data.name + META), closed.to_json())
    log.warning("spool: %s (%s): metadata rebuilt from the file, %d records; kept for upload",
                data.name, why, records)


def _inspect(path: Path) -> tuple[int, int, bool]:
    """(lines, bytes, whether the gzip is whole) of a gzip file, by decoding it."""
    decoder = zlib.decompressobj(31)
    records = raw = 0
    with path.open("rb") as src:
        while chunk := src.read(1 << 20):
            try:
                data = decoder.decompress(chunk)
            except zlib.error:
                return records, raw, False
            records, raw = records + data.count(b"\n"), raw + len(data)
            if decoder.eof:
                break
    return records, raw, decoder.eof and not decoder.unused_data
