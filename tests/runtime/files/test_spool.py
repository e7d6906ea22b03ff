"""The spool after a power cut (issue 18, item 3): damaged metadata never stops a start, is
quarantined with one log line, and its flow file is kept for upload with metadata rebuilt
from the gzip; every record counted by its unique id."""
from __future__ import annotations

import gzip
import io
import logging
import os
from pathlib import Path

from flowc.runtime.engine import run_plan
from flowc.runtime.files.recovery import waiting_files
from flowc.runtime.files.spool import ClosedFile, SpoolDirs, read_closed

LOG = logging.getLogger("flowc.test.spool")


def published(dirs: SpoolDirs, name: str, ids: range, closed_at: float = 2000.0) -> Path:
    part = dirs.active / f"{name}.part"
    part.write_bytes(gzip.compress("".join(f"{i}|record\n" for i in ids).encode()))
    closed = ClosedFile(name, len(ids), len(ids) * 9, part.stat().st_size, 1000.0, closed_at, 1)
    return dirs.publish(part, closed)


def ids_in(path: Path) -> list[int]:
    return [int(line.split("|")[0]) for line in gzip.decompress(path.read_bytes()).decode().splitlines()]


def test_publish_leaves_metadata_that_reads_back(tmp_path: Path) -> None:
    dirs = SpoolDirs(tmp_path / "cp-6_0_0")
    dirs.create()
    path = published(dirs, "a.gz", range(10))
    assert read_closed(dirs.ready / "a.gz.meta.json") == ClosedFile("a.gz", 10, 90, path.stat().st_size,
                                                                    1000.0, 2000.0, 1)
    assert sorted(p.name for p in dirs.ready.iterdir()) == ["a.gz", "a.gz.meta.json"]   # no .tmp left


def test_damaged_metadata_is_quarantined_and_rebuilt_from_the_file(tmp_path: Path, caplog) -> None:
    dirs = SpoolDirs(tmp_path / "cp-6_0_0")
    dirs.create()
    good = published(dirs, "good.gz", range(0, 100), closed_at=1.0)
    empty = published(dirs, "empty.gz", range(100, 300))
    (dirs.ready / "empty.gz.meta.json").write_bytes(b"")                    # power cut after rename
    garbled = published(dirs, "garbled.gz", range(300, 400))
    (dirs.ready / "garbled.gz.meta.json").write_text('{"name": "garbled.gz", "reco')
    cut = published(dirs, "cut.gz", range(400, 5400))
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) // 2])                                  # the gzip ends early too
    (dirs.ready / "cut.gz.meta.json").write_text("[]")
    bare = published(dirs, "bare.gz", range(6000, 6010))
    assert ids_in(bare) == list(range(6000, 6010))
    (dirs.ready / "bare.gz.meta.json").unlink()                              # no metadata at all
    (dirs.ready / "gone.gz.meta.json").write_text("{}")                      # metadata, no file
    (dirs.ready / "x.gz.meta.json.tmp").write_text("")                       # a write cut short
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        found = waiting_files(dirs, LOG)
    names = [closed.name for _, closed in found]
    assert names[0] == "good.gz" and sorted(names) == ["bare.gz", "cut.gz", "empty.gz", "garbled.gz", "good.gz"]
    by_name = {closed.name: (path, closed) for path, closed in found}
    assert ids_in(good) == list(range(0, 100))
    assert ids_in(empty) == list(range(100, 300)) and by_name["empty.gz"][1].records == 200
    assert ids_in(garbled) == list(range(300, 400)) and by_name["garbled.gz"][1].records == 100
    kept = ids_in(cut)                                                       # whole gzip again
    assert kept == list(range(400, 400 + len(kept))) and by_name["cut.gz"][1].records == len(kept) > 0
    assert by_name["bare.gz"][1].records == 10
    for path, closed in found:
        assert closed.compressed_bytes == path.stat().st_size
    quarantined = sorted(p.name for p in (dirs.root / "quarantine").iterdir())
    assert quarantined == ["cut.gz.meta.json", "empty.gz.meta.json", "garbled.gz.meta.json"]
    assert not (dirs.ready / "gone.gz.meta.json").exists() and not (dirs.ready / "x.gz.meta.json.tmp").exists()
    messages = [r.getMessage() for r in caplog.records]
    for name in ("empty.gz", "garbled.gz", "cut.gz", "bare.gz", "gone.gz"):
        assert sum(name in m for m in messages) == 1, (name, messages)
    assert waiting_files(dirs, LOG) == found                                 # sound now: nothing more to do


def test_an_unreadable_spool_file_is_left_and_said_never_fatal(tmp_path: Path, caplog) -> None:
    dirs = SpoolDirs(tmp_path / "cp-6_0_0")
    dirs.create()
    (dirs.ready / "odd.gz").mkdir()                                          # not a file: skipped
    published(dirs, "ok.gz", range(5))
    assert [c.name for _, c in waiting_files(dirs, LOG)] == ["ok.gz"]


def test_a_0_byte_metadata_file_at_start_is_uploaded_not_fatal(plan_builder, ftp_server) -> None:
    """`flowc run` with an empty ready/NAME.meta.json: the engine runs, the file arrives whole."""
    server = ftp_server()
    plan = plan_builder(destinations=(server.target(),))
    dirs = SpoolDirs.for_collector(plan.spool, "cp-6/0/0")
    dirs.create()
    name = "cFlowd-py69Ni69-0-20240101_000000-at_4_0_0_4_1.bcp.bi.gz"
    published(dirs, name, range(1, 20_001))
    (dirs.ready / f"{name}.meta.json").write_bytes(b"")
    os.sync()
    stream = io.StringIO()
    code = run_plan(plan, log_stream=stream, stop_after=3)
    text = stream.getvalue()
    assert code == 0 and "Traceback" not in text, text
    assert sum("damaged metadata moved to" in line for line in text.splitlines()) == 1, text
    assert sorted(ids_in(server.home / name)) == list(range(1, 20_001))
    assert not list(dirs.ready.iterdir())
