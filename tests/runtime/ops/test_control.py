"""The control socket: a real Unix socket, real threads."""
from __future__ import annotations

import json
import os
import socket
import stat
import tempfile
import threading
from pathlib import Path

import pytest

from flowc.runtime.ops.control import ControlError, ControlServer, request


@pytest.fixture
def sock_path():
    # pytest's tmp_path can exceed the 107-byte limit of a Unix socket path.
    with tempfile.TemporaryDirectory(prefix="flowc-") as folder:
        yield str(Path(folder) / "flowc.sock")


def echo(message: dict) -> dict:
    return {"ok": True, "echo": message}


def test_round_trip(sock_path):
    with ControlServer(sock_path, echo):
        reply = request(sock_path, {"op": "show", "what": "interface", "interface": "all"})
    assert reply == {"ok": True, "echo": {"op": "show", "what": "interface", "interface": "all"}}


def test_socket_is_private_to_its_owner(sock_path):
    with ControlServer(sock_path, echo):
        mode = os.stat(sock_path).st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600


def test_stop_removes_the_socket(sock_path):
    server = ControlServer(sock_path, echo)
    server.start()
    server.stop()
    assert not os.path.exists(sock_path)
    with pytest.raises(ControlError, match=r"no flowc engine is running at .* \(no such socket\)"):
        request(sock_path, {"op": "stop"})


def test_nothing_listening_is_a_clear_error(sock_path):
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(sock_path)                     # a socket file left behind by a dead engine
    dead.close()
    with pytest.raises(ControlError) as caught:
        request(sock_path, {"op": "show"})
    assert str(caught.value) == f"no flowc engine is running at {sock_path} (connection refused)"


def test_a_stale_socket_is_replaced_but_a_live_one_is_not(sock_path):
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(sock_path)
    dead.close()
    with ControlServer(sock_path, echo):
        assert request(sock_path, {"op": "x"})["ok"]
        with pytest.raises(ControlError, match="already running"):
            ControlServer(sock_path, echo).start()


def test_handler_errors_and_bad_json_answer_ok_false(sock_path):
    def broken(message: dict) -> dict:
        raise RuntimeError("boom")

    with ControlServer(sock_path, broken):
        assert request(sock_path, {"op": "show"}) == {"ok": False, "error": "internal error: RuntimeError: boom"}
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(sock_path)
        client.sendall(b"not json\n[1]\n")
        reader = client.makefile("rb")
        first, second = json.loads(reader.readline()), json.loads(reader.readline())
        client.close()
    assert first["ok"] is False and "not a JSON request" in first["error"]
    assert second == {"ok": False, "error": "a request is a JSON object"}


def test_several_requests_on_one_connection_and_concurrent_clients(sock_path):
    with ControlServer(sock_path, echo):
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(sock_path)
        reader = client.makefile("rb")
        for n in range(3):
            client.sendall(json.dumps({"n": n}).encode() + b"\n")
            assert json.loads(reader.readline())["echo"] == {"n": n}
        client.close()
        results: list[dict] = []
        threads = [threading.Thread(target=lambda n=n: results.append(request(sock_path, {"n": n})))
                   for n in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert sorted(r["echo"]["n"] for r in results) == list(range(32))


def test_a_silent_engine_times_out(sock_path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(1)
    try:
        with pytest.raises(ControlError, match="no answer from the flowc engine"):
            request(sock_path, {"op": "show"}, timeout=0.2)
    finally:
        listener.close()


def test_too_long_a_path_is_refused_with_its_length():
    with pytest.raises(ControlError, match="too long"):
        ControlServer("/tmp/" + "x" * 200, echo).start()


def test_clients_that_hang_up_before_the_reply_leave_no_traceback(sock_path, capfd):
    """Issue 18 item 9: 20 clients send a request and close at once; the engine's log stays clean."""
    answered = threading.Event()

    def slow(message: dict) -> dict:
        answered.wait(0.3)
        return {"ok": True, "echo": "x" * 300_000}   # more than a socket buffer: the write fails

    with ControlServer(sock_path, slow):
        for _ in range(20):
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(sock_path)
            client.sendall(b'{"op": "show"}\n')
            client.close()
        answered.set()
        assert request(sock_path, {"op": "show"})["ok"]   # still serving
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "BrokenPipe" not in captured.err
