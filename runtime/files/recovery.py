"""Crash recovery: a `.part` left by kill -9 becomes a complete gzip file in ready/, and
ready/ is made sound before the exporter reads it.

Blocks are written with a sync flush, so a truncated stream still decodes up to its last
complete block; every complete line is kept and re-compressed into a fresh gzip, the
metadata (creation time, generation) taken from `NAME.part.meta.json` when present.
Recovery killed at any step is finished by the next start, never published twice: the
fresh gzip replaces the `.part`, which is then renamed into ready/; what a kill leaves
(`*.recovered`, `*.tmp`, metadata of a `.part` already published) is swept.

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
RECOVERED = ".recovered"  # a re-compression in progress, next to the file it replaces


def recover_part(part: Path, dirs: SpoolDirs, now: float) -> ClosedFile | None:
    """Re-write a possibly truncated gzip `.part` as a complete file in ready/.

    Idempotent whatever step a kill stops it at: the fresh gzip replaces the `.part` (a
    complete gzip recovers to the same lines), then the `.part` itself is renamed into
    ready/, so it is never both published and left to be recovered again. None when there
    is nothing (new) to publish."""
    meta_file = meta_path(part)
    meta = _read_meta(meta_file)
    created = float(meta.get("created", part.stat().st_mtime))
    tmp = part.with_name(part.name + RECOVERED)
    records, raw, packed = _recompress(part, tmp)
    closed = None
    if records:
        os.replace(tmp, part)
        fsync_directory(dirs.active)
        closed = ClosedFile(part.name[: -len(".part")], records, raw, packed, created, now,
                            int(meta.get("generation", 0)), "crash recovery")
        if _published(dirs, closed):
            closed = None      # an older run published it and was killed before removing the .part
        else:
            dirs.publish(part, closed)
    for leftover in (part, tmp, meta_file):
        leftover.unlink(missing_ok=True)
    fsync_directory(dirs.active)
    return closed


def _published(dirs: SpoolDirs, closed: ClosedFile) -> bool:
    """Whether ready/ already holds this very file (same name, lines and bytes)."""
    found = read_closed(dirs.ready / f"{closed.name}{META}")
    return ((dirs.ready / closed.name).is_file() and found is not None
            and (found.name, found.records, found.uncompressed_bytes)
            == (closed.name, closed.records, closed.uncompressed_bytes))


def sweep_active(dirs: SpoolDirs, skip: set[str] | frozenset[str] = frozenset()) -> None:
    """What a kill during recovery leaves in active/: a re-compression cut short
    (`NAME.part.recovered`), a metadata write cut short (`*.tmp`), the metadata of a
    `.part` already published (`NAME.part.meta.json` without its `.part`)."""
    try:
        for path in dirs.active.iterdir():
            if _leftover(path, skip):
                path.unlink(missing_ok=True)
        fsync_directory(dirs.active)
    except OSError:
        pass  # active/ gone or unreadable now: swept on a later run


def _leftover(path: Path, skip: set[str] | frozenset[str]) -> bool:
    name = path.name
    if name.endswith((RECOVERED, ".tmp")):
        return True
    part_meta = f".part{META}"
    return (name.endswith(part_meta) and name[: -len(part_meta)] not in skip
            and not path.with_name(name[: -len(META)]).exists())


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
    elif path.name.endswith(RECOVERED) and not path.with_name(path.name + META).exists():
        path.unlink(missing_ok=True)           # a re-compression cut short; its file is checked itself
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
        tmp = data.with_name(data.name + RECOVERED)
        records, raw, _ = _recompress(data, tmp)
        os.replace(tmp, data)
        fsync_directory(dirs.ready)
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
