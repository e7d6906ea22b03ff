"""The control socket: how `flowc show/clear/request` talk to a running engine.

A Unix stream socket (mode 0600, so only the engine's user may use it) carrying one JSON
object per line in each direction: a request `{"op": …}` in, its reply out, as many as
the client sends on one connection. `ControlServer` answers on threads through a handler
`Wire -> Wire` (the engine's decodes and encodes with `flowc.runtime.ops.codec`);
`request()` is the client. A handler that raises answers `{"ok": false, "error": …}`: the
engine keeps running; a client that hangs up before its reply is forgotten quietly (no
traceback in the engine's log).
"""
from __future__ import annotations

import json
import os
import socket
import socketserver
import stat
import time
from collections.abc import Callable
from pathlib import Path

from flowc.runtime.ops.serving import Serving
from flowc.runtime.ops.wire import Wire

MAX_LINE = 1024 * 1024
MAX_PATH = 107  # sun_path is 108 bytes with the terminating NUL


class ControlError(Exception):
    """The engine cannot be reached or gave no usable answer; the message says why."""


Handler = Callable[[Wire], Wire]


class _Connection(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        try:
            while line := self.rfile.readline(MAX_LINE):
                reply = self.server.answer(line)
                self.wfile.write(json.dumps(reply, sort_keys=False).encode("utf-8") + b"\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up before its reply: nothing to answer, nothing to log

    def finish(self) -> None:
        try:
            super().finish()
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, path: str, handler: Handler) -> None:
        self.handler = handler
        super().__init__(path, _Connection)

    def server_bind(self) -> None:
        """Bind under a temporary name, make it 0600, then rename it into place: the
        socket is never reachable with looser permissions."""
        final = str(self.server_address)
        temporary = f"{final}.{os.getpid()}.tmp"
        self.socket.bind(temporary)
        os.chmod(temporary, 0o600)
        os.replace(temporary, final)
        self.server_address = final

    def answer(self, line: bytes) -> Wire:
        try:
            message = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return {"ok": False, "error": f"not a JSON request: {exc}"}
        if not isinstance(message, dict):
            return {"ok": False, "error": "a request is a JSON object"}
        try:
            reply = self.handler(message)
        except Exception as exc:  # an engine bug must not kill the control thread
            return {"ok": False, "error": f"internal error: {type(exc).__name__}: {exc}"}
        return reply


class ControlServer:
    """Serve `handler` on the Unix socket at `path` until `stop()`."""

    def __init__(self, path: str, handler: Handler) -> None:
        self.path = str(path)
        self.handler = handler
        self._serving: Serving[_Server] = Serving()

    def start(self) -> None:
        _check_length(self.path, reserve=len(f".{os.getpid()}.tmp"))
        _clear_stale(self.path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._serving.start(_Server(self.path, self.handler), "control", poll_interval=0.1)

    def stop(self) -> None:
        if not self._serving.stop():
            return
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def __enter__(self) -> ControlServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _check_length(path: str, reserve: int = 0) -> None:
    """Unix socket paths are short; `reserve` leaves room for the temporary suffix."""
    if len(os.fsencode(path)) + reserve > MAX_PATH:
        raise ControlError(f"control socket path too long ({len(os.fsencode(path))} bytes, "
                           f"at most {MAX_PATH - reserve}): {path}")


def _clear_stale(path: str) -> None:
    """Remove a socket left by a dead engine; refuse to steal one a live engine serves."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise ControlError(f"{path} exists and is not a socket; not replacing it")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(path)
    except OSError:
        os.unlink(path)
        return
    finally:
        probe.close()
    raise ControlError(f"a flowc engine is already running at {path}")


def request(path: str, message: Wire, timeout: float = 10.0) -> Wire:
    """Send one request to the engine at `path` and return its reply."""
    path = str(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        _connect(sock, path, timeout)
        sock.sendall(json.dumps(message).encode("utf-8") + b"\n")
        line = _read_line(sock, path, timeout)
    finally:
        sock.close()
    try:
        reply = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ControlError(f"the flowc engine at {path} sent an unreadable reply") from None
    if not isinstance(reply, dict):
        raise ControlError(f"the flowc engine at {path} sent an unreadable reply")
    return reply


def _connect(sock: socket.socket, path: str, timeout: float) -> None:
    try:
        _check_length(path)
        _connect_patiently(sock, path, timeout)
    except FileNotFoundError:
        raise ControlError(f"no flowc engine is running at {path} (no such socket)") from None
    except ConnectionRefusedError:
        raise ControlError(f"no flowc engine is running at {path} (connection refused)") from None
    except PermissionError:
        raise ControlError(f"not allowed to use the control socket {path} "
                           f"(it belongs to the engine's user)") from None
    except OSError as exc:
        raise ControlError(f"cannot reach the flowc engine at {path}: {exc.strerror or exc}") from None


def _connect_patiently(sock: socket.socket, path: str, timeout: float) -> None:
    """connect(); a full listen queue (EAGAIN on a Unix socket) is retried until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            sock.connect(path)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise ControlError(f"the flowc engine at {path} is too busy to answer "
                                   f"(waited {timeout:g} s)") from None
            time.sleep(0.01)


def _read_line(sock: socket.socket, path: str, timeout: float) -> bytes:
    chunks: list[bytes] = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            if b"\n" in chunk:
                break
    except TimeoutError:
        raise ControlError(f"no answer from the flowc engine at {path} within {timeout:g} s") from None
    except OSError as exc:
        raise ControlError(f"lost the flowc engine at {path}: {exc.strerror or exc}") from None
    data = b"".join(chunks)
    if not data.strip():
        raise ControlError(f"the flowc engine at {path} closed the connection without answering")
    return data.split(b"\n", 1)[0]
