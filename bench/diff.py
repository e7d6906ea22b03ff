"""Diff benchmark: `flowc diff` of two whole configurations vs linting one of them.

OLD is the parser benchmark's generated configuration (default 100,000 lines) with the
single-collector example appended, in brace form; NEW is its `display set` form with 1% of
the statements changed (every 100th statement gets a new last word) and, for order, one
policy chain reversed. The diff is timed end to end as `flowc diff` does it (both files
parsed, groups applied, trees compared, compare text and set commands made). Prints the
ratio diff / lint (target <= 2.0), and the peak memory of a child process diffing at
several sizes (target: linear in the input). BENCH_DIFF_LINES sets the size;
BENCH_DIFF_BIG (e.g. 1000000) adds one timed run at that size.
"""
from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.parse import generate
from flowc.compiler.diff.config import compare_text, diff_files, set_text
from flowc.compiler.document.schema import roots
from flowc.compiler.fmt.printer import to_set
from flowc.compiler.lint.check import check_text
from flowc.compiler.parse.loader import parse_text

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "single" / "router.conf"
CHAIN = "set protocols bgp group bench import [ p1 p2 p3 ]\n"


def _best(fn: Callable[[], object], repeat: int = 2) -> float:
    """Best CPU time (process time) of `repeat` runs."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def pair(lines: int) -> tuple[str, str]:
    """OLD (brace) and NEW (set form, 1% of the statements changed, a chain reordered)."""
    old = generate(lines) + EXAMPLE.read_text("utf-8")
    statements = parse_text(old, "old.conf").statements
    new = []
    for number, line in enumerate(to_set(statements).splitlines()):
        new.append(line + "0" if number % 100 == 50 and line.startswith("set ") else line)
    old_text = old + "protocols { bgp { group bench { import [ p1 p2 p3 ]; } } }\n"
    new.append(CHAIN.replace("p1 p2 p3", "p3 p2 p1").rstrip())
    return old_text, "\n".join(new) + "\n"


def _diff(old: str, new: str) -> tuple[int, int]:
    result = diff_files(old, new)
    return len(compare_text(result)), len(set_text(result))


def _peak_mb(lines: int, tmp: Path) -> float:
    """Peak RSS of a child process that diffs two configurations of `lines` lines."""
    old, new = pair(lines)
    (tmp / "old.conf").write_text(old, "utf-8")
    (tmp / "new.set").write_text(new, "utf-8")
    code = ("import resource, sys; from flowc.compiler.diff.config import diff_files, compare_text, set_text; "
            "r = diff_files(sys.argv[1], sys.argv[2]); compare_text(r); set_text(r); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    run = subprocess.run([sys.executable, "-c", code, str(tmp / "old.conf"), str(tmp / "new.set")],
                         capture_output=True, text=True, check=True)
    return int(run.stdout.strip()) / 1024


def _baseline_mb() -> float:
    run = subprocess.run([sys.executable, "-c", "import resource, flowc.compiler.diff.config; "
                          "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                         capture_output=True, text=True, check=True)
    return int(run.stdout.strip()) / 1024


def main() -> None:
    n = int(os.environ.get("BENCH_DIFF_LINES", "100000"))
    roots()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        old, new = pair(n)
        (tmp / "old.conf").write_text(old, "utf-8")
        (tmp / "new.set").write_text(new, "utf-8")
        sizes = _diff(str(tmp / "old.conf"), str(tmp / "new.set"))
        print(f"configs: {old.count(chr(10))} / {new.count(chr(10))} lines; "
              f"compare text {sizes[0]} bytes, set commands {sizes[1]} bytes")
        lint = _best(lambda: check_text(old, "old.conf"))
        ours = _best(lambda: _diff(str(tmp / "old.conf"), str(tmp / "new.set")))
        print(f"diff {ours:.2f}s CPU vs lint of one side {lint:.2f}s: ratio {ours / lint:.2f} (limit 2.0)")
        base = _baseline_mb()
        peaks = [(size, _peak_mb(size, tmp) - base) for size in (n // 4, n // 2, n)]
        print("peak memory above a bare import: " + ", ".join(
            f"{size} lines {mb:.0f} MB ({mb * 1e5 / size:.0f} MB per 100k)" for size, mb in peaks))
        big = int(os.environ.get("BENCH_DIFF_BIG", "0"))
        if big:
            old, new = pair(big)
            (tmp / "old.conf").write_text(old, "utf-8")
            (tmp / "new.set").write_text(new, "utf-8")
            before = resource.getrusage(resource.RUSAGE_SELF)
            seconds = _best(lambda: _diff(str(tmp / "old.conf"), str(tmp / "new.set")), 1)
            print(f"{big} lines: diff {seconds:.1f}s CPU, peak {_peak_mb(big, tmp):.0f} MB "
                  f"(rss before {before.ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
