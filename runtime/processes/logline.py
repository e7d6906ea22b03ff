"""Log lines of every engine process: `<UTC time> flowc[<tag>] <LEVEL> <message>`.

The supervisor writes its own lines and those its collector processes send over pipes
to one stream (stderr unless `run_plan` is given another), a whole line at a time:
`2026-11-26T04:05:06Z flowc[cp-6/0/0] INFO file closed name=… records=…`.
"""
from __future__ import annotations

import logging
import threading
import time
from multiprocessing.connection import Connection
from typing import TextIO


class LogFormat(logging.Formatter):
    """`<UTC time> flowc[<tag>] <LEVEL> <message>`; the tag is the logger name after `flowc.`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))
        tag = record.name.split(".", 1)[1] if record.name.startswith("flowc.") else record.name
        text = f"{stamp} flowc[{tag}] {record.levelname} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class StreamSink:
    """Whole lines to one text stream, from any thread."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lock = threading.Lock()

    def write(self, line: str) -> None:
        with self.lock:
            try:
                self.stream.write(line if line.endswith("\n") else line + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass


class SinkHandler(logging.Handler):
    def __init__(self, sink: StreamSink) -> None:
        super().__init__()
        self.sink = sink
        self.setFormatter(LogFormat())

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.write(self.format(record))


class PipeHandler(logging.Handler):
    """A child's log lines, sent to the parent over a one-way pipe."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn
        self.setFormatter(LogFormat())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.conn.send_bytes(self.format(record).encode("utf-8", "replace"))
        except (OSError, ValueError):
            pass


def child_logger(name: str, handler: logging.Handler) -> logging.Logger:
    log = logging.getLogger(f"flowc.{name}")
    for old in list(log.handlers):
        log.removeHandler(old)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return log
