"""Operator requests on an exporter's destinations: change-destination, test-file-transfer.

`change_destination` answers with the seed's messages ("Destination change successful",
"Destination change not needed", "Destination not configured"); `gracefully` lets uploads
in flight finish on their server, `immediately` aborts them and restarts them on the new
one; `clear-files` purges the files waiting in the queue, `clear-logs` the transfer logs
not yet archived. `test_file_transfer` uploads a small generated file in the background;
its result is a line in the transfer log.
"""
from __future__ import annotations

import threading

from flowc.runtime.export.exporter import ChannelState, Exporter
from flowc.runtime.export.failure import FtpFailure
from flowc.runtime.files.spool import ClosedFile

CHANGED = "Destination change successful"
NOT_NEEDED = "Destination change not needed"
NOT_CONFIGURED = "Destination not configured"
SCHEDULED = "Test file transfer successfully scheduled"
TEST_FILE_TEXT = "flowc test file transfer\n"


def change_destination(exporter: Exporter, role: str, how: str, clear_files: bool,
                       clear_logs: bool) -> tuple[bool, str]:
    if role not in ("primary", "secondary"):
        return False, f"unknown destination {role!r} (expected primary or secondary)"
    if how not in ("gracefully", "immediately"):
        return False, f"unknown switchover {how!r} (expected gracefully or immediately)"
    if role not in exporter.targets:
        return False, NOT_CONFIGURED
    if all(state.current == role for state in exporter.channels):
        return False, NOT_NEEDED
    exporter.switch("primary" if role == "primary" else "secondary", immediately=how == "immediately")
    exporter.log.warning("%s: destination changed to the %s server by the operator (%s)",
                         exporter.collector.interface, role, how)
    if clear_files:
        exporter.purge_waiting()
    if clear_logs:
        exporter.translog.purge()
    return True, CHANGED


def test_file_transfer(exporter: Exporter, filename: str, channel: int,
                       role: str) -> tuple[bool, str]:
    if not filename or "/" in filename or filename in (".", "..") or "\0" in filename:
        return False, f"invalid test file name {filename!r}"
    states = [s for s in exporter.channels if s.channel.index == channel]
    if not states:
        return False, f"Export channel {channel} not configured"
    if role not in exporter.targets:
        return False, NOT_CONFIGURED
    exporter.spawn(f"test-{filename}", _send, exporter, filename, states[0], role)
    return True, SCHEDULED


def _send(exporter: Exporter, filename: str, state: ChannelState, role: str) -> None:
    folder = exporter.dirs.root / "test"
    folder.mkdir(parents=True, exist_ok=True)
    local = folder / filename
    local.write_text(TEST_FILE_TEXT, "ascii")
    now = exporter.clock.time()
    size = len(TEST_FILE_TEXT)
    closed = ClosedFile(filename, 0, size, size, now, now, 0)
    request = exporter.request_for(exporter.targets[role], local, filename, state.channel)
    started = exporter.clock.monotonic()
    try:
        result = exporter.transport.upload(request, threading.Event())
    except FtpFailure as exc:
        exporter.record(request, closed, False, exc.code, exc.text, started)
        exporter.log.warning("test file %s to %s server failed: %s", filename, role, exc)
    else:
        exporter.record(request, closed, True, result.code, "", started)
        exporter.log.info("test file %s sent to %s server", filename, role)
    finally:
        local.unlink(missing_ok=True)
