"""What earlier attempts at a file tell the next one (issue 18: exactly once).

`AttemptHistory` is the exporter's memory of each waiting file's attempts: whether one may
have left temporaries on a server (a retry, or a file found in the spool at start: the
next attempt sweeps them), and whether a rename may have happened without its reply (the
next attempt at that server first checks the final name). That last fact is also kept
durably in `ready/NAME.rename.json`, written just before RNTO, so it survives a crash.
Thread-safe: channels call it concurrently.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial

from flowc.runtime.export.failure import FtpFailure
from flowc.runtime.export.ftp import UploadRequest
from flowc.runtime.files.spool import SpoolDirs, write_durably
from flowc.runtime.plan.model import FtpTarget


@dataclass(frozen=True, slots=True)
class Unsettled:
    """A rename that may have been done on `target`: `final` in `directory`."""

    target: FtpTarget
    directory: str
    final: str


class AttemptHistory:
    """Per waiting file: stale temporaries possible? a rename without its reply?"""

    def __init__(self, dirs: SpoolDirs, log: logging.Logger) -> None:
        self.dirs, self.log = dirs, log
        self._lock = threading.Lock()
        self._from_disk: set[str] = set()
        self._unsettled: dict[str, Unsettled] = {}

    def found_at_start(self, name: str, targets: Mapping[str, FtpTarget]) -> None:
        """A file found in ready/ at start: an attempt before the restart may have left
        temporaries, or renamed without its reply (its note names the server by URL)."""
        with self._lock:
            self._from_disk.add(name)
        try:
            note = json.loads(self.dirs.rename_note(name).read_text("utf-8"))
            url, directory, final = str(note["url"]), str(note["directory"]), str(note["final"])
        except (OSError, ValueError, TypeError, KeyError):
            return  # none (the usual case), or damaged: the file is simply sent again
        for target in targets.values():
            if target.url == url:
                with self._lock:
                    self._unsettled[name] = Unsettled(target, directory, final)

    def prepare(self, request: UploadRequest, target: FtpTarget, attempt: int) -> UploadRequest:
        """`request` told what earlier attempts left: sweep, settle first, note the rename."""
        with self._lock:
            sweep = attempt > 1 or request.name in self._from_disk
            unsettled = self._unsettled.get(request.name)
        note = partial(self._note, request.name, target)
        if unsettled is not None and unsettled.target == target:
            return replace(request, directory=unsettled.directory, settle=unsettled.final, sweep=True,
                           on_rename=note)
        return replace(request, sweep=sweep, on_rename=note)

    def failed(self, name: str, target: FtpTarget, exc: FtpFailure) -> None:
        """An attempt failed; after RNTO was sent, the next one checks that name first."""
        if exc.unsettled:
            with self._lock:
                self._unsettled[name] = Unsettled(target, exc.directory, exc.unsettled)

    def forget(self, name: str) -> None:
        """The file is delivered (or gone): nothing to remember."""
        with self._lock:
            self._from_disk.discard(name)
            self._unsettled.pop(name, None)

    def _note(self, name: str, target: FtpTarget, directory: str, final: str) -> None:
        """`ready/NAME.rename.json` before RNTO, so that a restart after a crash before the
        250 checks the server first (best effort: without it, a crash there may mean one
        more copy under a free name, never a replaced file)."""
        text = json.dumps({"url": target.url, "directory": directory, "final": final})
        try:
            write_durably(self.dirs.rename_note(name), text)
        except OSError as exc:
            self.log.warning("%s: cannot note the rename in the spool (%s)", name, exc.strerror or exc)
