"""The transfer log: one line per transfer attempt, and the archive lifecycle of its files.

Lines go to `<translog>/<hostname>_<prefix>_YYYYMMDD_hhmmss.tmp` (UTC, the time the file
was opened; `<hostname>_<prefix>_<collector>_YYYYMMDD_hhmmss.tmp` when a `tag` names the
collector, so the logs of two collectors never share a name on an archive site) in the
seed's format:

    fn="<file>":sz=<bytes>:nr=<records>:ts="<YYYYMMDDhhmmss>":sf=<1|0>:ul="<url>":rc=<code>:er="<text>":tt=<ms>

`tick()` moves each file along: a `.tmp` older than `maximum-age` minutes (or named in the
future: the clock was ahead when it was opened) becomes `.log`;
a `.log` is gzip-compressed to `.log.gz`; a `.log.gz` is offered to the archive sites in
order until one accepts it (then deleted); if none does it moves to `failed/`, where it is
offered again every `failed_retry` seconds (1800). Without archive sites, `.log.gz` files
stay where they are. Time comes from the injected `Clock`; nothing here sleeps.

`write()` never raises: a line the directory cannot take (full disk, no permission) is
kept in memory (`pending`, at most MAX_PENDING lines, the oldest dropped first and
counted) and written before the next one; the caller counts the failure. Files are 0600.
"""
from __future__ import annotations

import calendar
import gzip
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flowc.runtime.clock import Clock
from flowc.runtime.export.deadline import DeadlinePolicy
from flowc.runtime.export.failure import FtpFailure
from flowc.runtime.export.ftp import FtpTransport, UploadRequest, expand_path
from flowc.runtime.plan.model import TransferLog
from flowc.runtime.stats import CounterSink

MAX_PENDING = 100_000  # transfer-log lines kept in memory while the directory fails


@dataclass(frozen=True, slots=True)
class TransferRecord:
    """One transfer attempt, as the log line tells it."""

    file: str
    size: int
    records: int
    when: float
    success: bool
    url: str
    code: int
    error: str
    millis: int

    def line(self) -> str:
        return (
            f'fn="{_clean(self.file)}":sz={self.size}:nr={self.records}'
            f':ts="{stamp(self.when, "%Y%m%d%H%M%S")}":sf={int(self.success)}'
            f':ul="{_clean(self.url)}":rc={self.code}:er="{_clean(self.error)}":tt={self.millis}'
        )


def stamp(when: float, fmt: str) -> str:
    return time.strftime(fmt, time.gmtime(when))


def _clean(text: str) -> str:
    return " ".join(text.replace('"', "'").split())


@dataclass(frozen=True, slots=True)
class ArchiveSetup:
    """What the plan says about one collector's transfer logs: the `transfer-log-archive`
    settings, the host name in file names, and the export channel the archive uploads take."""

    settings: TransferLog
    host_name: str
    dscp: int = 0
    rate_bps: int | None = None


