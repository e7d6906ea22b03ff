"""Live reload from the command line: `flowc run CONFIG` re-reads it on SIGHUP, and
`flowc request services flow-collector reload [PLAN|CONFIG]` compiles first, refuses what
does not compile or validate (nothing sent, nothing changed) and prints what happened."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "flowc.compiler.cli"]
WORDS = ["request", "services", "flow-collector", "reload"]
RETRY = "        retry 3;\n"
UNKNOWN_SPEC = ("                collector cp-7/0/0;\n                file-specification 9;\n", 515, 36)


class Engine:
    """`flowc run router.conf --site site.yaml` in a subprocess, with its log file."""

    def __init__(self, folder: Path, ports: tuple[int, int], dead: int) -> None:
        self.folder = folder
        self.config = folder / "router.conf"
        shutil.copy(ROOT / "examples" / "router1" / "router.conf", self.config)
        self.control_dir = Path(tempfile.mkdtemp(prefix="fc"))
        self.control = str(self.control_dir / "ctl.sock")
        self.site = folder / "site.yaml"
        self.site.write_text(
            f"host-name: router1\nspool: {folder / 'spool'}\ncontrol: {self.control}\n"
            f"collectors:\n  cp-6/0/0:\n    listen: 127.0.0.1:{ports[0]}\n"
            f"  cp-7/0/0:\n    listen: 127.0.0.1:{ports[1]}\n"
            f"hosts:\n  192.168.252.2: 127.0.0.1:{dead}\n  192.168.253.2: 127.0.0.1:{dead}\n")
        self.log = folder / "engine.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([*CLI, "run", str(self.config), "--site", str(self.site)],
                                         stderr=out, cwd=folder, start_new_session=True)
        self.wait_log("engine started")

    def wait_log(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while text not in (log := self.log.read_text()):
            assert self.proc.poll() is None, f"engine ended: {log}"
            assert time.monotonic() < deadline, f"no {text!r} in the log: {log}"
            time.sleep(0.05)
        return log

    def flowc(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, cwd=self.folder)

    def pids(self) -> dict[str, int]:
        done = self.flowc("show", "services", "flow-collector", "interface", "all", "--format", "json",
                          "--control", self.control)
        assert done.returncode == 0, done.stderr
        return {c["interface"]: c["pid"] for c in json.loads(done.stdout)["collectors"]}

    def variant(self, name: str, old: str, new: str) -> Path:
        text = self.config.read_text()
        assert old in text
        path = self.folder / name
        path.write_text(text.replace(old, new))
        return path

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.control_dir, ignore_errors=True)


@pytest.fixture
def engine(tmp_path: Path, udp_port, dead_endpoint) -> Iterator[Engine]:
    running = Engine(tmp_path, (udp_port(), udp_port()), dead_endpoint.port)
    yield running
    running.close()
    assert running.proc.returncode == 0, running.log.read_text()


def unknown_spec_line(engine: Engine) -> str:
    """The interface-map entry of mo-7/3/0.0 as it is in router1's configuration."""
    text = engine.config.read_text()
    start = text.index("            mo-7/3/0.0 {\n") + len("            mo-7/3/0.0 {\n")
    return text[start:start + len(UNKNOWN_SPEC[0])]


def test_the_reload_words_against_a_running_engine(engine: Engine) -> None:
    before = engine.pids()
    ctl = ("--control", engine.control)

    same = engine.flowc(*WORDS, *ctl)                       # no file: the engine re-reads its own
    assert same.returncode == 0, same.stderr
    assert same.stdout == ("Flow collector interface: cp-6/0/0\nReload: unchanged\n"
                           "Flow collector interface: cp-7/0/0\nReload: unchanged\n"
                           "Reload result: the plan is unchanged: nothing to do\n")

    fewer_retries = engine.variant("new.conf", RETRY, "        retry 2;\n")
    changed = engine.flowc(*WORDS, str(fewer_retries), "--site", str(engine.site), *ctl)
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.splitlines() == [
        "Flow collector interface: cp-6/0/0",
        "Reload: export settings changed (files not yet exported go to the new settings)",
        "Flow collector interface: cp-7/0/0",
        "Reload: export settings changed (files not yet exported go to the new settings)",
        "Reload result: reload applied"]
    assert engine.pids() == before                          # export-only: same processes

    back = engine.flowc(*WORDS, "--format", "json", *ctl)  # back to router.conf (retry 3)
    assert back.returncode == 0, back.stderr
    reply = json.loads(back.stdout)
    assert reply["ok"] and reply["export_only"] == ["cp-6/0/0", "cp-7/0/0"] and reply["restarted"] == []
    assert engine.pids() == before


def test_what_does_not_compile_or_validate_is_refused_and_changes_nothing(engine: Engine) -> None:
    before = engine.pids()
    ctl = ("--control", engine.control)
    bad = engine.variant("bad.conf", unknown_spec_line(engine), UNKNOWN_SPEC[0])
    refused = engine.flowc(*WORDS, str(bad), "--site", str(engine.site), *ctl)
    assert refused.returncode == 1 and refused.stdout == ""
    line, column = UNKNOWN_SPEC[1:]
    assert f"bad.conf:{line}:{column}: error FC201" in refused.stderr
    assert "nothing was sent to the engine" in refused.stderr and "Traceback" not in refused.stderr

    plan = engine.folder / "bad.json"
    plan.write_text('{"version": 1}')
    refused = engine.flowc(*WORDS, str(plan), *ctl)
    assert refused.returncode == 1 and "invalid plan" in refused.stderr and "Traceback" not in refused.stderr

    moved = engine.folder / "moved.json"                   # valid, but the engine refuses it
    compiled = engine.flowc("compile", str(engine.config), "--site", str(engine.site), "-o", str(moved))
    assert compiled.returncode == 0, compiled.stderr
    data = json.loads(moved.read_text())
    data["control"] += ".elsewhere"
    moved.write_text(json.dumps(data))
    refused = engine.flowc(*WORDS, str(moved), *ctl)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: reload refused: the control socket moves to")

    missing = engine.flowc(*WORDS, str(engine.folder / "nowhere.conf"), *ctl)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert engine.pids() == before                          # the engine still answers, unchanged
    assert "reload applied" not in engine.log.read_text()


def test_sighup_rereads_a_changed_config(engine: Engine) -> None:
    before = engine.pids()
    engine.config.write_text(engine.config.read_text().replace(RETRY, "        retry 1;\n"))
    engine.proc.send_signal(signal.SIGHUP)
    engine.wait_log("SIGHUP: reload applied")
    assert "restarted=- export_only=cp-6/0/0,cp-7/0/0" in engine.log.read_text()
    engine.config.write_text(engine.config.read_text().replace(unknown_spec_line(engine), UNKNOWN_SPEC[0]))
    engine.proc.send_signal(signal.SIGHUP)
    log = engine.wait_log("SIGHUP: reload refused")
    line, column = UNKNOWN_SPEC[1:]
    assert f"router.conf:{line}:{column}: error FC201" in log.split("SIGHUP: reload refused")[1]
    assert engine.pids() == before
    no_source = engine.flowc(*WORDS, "--control", engine.control)   # the engine's source is broken now
    assert no_source.returncode == 1 and "FC201" in no_source.stderr
