"""The messages of the control protocol: one frozen dataclass per request, reply and pipe event.

Stage ops. A request is what `flowc show|clear|request|reload` sends over the control
socket and what the supervisor forwards to a collector process over its pipe; a reply
comes back the same way; an event is what a collector process says unasked (ready, or
why it cannot start). `flowc.runtime.ops.codec` turns each into its wire form and back;
the statistics inside a reply are the records of `flowc.runtime.stats`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flowc.runtime.plan.model import Plan
from flowc.runtime.stats import CollectorSnapshot

ALL = "all"

# ------------------------------------------------------------------ requests


@dataclass(frozen=True, slots=True)
class Show:
    """`show services flow-collector interface|input|file …`."""

    interface: str = ALL
    what: str = "interface"      # informational: interface | input | file


@dataclass(frozen=True, slots=True)
class Health:
    """A heartbeat asked of a collector's receive loop (`/healthz`)."""


@dataclass(frozen=True, slots=True)
class Clear:
    """`clear services flow-collector statistics …`."""

    interface: str = ALL


@dataclass(frozen=True, slots=True)
class ChangeDestination:
    """`request services flow-collector change-destination …`."""

    interface: str = ALL
    role: str = "primary"        # primary | secondary
    how: str = "gracefully"      # gracefully | immediately
    clear_files: bool = False
    clear_logs: bool = False


@dataclass(frozen=True, slots=True)
class TestFileTransfer:
    """`request services flow-collector test-file-transfer …`."""

    __test__ = False             # not a pytest test class
    interface: str = ALL
    filename: str = ""
    channel: int = 0
    role: str = "primary"


@dataclass(frozen=True, slots=True)
class Reload:
    """Live reload: plan text (JSON/YAML), or None for the engine's own source."""

    plan: str | None = None


@dataclass(frozen=True, slots=True)
class Reconfigure:
    """New export settings for one collector process (the pipe only: a `Plan`, not text)."""

    plan: Plan


@dataclass(frozen=True, slots=True)
class Stop:
    """Stop the engine (socket) or one collector process (pipe)."""


Request = Show | Health | Clear | ChangeDestination | TestFileTransfer | Reload | Reconfigure | Stop
Routed = Show | Clear | ChangeDestination | TestFileTransfer  # requests that name an interface

# ------------------------------------------------------------------ replies


@dataclass(frozen=True, slots=True)
class Failure:
    """What went wrong; `message` only where a request reply carries the error as its message too."""

    error: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Snapshots:
    """The engine's answer to show: one snapshot per collector."""

    collectors: tuple[CollectorSnapshot, ...]


@dataclass(frozen=True, slots=True)
class SnapshotReply:
    """A collector process's answer to show."""

    snapshot: CollectorSnapshot


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A collector's answer to health: seconds since its receive loop ticked."""

    interface: str
    loop_age: float


@dataclass(frozen=True, slots=True)
class State:
    """One collector's state after a request (clear, stop, change-destination, test-file-transfer)."""

    ok: bool
    interface: str
    state: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Cleared:
    """One collector's line of a `clear … statistics` reply."""

    interface: str
    state: str


@dataclass(frozen=True, slots=True)
class ClearReply:
    """The engine's answer to `clear … statistics`: one line per collector."""

    ok: bool
    collectors: tuple[Cleared, ...]


@dataclass(frozen=True, slots=True)
class Stopping:
    """The engine's answer to stop."""


@dataclass(frozen=True, slots=True)
class ReloadReply:
    """What a reload did, by collector interface; `error` when refused or partly failed."""

    started: tuple[str, ...]
    stopped: tuple[str, ...]
    restarted: tuple[str, ...]
    export_only: tuple[str, ...]
    unchanged: tuple[str, ...]
    error: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


Reply = Failure | Snapshots | SnapshotReply | Heartbeat | State | ClearReply | Stopping | ReloadReply

# ------------------------------------------------------------------ pipe events


@dataclass(frozen=True, slots=True)
class Ready:
    """A collector process listens (or has its replay open)."""


@dataclass(frozen=True, slots=True)
class StartFailed:
    """A collector process could not start; why."""

    error: str


Event = Ready | StartFailed


@dataclass(frozen=True, slots=True)
class CollectorHealth:
    """One collector's heartbeat, as the engine's `/healthz` reports it."""

    interface: str
    ok: bool
    loop_age: float
    error: str


def ok(reply: Reply) -> bool:
    """Whether a reply says the request succeeded."""
    match reply:
        case Failure():
            return False
        case State(ok=good) | ClearReply(ok=good):
            return good
        case ReloadReply():
            return reply.ok
    return True
