"""Statistics: totals, 10-second average rates, peaks since the last clear, thread-safe add."""
from __future__ import annotations

import threading

import pytest

from flowc.runtime.counters import DROPS, RATE_COUNTERS
from flowc.runtime.files.memory import MemoryPool
from flowc.runtime.stats import CollectorStats


def test_rates_average_the_last_ten_seconds_and_keep_the_peak() -> None:
    stats = CollectorStats(now=100.0)
    for second in range(1, 21):
        stats.add("flows", 100 if second <= 10 else 0)
        stats.tick(100.0 + second)
        if second == 5:
            assert stats.snapshot()["counters"]["flows"] == {"total": 500, "per_second": 100, "peak": 100}
    view = stats.snapshot()["counters"]["flows"]
    assert view == {"total": 1000, "per_second": 0, "peak": 100}


def test_a_gap_in_ticks_counts_empty_seconds() -> None:
    stats = CollectorStats(now=0.0)
    for second in range(1, 11):
        stats.add("packets", 10)
        stats.tick(float(second))
    stats.add("packets", 50)
    stats.tick(15.5)  # five seconds without a tick: 50 over 5 buckets, 5 old ones remain
    assert stats.snapshot()["counters"]["packets"]["per_second"] == (5 * 10 + 50) // 10


def test_ticks_within_a_second_do_not_roll() -> None:
    stats = CollectorStats(now=0.0)
    stats.add("bytes", 1000)
    stats.tick(0.5)
    assert stats.snapshot()["counters"]["bytes"]["per_second"] == 0
    stats.tick(1.0)
    assert stats.snapshot()["counters"]["bytes"]["per_second"] == 1000


def test_clear_resets_totals_rates_and_peaks() -> None:
    stats = CollectorStats(now=0.0)
    stats.add_many({"flows": 300, "not_ip": 2})
    stats.add("ftp_failures")
    stats.tick(1.0)
    stats.clear()
    snap = stats.snapshot()
    assert snap["counters"]["flows"] == {"total": 0, "per_second": 0, "peak": 0}
    assert snap["drops"]["not_ip"] == 0 and snap["ftp_failures"] == 0
    stats.add("flows", 7)
    stats.tick(2.0)
    assert stats.snapshot()["counters"]["flows"]["per_second"] == 7


def test_snapshot_has_every_counter_and_drop() -> None:
    snap = CollectorStats().snapshot()
    assert set(snap["counters"]) == set(RATE_COUNTERS)
    assert set(snap["drops"]) == set(DROPS) == {"no_memory", "not_ip", "not_ipv4", "too_small", "fragments",
                                                  "icmp", "tcp", "unknown", "not_jflow", "kernel_drops"}


def test_add_from_many_threads_loses_nothing() -> None:
    stats = CollectorStats()

    def work() -> None:
        for _ in range(20_000):
            stats.add("ftp_bytes", 3)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stats.totals["ftp_bytes"] == 240_000


def test_memory_pool_counts_blocks() -> None:
    stats = CollectorStats()
    pool = MemoryPool(1 << 20, stats, block_size=256 * 1024, reserve=0)
    assert [pool.allocate() for _ in range(5)] == [True, True, True, True, False]
    assert (pool.used, pool.free) == (1 << 20, 0)
    pool.release()
    assert stats.totals["blocks_allocated"] == 4 and stats.totals["blocks_freed"] == 1
    assert stats.totals["blocks_unavailable"] == 1


# ---------------------------------------------------------------- typed records of the pipe and socket

def test_snapshot_parts_follow_the_declaration() -> None:
    from flowc.runtime.counters import COUNTERS, FAULTS, TRANSFER_LOG, Group, of

    snap = CollectorStats().snapshot()
    assert set(snap) == {"counters", "drops", "faults", "ftp_failures", "transfer_log", "since"}
    assert tuple(snap["counters"]) == RATE_COUNTERS
    assert tuple(snap["drops"]) == DROPS
    assert tuple(snap["faults"]) == FAULTS   # the gauge (lines pending) is the collector's to add
    assert tuple(snap["transfer_log"]) == ("lines", "archive_attempts", "archive_failures")
    assert TRANSFER_LOG == ("translog_lines", "archive_attempts", "archive_failures")
    assert all(set(v) == {"total", "per_second", "peak"} for v in snap["counters"].values())
    assert len({c.name for c in COUNTERS}) == len(COUNTERS)
    assert [c.name for c in of(Group.FAULTS)][-1] == "translog_lines_pending"


def test_show_reads_every_counter_by_its_declared_name() -> None:
    """A counter missing on one side is an error in show, not a line that prints 0."""
    from flowc.runtime.ops.codec import encode
    from flowc.runtime.ops.messages import Snapshots
    from flowc.runtime.ops.show import render
    from flowc.runtime.ops.wire import MessageError
    from flowc.runtime.processes.supervisor import empty_snapshot

    snap = empty_snapshot("cp-6/0/0", "Collecting flows", 100)
    del snap["counters"]["ftp_files"]
    with pytest.raises(MessageError, match=r"reply.collectors\[0\].counters: missing 'ftp_files'"):
        render("interface", "extensive", encode(Snapshots((snap,))))
