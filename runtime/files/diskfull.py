"""A full (or failing) spool is a state, not a crash (SPEC §3.7, docs/engine.md "Full spool").

`DiskState` is the episode tracker of one collector's writer: the first write that fails
(ENOSPC, EDQUOT, EIO, EACCES …) starts an episode, logged once with the directory and its
free space; every record that could not be written is counted (`records_not_written`);
the first write that succeeds afterwards ends the episode, logged once with what it cost.

`seal(fd, good)` turns an open flow file whose last write failed into a complete gzip:
the file is cut back to `good` (the end of its last complete block: every block is written
with a sync flush, so the deflate stream is byte-aligned there), then an empty final
deflate block and the gzip trailer (CRC-32 and length of what the file holds, computed by
decoding it) are appended. The compressor's state is not needed, so a half-written block
never reaches a published file.
"""
from __future__ import annotations

import logging
import os
import struct
import zlib
from pathlib import Path

from flowc.runtime.stats import CounterSink

EMPTY_FINAL_BLOCK = b"\x03\x00"  # BFINAL=1, fixed Huffman, end-of-block


def free_space(path: Path) -> str:
    """Free bytes under `path` for a log line ("unknown" when statvfs fails)."""
    try:
        st = os.statvfs(path)
    except OSError:
        return "unknown"
    return f"{st.f_bavail * st.f_frsize} bytes"


class DiskState:
    """Write failures of one collector's spool, one log line per episode."""

    def __init__(self, directory: Path, stats: CounterSink, log: logging.Logger) -> None:
        self.directory, self.stats, self.log = directory, stats, log
        self.failing = False
        self.lost_in_episode = 0

    def failed(self, exc: OSError, records: int) -> None:
        """A write failed; `records` records are lost with it."""
        if records:
            self.stats.add("records_not_written", records)
        self.lost_in_episode += records
        if self.failing:
            return
        self.failing = True
        self.stats.add("write_error_episodes")
        self.log.error("cannot write flow files in %s: %s (free space %s); records that cannot be "
                       "written are dropped and counted until writing works again",
                       self.directory, exc.strerror or exc, free_space(self.directory))

    def wrote(self) -> None:
        """A write succeeded: end the episode, if one is going on."""
        if self.failing:
            self.failing = False
            self.log.warning("writing flow files in %s works again; %d record(s) were not written",
                             self.directory, self.lost_in_episode)
            self.lost_in_episode = 0


def seal(fd: int, good: int) -> bool:
    """Cut the gzip file open at `fd` back to `good` bytes and finish it; False when the
    few bytes of the ending cannot be written yet (the file stays cut back; call again)."""
    os.ftruncate(fd, good)
    if good == 0:
        return True
    crc, size = _content_crc(fd, good)
    ending = EMPTY_FINAL_BLOCK + struct.pack("<II", crc, size & 0xFFFFFFFF)
    try:
        written = os.pwrite(fd, ending, good)
    except OSError:
        os.ftruncate(fd, good)
        return False
    if written != len(ending):
        os.ftruncate(fd, good)
        return False
    return True


def _content_crc(fd: int, length: int) -> tuple[int, int]:
    """CRC-32 and length of the data in the first `length` bytes of a gzip stream."""
    decoder = zlib.decompressobj(31)
    crc, size, offset = 0, 0, 0
    while offset < length:
        chunk = os.pread(fd, min(1 << 20, length - offset), offset)
        if not chunk:
            break
        offset += len(chunk)
        data = decoder.decompress(chunk)
        crc, size = zlib.crc32(data, crc), size + len(data)
    return crc, size