class Translog:
    """Writes transfer records and runs the tmp -> log -> gz -> archive lifecycle."""

    def __init__(self, setup: ArchiveSetup, directory: Path, clock: Clock, transport: FtpTransport,
                 log: logging.Logger, stats: CounterSink | None = None) -> None:
        self.settings = setup.settings
        self.stats = stats
        self.host_name = setup.host_name or "flowc"
        self.directory = directory
        self.failed = directory / "failed"
        self.clock = clock
        self.transport = transport
        self.log = log
        self.dscp = setup.dscp
        self.rate_bps = setup.rate_bps
        self._lock = threading.RLock()
        self._failed_due: float | None = None
        self.tag = ""                              # the collector, in file and archive names
        self.name_lock: Path | None = None         # see UploadRequest.lock
        self.policy: DeadlinePolicy | None = None  # whole-transfer deadline of archive uploads
        self.pending: list[str] = []
        self.dropped = 0
        self._failing = False

    def reconfigure(self, setup: ArchiveSetup) -> None:
        """New settings (live reload): the archive sites apply to the next archiving, the
        prefix and host name to the next log file opened, the maximum age at once."""
        with self._lock:
            if setup.settings.archive_sites != self.settings.archive_sites:
                self._failed_due = None  # offer failed/ to the new sites on the next tick
            self.settings = setup.settings
            self.host_name = setup.host_name or "flowc"
            self.dscp, self.rate_bps = setup.dscp, setup.rate_bps

    # ------------------------------------------------------------ writing
    def write(self, record: TransferRecord) -> bool:
        """Append one line (and any kept from before); False when it had to be kept."""
        with self._lock:
            self.pending.append(record.line() + "\n")
            return self.flush_pending()

    def flush_pending(self) -> bool:
        """Write the lines kept in memory; True when none is left."""
        with self._lock:
            if not self.pending:
                return True
            try:
                self._append("".join(self.pending))
            except OSError as exc:
                if len(self.pending) > MAX_PENDING:
                    self.dropped += len(self.pending) - MAX_PENDING
                    del self.pending[:-MAX_PENDING]
                if not self._failing:
                    self._failing = True
                    self.log.error("transfer log in %s cannot be written: %s; lines are kept in memory "
                                   "and written when it can", self.directory, exc.strerror or exc)
                return False
            if self._failing:
                self._failing = False
                self.log.warning("transfer log in %s written again (%d line(s) caught up)",
                                 self.directory, len(self.pending))
            if self.stats is not None:
                self.stats.add("translog_lines", len(self.pending))
            self.pending.clear()
            return True

    def _append(self, text: str) -> None:
        if not self.directory.is_dir():  # deleted with the spool: made again (0700)
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._current()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            data = text.encode("utf-8")
            start = os.lseek(fd, 0, os.SEEK_END)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            except OSError:
                os.ftruncate(fd, start)  # no half line: the whole text is written again later
                raise
        finally:
            os.close(fd)

    def _current(self) -> Path:
        """The open .tmp file (the newest young one), or a new one named after now."""
        now = self.clock.time()
        young = [p for p in self._files(".tmp") if not self._expired(p, now)]
        if young:
            return max(young, key=self._opened)
        tag = f"{self.tag}_" if self.tag else ""
        name = f"{self.host_name}_{self.settings.filename_prefix}_{tag}{stamp(now, '%Y%m%d_%H%M%S')}.tmp"
        return self.directory / name

    def _files(self, suffix: str, where: Path | None = None) -> list[Path]:
        where = where or self.directory
        return sorted(p for p in where.glob(f"*{suffix}") if p.is_file())

    def _opened(self, path: Path) -> float:
        """The UTC time in the file's name (`…_YYYYMMDD_hhmmss.tmp`)."""
        stem = path.name
        for suffix in (".gz", ".log", ".tmp"):
            stem = stem.removesuffix(suffix)
        try:
            parsed = time.strptime(stem[-15:], "%Y%m%d_%H%M%S")
        except ValueError:
            return path.stat().st_mtime
        return float(calendar.timegm(parsed))

    def _expired(self, path: Path, now: float) -> bool:
        """Older than `maximum-age`, or named in the future (the clock was ahead once):
        a negative age would keep it open for ever."""
        age = now - self._opened(path)
        return age < 0 or age >= self.settings.maximum_age * 60

    # ------------------------------------------------------------ lifecycle
    def tick(self) -> None:
        """One pass of the lifecycle; call it every few seconds."""
        self.flush_pending()
        with self._lock:
            now = self.clock.time()
            for path in self._files(".tmp"):
                if self._expired(path, now):
                    os.replace(path, path.with_suffix(".log"))
                    self.log.info("transfer log %s closed", path.with_suffix(".log").name)
            for path in self._files(".log"):
                compress(path)
        for path in self._files(".log.gz"):
            self._archive_or_fail(path)
        if self._failed_due is None and self._files(".log.gz", self.failed):
            self._failed_due = self.clock.time()
        if self._failed_due is not None and self.clock.time() >= self._failed_due:
            self._retry_failed()

    def _archive_or_fail(self, path: Path) -> None:
        if not self.settings.archive_sites:
            return
        if self.archive(path):
            path.unlink(missing_ok=True)
            return
        self.failed.mkdir(parents=True, exist_ok=True)
        os.replace(path, self.failed / path.name)
        self.log.warning("transfer log %s: no archive site accepted it; moved to failed/", path.name)
        if self._failed_due is None:
            self._failed_due = self.clock.time() + self.settings.failed_retry

    def _retry_failed(self) -> None:
        for path in self._files(".log.gz", self.failed):
            if self.archive(path):
                path.unlink(missing_ok=True)
        self._failed_due = self.clock.time() + self.settings.failed_retry
        if not self._files(".log.gz", self.failed):
            self._failed_due = None

    def archive(self, path: Path) -> bool:
        """Offer one compressed log to the archive sites in order; True when one took it."""
        for site in self.settings.archive_sites:
            request = UploadRequest(site, path, path.name, expand_path(site.path, self.clock.time()),
                                    self.dscp, self.rate_bps, deadline=self.deadline(path),
                                    tag=self.tag, lock=self.name_lock, sweep=path.parent == self.failed)
            self._count("archive_attempts")
            try:
                self.transport.upload(request)
            except FtpFailure as exc:
                self._count("archive_failures")
                self.log.warning("transfer log %s: archive site %s refused it: %s",
                                 path.name, site.url, exc)
                continue
            self.log.info("transfer log %s archived to %s", path.name, site.url)
            return True
        return False

    def _count(self, name: str) -> None:
        if self.stats is not None:
            self.stats.add(name)

    def deadline(self, path: Path) -> float | None:
        """The whole-transfer deadline of an archive upload (the exporter's policy)."""
        policy = self.policy
        return None if policy is None else policy.seconds(path.stat().st_size)

    @property
    def failed_due(self) -> float | None:
        """When the files in failed/ are offered again (None: nothing waits there)."""
        return self._failed_due

    def purge(self) -> int:
        """Delete every transfer log not yet archived (tmp, log, gz, failed/); return how many."""
        with self._lock:
            doomed = [p for suffix in (".tmp", ".log", ".log.gz")
                      for where in (self.directory, self.failed) if where.is_dir()
                      for p in self._files(suffix, where)]
            for path in doomed:
                path.unlink(missing_ok=True)
                self.log.info("transfer log %s purged", path.name)
            self._failed_due = None
            return len(doomed)


def compress(path: Path) -> Path:
    """`X.log` -> `X.log.gz` (written aside, then renamed; the .log goes last)."""
    target = path.with_name(path.name + ".gz")
    part = path.with_name(path.name + ".gz.part")
    try:
        with open(path, "rb") as source, open(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                                                "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as sink:
            shutil.copyfileobj(source, sink)
    except OSError:
        part.unlink(missing_ok=True)  # full disk: the .log stays, compressed on a later tick
        raise
    os.replace(part, target)
    path.unlink()
    return target
