"""The listening UDP sockets, owned by the supervisor and lent to collector processes.

The supervisor binds every listen endpoint of the plan itself and passes the descriptors
to the collector processes (`pass_fds`). A collector process that dies, restarts or is
reloaded therefore never closes its socket: the kernel keeps queueing datagrams for the
next process (up to the receive buffer), senders never see "port unreachable", and a
taken port is found before anything is stopped.
"""
from __future__ import annotations

import socket
from collections.abc import Iterable

from flowc.runtime.ingest.receiver import open_socket
from flowc.runtime.plan.model import Endpoint


class ListenError(OSError):
    """An endpoint that cannot be bound; the message names it."""


class ListenSockets:
    """Bound sockets by endpoint."""

    def __init__(self) -> None:
        self.sockets: dict[Endpoint, socket.socket] = {}

    def ensure(self, endpoints: Iterable[Endpoint]) -> list[socket.socket]:
        """The sockets of these endpoints, binding those not bound yet."""
        found = []
        for endpoint in endpoints:
            if endpoint not in self.sockets:
                try:
                    self.sockets[endpoint] = open_socket(endpoint)
                except OSError as exc:
                    raise ListenError(f"cannot listen on {endpoint}: {exc.strerror or exc}") from None
            found.append(self.sockets[endpoint])
        return found

    def keep(self, endpoints: Iterable[Endpoint]) -> None:
        """Close every socket whose endpoint is not in `endpoints`."""
        wanted = set(endpoints)
        for endpoint in [e for e in self.sockets if e not in wanted]:
            self.sockets.pop(endpoint).close()

    def close(self) -> None:
        self.keep(())
