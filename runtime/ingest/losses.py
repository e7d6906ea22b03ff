"""Losses before a record reaches flowc: the kernel's socket-buffer drops and cflowd v5
`flow_sequence` gaps, each logged once per episode.

- **Kernel drops.** Linux counts, per UDP socket, the datagrams it dropped because the
  receive buffer was full (the `drops` column of /proc/net/udp and /proc/net/udp6, found
  by the socket's inode). `KernelDrops.poll()` reads it once a second and returns what
  grew. This needs no change to the receive hot path (`SO_RXQ_OVFL` would need `recvmsg`
  ancillary data in both the compiled `recvmmsg` loop and its pure-Python twin, and
  reports only when the next datagram is read); it keeps counting while the collector is
  stopped or busy, and sockets lent by the supervisor keep their count across restarts
  (only the growth since the collector started is counted). Off Linux nothing is counted.
- **Sequence gaps.** A v5 header's `flow_sequence` is the exporter's count of records
  sent before this datagram. Per (exporter address, engine type, engine id) the next one
  expected is `flow_sequence + count`; a datagram ahead of that by less than 2**30 means
  that many records were missed (lost on the way or in a full socket buffer), any other
  difference (behind: an exporter restart or a datagram out of order; or far ahead) is a
  sequence reset. Checked once per datagram, not per record.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field

from flowc.runtime.stats import ExporterView

PROC_TABLES = ("/proc/net/udp", "/proc/net/udp6")
QUIET = 10.0          # an episode ends after this many seconds without a loss
AHEAD_LIMIT = 1 << 30  # a larger jump ahead is taken as a reset, not as records missed
EXPORTERS_LIMIT = 65536


def socket_drops(inodes: set[int], tables: Sequence[str] = PROC_TABLES) -> dict[int, int]:
    """The kernel's drop count of each UDP socket (by inode) found in the tables."""
    found: dict[int, int] = {}
    for table in tables:
        try:
            with open(table, "rb") as handle:
                next(handle, None)
                for line in handle:
                    fields = line.split()
                    if len(fields) >= 13 and int(fields[9]) in inodes:
                        found[int(fields[9])] = int(fields[12])
        except (OSError, ValueError):
            continue
    return found


class KernelDrops:
    """The growth of each socket's kernel drop count since the collector started."""

    def __init__(self, sockets: Sequence[socket.socket]) -> None:
        self.inodes = [os.fstat(s.fileno()).st_ino for s in sockets]
        self.names = [_name(s) for s in sockets]
        now = socket_drops(set(self.inodes))
        self.last = [now.get(i, 0) for i in self.inodes]

    def poll(self) -> list[tuple[str, int]]:
        """(socket address, datagrams dropped since the last poll) for each socket that dropped."""
        now = socket_drops(set(self.inodes))
        grown: list[tuple[str, int]] = []
        for index, inode in enumerate(self.inodes):
            count = now.get(inode, self.last[index])
            if count > self.last[index]:
                grown.append((self.names[index], count - self.last[index]))
            self.last[index] = count
        return grown


def _name(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(slots=True)
class Episode:
    """A run of losses of one kind at one place: when it began, when it was last seen, how many."""

    started: float
    last: float
    count: int = 0


@dataclass(slots=True)
class Episodes:
    """Logs a loss once when an episode starts (a loss after QUIET seconds without one)."""

    log: logging.Logger
    open: dict[str, Episode] = field(default_factory=dict)

    def seen(self, where: str, count: int, now: float, text: str) -> None:
        episode = self.open.get(where)
        if episode is None or now - episode.last > QUIET:
            self.open[where] = episode = Episode(now, now)
            self.log.warning("%s (logged once per episode; counted in show … extensive, Receive losses)", text)
        episode.last = now
        episode.count += count


class SequenceGaps:
    """cflowd v5 `flow_sequence` per (exporter, engine type, engine id): records missed, resets."""

    def __init__(self) -> None:
        self.expected: dict[tuple[str, int, int], int] = {}
        self.missed = 0
        self.resets = 0
        self.by_exporter: dict[tuple[str, int, int], list[int]] = {}   # [missed, resets] since the clear

    def gap(self, key: tuple[str, int, int], expected: int, sequence: int) -> int:
        """A datagram whose sequence is not the one expected: records missed (0 for a reset)."""
        ahead = (sequence - expected) & 0xFFFFFFFF
        totals = self.by_exporter.setdefault(key, [0, 0])
        if ahead < AHEAD_LIMIT:
            self.missed += ahead
            totals[0] += ahead
            return ahead
        self.resets += 1
        totals[1] += 1
        return 0

    def views(self) -> list[ExporterView]:
        """The exporters and engines with gaps since the last clear, by address."""
        return [{"exporter": source, "engine_type": engine_type, "engine_id": engine_id,
                 "sequence_missed": missed, "sequence_resets": resets}
                for (source, engine_type, engine_id), (missed, resets) in sorted(self.by_exporter.items())]

    def clear(self) -> None:
        self.by_exporter.clear()

    def take(self) -> tuple[int, int]:
        """Records missed and resets since the last take."""
        taken = (self.missed, self.resets)
        self.missed = self.resets = 0
        if len(self.expected) > EXPORTERS_LIMIT:
            self.expected.clear()
        return taken
