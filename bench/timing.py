"""CPU time of a call, as the benchmarks compare it.

Process time, best of a few runs after a `gc.collect()`: other work on the machine (a
parallel test suite, another engineer's job) counts against neither side of a ratio.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable, Mapping


def best_cpu(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best CPU time (process time, seconds) of `repeat` runs of `fn`."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def race(jobs: Mapping[str, Callable[[], object]], rounds: int = 3) -> dict[str, float]:
    """Best CPU time of each job, the jobs run in turns so that busy spells hit all alike."""
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, job in jobs.items():
            best[name] = min(best.get(name, float("inf")), best_cpu(job, 1))
    return best
