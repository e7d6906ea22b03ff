"""Writer: blocks, gzip files, rotation by record-level and by timeout, crash recovery."""
from __future__ import annotations

import gzip
import logging
import subprocess
from pathlib import Path

import pytest

from flowc.runtime.clock import ManualClock
from flowc.runtime.files.memory import MemoryPool
from flowc.runtime.files.recovery import recover_part
from flowc.runtime.files.spool import ClosedFile, SpoolDirs
from flowc.runtime.files.writer import Writer
from flowc.runtime.plan.model import FileSpec
from flowc.runtime.stats import CollectorStats

LOG = logging.getLogger("flowc.test-writer")


class Harness:
    def __init__(self, root: Path, record_level: int = 10_000, timeout: int = 60,
                 budget: int = 8 << 20, block_size: int = 4096) -> None:
        self.clock = ManualClock(start=1_068_601_381.0)  # 2003-11-12 01:43:01 UTC
        self.dirs = SpoolDirs(root)
        self.dirs.create()
        self.stats = CollectorStats()
        self.memory = MemoryPool(budget, self.stats, block_size=block_size, reserve=0)
        self.closed: list[tuple[Path, ClosedFile]] = []
        spec = FileSpec("1", "f-%D_%T-%I_%N.gz", record_level=record_level, timeout=timeout)
        self.writer = Writer(self.dirs, [spec], stats=self.stats, memory=self.memory,
                             clock=self.clock, log=LOG, on_closed=lambda p, c: self.closed.append((p, c)))

    def add(self, alias: str, first: int, count: int) -> bool:
        text = "".join(f"line-{alias}-{i}\n" for i in range(first, first + count))
        return self.writer.add(("1", alias), text.encode(), count)


