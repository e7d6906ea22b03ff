"""The FTP transport: one upload of one local file to one FTP server.

`FtpTransport` is the seam the exporter and the transfer-log archiver call;
`FtplibTransport` is the real thing on top of `ftplib`: passive mode, the channel's DSCP
set with IP_TOS (IPV6_TCLASS) on the control and the data socket, a token-bucket rate
limit, a timeout on every socket operation, and an abort flag checked between blocks.

An upload goes to a temporary name (`NAME.TAG.part`, TAG the collector's: two collectors
never write the same temporary file) and is renamed to its final name with RNFR/RNTO only
after the server acknowledged the data (226), so a reader on the server never mistakes a
partial upload for a file. flowc never replaces a file on a server: when the final name
exists there (SIZE, or NLST where SIZE is not implemented) the file is stored as
`STEM~TAG-N.REST` with the first free N; the check and the rename run under a lock file
shared by the collectors of one spool (`UploadRequest.lock`). Every upload has a
whole-transfer deadline and an abort flag that end it at once
(`flowc.runtime.export.deadline`). The remote directory is the URL's path with
its macros expanded at upload time; when it is missing, one level is created (MKD) if its
parent exists, as Junos does (`ftp://h/%m/%Y`: `01/` must exist, `2005/` is created).

Tested against pyftpdlib and vsftpd; other servers' habits are handled where they bite: a
227 address is ignored (NAT), a refused PASV falls back to EPSV, a stale `.part` or an old
copy the server will not overwrite is deleted first, any MKD refusal is left for CWD to
judge, multiline replies become one line of text (docs/export.md, "Servers tested").
"""
from __future__ import annotations

import fcntl
import ftplib
import itertools
import os
import posixpath
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from flowc.runtime.clock import Clock, SystemClock
from flowc.runtime.export.deadline import Watchdog
from flowc.runtime.files.naming import expand_name
from flowc.runtime.plan.model import FtpTarget
from flowc.runtime.plan.secret import reveal

BLOCK = 32 * 1024
PART_SUFFIX = ".part"


class FtpFailure(Exception):
    """An upload that did not end with the file under its final name on the server.

    `code` is the FTP reply code that ended it (0 when the server never answered:
    connection refused, timeout, disconnect); `text` is what to log as the error.
    """

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}" if code else text)
        self.code = code
        self.text = text


