"""File descriptors: how many flow files a collector process may keep open.

Each open flow file holds a descriptor until it is published, so a collector with many
exporters (one file per ifAlias and file specification) can run into the process limit
(RLIMIT_NOFILE, often 1,024 soft), where every new file failed with `Too many open files`.
`raise_open_file_limit` lifts the soft limit to the hard one at start (the engine calls
it before its collector processes start, and they inherit it). `open_file_budget` is the
number of flow files the writer keeps open at once: the soft limit less a reserve for
sockets, pipes, logs and FTP connections; beyond it the least recently used file is
closed early (rotation reason `open-files`).
"""
from __future__ import annotations

import resource

RESERVE = 128        # descriptors kept for everything but flow files
MINIMUM_BUDGET = 16


def raise_open_file_limit() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit; (soft before, soft now). Never raises."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft == hard:
        return soft, soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        return soft, soft
    return soft, hard


def open_file_budget(reserve: int = RESERVE) -> int:
    """How many flow files to keep open under the current soft limit."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1 << 20
    return max(MINIMUM_BUDGET, soft - reserve)