def lines_of(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode().splitlines()


def test_record_level_rotation_splits_exactly(tmp_path: Path) -> None:
    h = Harness(tmp_path, record_level=10_000)
    for start in range(0, 25_000, 30):
        assert h.add("so_3_0_0_0", start, min(30, 25_000 - start))
    assert [c.records for _, c in h.closed] == [10_000, 10_000]
    assert [c.generation for _, c in h.closed] == [1, 2]
    h.writer.close_all()
    files = [p for p, _ in h.closed]
    assert [p.name for p in files] == [f"f-20031112_014301-so_3_0_0_0_{n}.gz" for n in (1, 2, 3)]
    every = [line for path in files for line in lines_of(path)]
    assert every == [f"line-so_3_0_0_0-{i}" for i in range(25_000)]
    for path, closed in h.closed:
        subprocess.run(["gzip", "-t", str(path)], check=True)
        assert closed.compressed_bytes == path.stat().st_size
        assert closed.uncompressed_bytes == len(gzip.decompress(path.read_bytes()))
        assert (h.dirs.ready / f"{path.name}.meta.json").exists()
    assert not list(h.dirs.active.iterdir())
    assert h.stats.totals["files_created"] == 3


def test_timeout_rotation_even_without_traffic(tmp_path: Path) -> None:
    h = Harness(tmp_path, timeout=60)
    h.add("a", 0, 5)
    h.clock.advance(59)
    h.writer.tick()
    assert not h.closed
    h.clock.advance(1)
    h.writer.tick()
    assert [c.records for _, c in h.closed] == [5]
    assert lines_of(h.closed[0][0]) == [f"line-a-{i}" for i in range(5)]


def test_one_file_per_ifalias(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.add("a", 0, 3)
    h.add("b", 0, 4)
    h.add("a", 3, 3)
    h.writer.close_all()
    by_name = {p.name: lines_of(p) for p, _ in h.closed}
    assert by_name == {"f-20031112_014301-a_1.gz": [f"line-a-{i}" for i in range(6)],
                       "f-20031112_014301-b_2.gz": [f"line-b-{i}" for i in range(4)]}


def test_blocks_flush_when_full_or_a_second_old(tmp_path: Path) -> None:
    h = Harness(tmp_path, block_size=4096)
    h.add("a", 0, 10)
    part = next(h.dirs.active.glob("*.part"))
    assert part.stat().st_size == 0 and h.memory.in_use == 1
    h.clock.advance(1)
    h.writer.tick()
    assert part.stat().st_size > 0 and h.memory.in_use == 0
    assert h.stats.totals["blocks_allocated"] == h.stats.totals["blocks_freed"] == 1
    for start in range(10, 1000, 10):
        h.add("a", start, 10)
    assert h.stats.totals["blocks_freed"] >= 3  # full blocks went out without a tick


def test_no_memory_refuses_and_counts(tmp_path: Path) -> None:
    h = Harness(tmp_path, budget=2 * 4096, block_size=4096)
    assert h.add("a", 0, 1) and h.add("b", 0, 1)
    assert not h.add("c", 0, 1)
    assert h.stats.totals["blocks_unavailable"] == 1
    assert h.memory.free == 0
    h.clock.advance(1)
    h.writer.tick()
    assert h.add("c", 0, 1)


def test_truncated_part_recovers_every_flushed_line(tmp_path: Path) -> None:
    h = Harness(tmp_path, block_size=4096)
    for start in range(0, 3000, 30):
        h.add("a", start, 30)
    h.clock.advance(1)
    h.writer.tick()  # everything flushed to the .part, meta written
    part = next(h.dirs.active.glob("*.part"))
    data = part.read_bytes()
    part.write_bytes(data[: len(data) - 60])  # torn final block, no trailer
    closed = recover_part(part, h.dirs, now=h.clock.time())
    assert closed is not None and closed.generation == 1
    recovered = lines_of(h.dirs.ready / closed.name)
    assert recovered == [f"line-a-{i}" for i in range(len(recovered))]
    assert 2900 < len(recovered) < 3000 and closed.records == len(recovered)
    assert not part.exists() and not list(h.dirs.active.glob("*.meta.json"))


def test_recover_keeps_whole_file_and_drops_garbage(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.add("a", 0, 100)
    h.clock.advance(1)
    h.writer.tick()
    part = next(h.dirs.active.glob("*.part"))
    (h.dirs.active / "junk.part").write_bytes(b"not gzip at all")
    h.writer.files.clear()  # as if the process died here
    recovered = Harness(tmp_path).writer.recover()
    assert [c.records for c in recovered] == [100]
    assert not (h.dirs.active / "junk.part").exists() and not part.exists()
    assert lines_of(h.dirs.ready / recovered[0].name)[-1] == "line-a-99"


def test_generation_numbers_survive_a_restart(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.add("a", 0, 1)
    h.writer.close_all()
    again = Harness(tmp_path)
    again.add("a", 0, 1)
    again.writer.close_all()
    assert [c.generation for _, c in h.closed + again.closed] == [1, 2]


def test_name_collision_never_overwrites(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.writer.specs["1"] = FileSpec("1", "same.gz")
    h.add("a", 0, 1)
    h.add("b", 0, 1)
    h.writer.close_all()
    assert sorted(p.name for p, _ in h.closed) == ["same.gz", "same~2.gz"]


def test_empty_file_is_not_published(tmp_path: Path) -> None:
    h = Harness(tmp_path, budget=4096, block_size=4096)
    h.add("a", 0, 1)
    assert not h.add("b", 0, 1)  # b's file opened, but no block for it
    h.writer.close_all()
    assert [c.records for _, c in h.closed] == [1]
    assert not list(h.dirs.active.iterdir())


@pytest.mark.parametrize("level", [10_000, 10_001])
def test_rotation_boundary_inside_a_packet(tmp_path: Path, level: int) -> None:
    h = Harness(tmp_path, record_level=level)
    for start in range(0, 20_010, 30):
        h.add("a", start, 30)
    assert h.closed[0][1].records == level
    assert lines_of(h.closed[0][0])[-1] == f"line-a-{level - 1}"


def test_closer_thread_publishes_and_show_never_loses_sight(tmp_path: Path) -> None:
    import threading

    h = Harness(tmp_path)
    gate = threading.Event()
    seen: list[list[dict]] = []
    h.writer.on_closed = lambda p, c: (seen.append(h.writer.snapshot_files()), gate.wait(5), h.closed.append((p, c)))
    h.writer.start_closer()
    h.add("a", 0, 10)
    h.writer.close_all()
    while not seen:
        threading.Event().wait(0.01)
    assert [(f["name"], f["state"], f["flows"]) for f in h.writer.snapshot_files()] == [
        ("f-20031112_014301-a_1.gz", "Waiting", 10)]
    gate.set()
    h.writer.stop_closer()
    assert [c.records for _, c in h.closed] == [10] and h.writer.snapshot_files() == []
    assert lines_of(h.closed[0][0]) == [f"line-a-{i}" for i in range(10)]
