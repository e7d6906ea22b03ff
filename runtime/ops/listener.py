"""The engine's HTTP listener: `/metrics` (Prometheus), `/healthz` and `/readyz`.

Off unless the plan names an address (`metrics:` in the site file). `/metrics` is
rendered by `prometheus_client` from a registry (text format 0.0.4, or OpenMetrics when
the scraper asks for it); `/healthz` and `/readyz` answer 200 or 503 with one line per
check (`flowc.runtime.ops.health`). Served on threads, so a slow scrape never blocks a
probe; a failing check or collector answers 500 with a one-line reason, never a traceback.
"""
from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry

from flowc.runtime.ops.health import Verdict
from flowc.runtime.ops.serving import Serving
from flowc.runtime.plan.model import Endpoint

TEXT = "text/plain; charset=utf-8"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, endpoint: Endpoint, owner: OpsListener) -> None:
        self.owner = owner
        if ":" in endpoint.host:
            self.address_family = socket.AF_INET6
        super().__init__((endpoint.host, endpoint.port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "flowc"
    sys_version = ""

    def do_GET(self) -> None:
        owner, path = self.server.owner, self.path.split("?", 1)[0]
        try:
            if path == "/metrics":
                encoder, content_type = choose_encoder(self.headers.get("Accept", ""))
                self._send(200, encoder(owner.registry), content_type)
            elif path in ("/healthz", "/readyz"):
                verdict = (owner.live if path == "/healthz" else owner.ready)()
                self._send(200 if verdict.ok else 503, verdict.text().encode("utf-8"), TEXT)
            else:
                self._send(404, b"not found: try /metrics, /healthz or /readyz\n", TEXT)
        except Exception as exc:  # a bug in a check must not show a traceback or end the listener
            owner.log.error("http %s failed: %s: %s", path, type(exc).__name__, exc)
            self._send(500, f"internal error: {type(exc).__name__}\n".encode(), TEXT)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Scrapes and probes every few seconds are not worth a log line each."""


class OpsListener:
    """Serve `registry` and the two probes on `endpoint` until `stop()`."""

    def __init__(self, endpoint: Endpoint, registry: CollectorRegistry, live: Callable[[], Verdict],
                 ready: Callable[[], Verdict], log: logging.Logger) -> None:
        self.endpoint, self.registry, self.live, self.ready, self.log = endpoint, registry, live, ready, log
        self._serving: Serving[_Server] = Serving()

    def start(self) -> None:
        """Bind (OSError when the address is taken or not ours) and serve on a thread."""
        self._serving.start(_Server(self.endpoint, self), "http", poll_interval=0.2)

    @property
    def address(self) -> Endpoint:
        """Where it listens (the real port when the plan said 0)."""
        assert self._serving.server is not None, "start() first"
        host, port = self._serving.server.server_address[:2]
        return Endpoint(str(host), int(port))

    def stop(self) -> None:
        self._serving.stop()
