"""A socketserver served on a daemon thread: what the control socket and the HTTP listener share.

Stage ops. `Serving.start(server, name)` runs `serve_forever` on its own thread; `stop()`
shuts it down, closes the socket and joins the thread (at most 5 s); both are idempotent.
"""
from __future__ import annotations

import socketserver
import threading
from typing import Generic, TypeVar

S = TypeVar("S", bound=socketserver.BaseServer)


class Serving(Generic[S]):
    """One server and the thread that serves it."""

    def __init__(self) -> None:
        self.server: S | None = None
        self._thread: threading.Thread | None = None

    def start(self, server: S, name: str, poll_interval: float) -> None:
        self.server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": poll_interval},
                                        name=name, daemon=True)
        self._thread.start()

    def stop(self) -> bool:
        """Stop serving; False when nothing was being served."""
        if self.server is None:
            return False
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(5.0)
        self.server, self._thread = None, None
        return True
