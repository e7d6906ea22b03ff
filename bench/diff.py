"""Diff benchmark: `flowc diff` of two whole configurations vs linting one of them.

OLD is the parser benchmark's generated configuration (default 100,000 lines) with the
single-collector example appended, in brace form; NEW is the same text with 1% of the
statements changed (every 100th line, when it is a leaf, gets a new value) and, for order,
one policy chain reversed; once in brace form, once in set form (a brace/set mix).
The diff is timed end to end as `flowc diff` does it (both files
parsed, groups applied, trees compared, compare text and set commands made). Prints the
ratio diff / lint (target <= 2.0), and the peak memory of a child process diffing at
several sizes (target: linear in the input). BENCH_DIFF_LINES sets the size;
BENCH_DIFF_BIG (e.g. 1000000) adds one timed run at that size.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.lint import EXAMPLE
from bench.parse import generate
from bench.timing import best_cpu
from flowc.compiler.diff.config import compare_text, diff_files, set_text
from flowc.compiler.document.schema import roots
from flowc.compiler.fmt.printer import to_set
from flowc.compiler.lint.check import check_text
from flowc.compiler.parse.loader import parse_text

CHAIN = "protocols { bgp { group bench { import [ CHAIN ]; } } }\n"




def pair(lines: int, form: str = "brace") -> tuple[str, str]:
    """OLD (brace) and NEW (in `form`: 1% of the statements changed, a chain reordered)."""
    old = generate(lines) + EXAMPLE.read_text("utf-8")
    changed = []
    for number, line in enumerate(old.splitlines()):
        leaf = number % 100 == 50 and line.endswith(";") and not any(c in line for c in "{}[]")
        changed.append(line[:-1] + "0;" if leaf else line)
    old += CHAIN.replace("CHAIN", "p1 p2 p3")
    new = "\n".join(changed) + "\n" + CHAIN.replace("CHAIN", "p3 p2 p1")
    if form == "set":
        new = to_set(parse_text(new, "new.conf").statements)
    return old, new


def _diff(old: str, new: str) -> tuple[int, int]:
    result = diff_files(old, new)
    return len(compare_text(result)), len(set_text(result))


# The child's own peak (VmHWM: ru_maxrss would count the forked parent's pages too), in kB.
_HWM = ("print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))")


def _peak_mb(lines: int, tmp: Path) -> float:
    """Peak RSS of a child process that diffs two brace configurations of `lines` lines."""
    old_path, new_path = _write(tmp, *pair(lines))
    code = ("import sys; from flowc.compiler.diff.config import diff_files, compare_text, set_text; "
            "r = diff_files(sys.argv[1], sys.argv[2]); compare_text(r); set_text(r); " + _HWM)
    run = subprocess.run([sys.executable, "-c", code, old_path, new_path],
                         capture_output=True, text=True, check=True)
    return int(run.stdout.strip()) / 1024


def _baseline_mb() -> float:
    run = subprocess.run([sys.executable, "-c", "import flowc.compiler.diff.config; " + _HWM],
                         capture_output=True, text=True, check=True)
    return int(run.stdout.strip()) / 1024


def _write(tmp: Path, old: str, new: str) -> tuple[str, str]:
    (tmp / "old.conf").write_text(old, "utf-8")
    (tmp / "new.conf").write_text(new, "utf-8")
    return str(tmp / "old.conf"), str(tmp / "new.conf")


def _ratio(n: int, form: str, tmp: Path) -> None:
    old, new = pair(n, form)
    paths = _write(tmp, old, new)
    sizes = _diff(*paths)
    lint = best_cpu(lambda: check_text(old, "old.conf"), 2)
    ours = best_cpu(lambda: _diff(*paths), 2)
    print(f"brace vs {form}: {old.count(chr(10))} / {new.count(chr(10))} lines, compare text {sizes[0]} "
          f"bytes, set commands {sizes[1]} bytes; diff {ours:.2f}s CPU vs lint of OLD {lint:.2f}s: "
          f"ratio {ours / lint:.2f} (limit 2.0)")


def main() -> None:
    n = int(os.environ.get("BENCH_DIFF_LINES", "100000"))
    roots()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        _ratio(n, "brace", tmp)
        _ratio(n, "set", tmp)
        base = _baseline_mb()
        peaks = [(size, _peak_mb(size, tmp) - base) for size in (n // 4, n // 2, n)]
        print(f"peak memory above a bare import ({base:.0f} MB): " + ", ".join(
            f"{size} lines {mb:.0f} MB ({mb * 1e5 / size:.0f} MB per 100k)" for size, mb in peaks))
        big = int(os.environ.get("BENCH_DIFF_BIG", "0"))
        if big:
            paths = _write(tmp, *pair(big))
            seconds = best_cpu(lambda: _diff(*paths), 1)
            print(f"{big} lines: diff {seconds:.1f}s CPU, peak {_peak_mb(big, tmp):.0f} MB")


if __name__ == "__main__":
    main()
