"""CPU time of a call, as the benchmarks compare it.

Process time, best of a few runs after a `gc.collect()`: other work on the machine (a
parallel test suite, another engineer's job) counts against neither side of a ratio.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable


def best_cpu(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best CPU time (process time, seconds) of `repeat` runs of `fn`."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)
