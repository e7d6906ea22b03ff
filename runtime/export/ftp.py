"""The FTP transport: one upload of one local file to one FTP server.

`FtpTransport` is the seam the exporter and the transfer-log archiver call;
`FtplibTransport` is the real thing on top of `ftplib`: passive mode on DSCP-marked
sockets (`flowc.runtime.export.dscp`), a token-bucket rate limit, a timeout on every
socket operation, and an abort flag checked between blocks. Failures are
`flowc.runtime.export.failure.FtpFailure`s.

An upload goes to a temporary name (`NAME.TAG.part`, TAG the collector's: two collectors
never write the same temporary file) and is renamed to its final name with RNFR/RNTO only
after the server acknowledged the data (226), so a reader on the server never mistakes a
partial upload for a file. The final name is claimed with `flowc.runtime.export.claim`:
a name the server has is never replaced. Every upload has a whole-transfer deadline and
an abort flag that end it at once (`flowc.runtime.export.deadline`). The remote directory
is the URL's path with its macros expanded at upload time; when it is missing, one level
is created (MKD) if its parent exists, as Junos does (`ftp://h/%m/%Y`: `01/` must exist,
`2005/` is created).

Tested against pyftpdlib and vsftpd; other servers' habits are handled where they bite
(docs/export.md, "Servers tested").
"""
from __future__ import annotations

import ftplib
import posixpath
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from flowc.runtime.clock import Clock, SystemClock
from flowc.runtime.export.claim import NameClaim, forget, free_name, rename, sweep, temporary_name
from flowc.runtime.export.deadline import Watchdog
from flowc.runtime.export.dscp import MarkedFTP
from flowc.runtime.export.failure import (
    FtpAborted,
    FtpDeadline,
    FtpFailure,
    reply_code,
    reply_failure,
    reply_text,
)
from flowc.runtime.export.proof import holds, prove_stored
from flowc.runtime.files.naming import expand_name
from flowc.runtime.plan.model import FtpTarget
from flowc.runtime.plan.secret import reveal

BLOCK = 32 * 1024
SETTLED = 213  # the reply code of a delivery proven after a lost reply to RNTO (SIZE's)


@dataclass(frozen=True, slots=True)
class UploadRequest:
    """What to send where: `directory` is already macro-expanded."""

    target: FtpTarget
    local: Path
    name: str
    directory: str
    dscp: int = 0
    rate_bps: int | None = None
    deadline: float | None = None   # seconds for the whole attempt (None: socket timeouts only)
    tag: str = ""                   # the uploader's own mark: temporary and conflict names
    lock: Path | None = None        # a lock file serialising "is the name free? rename"
    sweep: bool = False             # an earlier attempt may have left temporaries: delete them
    settle: str = ""                # a final name an earlier attempt may have renamed to
    on_rename: Callable[[str, str], None] | None = None  # (directory, final name) just before RNTO


@dataclass(frozen=True, slots=True)
class UploadResult:
    """A finished upload: the last reply code (RNTO's 250), the bytes sent and the name
    the file has on the server (another than asked when that one was taken)."""

    code: int
    text: str
    bytes_sent: int
    name: str = ""


class FtpTransport(Protocol):
    def upload(self, request: UploadRequest, abort: threading.Event | None = None) -> UploadResult:
        """Send `request.local`; raise `FtpFailure` (or `FtpAborted`) when it did not land."""


# ---------------------------------------------------------------- URL helpers

def expand_path(path: str, when: float) -> str:
    """The URL directory with its macros expanded, one path level at a time, with the
    naming rules of file names (`flowc.runtime.files.naming`): UTC, `%D %T %Y %m …`, `{year}`…"""
    return "/".join(expand_name(part, when, "", 0)[0] if part else part
                    for part in path.split("/"))


def display_url(target: FtpTarget, directory: str) -> str:
    """The URL as the router has it, path expanded, any password left out (for logs)."""
    parts = urlsplit(target.url)
    netloc = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    if user:
        netloc = f"{user}@{netloc}"
    path = directory if directory.endswith("/") else directory + "/"
    return urlunsplit((parts.scheme or "ftp", netloc, path, "", ""))


def login_user(target: FtpTarget) -> str:
    """FtpTarget.username, else the user in the URL, else anonymous."""
    return target.username or urlsplit(target.url).username or "anonymous"


