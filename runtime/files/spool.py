"""The spool: where flow files live from their first record until an FTP server has them.

Layout under `<plan.spool>/<collector slug>/` (slug: `cp-6/0/0` -> `cp-6_0_0`):

    active/NAME.part            the file being written (a gzip stream, flushed per block)
    active/NAME.part.meta.json  its metadata so far (records, bytes), rewritten on flush
    ready/NAME                  closed, complete gzip file waiting for export
    ready/NAME.meta.json        its `ClosedFile` metadata
    ready/NAME.rename.json      the server, directory and name an upload is renaming it to
                                (written before RNTO: a crash before the 250 is settled later)
    translog/                   transfer logs (*.tmp, *.log, *.log.gz) and failed/

A file moves active -> ready with an atomic rename after its gzip trailer is written and
fsynced; it leaves ready/ only after an FTP server acknowledged it (226/250).

Durability: every file the spool depends on after a power cut (the flow file, its
`ready/NAME.meta.json`) is fsynced before it is renamed into place, and the directory is
fsynced after each rename and removal, so a rename is never seen without its content and a
delivered file never comes back. A damaged metadata file is repaired at start
(`flowc.runtime.files.recovery.waiting_files`), never fatal. `ensure()` recreates the
directories when they were deleted under a running collector; `writable()` says whether
that is possible (the collector's health).
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from flowc.runtime.plan.model import slug

RENAME_NOTE = ".rename.json"


@dataclass(frozen=True, slots=True)
class ClosedFile:
    """A complete flow file in ready/, with what the transfer log and `show` need."""

    name: str
    records: int
    uncompressed_bytes: int
    compressed_bytes: int
    created: float
    closed: float
    generation: int
    reason: str = ""  # why it was closed: record-level, timeout, open-files, write error, shutdown …

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ClosedFile:
        return cls(**json.loads(text))


@dataclass(frozen=True, slots=True)
class SpoolDirs:
    """The directories of one collector's spool."""

    root: Path

    @classmethod
    def for_collector(cls, spool: str | Path, interface: str) -> SpoolDirs:
        return cls(Path(spool) / slug(interface))

    @property
    def active(self) -> Path:
        return self.root / "active"

    @property
    def ready(self) -> Path:
        return self.root / "ready"

    @property
    def translog(self) -> Path:
        return self.root / "translog"

    def create(self) -> None:
        """The directories, 0700 whatever the umask (they hold flow records)."""
        for path in (self.root, self.active, self.ready, self.translog, self.translog / "failed"):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            if path.stat().st_mode & 0o077:
                path.chmod(0o700)

    def ensure(self) -> bool:
        """The directories again if one was deleted (`rm -rf` under a running collector);
        False when they cannot be made."""
        if self.active.is_dir() and self.ready.is_dir():
            return True
        try:
            self.create()
        except OSError:
            return False
        return True

    def writable(self) -> bool:
        """Whether the spool takes a file right now (directories made again if needed)."""
        if not self.ensure():
            return False
        probe = self.active / f".probe.{os.getpid()}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError:
            return False
        return True

    def ready_files(self) -> list[tuple[Path, ClosedFile]]:
        """Closed files waiting for export with sound metadata, oldest first (by close
        time, then name); `recovery.waiting_files` also repairs the others."""
        found = []
        for meta in self.ready.glob("*.meta.json"):
            data = meta.with_name(meta.name[: -len(".meta.json")])
            closed = read_closed(meta)
            if data.exists() and closed is not None:
                found.append((data, closed))
        return sorted(found, key=lambda item: (item[1].closed, item[1].name))

    def publish(self, part: Path, closed: ClosedFile) -> Path:
        """Move a finished (fsynced) file from active/ to ready/ atomically, metadata
        first, each durable before the next step."""
        target = self.ready / closed.name
        write_durably(self.ready / f"{closed.name}.meta.json", closed.to_json())
        os.replace(part, target)
        fsync_directory(self.ready)
        return target

    def rename_note(self, name: str) -> Path:
        """`ready/NAME.rename.json`: where an upload of NAME was being renamed to."""
        return self.ready / f"{name}{RENAME_NOTE}"

    def remove(self, closed: ClosedFile) -> None:
        """Forget a file once a server has it (data first, then metadata), for good."""
        (self.ready / closed.name).unlink(missing_ok=True)
        (self.ready / f"{closed.name}.meta.json").unlink(missing_ok=True)
        self.rename_note(closed.name).unlink(missing_ok=True)
        try:
            fsync_directory(self.ready)
        except OSError:
            pass  # the spool went away meanwhile: nothing left to come back


def read_closed(meta: Path) -> ClosedFile | None:
    """The metadata in `meta`, or None when it is damaged (empty, cut short, not ours)."""
    try:
        fields = json.loads(meta.read_text("utf-8"))
        closed = ClosedFile(**fields)
    except (OSError, ValueError, TypeError):
        return None
    sound = isinstance(fields.get("name"), str) and isinstance(fields.get("records"), int)
    return closed if sound else None


def write_durably(path: Path, text: str) -> None:
    """`text` in `path`, atomically and durably: temporary, fsync, rename, fsync directory."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_directory(path.parent)


def fsync_directory(path: Path) -> None:
    """Make the renames and removals in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
