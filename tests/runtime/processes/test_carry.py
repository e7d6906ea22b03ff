"""carry_over: waiting files of one collector move to a new spool; a copy across filesystems."""
from __future__ import annotations

import errno
import logging
from pathlib import Path

import pytest

from flowc.runtime.files.spool import ClosedFile, SpoolDirs
from flowc.runtime.processes import carry
from flowc.runtime.processes.carry import carry_over

LOG = logging.getLogger("flowc.test-carry")


def waiting(dirs: SpoolDirs, name: str, body: bytes) -> None:
    dirs.create()
    (dirs.ready / name).write_bytes(body)
    (dirs.ready / f"{name}.meta.json").write_text(ClosedFile(name, 1, 2, len(body), 1.0, 2.0, 0).to_json())


@pytest.mark.parametrize("other_filesystem", [False, True])
def test_waiting_and_unfinished_files_move(tmp_path: Path, monkeypatch, caplog, other_filesystem) -> None:
    old, new = SpoolDirs(tmp_path / "a" / "cp-6_0_0"), SpoolDirs(tmp_path / "b" / "cp-6_0_0")
    waiting(old, "f1.gz", b"one")
    waiting(old, "f2.gz", b"two")
    (old.active / "f3.gz.part").write_bytes(b"partial")
    if other_filesystem:
        def cross(source: object, target: object) -> None:
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(carry.os, "rename", cross)
    caplog.set_level(logging.INFO, LOG.name)
    done = carry_over(old, new, LOG, "cp-6/0/0")
    assert (done.files, done.leftovers, done.stranded) == (2, 1, ())
    assert sorted(p.name for p, _ in new.ready_files()) == ["f1.gz", "f2.gz"]
    assert (new.ready / "f2.gz").read_bytes() == b"two" and (new.active / "f3.gz.part").read_bytes() == b"partial"
    assert list(old.ready.iterdir()) == [] and list(old.active.iterdir()) == []
    assert "spool moved: cp-6/0/0 carried 2 waiting file(s) and 1 unfinished file(s)" in caplog.text


def test_a_name_taken_in_the_new_spool_is_left_in_place(tmp_path: Path, caplog) -> None:
    old, new = SpoolDirs(tmp_path / "a" / "x"), SpoolDirs(tmp_path / "b" / "x")
    waiting(old, "f1.gz", b"old")
    waiting(new, "f1.gz", b"new")
    done = carry_over(old, new, LOG, "cp-6/0/0")
    assert done.files == 0 and len(done.stranded) == 1
    assert (old.ready / "f1.gz").read_bytes() == b"old" and (new.ready / "f1.gz").read_bytes() == b"new"


def test_the_same_spool_moves_nothing(tmp_path: Path) -> None:
    dirs = SpoolDirs(tmp_path / "x")
    waiting(dirs, "f1.gz", b"one")
    assert carry_over(dirs, SpoolDirs(tmp_path / "." / "x"), LOG, "cp-6/0/0").files == 0
    assert (dirs.ready / "f1.gz").exists()