def login_password(target: FtpTarget) -> str:
    if not target.password:
        return urlsplit(target.url).password or ""
    return reveal(target.password)


# ---------------------------------------------------------------- rate limit

class TokenBucket:
    """`rate_bps` bits per second with a burst of one second; `take` waits on the clock."""

    def __init__(self, rate_bps: int, clock: Clock) -> None:
        self.rate = float(rate_bps)
        self.clock = clock
        self.tokens = self.rate
        self.stamp = clock.monotonic()

    def take(self, nbytes: int) -> float:
        """Spend `nbytes * 8` bits, sleeping first if the bucket is short; return the wait."""
        now = self.clock.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= nbytes * 8
        if self.tokens >= 0:
            return 0.0
        wait = -self.tokens / self.rate
        self.clock.sleep(wait)
        return wait


class FtplibTransport:
    """Uploads with ftplib; `timeout` bounds every connect, read and write, the request's
    deadline the whole attempt (measured on `deadline_clock`, by default `clock`)."""

    def __init__(self, timeout: float = 30.0, clock: Clock | None = None,
                 deadline_clock: Clock | None = None) -> None:
        self.timeout = timeout
        self.clock = clock or SystemClock()
        self.deadline_clock = deadline_clock or self.clock

    def upload(self, request: UploadRequest, abort: threading.Event | None = None) -> UploadResult:
        abort = abort or threading.Event()
        ftp = MarkedFTP(timeout=self.timeout)
        ftp.dscp = request.dscp
        with Watchdog(self.deadline_clock, request.deadline, abort) as dog:
            ftp.watchdog = dog
            try:
                try:
                    return self._translated(ftp, request, abort)
                except FtpFailure as exc:
                    if not exc.unsettled or dog.fired:
                        raise
                    return self._settle_now(request, exc, dog, abort)
            except FtpFailure as exc:
                if dog.fired == "abort" and not isinstance(exc, FtpAborted):
                    raise FtpAborted().carrying(exc) from None
                if dog.fired == "deadline" and request.deadline is not None:
                    raise FtpDeadline(request.deadline).carrying(exc) from None
                raise

    def _settle_now(self, request: UploadRequest, lost: FtpFailure, dog: Watchdog,
                    abort: threading.Event) -> UploadResult:
        """The reply to RNTO was lost: look at once, on a new connection, whether the
        server holds the file under its final name; `lost` again when it cannot say."""
        ftp = MarkedFTP(timeout=self.timeout)
        ftp.dscp, ftp.watchdog = request.dscp, dog
        again = replace(request, directory=lost.directory, settle=lost.unsettled, sweep=True)
        try:
            return self._translated(ftp, again, abort, settle_only=True)
        except FtpFailure:
            raise lost from None

    def _translated(self, ftp: MarkedFTP, request: UploadRequest, abort: threading.Event,
                    settle_only: bool = False) -> UploadResult:
        try:
            self._open(ftp, request, abort)
            if request.settle and holds(ftp, request.settle, request.local):
                return self._settled(ftp, request)
            if settle_only:
                raise FtpFailure(0, f"{request.settle} is not on the server")
            return self._session(ftp, request, abort)
        except FtpFailure:
            raise
        except ftplib.error_perm as exc:
            raise reply_failure(exc) from None
        except ftplib.Error as exc:
            raise reply_failure(exc) from None
        except TimeoutError:
            raise FtpFailure(0, "timed out") from None
        except EOFError:
            raise FtpFailure(0, "connection closed by server") from None
        except OSError as exc:
            raise FtpFailure(0, (exc.strerror or str(exc)).lower()) from None
        finally:
            _close(ftp)

    def _open(self, ftp: MarkedFTP, request: UploadRequest, abort: threading.Event) -> None:
        _check(abort)
        ftp.connect(request.target.connect.host, request.target.connect.port)
        ftp.login(login_user(request.target), login_password(request.target))
        ftp.set_pasv(True)
        ftp.voidcmd("TYPE I")
        change_directory(ftp, request.directory)

    def _session(self, ftp: MarkedFTP, request: UploadRequest, abort: threading.Event) -> UploadResult:
        """Store under a temporary of this attempt, prove the size, claim a name, rename."""
        if request.sweep or request.settle:
            sweep(ftp, request.name, request.tag)
        part = temporary_name(request.name, request.tag)
        sent = self._store(ftp, request, part, abort)
        try:
            prove_stored(ftp, part, sent)
        except FtpFailure:
            forget(ftp, part)
            raise
        _check(abort)
        with NameClaim(request.lock):
            final = free_name(ftp, request.name, request.tag)
            if request.on_rename is not None:
                request.on_rename(request.directory, final)  # kept durably: a crash now is settled later
            try:
                reply = rename(ftp, part, final)
            except (OSError, EOFError) as lost:  # RNTO sent, no reply: the rename may be done
                raise _unsettled(lost, final, request.directory) from None
        _goodbye(ftp)
        return UploadResult(reply_code(reply), reply_text(reply), sent, final)

    def _settled(self, ftp: MarkedFTP, request: UploadRequest) -> UploadResult:
        """An earlier attempt's rename is found done: that is the delivery."""
        _goodbye(ftp)
        size = request.local.stat().st_size
        return UploadResult(SETTLED, f"{request.settle} found on the server after a lost reply "
                                     "to RNTO (same size and checksum where offered)", size, request.settle)

    def _store(self, ftp: MarkedFTP, request: UploadRequest, part: str, abort: threading.Event) -> int:
        bucket = TokenBucket(request.rate_bps, self.clock) if request.rate_bps else None
        sent = 0
        size = min(BLOCK, max(1024, (request.rate_bps or 0) // 80)) if bucket else BLOCK
        with open(request.local, "rb") as source:
            conn = open_store(ftp, part)
            try:
                while block := source.read(size):
                    _check(abort)
                    if bucket is not None:
                        bucket.take(len(block))
                    conn.sendall(block)
                    sent += len(block)
            finally:
                conn.close()
        reply = ftp.voidresp()
        if reply_code(reply) not in (226, 250):
            raise FtpFailure(reply_code(reply), reply_text(reply))
        return sent


def open_store(ftp: ftplib.FTP, part: str) -> socket.socket:
    """The data connection of `STOR part`. A server that will not overwrite a `part` left
    by an interrupted attempt (vsftpd `553 Could not create file.` when it belongs to
    another user or anonymous overwrite is off, proftpd `AllowOverwrite off`: 550) gets it
    deleted and the STOR once more; when the DELE fails too, STOR's own refusal is raised."""
    try:
        return ftp.transfercmd(f"STOR {part}")
    except ftplib.error_perm as refused:
        try:
            ftp.delete(part)
        except ftplib.error_perm:
            raise refused from None
    return ftp.transfercmd(f"STOR {part}")


def change_directory(ftp: ftplib.FTP, directory: str) -> None:
    """CWD to `directory`; if missing, create its last level when the parent exists."""
    if directory in ("", "/"):
        if directory:
            ftp.cwd("/")
        return
    clean = directory.rstrip("/") or "/"
    try:
        ftp.cwd(clean)
        return
    except ftplib.error_perm:
        pass
    parent, leaf = posixpath.split(clean)
    try:
        ftp.cwd(parent or "/")
    except ftplib.error_perm as exc:
        raise FtpFailure(reply_code(str(exc)), f"directory {parent or '/'} does not exist") from None
    try:
        ftp.voidcmd(f"MKD {leaf}")
    except (ftplib.error_perm, ftplib.error_temp):
        pass  # exists (vsftpd 550, others 521/553/450), or made meanwhile by the other channel: CWD tells
    ftp.cwd(leaf)


def _unsettled(lost: OSError | EOFError, final: str, directory: str) -> FtpFailure:
    text = "connection closed by server" if isinstance(lost, EOFError) else (
        "timed out" if isinstance(lost, TimeoutError) else (lost.strerror or str(lost)).lower())
    failure = FtpFailure(0, f"{text} after RNTO {final} (the rename may have been done)")
    failure.unsettled, failure.directory = final, directory
    return failure


def _goodbye(ftp: ftplib.FTP) -> None:
    try:
        ftp.quit()
    except (ftplib.Error, OSError, EOFError):
        pass  # the file is in place; a lost goodbye changes nothing


def _check(abort: threading.Event) -> None:
    if abort.is_set():
        raise FtpAborted()


def _close(ftp: ftplib.FTP) -> None:
    try:
        ftp.close()
    except OSError:
        pass
