"""Which hot path this process runs: the compiled `_hotpath` module or its pure-Python twin.

Both faces have the same three parts and produce byte-identical lines and identical
counters: `v5_count` (the v5 checks that feed the drop counters), `LineFormat` (decode,
start/end times, linkDir, the 16-field lines as bytes) and a batch receiver (compiled:
`recvmmsg`; Python: the `recvfrom_into` loop of `UdpReceiver.drain`). The compiled module
is built at install time when Cython and a C compiler are there; `FLOWC_HOTPATH=python`
in the environment forces the twin (tests run the engine on both).
"""
from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

from flowc.runtime.ingest import decoder

ENV = "FLOWC_HOTPATH"  # "python" forces the pure-Python twin; "compiled" requires the module
COMPILED, PYTHON = "compiled", "python"
Buffer = bytes | bytearray | memoryview


class Lines(Protocol):
    """What both `LineFormat`s offer."""

    def lines(self, data: Buffer, count: int) -> bytes: ...


LineFactory = Callable[[str, str, str, "random.Random | None"], Lines]
Handler = Callable[[bytearray, int, str, int], None]  # buffer, size, source address, socket index


class Batch(Protocol):
    """The compiled receiver of one socket (`_hotpath.BatchReceiver`)."""

    def drain(self, index: int, handle: Handler, limit: int = ...) -> int: ...


class HotPathError(RuntimeError):
    """FLOWC_HOTPATH=compiled, but the compiled module is not built."""


@dataclass(frozen=True, slots=True)
class HotPath:
    """One face of the hot path."""

    name: str  # COMPILED or PYTHON
    reason: str  # why this one (shown by `flowc --version` and the engine's first log line)
    v5_count: Callable[[Buffer, int], int]
    line_format: LineFactory
    batch: Callable[[int], Batch] | None  # a compiled receiver for a socket's fd; None: the twin
    def describe(self) -> str:
        return f"{self.name} ({self.reason})"


def _compiled_module() -> ModuleType | None:
    try:
        from flowc.runtime.ingest import _hotpath
    except ImportError:
        return None
    return _hotpath


def current() -> HotPath:
    """The hot path chosen by the environment: compiled when built, unless FLOWC_HOTPATH=python."""
    wanted = os.environ.get(ENV, "").strip().lower()
    if wanted == PYTHON:
        return HotPath(PYTHON, f"forced by {ENV}=python", decoder.v5_count, decoder.LineFormat, None)
    module = _compiled_module()
    if module is None:
        if wanted == COMPILED:
            raise HotPathError(f"{ENV}=compiled, but flowc.runtime.ingest._hotpath is not built")
        return HotPath(PYTHON, "the compiled module is not built", decoder.v5_count, decoder.LineFormat, None)
    return HotPath(COMPILED, "recvmmsg batch receive, C decode and format", module.v5_count,
                   module.LineFormat, module.BatchReceiver)


def describe() -> str:
    """One phrase naming the hot path in use, e.g. `compiled (recvmmsg …)`."""
    try:
        return current().describe()
    except HotPathError as exc:
        return f"unavailable: {exc}"
