"""Statistics of one collector: counters with per-second rates and peaks, drop counters.

Totals only ever grow until `clear()`. Rates: `tick()` is called by the collector loop
(at least a few times a second); at each whole second it closes a one-second bucket per
counter. `per_second` is the average of the last 10 closed buckets (fewer right after a
start or a clear), `peak` the highest `per_second` seen since the last clear: the
"current 10 second interval" of Juniper's collector MIB.

`CollectorStats.add(name, n)` is the `CounterSink` the exporter (another thread) uses;
it takes a lock. The receive loop keeps its own plain ints and hands them over in one
`add_many()` per batch, so the hot path never touches a lock.

Which counters exist, and in which part of a snapshot each sits, is declared once in
`flowc.runtime.counters`. The typed records at the end (`CollectorSnapshot` and its parts)
are what a collector answers to `show` and the control socket carries as JSON; a counter
part is a dict keyed by the declared names.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import NotRequired, Protocol, TypedDict

from flowc.runtime.counters import RATE_COUNTERS, TOTALS, Group, of

WINDOW = 10


class CounterSink(Protocol):
    def add(self, name: str, n: int = 1) -> None: ...


class Rate:
    """One counter's one-second buckets over a 10-second window, and its peak."""

    __slots__ = ("buckets", "last_total", "peak", "per_second")

    def __init__(self, total: int = 0) -> None:
        self.last_total = total
        self.buckets: deque[int] = deque(maxlen=WINDOW)
        self.per_second = 0
        self.peak = 0

    def roll(self, total: int, seconds: int) -> None:
        """Close `seconds` buckets: the growth since the last roll, then empty ones."""
        self.buckets.append(max(0, total - self.last_total))
        for _ in range(min(seconds, WINDOW) - 1):
            self.buckets.append(0)
        self.last_total = total
        self.per_second = sum(self.buckets) // len(self.buckets)
        self.peak = max(self.peak, self.per_second)

    def view(self, total: int) -> RateView:
        return {"total": total, "per_second": self.per_second, "peak": self.peak}


class RateSet:
    """Rates for a fixed set of named totals, rolled on whole seconds of a monotonic clock."""

    def __init__(self, names: tuple[str, ...], now: float) -> None:
        self.names = names
        self.rates = {name: Rate() for name in names}
        self.second = int(now)

    def tick(self, now: float, totals: dict[str, int]) -> None:
        second = int(now)
        if second <= self.second:
            return
        elapsed, self.second = second - self.second, second
        for name in self.names:
            self.rates[name].roll(totals[name], elapsed)

    def reset(self, totals: dict[str, int]) -> None:
        self.rates = {name: Rate(totals[name]) for name in self.names}


class CollectorStats:
    """Totals, rates and drops of one collector; thread-safe `add`."""

    def __init__(self, now: float = 0.0) -> None:
        self._lock = threading.Lock()
        self.totals: dict[str, int] = dict.fromkeys(TOTALS, 0)
        self.rates = RateSet(RATE_COUNTERS, now)
        self.since = time.time()  # wall clock of the start or the last clear: Prometheus' `_created`

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.totals[name] = self.totals.get(name, 0) + n

    def add_many(self, pairs: dict[str, int]) -> None:
        with self._lock:
            totals = self.totals
            for name, n in pairs.items():
                if n:
                    totals[name] = totals.get(name, 0) + n

    def tick(self, now: float) -> None:
        with self._lock:
            self.rates.tick(now, self.totals)

    def clear(self) -> None:
        with self._lock:
            for name in self.totals:
                self.totals[name] = 0
            self.rates.reset(self.totals)
            self.since = time.time()

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            totals = dict(self.totals)
            counters = {c.field: self.rates.rates[c.name].view(totals[c.name]) for c in of(Group.RATES)}

        def part(group: Group) -> dict[str, int]:
            return {c.field: totals[c.name] for c in of(group) if not c.gauge}

        return {"counters": counters, "drops": part(Group.DROPS), "faults": part(Group.FAULTS),
                "ftp_failures": totals["ftp_failures"], "transfer_log": part(Group.TRANSFER_LOG),
                "since": self.since}


# ------------------------------------------------------------------ typed records

class RateView(TypedDict):
    """A counter's total, its average per second over the window and its peak."""

    total: int
    per_second: int
    peak: int


Counters = dict[str, RateView]   # a rated part: declared field -> its view
Totals = dict[str, int]          # a plain part (drops, faults, transfer_log): declared field -> total

class StatsSnapshot(TypedDict):
    counters: Counters
    drops: Totals
    faults: Totals
    ftp_failures: int
    transfer_log: Totals
    since: float  # wall clock (epoch seconds) of the start or the last clear


class MemoryView(TypedDict):
    used: int
    free: int


class ChannelView(TypedDict):
    """An export channel (cp- unit 0 or 1): its current server and each server's state."""

    index: int
    current_server: str
    primary_state: str
    secondary_state: str


class InputView(TypedDict):
    """`show … input`: packets and bytes heard from one input (or unmatched exporter)."""

    interface: str
    packets: int
    bytes: int


class ExporterView(TypedDict):
    """`show … extensive`, Receive losses: one exporter and engine whose flow_sequence had gaps."""

    exporter: str
    engine_type: int
    engine_id: int
    sequence_missed: int
    sequence_resets: int


class FileRate(TypedDict):
    per_second: int
    peak: int


class FileRates(TypedDict):
    flows: FileRate
    uncompressed_bytes: FileRate
    compressed_bytes: FileRate


class FileView(TypedDict):
    """`show … file`: one open, closing or queued flow file."""

    name: str
    flows: int
    uncompressed_bytes: int
    compressed_bytes: int
    state: str
    transfer_attempts: int
    compressed_blocks: NotRequired[int]
    block_count: NotRequired[int]
    rates: NotRequired[FileRates]


class ExportSnapshot(TypedDict):
    channels: list[ChannelView]
    files: list[FileView]
    ftp_failures: int


class CollectorSnapshot(TypedDict):
    """Everything `show services flow-collector …` prints about one collector."""

    interface: str
    state: str
    memory: MemoryView
    counters: Counters
    ftp_failures: int
    drops: Totals
    faults: Totals
    channels: list[ChannelView]
    inputs: list[InputView]
    files: list[FileView]
    transfer_log: Totals
    since: float
    pid: NotRequired[int]
    exporters: NotRequired[list[ExporterView]]   # exporters and engines with sequence gaps since the clear
