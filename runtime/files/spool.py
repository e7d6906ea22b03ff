"""The spool: where flow files live from their first record until an FTP server has them.

Layout under `<plan.spool>/<collector slug>/` (slug: `cp-6/0/0` -> `cp-6_0_0`):

    active/NAME.part            the file being written (a gzip stream, flushed per block)
    active/NAME.part.meta.json  its metadata so far (records, bytes), rewritten on flush
    ready/NAME                  closed, complete gzip file waiting for export
    ready/NAME.meta.json        its `ClosedFile` metadata
    translog/                   transfer logs (*.tmp, *.log, *.log.gz) and failed/

A file moves active -> ready with an atomic rename after its gzip trailer is written and
fsynced; it leaves ready/ only after an FTP server acknowledged it (226/250).
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from flowc.runtime.plan.model import slug


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

    def ready_files(self) -> list[tuple[Path, ClosedFile]]:
        """Closed files waiting for export, oldest first (by close time, then name)."""
        found = []
        for meta in self.ready.glob("*.meta.json"):
            data = meta.with_name(meta.name[: -len(".meta.json")])
            if data.exists():
                found.append((data, ClosedFile.from_json(meta.read_text("utf-8"))))
        return sorted(found, key=lambda item: (item[1].closed, item[1].name))

    def publish(self, part: Path, closed: ClosedFile) -> Path:
        """Move a finished file from active/ to ready/ atomically, metadata first."""
        target = self.ready / closed.name
        meta = self.ready / f"{closed.name}.meta.json"
        tmp = meta.with_suffix(".tmp")
        tmp.write_text(closed.to_json(), "utf-8")
        os.replace(tmp, meta)
        os.replace(part, target)
        return target

    def remove(self, closed: ClosedFile) -> None:
        """Forget a file once a server has it (data first, then metadata)."""
        (self.ready / closed.name).unlink(missing_ok=True)
        (self.ready / f"{closed.name}.meta.json").unlink(missing_ok=True)
