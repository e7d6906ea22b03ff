"""What `flowc run` checks before it starts anything (exit 2 at once, nothing started).

- two collectors on one listen endpoint (they would split the datagrams between them);
- a memory budget that holds no block (the collector could not buffer a single record);
- a spool another engine uses: `SpoolLock` holds an exclusive `flock` on
  `<spool>/.flowc.lock` for the engine's life (released by the kernel when it exits,
  even after kill -9), so a second `flowc run` on the same spool is refused.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from flowc.runtime.files.memory import DEFAULT_BLOCK_SIZE, RECEIVE_RESERVE
from flowc.runtime.ingest.inputs import endpoints
from flowc.runtime.plan.model import Endpoint, Plan


def startup_problems(plan: Plan) -> list[str]:
    """Every reason the plan cannot run, one message each (empty: it can)."""
    problems = []
    owner: dict[Endpoint, str] = {}
    for collector in plan.collectors:
        for endpoint in endpoints(collector):
            other = owner.setdefault(endpoint, collector.interface)
            if other != collector.interface:
                problems.append(f"{collector.interface} and {other} both listen on {endpoint}: each "
                                "collector needs a listen address of its own (site file `collectors:`)")
    needed = RECEIVE_RESERVE + DEFAULT_BLOCK_SIZE
    if plan.memory_budget < needed:
        problems.append(f"memory budget {plan.memory_budget} bytes holds no {DEFAULT_BLOCK_SIZE}-byte block "
                        f"(at least {needed} bytes; site file `memory-budget:`)")
    return problems


class SpoolLocked(Exception):
    """Another engine holds the spool."""


class SpoolLock:
    """An exclusive lock on a spool directory for as long as this object is held."""

    def __init__(self, spool: str | Path) -> None:
        self.path = Path(spool) / ".flowc.lock"
        self.fd = -1

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise SpoolLocked(f"spool {self.path.parent} is in use by another flowc run (pid {holder}); "
                              "one engine per spool") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
