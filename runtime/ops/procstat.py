"""Process metrics of each collector child, read from Linux's /proc/<pid> (no extra dependency).

`prometheus_client.ProcessCollector` describes the engine's own process (the supervisor,
as `process_*`); the collector processes are other pids, so `/metrics` adds
`flowc_collector_process_*{collector=…}` from their `/proc/<pid>/stat`, `statm`-free
fields and `fd/`: CPU seconds, resident memory, virtual memory, open descriptors,
threads and start time. Off Linux, or for a child that is gone, nothing is exported.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

PROC = "/proc"


@dataclass(frozen=True, slots=True)
class ProcessStat:
    """What /proc says of one process."""

    cpu_seconds: float
    resident_bytes: int
    virtual_bytes: int
    open_fds: int
    threads: int
    start_time: float   # epoch seconds


def read(pid: int, proc: str = PROC) -> ProcessStat | None:
    """The process's figures, or None when it is gone (or /proc is not there)."""
    try:
        with open(f"{proc}/{pid}/stat", "rb") as handle:
            raw = handle.read().decode("ascii", "replace")
        fds = len(os.listdir(f"{proc}/{pid}/fd"))
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2:].split()   # after the command name, which may hold spaces
    ticks, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    return ProcessStat(cpu_seconds=(int(fields[11]) + int(fields[12])) / ticks,
                       resident_bytes=int(fields[21]) * page, virtual_bytes=int(fields[20]),
                       open_fds=fds, threads=int(fields[17]),
                       start_time=_boot_time(proc) + int(fields[19]) / ticks)


def _boot_time(proc: str) -> float:
    try:
        with open(f"{proc}/stat", "rb") as handle:
            for line in handle:
                if line.startswith(b"btime "):
                    return float(line.split()[1])
    except OSError:
        pass
    return 0.0
