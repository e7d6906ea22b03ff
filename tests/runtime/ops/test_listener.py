"""The HTTP listener and the readiness it reports, on a real socket on 127.0.0.1."""
from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client import CollectorRegistry

from flowc.runtime.ops.health import Check, Readiness, Verdict
from flowc.runtime.ops.listener import OpsListener
from flowc.runtime.plan.model import Endpoint


def get(listener: OpsListener, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://{listener.address}{path}", timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_not_ready_until_the_sockets_are_bound_nor_when_the_spool_is_not_writable(tmp_path: Path) -> None:
    spool = tmp_path / "active"
    spool.mkdir()
    readiness = Readiness((spool,))
    listener = OpsListener(Endpoint("127.0.0.1", 0), CollectorRegistry(), lambda: Verdict(()),
                           readiness.verdict, logging.getLogger("test"))
    listener.start()
    try:
        status, text = get(listener, "/readyz")
        assert status == 503 and "[-] plan: not loaded yet" in text and "[-] sockets: not bound yet" in text
        readiness.plan_loaded = True
        readiness.bound = True
        assert get(listener, "/readyz") == (200, f"[+] plan: loaded\n[+] sockets: bound, collectors ready\n"
                                                 f"[+] spool {spool}: writable\nok\n")
        spool.rmdir()
        spool.write_text("not a directory")
        status, text = get(listener, "/readyz")
        assert status == 503 and f"[-] spool {spool}: not writable" in text
        readiness.stopping = True
        assert "[-] sockets: engine stopping" in get(listener, "/readyz")[1]
        assert list(spool.parent.glob(".flowc-ready-probe*")) == []
    finally:
        listener.stop()


def test_a_failing_check_answers_500_without_a_traceback() -> None:
    def broken() -> Verdict:
        raise RuntimeError("bug")

    listener = OpsListener(Endpoint("127.0.0.1", 0), CollectorRegistry(), broken,
                           lambda: Verdict((Check("x", True, "fine"),)), logging.getLogger("test"))
    listener.start()
    try:
        assert get(listener, "/healthz") == (500, "internal error: RuntimeError\n")
        assert get(listener, "/readyz") == (200, "[+] x: fine\nok\n")
        status, _ = get(listener, "/metrics")
        assert status == 200
    finally:
        listener.stop()