class FtpDeadline(FtpFailure):
    """The whole-transfer deadline passed (a server that stalls or trickles)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(0, f"transfer deadline of {seconds:.0f}s exceeded (server too slow or stalled)")


class FtpAborted(FtpFailure):
    """The caller asked the upload to stop (destination change, shutdown)."""

    def __init__(self, text: str = "upload aborted") -> None:
        super().__init__(0, text)


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


# ---------------------------------------------------------------- ftplib

def tos_options(family: int, dscp: int) -> tuple[int, int, int] | None:
    """(level, option, value) that puts `dscp` on a socket of `family`, or None for 0."""
    if not dscp:
        return None
    if family == socket.AF_INET6:
        return socket.IPPROTO_IPV6, socket.IPV6_TCLASS, dscp << 2
    return socket.IPPROTO_IP, socket.IP_TOS, dscp << 2


def mark(sock: socket.socket, dscp: int) -> None:
    option = tos_options(sock.family, dscp)
    if option is not None:
        sock.setsockopt(*option)


def open_marked(host: str, port: int, timeout: float | None, dscp: int) -> socket.socket:
    """A TCP connection whose every packet, the SYN included, carries `dscp`."""
    last: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            mark(sock, dscp)
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise last or OSError(f"cannot resolve {host}")


class MarkedFTP(ftplib.FTP):
    """ftplib.FTP in passive mode whose control and data sockets carry a DSCP."""

    dscp = 0
    epsv_only = False  # set once a server refused PASV: EPSV from then on in this session
    watchdog: Watchdog | None = None

    def connect(self, host: str = "", port: int = 0, timeout: float = -999,
                source_address: tuple[str, int] | None = None) -> str:
        self.host, self.port = host or self.host, port or self.port
        if timeout != -999:
            self.timeout = timeout
        self.sock = open_marked(self.host, self.port, self.timeout, self.dscp)
        if self.watchdog is not None:
            self.watchdog.watch(self.sock)
        self.af = self.sock.family
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def makepasv(self) -> tuple[str, int]:
        """PASV (its 227 address ignored: the data connection goes to the control
        connection's peer, as ftplib does, so a NATed or misconfigured `pasv_address`
        still works), falling back to EPSV when the server refuses PASV (5xx)."""
        if self.af == socket.AF_INET and not self.epsv_only:
            try:
                return super().makepasv()
            except ftplib.error_perm:
                self.epsv_only = True
        assert self.sock is not None  # connected before any transfer
        return ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())

    def ntransfercmd(self, cmd: str, rest: int | str | None = None) -> tuple[socket.socket, int | None]:
        host, port = self.makepasv()
        conn = open_marked(host, port, self.timeout, self.dscp)
        if self.watchdog is not None:
            self.watchdog.watch(conn)
        try:
            if rest is not None:
                self.sendcmd(f"REST {rest}")
            reply = self.sendcmd(cmd)
            if reply[0] == "2":
                reply = self.getresp()
            if reply[0] != "1":
                raise ftplib.error_reply(reply)
        except BaseException:
            conn.close()
            raise
        return conn, None


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
                return self._translated(ftp, request, abort)
            except FtpFailure as exc:
                if dog.fired == "abort" and not isinstance(exc, FtpAborted):
                    raise FtpAborted() from None
                if dog.fired == "deadline" and request.deadline is not None:
                    raise FtpDeadline(request.deadline) from None
                raise

    def _translated(self, ftp: MarkedFTP, request: UploadRequest, abort: threading.Event) -> UploadResult:
        try:
            return self._session(ftp, request, abort)
        except FtpFailure:
            raise
        except ftplib.error_perm as exc:
            raise _reply_failure(exc) from None
        except ftplib.Error as exc:
            raise _reply_failure(exc) from None
        except TimeoutError:
            raise FtpFailure(0, "timed out") from None
        except EOFError:
            raise FtpFailure(0, "connection closed by server") from None
        except OSError as exc:
            raise FtpFailure(0, (exc.strerror or str(exc)).lower()) from None
        finally:
            _close(ftp)

    def _session(self, ftp: MarkedFTP, request: UploadRequest, abort: threading.Event) -> UploadResult:
        _check(abort)
        ftp.connect(request.target.connect.host, request.target.connect.port)
        ftp.login(login_user(request.target), login_password(request.target))
        ftp.set_pasv(True)
        ftp.voidcmd("TYPE I")
        change_directory(ftp, request.directory)
        part = request.name + (f".{request.tag}" if request.tag else "") + PART_SUFFIX
        sent = self._store(ftp, request, part, abort)
        _check(abort)
        with NameClaim(request.lock):
            final = free_name(ftp, request.name, request.tag)
            reply = rename(ftp, part, final)
        try:
            ftp.quit()
        except (ftplib.Error, OSError, EOFError):
            pass  # the file is in place; a lost goodbye changes nothing
        return UploadResult(_code(reply), reply_text(reply), sent, final)

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
        if _code(reply) not in (226, 250):
            raise FtpFailure(_code(reply), reply_text(reply))
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


class NameClaim:
    """An exclusive lock on `path` (flock) for the duration of a `with`; no-op for None."""

    def __init__(self, path: Path | None) -> None:
        self.path, self.fd = path, -1

    def __enter__(self) -> None:
        if self.path is not None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *_exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # releases the lock
            self.fd = -1


def exists(ftp: ftplib.FTP, name: str) -> bool:
    """Whether the current directory of the server holds `name` (SIZE; NLST when the
    server does not implement SIZE)."""
    try:
        ftp.sendcmd(f"SIZE {name}")
        return True
    except ftplib.error_perm as exc:
        if _code(str(exc)) not in (500, 501, 502, 504):
            return False
    try:
        listed = ftp.nlst()
    except ftplib.error_perm:
        return False  # an empty directory: some servers answer 550
    return name in {posixpath.basename(entry) for entry in listed}


def free_name(ftp: ftplib.FTP, name: str, tag: str) -> str:
    """`name` when the server does not have it, else `STEM~TAG-N.REST`, the first N free."""
    if not exists(ftp, name):
        return name
    stem, dot, rest = name.partition(".")
    for n in itertools.count(1):
        candidate = f"{stem}~{tag or 'flowc'}-{n}{dot}{rest}"
        if not exists(ftp, candidate):
            return candidate
        if n >= 1000:
            break
    raise FtpFailure(0, f"no free name for {name} on the server (tried {stem}~{tag}-1 … 1000)")


def rename(ftp: ftplib.FTP, part: str, name: str) -> str:
    """RNFR/RNTO `part` to `name` (a name the server does not have: `free_name`). A refusal
    is reported with the RNFR/RNTO reply, and the `part` is deleted if the server lets us,
    so no junk stays; an existing file is never deleted or replaced."""
    try:
        ftp.sendcmd(f"RNFR {part}")
        return ftp.voidcmd(f"RNTO {name}")
    except ftplib.error_perm as refused:
        _forget(ftp, part)
        code = _code(str(refused))
        raise FtpFailure(code, f"cannot rename {part} to {name}: {reply_text(str(refused))}"
                         " (the server must allow RNFR/RNTO and DELE)") from None


def _forget(ftp: ftplib.FTP, part: str) -> None:
    try:
        ftp.delete(part)
    except (ftplib.Error, OSError, EOFError):
        pass  # best effort: the next attempt overwrites or deletes it


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
        raise FtpFailure(_code(str(exc)), f"directory {parent or '/'} does not exist") from None
    try:
        ftp.voidcmd(f"MKD {leaf}")
    except (ftplib.error_perm, ftplib.error_temp):
        pass  # exists (vsftpd 550, others 521/553/450), or made meanwhile by the other channel: CWD tells
    ftp.cwd(leaf)


def _check(abort: threading.Event) -> None:
    if abort.is_set():
        raise FtpAborted()


def _code(reply: str) -> int:
    head = reply[:3]
    return int(head) if head.isdigit() else 0


def reply_text(reply: str) -> str:
    """The text of a reply without its codes, the lines of a multiline reply (`530-…`,
    continuation lines, `530 …`) joined with a space: one line for logs and the translog."""
    lines = []
    for line in reply.splitlines():
        if _code(line) and line[3:4] in ("-", " ", ""):
            line = line[4:]
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines)


def _reply_failure(exc: BaseException) -> FtpFailure:
    text = str(exc)
    return FtpFailure(_code(text), reply_text(text) if _code(text) else text)


def _close(ftp: ftplib.FTP) -> None:
    try:
        ftp.close()
    except OSError:
        pass


__all__ = [
    "FtpAborted",
    "FtpDeadline",
    "FtpFailure",
    "FtpTransport",
    "FtplibTransport",
    "TokenBucket",
    "UploadRequest",
    "UploadResult",
    "change_directory",
    "display_url",
    "exists",
    "expand_path",
    "free_name",
    "login_password",
    "login_user",
    "mark",
    "open_marked",
    "open_store",
    "rename",
    "reply_text",
]
