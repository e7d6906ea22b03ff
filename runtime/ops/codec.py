"""The one codec of the control protocol: messages to their wire form and back, versioned.

Stage ops. `encode(message)` gives the wire object of a request, reply or pipe event (the
control socket writes it as one JSON line, the collector pipe pickles it); `decode_request`,
`decode_reply` and `decode_event` check a wire object field by field and build the frozen
dataclass of `flowc.runtime.ops.messages`, or raise `MessageError` saying what is wrong.
`answer(handler, wire)` is what both servers run: decode, dispatch, encode; a message that
is not ours (unknown op, wrong field type, another protocol version) is a `Failure` reply.

A request may carry `"version"` (the CLI sends it; absent means this one); the pipe adds
`"id"` and `"version"` to every message. Replies keep the shape `show --format json`
prints, so their JSON is what it was before the codec.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flowc.runtime.ops.messages import (
    ALL,
    ChangeDestination,
    Clear,
    Cleared,
    ClearReply,
    Event,
    Failure,
    Health,
    Heartbeat,
    Ready,
    Reconfigure,
    Reload,
    ReloadReply,
    Reply,
    Request,
    Show,
    SnapshotReply,
    Snapshots,
    StartFailed,
    State,
    Stop,
    Stopping,
    TestFileTransfer,
)
from flowc.runtime.ops.snapshots import decode_snapshot
from flowc.runtime.ops.wire import Fields, MessageError, Wire
from flowc.runtime.plan.model import Plan

VERSION = 1
ENVELOPE = ("id", "version")   # added by the pipe (and the CLI's version): not a request field
R = TypeVar("R", Snapshots, SnapshotReply, Heartbeat, State, ClearReply, Stopping, ReloadReply)


# ------------------------------------------------------------------ encode

def encode(message: Request | Reply | Event) -> Wire:
    """The wire object of one message (JSON-ready, but for the `Plan` of `Reconfigure`)."""
    match message:
        case Show() | Health() | Clear() | ChangeDestination() | TestFileTransfer() | Reload() \
                | Reconfigure() | Stop():
            return _encode_request(message)
        case Ready():
            return {"event": "ready", "version": VERSION}
        case StartFailed(error=error):
            return {"event": "error", "error": error, "version": VERSION}
    return _encode_reply(message)


def _encode_request(request: Request) -> Wire:
    match request:
        case Show(interface=interface, what=what):
            return {"op": "show", "what": what, "interface": interface, "version": VERSION}
        case Clear(interface=interface):
            return {"op": "clear", "interface": interface, "version": VERSION}
        case ChangeDestination():
            return {"op": "change-destination", "interface": request.interface, "role": request.role,
                    "how": request.how, "clear_files": request.clear_files, "clear_logs": request.clear_logs,
                    "version": VERSION}
        case TestFileTransfer():
            return {"op": "test-file-transfer", "interface": request.interface, "filename": request.filename,
                    "channel": request.channel, "role": request.role, "version": VERSION}
        case Reload(plan=plan):
            return {"op": "reload", "version": VERSION} | ({} if plan is None else {"plan": plan})
        case Reconfigure(plan=plan):
            return {"op": "reconfigure", "plan": plan, "version": VERSION}
        case Health():
            return {"op": "health", "version": VERSION}
    return {"op": "stop", "version": VERSION}


def _encode_reply(reply: Reply) -> Wire:
    match reply:
        case Failure(error=error, message=message):
            return {"ok": False, "error": error} | _given("message", message)
        case Snapshots(collectors=collectors):
            return {"ok": True, "collectors": list(collectors)}
        case SnapshotReply(snapshot=snapshot):
            return {"ok": True, "snapshot": snapshot}
        case Heartbeat(interface=interface, loop_age=age):
            return {"ok": True, "interface": interface, "loop_age": age}
        case State(ok=good, interface=interface, state=state, message=message):
            return {"ok": good, "interface": interface, "state": state} | _given("message", message)
        case ClearReply(ok=good, collectors=lines):
            return {"ok": good, "collectors": [{"interface": c.interface, "state": c.state} for c in lines]}
        case Stopping():
            return {"ok": True, "stopping": True}
    return _encode_reload(reply)


def _encode_reload(reply: ReloadReply) -> Wire:
    return ({"ok": reply.ok, "started": list(reply.started), "stopped": list(reply.stopped),
             "restarted": list(reply.restarted), "export_only": list(reply.export_only),
             "unchanged": list(reply.unchanged)} | _given("error", reply.error) | _given("message", reply.message))


def _given(key: str, value: str | None) -> Wire:
    return {} if value is None else {key: value}


# ------------------------------------------------------------------ decode requests

FIELDS = {  # op -> the fields its request may carry
    "show": ("interface", "what"), "health": (), "clear": ("interface",),
    "change-destination": ("interface", "role", "how", "clear_files", "clear_logs"),
    "test-file-transfer": ("interface", "filename", "channel", "role"),
    "reload": ("plan",), "reconfigure": ("plan",), "stop": (),
}


def decode_request(data: object) -> Request:
    """The request a wire object holds; `MessageError` when it is not a request of this version."""
    f = Fields(data, "request")
    _check_version(f)
    op = f.text("op")
    if op not in FIELDS:
        raise MessageError(f"unknown request {op!r}")
    unknown = sorted(set(f.keys()) - set(FIELDS[op]) - {"op", *ENVELOPE})
    if unknown:
        raise MessageError(f"request {op!r}: unknown field {unknown[0]!r}")
    return _request(op, f)


def _check_version(f: Fields) -> None:
    version = f.integer("version", VERSION)
    if version != VERSION:
        raise MessageError(f"{f.where}: protocol version {version} is not this engine's ({VERSION}); "
                           "use the flowc that started the engine")


def _request(op: str, f: Fields) -> Request:
    match op:
        case "show":
            return Show(f.text("interface", ALL), f.text("what", "interface"))
        case "clear":
            return Clear(f.text("interface", ALL))
        case "change-destination":
            return ChangeDestination(f.text("interface", ALL), f.text("role", "primary"), f.text("how", "gracefully"),
                                     f.flag("clear_files", False), f.flag("clear_logs", False))
        case "test-file-transfer":
            return TestFileTransfer(f.text("interface", ALL), f.text("filename", ""), f.integer("channel", 0),
                                    f.text("role", "primary"))
        case "reload":
            return Reload(f.optional_text("plan"))
        case "reconfigure":
            plan = f.raw("plan")
            if not isinstance(plan, Plan):
                raise MessageError("request.plan: expected a plan (reconfigure is for the collector pipe)")
            return Reconfigure(plan)
        case "health":
            return Health()
    return Stop()


def answer(handler: Callable[[Request], Reply], data: object) -> Wire:
    """Decode a request, let `handler` answer it, encode the reply; a bad request answers a `Failure`."""
    try:
        request = decode_request(data)
    except MessageError as exc:
        return encode(Failure(str(exc)))
    return encode(handler(request))


# ------------------------------------------------------------------ decode replies and events

FAILED_WITHOUT = {Snapshots: "collectors", SnapshotReply: "snapshot", Heartbeat: "interface", State: "interface",
                  ClearReply: "collectors", Stopping: "stopping", ReloadReply: "started"}


def decode_reply(data: object, expect: type[R]) -> R | Failure:
    """The reply a wire object holds, of the type asked for, or the `Failure` it reports."""
    f = Fields(data, "reply")
    _check_version(f)
    if not f.flag("ok") and FAILED_WITHOUT[expect] not in f:
        return Failure(f.text("error", "the engine refused the request"), f.optional_text("message"))
    reply = _reply(expect, f)
    if not isinstance(reply, expect):   # pragma: no cover - _reply builds what it is asked for
        raise MessageError(f"reply: expected {expect.__name__}")
    return reply


def _reply(expect: type[Reply], f: Fields) -> Reply:
    if expect is Snapshots:
        return Snapshots(tuple(decode_snapshot(s) for s in f.records("collectors")))
    if expect is SnapshotReply:
        return SnapshotReply(decode_snapshot(f.record("snapshot")))
    if expect is Heartbeat:
        return Heartbeat(f.text("interface"), f.number("loop_age"))
    if expect is State:
        return State(f.flag("ok"), f.text("interface"), f.text("state"), f.optional_text("message"))
    if expect is ClearReply:
        return ClearReply(f.flag("ok"), tuple(Cleared(c.text("interface"), c.text("state"))
                                              for c in f.records("collectors")))
    if expect is Stopping:
        return Stopping()
    return ReloadReply(f.texts("started"), f.texts("stopped"), f.texts("restarted"), f.texts("export_only"),
                       f.texts("unchanged"), f.optional_text("error"), f.optional_text("message"))


def decode_event(data: object) -> Event:
    """A collector process's unasked message (ready, or why it could not start)."""
    f = Fields(data, "event")
    _check_version(f)
    match f.text("event"):
        case "ready":
            return Ready()
        case "error":
            return StartFailed(f.text("error"))
        case other:
            raise MessageError(f"unknown event {other!r}")


def on_pipe(message: Request | Reply, ident: int) -> Wire:
    """A message as the collector pipe carries it: with its request id and the protocol version."""
    return {**encode(message), "id": ident, "version": VERSION}


def pipe_id(data: object) -> int | None:
    """The request id of a message off the pipe (None when it has none)."""
    if isinstance(data, dict):
        ident = data.get("id")
        return ident if isinstance(ident, int) else None
    return None
