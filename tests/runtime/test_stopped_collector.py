"""A stopped (SIGSTOP) collector under traffic: `show … all` and `/metrics` still answer with
the others and mark it "Not responding"; SIGTERM to the engine ends every child, so a second
engine binds the same ports (issue 18 item 5)."""
from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.runtime.test_engine_metrics import MetricsEngine, good, send, value

GENEROUS = 8.0  # the calls answer in about 2 s; this only proves they returned


def show_all(control: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "show", "services", "flow-collector",
                           "interface", "all", "--format", "json", "--control", control],
                          capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_stopped_collector_is_shown_not_responding_and_sigterm_ends_it(plan_builder, ftp_server,
                                                                         tmp_path: Path) -> None:
    from flowc.runtime.plan.model import Endpoint
    from flowc.runtime.plan.secret import encode

    server = ftp_server()
    plan = plan_builder(interfaces=("cp-6/0/0", "cp-6/0/1"), metrics=Endpoint("127.0.0.1", 0),
                        destinations=[server.target("/", password=encode("s3cret-pass"))])
    engine = MetricsEngine(plan, tmp_path)
    stopped_pid = 0
    try:
        reply = json.loads(show_all(plan.control)[1])
        pids = {c["interface"]: c["pid"] for c in reply["collectors"]}
        stopped_pid = pids["cp-6/0/1"]
        os.kill(stopped_pid, signal.SIGSTOP)
        send(plan.collectors[1].listen.port, good(20))
        started = time.monotonic()
        code, out, err = show_all(plan.control)
        took_show = time.monotonic() - started
        assert code == 0, err
        states = {c["interface"]: c["state"] for c in json.loads(out)["collectors"]}
        assert states == {"cp-6/0/0": "Collecting flows", "cp-6/0/1": "Not responding"}
        started = time.monotonic()
        samples = engine.scrape()
        took_metrics = time.monotonic() - started
        assert value(samples, "flowc_collector_state", state="Collecting flows") == 1
        assert samples[("flowc_collector_state", (("collector", "cp-6/0/1"), ("state", "Not responding")))] == 1
        assert samples[("flowc_collector_state", (("collector", "cp-6/0/1"), ("state", "Collecting flows")))] == 0
        assert value(samples, "flowc_collector_process_open_fds") > 0   # the running child's /proc figures
        assert took_show < GENEROUS and took_metrics < GENEROUS
        text = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "show", "services", "flow-collector",
                               "interface", "all", "--control", plan.control],
                              capture_output=True, text=True, timeout=60).stdout
        assert "Interface state: Not responding" in text
        os.killpg(engine.proc.pid, signal.SIGTERM)       # while the child is still stopped
        assert engine.proc.wait(60) in (0, 1)
        assert not alive(stopped_pid), "the stopped collector outlived its engine"
    finally:
        if stopped_pid and alive(stopped_pid):
            os.kill(stopped_pid, signal.SIGKILL)
        engine.close()
    (tmp_path / "again").mkdir()
    second = MetricsEngine(dataclasses.replace(plan, metrics=Endpoint("127.0.0.1", 0)), tmp_path / "again")
    try:
        assert "cannot listen" not in second.log.read_text()
        assert second.proc.poll() is None
    finally:
        second.close()


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    from flowc.runtime.processes.handle import CollectorProcess

    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(1, flush=True); time.sleep(60)"
    stubborn = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert stubborn.stdout is not None and stubborn.stdout.readline()   # its handler is in place
    assert CollectorProcess(stubborn).end(0.5) is True
    assert stubborn.poll() == -signal.SIGKILL
    polite = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    os.kill(polite.pid, signal.SIGSTOP)                                   # stopped: SIGCONT lets SIGTERM act
    assert CollectorProcess(polite).end(5.0) is False
    assert polite.poll() == -signal.SIGTERM
