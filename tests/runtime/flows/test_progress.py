"""The progress line: shown on a terminal while a read runs, erased after; never otherwise."""
from __future__ import annotations

import io
import json
import sys
import threading
from pathlib import Path

import pytest

from flowc.runtime.flows import progress
from flowc.runtime.flows.progress import Progress


class HalfDone:
    """Stands in for a DuckDB connection in the middle of a query."""

    def __init__(self) -> None:
        self.polled = threading.Event()

    def query_progress(self) -> float:
        self.polled.set()
        return 50.0


def test_a_long_read_shows_files_records_and_rate_then_erases(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "FIRST_AFTER", 0.0)
    monkeypatch.setattr(progress, "EVERY", 0.01)
    files = []
    for n in range(4):
        path = tmp_path / f"f{n}.gz"
        path.write_bytes(b"x")
        path.with_name(path.name + ".meta.json").write_text(json.dumps({"records": 500_000}), "utf-8")
        files.append(path)
    stream = io.StringIO()
    shown = Progress(enabled=True, stream=stream)
    stub = HalfDone()
    shown.con = stub  # type: ignore[assignment]
    with shown.watch(files):
        assert stub.polled.wait(5)
        while "\r" not in stream.getvalue():
            stub.polled.wait(0.01)
    text = stream.getvalue()
    assert "reading files 2/4, records 1.0 M," in text and "/s," in text and "≈" not in text
    assert text.endswith("\r\033[K")


def test_not_on_a_terminal_nothing_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe, a file: not a terminal
    quiet = Progress.on_terminal()
    assert not quiet.enabled
    with quiet.watch([Path("x")]):
        pass
    assert quiet.con is None
