"""The codec of the control protocol: every message round-trips; anything else is a clear error reply."""
from __future__ import annotations

import json
import socket
import tempfile
import threading
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from flowc.runtime.ops.codec import VERSION, answer, decode_event, decode_reply, decode_request, encode
from flowc.runtime.ops.control import ControlServer, request
from flowc.runtime.ops.messages import (
    ChangeDestination,
    Clear,
    Cleared,
    ClearReply,
    Failure,
    Health,
    Heartbeat,
    Ready,
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
from flowc.runtime.ops.wire import MessageError
from flowc.runtime.processes.handle import Child
from flowc.runtime.processes.supervisor import empty_snapshot

REQUESTS = [Show(), Show("cp-6/0/0", "file"), Health(), Clear("cp-7/0/0"),
            ChangeDestination("cp-6/0/0", "secondary", "immediately", True, False),
            TestFileTransfer("cp-6/0/0", "t1", 1, "secondary"), Reload(), Reload("{}"), Stop()]
SNAP = empty_snapshot("cp-6/0/0", "Collecting flows", 1000)
REPLIES: list[tuple[Reply, type]] = [
    (Snapshots((SNAP, SNAP)), Snapshots), (SnapshotReply({**SNAP, "pid": 7}), SnapshotReply),
    (Heartbeat("cp-6/0/0", 0.25), Heartbeat), (State(False, "cp-6/0/0", "Collecting flows", "no"), State),
    (State(True, "cp-6/0/0", "Stopping"), State), (ClearReply(True, (Cleared("cp-6/0/0", "Not running"),)), ClearReply),
    (Stopping(), Stopping), (ReloadReply(("a",), (), ("b",), (), ("c",), message="reload applied"), ReloadReply),
    (ReloadReply((), (), (), (), (), error="refused"), ReloadReply),
]


@pytest.mark.parametrize("message", REQUESTS, ids=repr)
def test_every_request_round_trips_through_json(message: Request) -> None:
    assert decode_request(json.loads(json.dumps(encode(message)))) == message


@pytest.mark.parametrize("reply, kind", REPLIES, ids=lambda r: type(r).__name__)
def test_every_reply_round_trips_through_json(reply: Reply, kind: type) -> None:
    assert decode_reply(json.loads(json.dumps(encode(reply))), kind) == reply


def test_replies_keep_the_json_shape_show_prints() -> None:
    assert encode(Failure("boom")) == {"ok": False, "error": "boom"}
    assert encode(State(True, "cp-6/0/0", "Collecting flows")) == {
        "ok": True, "interface": "cp-6/0/0", "state": "Collecting flows"}
    assert list(encode(ReloadReply((), (), (), (), (), message="m"))) == [
        "ok", "started", "stopped", "restarted", "export_only", "unchanged", "message"]
    assert encode(Stopping()) == {"ok": True, "stopping": True}


def test_a_failure_is_read_as_a_failure_whatever_was_expected() -> None:
    for kind in (Snapshots, SnapshotReply, Heartbeat, State, ClearReply, ReloadReply):
        assert decode_reply({"ok": False, "error": "not running"}, kind) == Failure("not running")


@pytest.mark.parametrize("wire, error", [
    ([1], "request: expected an object"),
    ({"interface": "all"}, "request: missing 'op'"),
    ({"op": 3}, "request.op: expected a string, got int"),
    ({"op": "bogus"}, "unknown request 'bogus'"),
    ({"op": "show", "interface": 5}, "request.interface: expected a string, got int"),
    ({"op": "change-destination", "clear_files": "yes"}, "request.clear_files: expected true or false, got str"),
    ({"op": "test-file-transfer", "channel": True}, "request.channel: expected an integer, got bool"),
    ({"op": "reload", "plan": {"version": 1}}, "request.plan: expected a string, got dict"),
    ({"op": "reconfigure", "plan": "{}"}, "request.plan: expected a plan"),
    ({"op": "clear", "interfaces": "all"}, "request 'clear': unknown field 'interfaces'"),
    ({"op": "show", "version": 2}, "request: protocol version 2 is not this engine's (1)"),
    ({"op": "show", "version": "1"}, "request.version: expected an integer, got str"),
])
def test_a_malformed_request_is_a_clear_error_reply(wire: object, error: str) -> None:
    with pytest.raises(MessageError, match=error.replace("(", r"\(").replace(")", r"\)")):
        decode_request(wire)
    reply = answer(lambda request: pytest.fail("a bad request reached the handler"), wire)
    assert reply["ok"] is False and error in str(reply["error"])


def test_a_request_of_this_version_is_answered() -> None:
    reply = answer(lambda request: Heartbeat("cp-6/0/0", 0.0) if request == Health() else Failure("?"),
                   {"op": "health", "version": VERSION})
    assert reply == {"ok": True, "interface": "cp-6/0/0", "loop_age": 0.0}


def test_a_malformed_snapshot_names_the_field() -> None:
    wire = json.loads(json.dumps(encode(Snapshots((SNAP,)))))
    wire["collectors"][0]["drops"]["icmp"] = "3"
    with pytest.raises(MessageError, match=r"reply.collectors\[0\].drops.icmp: expected an integer, got str"):
        decode_reply(wire, Snapshots)


def test_events_of_the_pipe() -> None:
    assert decode_event(encode(Ready())) == Ready()
    assert decode_event(encode(StartFailed("cannot listen"))) == StartFailed("cannot listen")
    with pytest.raises(MessageError, match="unknown event 'gone'"):
        decode_event({"event": "gone"})
    with pytest.raises(MessageError, match="protocol version 0"):
        decode_event({"event": "ready", "version": 0})


# ---------------------------------------------------------------- at the socket and the pipe

@pytest.fixture
def sock_path():
    with tempfile.TemporaryDirectory(prefix="flowc-") as folder:
        yield str(Path(folder) / "flowc.sock")


def test_the_socket_answers_every_bad_request_without_a_traceback(sock_path: str) -> None:
    def handler(req: Request) -> Reply:
        return Stopping() if isinstance(req, Stop) else Failure("unexpected")

    with ControlServer(sock_path, lambda wire: answer(handler, wire)):
        assert request(sock_path, {"op": "stop", "version": VERSION}) == {"ok": True, "stopping": True}
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(sock_path)
        client.sendall(b'{"op": "stop", "version": 9}\n{"op": "nope"}\n{"op": "show", "interface": []}\n{oops\n')
        reader = client.makefile("rb")
        replies = [json.loads(reader.readline()) for _ in range(4)]
        client.close()
    assert [r["ok"] for r in replies] == [False] * 4
    assert "protocol version 9" in replies[0]["error"]
    assert replies[1]["error"] == "unknown request 'nope'"
    assert replies[2]["error"] == "request.interface: expected a string, got list"
    assert "not a JSON request" in replies[3]["error"]


def _child_answering(answer_with: object) -> tuple[Child, threading.Thread, Connection]:
    ours, theirs = socket.socketpair()
    child = Child("cp-6/0/0")
    child.conn, child.ready = Connection(ours.detach()), True
    child.process = type("Alive", (), {"is_alive": lambda self: True})()
    other = Connection(theirs.detach())

    def serve() -> None:
        message = other.recv()
        other.send({**answer_with, "id": message["id"]} if isinstance(answer_with, dict) else answer_with)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return child, thread, other


def test_a_reply_the_supervisor_cannot_read_is_a_failure() -> None:
    child, thread, other = _child_answering({"ok": True, "interface": 6, "loop_age": 0.1, "version": VERSION})
    reply = child.request(Health(), Heartbeat, timeout=5)
    thread.join(5)
    other.close()
    assert isinstance(reply, Failure)
    assert reply.error == ("cp-6/0/0: collector process answered what flowc cannot read: "
                           "reply.interface: expected a string, got int")


def test_a_reply_of_another_version_is_a_failure() -> None:
    child, thread, other = _child_answering({"ok": True, "interface": "cp-6/0/0", "loop_age": 0.1, "version": 2})
    reply = child.request(Health(), Heartbeat, timeout=5)
    thread.join(5)
    other.close()
    assert isinstance(reply, Failure) and "protocol version 2" in reply.error
