"""A collector process: the child side of the engine.

The supervisor starts `python -c "…child_entry(CONTROL_FD, LOG_FD)"`: a fresh interpreter
(nothing of the caller is forked or re-imported) that reads its setup (plan, interface,
replay) from the control socket pair, reports `ready` once it listens (or why it cannot),
runs the collector pipeline and answers control requests between receive batches. Every
message on the pipe is encoded by `flowc.runtime.ops.codec`.
"""
from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from flowc.runtime.ops.codec import VERSION, encode, pipe_id
from flowc.runtime.ops.messages import Ready, StartFailed
from flowc.runtime.processes.handle import ChildSetup
from flowc.runtime.processes.logline import PipeHandler, child_logger

if TYPE_CHECKING:
    from flowc.runtime.collector import CollectorPipeline

EXPORT_WAIT_AFTER_REPLAY = 10.0


def child_entry(control_fd: int, log_fd: int) -> None:
    """What a collector process runs: read its setup, then `collector_main`."""
    conn = Connection(control_fd)
    log_conn = Connection(log_fd, readable=False)
    setup: ChildSetup = conn.recv()
    collector_main(setup, conn, log_conn)


def collector_main(setup: ChildSetup, conn: Connection, log_conn: Connection) -> None:
    """Entry point of a collector process."""
    plan, interface, replay = setup.plan, setup.interface, setup.replay
    sockets = [socket.socket(fileno=fd) for fd in setup.fds] or None
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides when to stop
    _die_with_parent()
    log = child_logger(interface, PipeHandler(log_conn))
    from flowc.runtime.collector import CollectorPipeline

    pipeline = CollectorPipeline(plan, plan.collector(interface), log=log)
    signal.signal(signal.SIGTERM, lambda *_: setattr(pipeline, "stopping", True))
    try:
        pipeline.start(listen=replay is None, sockets=sockets)
    except OSError as exc:
        where = ", ".join(str(e) for e in pipeline.endpoints)
        conn.send(encode(StartFailed(f"{interface}: cannot listen on {where}: {exc.strerror or exc}")))
        return
    conn.send(encode(Ready()))
    try:
        if replay is None:
            pipeline.run(poll_control=lambda: _serve(conn, pipeline), control_fd=conn.fileno())
        else:
            _replay(pipeline, Path(replay), setup.first, setup.other_ports, log, lambda: _serve(conn, pipeline))
    except Exception:  # a bug: log it, close what can be closed, let the supervisor restart
        log.exception("collector failed")
        pipeline.stop()
        raise
    pipeline.stop()
    log.info("collector stopped")


def _replay(pipeline: CollectorPipeline, path: Path, first: bool, other_ports: frozenset[int],
            log: logging.Logger, poll_control: Callable[[], None]) -> None:
    from flowc.runtime.ingest.pcap import Datagram

    own = {e.port for e in pipeline.endpoints}

    def owns(found: Datagram | str) -> bool:
        if isinstance(found, str):
            return first
        port = found.destination_port
        return port in own or (first and port not in other_ports)

    frames = pipeline.replay(path, owns, poll_control)
    pipeline.writer.close_all("end of replay")
    exported = pipeline.wait_exported(EXPORT_WAIT_AFTER_REPLAY, poll_control)
    log.info("replay done file=%s frames=%d exported=%s", path, frames, "yes" if exported else "no")


def _serve(conn: Connection, pipeline: CollectorPipeline) -> None:
    try:
        while conn.poll():
            message = conn.recv()
            conn.send({**pipeline.handle(message), "id": pipe_id(message), "version": VERSION})
    except (EOFError, OSError):  # the supervisor is gone: stop cleanly
        pipeline.stopping = True


def _die_with_parent() -> None:
    """Ask Linux for SIGTERM when the supervisor dies, so an orphan closes its files."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
