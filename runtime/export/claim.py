"""The names flowc uses on a server: per-attempt temporaries, and a free final name.

Every attempt stores its data under a temporary name of its own, `NAME.TAG.TOKEN.part`
(TAG the collector's, TOKEN random per attempt), so no attempt ever reuses, appends to or
publishes what an earlier one left; `sweep` deletes those leftovers (and the
`NAME.TAG.part[.N]` of older flowc versions and of servers that rename on collision, such
as pure-ftpd `--autorename`).

`free_name` answers the final name when the server does not have it (SIZE, or NLST where
SIZE is not implemented), else `STEM~TAG-N.REST` with the first free N; `rename` moves the
uploaded temporary there with RNFR/RNTO. The check and the rename run under `NameClaim`, a
lock file shared by the collectors of one spool, so two collectors never race for a name.
"""
from __future__ import annotations

import fcntl
import ftplib
import itertools
import os
import posixpath
import re
import secrets
from pathlib import Path

from flowc.runtime.export.failure import FtpFailure, reply_code, reply_text

PART_SUFFIX = ".part"


def temporary_name(name: str, tag: str) -> str:
    """A temporary name for one attempt at `name`: never the same twice."""
    return f"{name}.{tag + '.' if tag else ''}{secrets.token_hex(6)}{PART_SUFFIX}"


def is_stale_temporary(entry: str, name: str, tag: str) -> bool:
    """Whether `entry` is a temporary of `name` left by an attempt of this collector."""
    middle = rf"{re.escape(tag)}\." if tag else ""
    pattern = rf"{re.escape(name)}\.{middle}(?:[0-9a-f]{{8,}}\.)?part(?:\.\d+)?"
    return re.fullmatch(pattern, posixpath.basename(entry)) is not None


def sweep(ftp: ftplib.FTP, name: str, tag: str) -> list[str]:
    """Delete the temporaries earlier attempts at `name` left in the current directory
    (best effort: a listing or DELE the server refuses leaves them, never reused)."""
    try:
        listed = ftp.nlst()
    except (ftplib.error_perm, ftplib.error_reply):
        return []
    finally:
        ftp.voidcmd("TYPE I")  # nlst switched to ASCII
    stale = [entry for entry in listed if is_stale_temporary(entry, name, tag)]
    for entry in stale:
        forget(ftp, posixpath.basename(entry))
    return stale


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
        if reply_code(str(exc)) not in (500, 501, 502, 504):
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
        forget(ftp, part)
        code = reply_code(str(refused))
        raise FtpFailure(code, f"cannot rename {part} to {name}: {reply_text(str(refused))}"
                         " (the server must allow RNFR/RNTO and DELE)") from None


def forget(ftp: ftplib.FTP, part: str) -> None:
    """DELE a temporary of ours, best effort."""
    try:
        ftp.delete(part)
    except (ftplib.Error, OSError, EOFError):
        pass  # best effort: a later attempt sweeps it
