"""A reload that moves `spool:` carries each collector's waiting files to the new place.

Between stopping a collector (its active files closed and published into the old
`ready/`) and starting it again on the new spool, `carry_over` moves what the old spool
still holds for it: closed files waiting for export (`ready/NAME` with its
`NAME.meta.json`) and anything a killed process left in `active/` (recovered by the new
process as after a crash). A rename where both spools share a filesystem; otherwise a
copy (fsynced) then the old one removed, the data before its metadata so that a crash in
between leaves a copy, never nothing. The new process lists them (`show … file`) and
uploads them as its own. What cannot be moved stays where it was, with a log line naming
it; transfer logs stay in the old `translog/`.
"""
from __future__ import annotations

import errno
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from flowc.runtime.files.spool import SpoolDirs


@dataclass(frozen=True, slots=True)
class Carried:
    """What one collector's carry-over did."""

    files: int            # closed files moved (data and metadata)
    leftovers: int        # active/ files moved
    stranded: tuple[str, ...]  # paths that could not be moved


def carry_over(old: SpoolDirs, new: SpoolDirs, log: logging.Logger, interface: str) -> Carried:
    """Move the waiting files of one collector from the `old` spool to the `new` one."""
    if old.root.resolve() == new.root.resolve() or not old.root.is_dir():
        return Carried(0, 0, ())
    new.create()
    stranded: list[str] = []
    files = sum(_move_closed(meta, new.ready, stranded) for meta in sorted(old.ready.glob("*.meta.json")))
    leftovers = sum(_move(path, new.active / path.name, stranded) for path in sorted(old.active.iterdir())
                    if path.is_file()) if old.active.is_dir() else 0
    if files or leftovers or stranded:
        log.warning("spool moved: %s carried %d waiting file(s) and %d unfinished file(s) from %s to %s%s",
                    interface, files, leftovers, old.root, new.root,
                    f"; could not move {', '.join(stranded)} (left in place)" if stranded else "")
    return Carried(files, leftovers, tuple(stranded))


def _move_closed(meta: Path, ready: Path, stranded: list[str]) -> int:
    data = meta.with_name(meta.name[: -len(".meta.json")])
    if not data.exists():
        return 0
    if (ready / data.name).exists():  # a file of the same name waits there already: keep both apart
        stranded.append(str(data))
        return 0
    if _move(data, ready / data.name, stranded) and _move(meta, ready / meta.name, stranded):
        return 1
    return 0


def _move(source: Path, target: Path, stranded: list[str]) -> bool:
    try:
        try:
            os.rename(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            _copy_then_remove(source, target)
    except OSError as exc:
        stranded.append(f"{source} ({exc.strerror or exc})")
        return False
    return True


def _copy_then_remove(source: Path, target: Path) -> None:
    """Another filesystem: copy under a temporary name, fsync, rename into place, then remove."""
    temporary = target.with_name(f".{target.name}.carry")
    shutil.copyfile(source, temporary)
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    source.unlink()
