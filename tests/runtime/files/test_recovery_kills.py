"""Crash recovery killed at each of its steps: the next start finishes the job, every
record reaches ready/ exactly once (also when an exporter delivered what was there before
the restart) and nothing is left behind in active/ or ready/."""
from __future__ import annotations

import gzip
import logging
import os
import pathlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowc.runtime.clock import ManualClock
from flowc.runtime.files.memory import MemoryPool
from flowc.runtime.files.recovery import waiting_files
from flowc.runtime.files.spool import SpoolDirs
from flowc.runtime.files.writer import Writer
from flowc.runtime.plan.model import FileSpec
from flowc.runtime.stats import CollectorStats

LOG = logging.getLogger("flowc.test-recovery-kills")
LINES = [f"line-a-{i}" for i in range(3000)]


class Killed(BaseException):
    """The process dies here: nothing after this step runs, nothing is cleaned up."""


def writer_for(root: Path, clock: ManualClock | None = None) -> Writer:
    stats = CollectorStats()
    return Writer(SpoolDirs(root), [FileSpec("1", "f-%I_%N.gz", record_level=100_000, timeout=60)],
                  stats=stats, memory=MemoryPool(8 << 20, stats, block_size=4096, reserve=0),
                  clock=clock or ManualClock(start=1_068_601_381.0), log=LOG, on_closed=lambda p, c: None)


def whole_gzip() -> bytes:
    return gzip.compress("".join(f"{line}\n" for line in LINES).encode())


def crashed_collector(root: Path) -> SpoolDirs:
    """A spool as kill -9 leaves it: every line flushed to an open `.part` (no trailer)."""
    SpoolDirs(root).create()
    clock = ManualClock(start=1_068_601_381.0)
    writer = writer_for(root, clock)
    text = "".join(f"{line}\n" for line in LINES).encode()
    assert writer.add(("1", "a"), text, len(LINES))
    clock.advance(1)
    writer.tick()
    assert list(writer.dirs.active.glob("*.part"))
    return writer.dirs


def kill_at(step: int, monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Kill the process before its `step`-th durable step (fsync, rename, removal)."""
    seen = [0]

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def step_or_die(*args: Any, **kwargs: Any) -> Any:
            seen[0] += 1
            if seen[0] == step:
                raise Killed
            return original(*args, **kwargs)
        return step_or_die

    monkeypatch.setattr(os, "fsync", wrap(os.fsync))
    monkeypatch.setattr(os, "replace", wrap(os.replace))
    monkeypatch.setattr(pathlib.Path, "unlink", wrap(pathlib.Path.unlink))
    return lambda: seen[0]


def lines_of(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode().splitlines()


def deliver(dirs: SpoolDirs) -> list[str]:
    """An exporter still running uploads (and forgets) every sound file in ready/."""
    lines = []
    for path, closed in dirs.ready_files():
        lines += lines_of(path)
        dirs.remove(closed)
    return lines


def next_start(dirs: SpoolDirs) -> list[str]:
    """The exporter lists ready/, then the writer recovers active/: the lines in ready/."""
    waiting_files(dirs, LOG)
    writer_for(dirs.root).recover()
    files = dirs.ready_files()
    assert len(files) <= 1
    assert sorted(p.name for p in dirs.ready.iterdir()) == sorted(
        name for path, _ in files for name in (path.name, f"{path.name}.meta.json"))
    assert not list(dirs.active.iterdir())       # no .part, .part.recovered, metadata or .tmp left
    return [line for path, _ in files for line in lines_of(path)]


def each_kill_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Callable[[Path], SpoolDirs],
                    run: Callable[[SpoolDirs], object]) -> list[tuple[SpoolDirs, bool]]:
    """The spool `make` builds, left by `run` killed at step 1, 2, … until it runs to its end."""
    states, step = [], 1
    while True:
        dirs = make(tmp_path / f"kill-{step}")
        with monkeypatch.context() as patch:
            kill_at(step, patch)
            try:
                run(dirs)
            except Killed:
                states.append((dirs, True))
                step += 1
                continue
        states.append((dirs, False))
        return states


@pytest.mark.parametrize("delivered_meanwhile", [False, True], ids=["kept", "delivered"])
def test_recovery_killed_at_any_step_publishes_every_record_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, delivered_meanwhile: bool) -> None:
    states = each_kill_point(tmp_path, monkeypatch, crashed_collector,
                             lambda dirs: writer_for(dirs.root).recover())
    assert len(states) > 8                                  # every rename, fsync and removal was a kill point
    for dirs, killed in states:
        before = deliver(dirs) if delivered_meanwhile else []
        after = next_start(dirs)
        assert before + after == LINES, f"{dirs.root.name}: {len(before)} delivered + {len(after)} ready"
        assert not killed or writer_for(dirs.root).recover() == []   # and a third start has nothing to do


def test_recompressions_cut_short_are_swept(tmp_path: Path) -> None:
    """Left by a kill while re-compressing, also once their own file is gone: never a flow file."""
    dirs = crashed_collector(tmp_path)
    part = next(dirs.active.glob("*.part"))
    (dirs.active / f"{part.name}.recovered").write_bytes(gzip.compress(b"line-a-0\n")[:12])
    (dirs.active / "gone.gz.part.recovered").write_bytes(gzip.compress(b"line-a-0\n"))
    (dirs.ready / "gone.gz.recovered").write_bytes(gzip.compress(b"line-a-0\n"))
    assert next_start(dirs) == LINES


def test_a_part_already_published_by_an_older_run_is_only_removed(tmp_path: Path) -> None:
    """An older flowc published the recovered copy and was killed before removing the .part."""
    dirs = crashed_collector(tmp_path)
    part = next(dirs.active.glob("*.part"))
    first = writer_for(tmp_path).recover()
    assert [c.records for c in first] == [len(LINES)] and not part.exists()
    part.write_bytes(whole_gzip())
    assert writer_for(tmp_path).recover() == []          # nothing new: not handed over again
    assert next_start(dirs) == LINES


def test_metadata_rebuild_killed_at_any_step_keeps_one_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A gzip cut short in ready/ without metadata is re-compressed at start (`.recovered`)."""
    def cut_short(root: Path) -> SpoolDirs:
        dirs = SpoolDirs(root)
        dirs.create()
        (dirs.ready / "f.gz").write_bytes(whole_gzip()[:-8])   # no gzip trailer
        return dirs

    states = each_kill_point(tmp_path, monkeypatch, cut_short, lambda dirs: waiting_files(dirs, LOG))
    assert len(states) > 4
    for dirs, _ in states:
        files = waiting_files(dirs, LOG)
        assert sorted(p.name for p in dirs.ready.iterdir()) == ["f.gz", "f.gz.meta.json"], dirs.root.name
        assert lines_of(files[0][0]) == LINES and files[0][1].records == len(LINES)
