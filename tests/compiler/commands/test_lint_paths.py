"""`flowc lint` on paths it cannot read: exit 2 with a message naming the path, never
"no problems in 0 files" and exit 0 (real CLI calls)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "single" / "router.conf"


def lint(*paths: Path | str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "lint", "--isolated", *map(str, paths)],
                          capture_output=True, text=True, timeout=60, cwd=cwd)


def assert_refused(done: subprocess.CompletedProcess[str], path: str, why: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{path}" in done.stderr and why in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "0 files" not in done.stdout


def test_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.conf")
    assert_refused(lint("pipe.conf", cwd=tmp_path), "pipe.conf", "not a regular file")


def test_a_fifo_found_in_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "router.conf").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    os.mkfifo(tmp_path / "configs" / "stuck.conf")
    assert_refused(lint("configs", cwd=tmp_path), "stuck.conf", "not a regular file")


def test_a_missing_file_and_a_symlink_loop_are_refused(tmp_path: Path) -> None:
    assert_refused(lint("missing.conf", cwd=tmp_path), "missing.conf", "no such file")
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "loop.conf").symlink_to("loop.conf")
    assert_refused(lint("configs", cwd=tmp_path), "loop.conf", "symbolic links")


def test_a_folder_without_configurations_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.md").write_text("not a configuration\n", "utf-8")
    assert_refused(lint("empty", cwd=tmp_path), "empty", "no configuration files")
    assert_refused(lint("other", cwd=tmp_path), "other", "no configuration files")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a folder of mode 0000 (CI runs as root); the FIFO, "
                                               "loop and missing-file cases cover the refusal")
def test_an_unreadable_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "router.conf").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    locked.chmod(0)
    try:
        assert_refused(lint("locked", cwd=tmp_path), "locked", "Permission denied")
    finally:
        locked.chmod(0o755)


def test_a_readable_folder_still_lints(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "router.conf").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    done = lint("configs", cwd=tmp_path)
    assert done.returncode in (0, 1) and "1 file" in done.stdout, done.stdout + done.stderr
