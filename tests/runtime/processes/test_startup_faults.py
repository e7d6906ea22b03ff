"""Start-up failures are clear errors at once (issue 10, items 5-8): a taken port with two
collectors, two collectors on one port, a memory budget below one block, a spool in use;
permissions whatever the umask; the restart delay after a healthy run."""
from __future__ import annotations

import dataclasses
import io
import logging
import os
import socket
import stat
import time
from pathlib import Path

from flowc.runtime.engine import run_plan
from flowc.runtime.files.spool import SpoolDirs
from flowc.runtime.processes.handle import Child
from flowc.runtime.processes.logline import StreamSink
from flowc.runtime.processes.preflight import SpoolLock
from flowc.runtime.processes.supervisor import HEALTHY, Supervisor


def run_fast(plan, limit: float = 5.0, stop_after: float = 10) -> tuple[int, str]:
    stream = io.StringIO()
    started = time.monotonic()
    code = run_plan(plan, log_stream=stream, stop_after=stop_after)
    assert time.monotonic() - started < limit, "the error took too long"
    text = stream.getvalue()
    assert "Traceback" not in text and "did not stop" not in text
    return code, text


def test_a_taken_port_of_the_second_collector_stops_everything_at_once(plan_builder) -> None:
    plan = plan_builder(interfaces=("cp-6/0/0", "cp-7/0/0"))
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(("127.0.0.1", plan.collectors[1].listen.port))
    try:
        code, text = run_fast(plan)
    finally:
        holder.close()
    assert code == 2 and f"cp-7/0/0: cannot listen on 127.0.0.1:{plan.collectors[1].listen.port}" in text
    assert "engine started" not in text and "collecting flows" not in text


def test_two_collectors_on_one_listen_port_are_refused(plan_builder) -> None:
    plan = plan_builder(interfaces=("cp-6/0/0", "cp-7/0/0"))
    same = dataclasses.replace(plan.collectors[1], listen=plan.collectors[0].listen)
    code, text = run_fast(dataclasses.replace(plan, collectors=(plan.collectors[0], same)))
    assert code == 2 and "cp-7/0/0 and cp-6/0/0 both listen on 127.0.0.1:" in text


def test_a_memory_budget_below_one_block_is_a_clear_error(plan_builder) -> None:
    code, text = run_fast(plan_builder(memory_budget=100_000))
    assert code == 2 and "memory budget 100000 bytes holds no 131072-byte block" in text


def test_a_second_engine_on_the_same_spool_is_refused(plan_builder) -> None:
    plan = plan_builder()
    held = SpoolLock(plan.spool)
    held.acquire()
    try:
        code, text = run_fast(plan)
    finally:
        held.release()
    assert code == 2 and f"spool {plan.spool} is in use by another flowc run (pid {os.getpid()})" in text


def test_spool_and_compiled_files_are_private_whatever_the_umask(plan_builder, tmp_path: Path) -> None:
    old = os.umask(0o002)
    try:
        plan = plan_builder()
        code, _text = run_fast(plan, limit=20, stop_after=0.5)
    finally:
        os.umask(old)
    assert code == 0
    assert stat.S_IMODE((Path(plan.spool) / ".flowc.lock").stat().st_mode) == 0o600
    dirs = SpoolDirs.for_collector(plan.spool, "cp-6/0/0")
    for path in (dirs.root, dirs.active, dirs.ready, dirs.translog):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


class DeadProcess:
    exitcode = -9

    def is_alive(self) -> bool:
        return False


def test_the_restart_delay_resets_after_a_healthy_run(plan_builder) -> None:
    plan = plan_builder()
    supervisor = Supervisor(plan, StreamSink(io.StringIO()), logging.getLogger("flowc.test.sup"), None)
    child = supervisor.children[0]
    child.process, child.restarts = DeadProcess(), 5  # five quick crashes: the next waits 30 s
    child.started = 100.0
    supervisor._revive(child, now=101.0)
    assert child.next_start == 101.0 + 30.0
    fresh = Child(child.interface)
    fresh.process, fresh.restarts, fresh.started = DeadProcess(), 5, 100.0
    supervisor._revive(fresh, now=100.0 + HEALTHY + 1)  # it ran healthy meanwhile: 1 s again
    assert fresh.restarts == 1 and fresh.next_start == 100.0 + HEALTHY + 1 + 1.0
