"""README's "Running a collector", followed as written from a fresh folder: every line of
its code block runs (`&` lines in the background, `kill %N` stops job N, `find` looked at
until it shows something, as a user would), a full flow file reaches the `flowc testbed ftp`
server, and every record `flowc generate` sent is on the server or waits in the spool."""
from __future__ import annotations

import gzip
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PORTS = ((socket.SOCK_STREAM, 2121), (socket.SOCK_STREAM, 2122), (socket.SOCK_DGRAM, 2055), (socket.SOCK_DGRAM, 2056))


def readme_lines() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Running a collector", 1)[1]
    block = section.split("```", 2)[1]
    return [re.split(r"\s{2,}#", line)[0].strip() for line in block.strip().splitlines()]


def busy(kind: int, port: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def wait_for(condition, seconds: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def test_running_a_collector_as_the_readme_says(tmp_path: Path) -> None:
    taken = [port for kind, port in PORTS if busy(kind, port)]
    if taken:
        pytest.skip(f"the README's fixed ports are in use here: {taken}")
    shutil.copy(ROOT / "examples" / "router1" / "router.conf", tmp_path / "router.conf")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    jobs: list[subprocess.Popen[str]] = []
    outputs: list[str] = []
    try:
        for line in readme_lines():
            outputs.append(_step(line, tmp_path, env, jobs))
    finally:
        for job in jobs:
            if job.poll() is None:
                job.kill()
                job.wait()
    sent = int(re.search(r"sent (\d+) records", "".join(outputs)).group(1))  # type: ignore[union-attr]
    delivered = records(sorted((tmp_path / "ftp-root").rglob("cFlowd-*")))
    assert delivered and max(delivered.values()) == 50000  # the file the record level closed
    assert any(str(f.relative_to(tmp_path)) in "".join(outputs) for f in delivered)  # `find` showed it
    waiting = records(sorted((tmp_path / "spool").rglob("ready/*.gz")))
    assert sum(delivered.values()) + sum(waiting.values()) == sent  # nothing lost, nothing twice
    assert "Collecting flows" in "".join(outputs)


def records(files: list[Path]) -> dict[Path, int]:
    return {f: len(gzip.decompress(f.read_bytes()).splitlines()) for f in files}


def _step(line: str, folder: Path, env: dict[str, str], jobs: list[subprocess.Popen[str]]) -> str:
    """One README line, as a shell user would run it; its output."""
    if kill := re.fullmatch(r"kill %(\d+)", line):
        job = jobs[int(kill.group(1)) - 1]
        job.send_signal(signal.SIGTERM)
        out, _ = job.communicate(timeout=90)
        assert job.returncode == 0, out
        return out
    if line.endswith("&"):
        job = subprocess.Popen(shlex.split(line[:-1]), cwd=folder, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        jobs.append(job)
        ready = folder / "flowc.sock" if " run " in f" {line} " else None
        assert wait_for(lambda: job.poll() is not None or (ready.is_socket() if ready else _serving())), line
        assert job.poll() is None, job.communicate()[0]
        return ""
    def attempt() -> subprocess.CompletedProcess[str]:
        return subprocess.run(shlex.split(line), cwd=folder, env=env, text=True, capture_output=True, timeout=120)

    done = attempt()
    if line.startswith("find "):  # until the file is there, as a user looks again
        assert wait_for(lambda: bool(attempt().stdout.strip())), line
        done = attempt()
    assert done.returncode == 0, (line, done.stdout, done.stderr)
    return done.stdout + done.stderr


def _serving() -> bool:
    """The testbed's servers answer on their ports."""
    for port in (2121, 2122):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except OSError:
            return False
    return True
