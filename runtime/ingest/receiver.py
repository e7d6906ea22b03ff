"""Receiver stage, live: UDP datagrams in, v5 payloads out (replay: `flowc.runtime.ingest.pcap`).

One non-blocking UDP socket per listen endpoint, each with a large receive buffer
(32 MiB requested with SO_RCVBUFFORCE when allowed, else SO_RCVBUF up to
`net.core.rmem_max`; `buffer_sizes` says what the kernel granted). `drain()` is the
tight receive loop, the handler called per datagram before the next one is read, no
copies: with the compiled hot path `recvmmsg` fills 64 slots per system call
(`_hotpath.BatchReceiver`); its pure-Python twin is a `recvfrom_into` loop over one
preallocated buffer.
"""
from __future__ import annotations

import select
import socket
import sys
from collections.abc import Sequence

from flowc.runtime.ingest.hotpath import Handler, HotPath, current
from flowc.runtime.plan.model import Endpoint

RECEIVE_BUFFER = 32 * 1024 * 1024
# Python's socket module does not name SO_RCVBUFFORCE; Linux's value (asm-generic/socket.h).
SO_RCVBUFFORCE: int | None = getattr(socket, "SO_RCVBUFFORCE", 33 if sys.platform == "linux" else None)
DATAGRAM_MAX = 65535


class UdpReceiver:
    """Non-blocking UDP sockets with big buffers and a drain loop."""

    def __init__(self, endpoints: Sequence[Endpoint],
                 sockets: Sequence[socket.socket] | None = None, hot: HotPath | None = None) -> None:
        """Bind the endpoints, or adopt already bound `sockets` (one per endpoint); receive
        through the compiled batch receiver when `hot` (default: `current()`) has it."""
        self.sockets: list[socket.socket] = []
        if sockets is not None:
            self.sockets = list(sockets)
            for sock in self.sockets:
                sock.setblocking(False)
        try:
            for endpoint in endpoints if sockets is None else ():
                self.sockets.append(open_socket(endpoint))
        except OSError:
            self.close()
            raise
        self.buffer = bytearray(DATAGRAM_MAX)
        batch = (hot or current()).batch
        self._batches = [batch(s.fileno()) for s in self.sockets] if batch is not None else None
        self._poll = select.poll()
        self._index = {s.fileno(): i for i, s in enumerate(self.sockets)}
        for s in self.sockets:
            self._poll.register(s, select.POLLIN)

    @property
    def buffer_sizes(self) -> list[int]:
        return [s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) for s in self.sockets]

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [s.getsockname()[:2] for s in self.sockets]

    def register(self, fileno: int) -> None:
        """Also wake `wait()` when this descriptor (a control pipe) is readable."""
        self._poll.register(fileno, select.POLLIN)

    def wait(self, timeout: float) -> list[int]:
        """Indexes of readable sockets (and -1 for any other registered descriptor)."""
        events = self._poll.poll(max(0, int(timeout * 1000)))
        return [self._index.get(fd, -1) for fd, _ in events]

    def drain(self, index: int, handle: Handler, limit: int = 4096) -> int:
        """Read up to `limit` datagrams from one socket; the count read."""
        if self._batches is not None:
            return self._batches[index].drain(index, handle, limit)
        recv, buf = self.sockets[index].recvfrom_into, self.buffer
        done = 0
        try:
            while done < limit:
                size, address = recv(buf)
                done += 1
                handle(buf, size, address[0], index)
        except (BlockingIOError, InterruptedError):
            pass
        return done

    def close(self) -> None:
        for s in self.sockets:
            s.close()


def open_socket(endpoint: Endpoint) -> socket.socket:
    family = socket.AF_INET6 if ":" in endpoint.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        _grow_buffer(sock)
        sock.bind((endpoint.host, endpoint.port))
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _grow_buffer(sock: socket.socket) -> None:
    force = SO_RCVBUFFORCE
    if force is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, force, RECEIVE_BUFFER)
            return
        except OSError:
            pass
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    except OSError:
        pass
