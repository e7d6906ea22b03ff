"""Injected time: the engine asks a `Clock`, never `time` directly.

`SystemClock` is the real thing; `ManualClock` lets tests drive rotation, retry delays,
maximum-age and the 30-minute failed-log retry without sleeping.
"""
from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Wall-clock seconds since the epoch (file names, log timestamps)."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin that never goes backwards (timeouts, rates)."""

    def sleep(self, seconds: float) -> None:
        """Wait; a manual clock returns at once once time has been advanced past it."""


class SystemClock:
    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class ManualClock:
    """A clock that moves only when told to; `sleep` advances it (single-threaded tests)
    or, with `blocking=True`, waits until another thread advances it far enough."""

    def __init__(self, start: float = 1_700_000_000.0, blocking: bool = False) -> None:
        self._now = start
        self._origin = start
        self._blocking = blocking
        self._changed = threading.Condition()

    def time(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._now - self._origin

    def advance(self, seconds: float) -> None:
        with self._changed:
            self._now += seconds
            self._changed.notify_all()

    def sleep(self, seconds: float) -> None:
        if not self._blocking:
            self.advance(max(0.0, seconds))
            return
        deadline = self._now + seconds
        with self._changed:
            while self._now < deadline:
                self._changed.wait(timeout=0.05)
