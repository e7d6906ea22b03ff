"""Health of a running engine: what `/healthz` and `/readyz` answer.

A `Verdict` is a tuple of named `Check`s; it is good when every check is. `/healthz`
(liveness: restart me when it fails) asks each collector process for a heartbeat, which
only a turning receive loop answers (`flowc.runtime.engine` builds that check).
`/readyz` (readiness: send me traffic) is `Readiness`: the plan is loaded, every
listening socket is bound (the engine says so once every collector reported ready) and
every spool directory takes a file right now.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

PROBE_NAME = ".flowc-ready-probe"


@dataclass(frozen=True, slots=True)
class Check:
    """One named condition and what was found."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The checks of one probe; good when all are."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def text(self) -> str:
        """One line per check, then the verdict: what a probe's log or `curl` shows."""
        lines = [f"[{'+' if c.ok else '-'}] {c.name}: {c.detail}" for c in self.checks]
        lines.append("ok" if self.ok else "not ok")
        return "".join(f"{line}\n" for line in lines)


def spool_writable(directory: Path) -> Check:
    """Create, write and remove a small file in `directory` (root ignores modes, so ask the disk)."""
    probe = directory / f"{PROBE_NAME}.{os.getpid()}.{threading.get_ident()}"
    try:
        with open(probe, "wb") as out:
            out.write(b"ok")
        probe.unlink()
    except OSError as exc:
        return Check(f"spool {directory}", False, f"not writable: {exc.strerror or exc}")
    return Check(f"spool {directory}", True, "writable")


class Readiness:
    """The engine's readiness, set as it comes up and goes down; read by `/readyz`."""

    def __init__(self, spool_dirs: tuple[Path, ...]) -> None:
        self.spool_dirs = spool_dirs
        self.plan_loaded = False
        self.bound = False
        self.stopping = False

    def verdict(self) -> Verdict:
        checks = [Check("plan", self.plan_loaded, "loaded" if self.plan_loaded else "not loaded yet"),
                  Check("sockets", self.bound and not self.stopping, _socket_detail(self))]
        checks += [spool_writable(d) for d in self.spool_dirs]
        return Verdict(tuple(checks))


def _socket_detail(readiness: Readiness) -> str:
    if readiness.stopping:
        return "engine stopping"
    return "bound, collectors ready" if readiness.bound else "not bound yet"
