"""An embedded FTP server (pyftpdlib) on loopback, for `flowc demo`, `flowc testbed ftp`,
tests and benchmarks.

It stands in for the router's FTP servers on a machine that has none: one server per
router-side host, each user with its own home below `root`. A user may log in with any of
its passwords (two router URLs may name one user with two passwords on one server).
Not a production server.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowc.runtime.plan.model import Endpoint


@dataclass(frozen=True, slots=True)
class FtpAccount:
    """A user the server accepts, with the directories its URLs name created up front."""

    username: str
    password: str
    directories: tuple[str, ...] = ()


class EmbeddedFtpServer:
    """pyftpdlib in a daemon thread on `host`, port chosen by the system unless given."""

    def __init__(self, root: Path, accounts: list[FtpAccount], host: str = "127.0.0.1", port: int = 0) -> None:
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler
        from pyftpdlib.ioloop import IOLoop
        from pyftpdlib.servers import FTPServer

        quiet = logging.getLogger("pyftpdlib")
        quiet.setLevel(logging.WARNING)
        quiet.handlers[:] = [logging.NullHandler()]
        quiet.propagate = False
        authorizer = _authorizer(DummyAuthorizer)()
        for account in accounts:
            home = root / account.username
            home.mkdir(parents=True, exist_ok=True)
            for directory in account.directories:
                (home / directory.strip("/")).mkdir(parents=True, exist_ok=True)
            if account.username not in authorizer.user_table:
                authorizer.add_user(account.username, account.password, str(home), perm="elradfmwMT")
            authorizer.passwords.setdefault(account.username, set()).add(account.password)
        handler: Any = type("DemoHandler", (FTPHandler,), {"authorizer": authorizer, "banner": "flowc embedded FTP"})
        handler.passive_ports = None
        self.root = root
        self._server = FTPServer((host, port), handler, ioloop=IOLoop())  # one loop per server
        self._thread = threading.Thread(target=self._serve, name="ftp-server", daemon=True)

    @property
    def endpoint(self) -> Endpoint:
        host, port = self._server.socket.getsockname()[:2]
        return Endpoint(host, port)

    def start(self) -> EmbeddedFtpServer:
        self._thread.start()
        return self

    def _serve(self) -> None:
        self._server.serve_forever(timeout=0.2, blocking=True, handle_exit=False)

    def stop(self) -> None:
        self._server.close_all()
        self._thread.join(timeout=5)

    def files(self) -> list[Path]:
        """Every file received so far, sorted by path."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())


def _authorizer(base: Any) -> Any:
    """pyftpdlib's DummyAuthorizer, but a user logs in with any of its passwords."""

    class MultiPasswordAuthorizer(base):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.passwords: dict[str, set[str]] = {}

        def validate_authentication(self, username: str, password: str, handler: Any) -> None:
            if password not in self.passwords.get(username, set()):
                super().validate_authentication(username, password, handler)

    return MultiPasswordAuthorizer
