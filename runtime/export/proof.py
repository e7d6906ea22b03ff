"""Proof that the server holds a file whole: its size there, and its checksum where offered.

A 226 says the data connection closed cleanly, not that the server kept every byte (a
full disk, a quota, a broken server answer 226 for a file cut short). Before a temporary
is published, `prove_stored` asks the server for its size and compares it with the bytes
sent: `SIZE` (RFC 3659), else the `size=` fact of `MLST`, else the size column of a
`LIST` of that one name (Unix `ls -l` or DOS style). A server that answers none of them
cannot prove anything: the attempt fails with a clear error and the file stays in the
spool (docs/export.md, "Partial uploads").

`holds` is the check after a lost reply to RNTO: the final name holds a file of the same
size and, where the server offers one (`HASH`, `XMD5`, `XCRC` in `FEAT`), the same checksum.
"""
from __future__ import annotations

import ftplib
import hashlib
import re
import zlib
from pathlib import Path

from flowc.runtime.export.failure import FtpFailure

NOT_ANSWERED = (ftplib.error_perm, ftplib.error_reply)
HASHES = {"SHA-256": "sha256", "SHA-1": "sha1", "SHA-512": "sha512", "MD5": "md5"}
UNIX_LIST = re.compile(r"^[-dlcbps][-rwxsStT@+.]{9}\S*\s+\d+\s+\S+\s+\S+\s+(\d+)\s")
DOS_LIST = re.compile(r"^\d\d-\d\d-\d\d\s+\d\d:\d\d[AP]M\s+(\d+)\s")


def remote_size(ftp: ftplib.FTP, name: str) -> int | None:
    """The size of `name` on the server (SIZE, MLST, LIST), or None when it will not say."""
    for ask in (_size, _mlst_size, _list_size):
        try:
            size = ask(ftp, name)
        except NOT_ANSWERED:
            continue
        if size is not None:
            return size
    return None


def _size(ftp: ftplib.FTP, name: str) -> int | None:
    reply = ftp.sendcmd(f"SIZE {name}")
    words = reply.split()
    return int(words[1]) if reply.startswith("213") and len(words) > 1 and words[1].isdigit() else None


def _mlst_size(ftp: ftplib.FTP, name: str) -> int | None:
    for fact in re.findall(r"(?i)\bsize=(\d+);", ftp.sendcmd(f"MLST {name}")):
        return int(fact)
    return None


def _list_size(ftp: ftplib.FTP, name: str) -> int | None:
    lines: list[str] = []
    try:
        ftp.retrlines(f"LIST {name}", lines.append)
    finally:
        ftp.voidcmd("TYPE I")  # retrlines switched to ASCII; SIZE is refused there
    sizes = [int(m.group(1)) for line in lines if line.rstrip().endswith(name)
             for m in (UNIX_LIST.match(line), DOS_LIST.match(line)) if m]
    return sizes[0] if len(sizes) == 1 else None


def prove_stored(ftp: ftplib.FTP, name: str, sent: int) -> None:
    """Raise `FtpFailure` unless the server holds `sent` bytes under `name`."""
    held = remote_size(ftp, name)
    if held is None:
        raise FtpFailure(0, f"the server does not tell the size of {name} (no SIZE, MLST or LIST "
                            "size): cannot prove it holds every byte; not published")
    if held != sent:
        raise FtpFailure(0, f"the server holds {held} of {sent} bytes of {name} after the "
                            "transfer; not published")


def holds(ftp: ftplib.FTP, name: str, local: Path) -> bool:
    """Whether the server's `name` is `local`: same size, same checksum where offered."""
    size = local.stat().st_size
    if remote_size(ftp, name) != size:
        return False
    return digest_matches(ftp, name, local) is not False


def digest_matches(ftp: ftplib.FTP, name: str, local: Path) -> bool | None:
    """Compare a server-side checksum with the local file's; None when none is offered."""
    features = _features(ftp)
    for command in ("HASH", "XMD5", "XCRC"):
        if command not in features:
            continue
        try:
            reply = ftp.sendcmd(f"{command} {name}")
        except NOT_ANSWERED:
            continue
        found = _compare(command, reply, local)
        if found is not None:
            return found
    return None


def _features(ftp: ftplib.FTP) -> set[str]:
    try:
        reply = ftp.sendcmd("FEAT")
    except NOT_ANSWERED:
        return set()
    return {line.split()[0].upper() for line in reply.splitlines()[1:-1] if line.strip()}


def _compare(command: str, reply: str, local: Path) -> bool | None:
    words = reply.split()
    if command == "HASH":  # 213 SHA-256 0-49 <hex> <name>
        algorithm = HASHES.get(words[1].upper()) if len(words) > 3 else None
        return None if algorithm is None else _digest(local, algorithm) == words[3].lower()
    value = words[1].lower() if len(words) > 1 else ""
    if command == "XMD5":
        return _digest(local, "md5") == value
    return f"{_crc32(local):08x}" == value.rjust(8, "0")


def _digest(local: Path, algorithm: str) -> str:
    with open(local, "rb") as source:
        return hashlib.file_digest(source, algorithm).hexdigest()


def _crc32(local: Path) -> int:
    crc = 0
    with open(local, "rb") as source:
        while block := source.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return crc
