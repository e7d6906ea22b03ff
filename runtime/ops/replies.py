"""The typed records of the control protocol: requests to the engine and its replies.

Stage ops. A request is what `flowc show|clear|request|reload` sends over the control
socket (JSON) and what the supervisor forwards to a collector process (pickled over its
pipe, with an `id`); a reply comes back the same way. Every key is named here, so a
misspelled key is a type error; the statistics inside a reply are the records of
`flowc.runtime.stats` (`CollectorSnapshot`).
"""
from __future__ import annotations

from typing import Any, Required, TypedDict

from flowc.runtime.stats import CollectorSnapshot


class Request(TypedDict, total=False):
    """One control request; `op` says which, the other keys are its arguments."""

    op: Required[str]  # show, health, clear, change-destination, test-file-transfer, reload, stop, reconfigure
    id: int                      # set by the supervisor on the collector pipe
    interface: str               # a cp- interface or "all"
    role: str                    # change-destination / test-file-transfer: primary | secondary
    how: str                     # change-destination: gracefully | immediately
    clear_files: bool
    clear_logs: bool
    filename: str                # test-file-transfer
    channel: int
    what: str                    # show: interface | input | file (informational)
    plan: Any                    # reload: plan text (JSON/YAML) or None; reconfigure: a Plan


class Cleared(TypedDict):
    """One collector's line of a `clear … statistics` reply."""

    interface: str
    state: str


class ClearReply(TypedDict):
    """The engine's answer to `clear … statistics`: one line per collector."""

    ok: bool
    collectors: list[Cleared]


class CollectorHealth(TypedDict):
    """One collector's heartbeat, as the engine's `/healthz` reports it."""

    interface: str
    ok: bool
    loop_age: float
    error: str


class ReloadSummary(TypedDict):
    """What a reload did, by collector interface (part of the reload reply)."""

    started: list[str]
    stopped: list[str]
    restarted: list[str]
    export_only: list[str]
    unchanged: list[str]


class Reply(TypedDict, total=False):
    """One control reply. `ok` always; `error` when not ok; the rest by request."""

    ok: Required[bool]
    id: int
    error: str
    message: str                 # requests, reload
    interface: str
    state: str
    snapshot: CollectorSnapshot  # a collector's answer to show
    collectors: list[CollectorSnapshot]  # the engine's answer to show
    stopping: bool
    loop_age: float              # a collector's answer to health: seconds since its receive loop ticked
    started: list[str]           # reload: what the new plan did
    stopped: list[str]
    restarted: list[str]
    export_only: list[str]
    unchanged: list[str]


def failure(error: str) -> Reply:
    """A reply that says what went wrong."""
    return {"ok": False, "error": error}
