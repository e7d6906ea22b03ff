"""Diff benchmark: `flowc diff` of two whole configurations vs linting one of them.

OLD is the parser benchmark's generated configuration (default 100,000 lines) with the
single-collector example appended; NEW is the same text with 1% of the statements changed
(every 100th line, when it is a leaf, gets a new value) and, for order, one policy chain
reversed. Each pair is timed in three forms: brace/brace, brace/set (Juniper's two forms
of one device) and set/set. The diff is timed end to end as `flowc diff` does it (both files
read, what they write the same left out, the rest parsed, groups applied, trees compared,
compare text and set commands made), in turns with a lint of OLD and with the diff of the
whole texts (nothing left out before parsing). Prints the ratio diff / lint (target <= 2.0),
and the peak memory of a child process diffing at several sizes (target: linear in the
input), the cost of brace against set as a multiple of brace against brace (limit 1.5), and
the move figures: the first term of a 2,000- and a 20,000-term filter moved to its end
(one `insert`; the time about linear). BENCH_DIFF_LINES sets the size; BENCH_DIFF_BIG (e.g.
1000000) adds one timed run at that size, brace/brace.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from bench.lint import EXAMPLE
from bench.parse import generate
from bench.timing import best_cpu, race
from flowc.compiler.diff.files import diff_files
from flowc.compiler.diff.output import compare_text, set_text
from flowc.compiler.document.schema import roots
from flowc.compiler.fmt.printer import to_set
from flowc.compiler.lint.check import check_text
from flowc.compiler.parse.loader import parse_text

CHAIN = "protocols { bgp { group bench { import [ CHAIN ]; } } }\n"
FORMS = (("brace", "brace"), ("brace", "set"), ("set", "set"))


def pair(lines: int, old_form: str = "brace", new_form: str = "brace") -> tuple[str, str]:
    """OLD and NEW (1% of the statements changed, a chain reordered), each in its form."""
    old = generate(lines) + EXAMPLE.read_text("utf-8")
    changed = []
    for number, line in enumerate(old.splitlines()):
        leaf = number % 100 == 50 and line.endswith(";") and not any(c in line for c in "{}[]")
        changed.append(line[:-1] + "0;" if leaf else line)
    old += CHAIN.replace("CHAIN", "p1 p2 p3")
    new = "\n".join(changed) + "\n" + CHAIN.replace("CHAIN", "p3 p2 p1")
    return _in_form(old, old_form), _in_form(new, new_form)


def _in_form(text: str, form: str) -> str:
    return to_set(parse_text(text, "bench.conf").statements) if form == "set" else text


def _diff(old: str, new: str, whole: bool = False) -> tuple[int, int]:
    result = diff_files(old, new, unchanged_blanked=not whole)
    return len(compare_text(result)), len(set_text(result))


# The child's own peak (VmHWM: ru_maxrss would count the forked parent's pages too), in kB.
_HWM = ("print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))")


def _peak_mb(lines: int, tmp: Path) -> float:
    """Peak RSS of a child process that diffs two brace configurations of `lines` lines."""
    old_path, new_path = _write(tmp, *pair(lines))
    code = ("import sys; from flowc.compiler.diff.files import diff_files; "
            "from flowc.compiler.diff.output import compare_text, set_text; "
            "r = diff_files(sys.argv[1], sys.argv[2]); compare_text(r); set_text(r); " + _HWM)
    run = subprocess.run([sys.executable, "-c", code, old_path, new_path],
                         capture_output=True, text=True, check=True)
    return int(run.stdout.strip()) / 1024


def _baseline_mb() -> float:
    run = subprocess.run([sys.executable, "-c", "import flowc.compiler.diff.files; " + _HWM],
                         capture_output=True, text=True, check=True)
    return int(run.stdout.strip()) / 1024


def _write(tmp: Path, old: str, new: str) -> tuple[str, str]:
    (tmp / "old.conf").write_text(old, "utf-8")
    (tmp / "new.conf").write_text(new, "utf-8")
    return str(tmp / "old.conf"), str(tmp / "new.conf")


def _ratio(n: int, forms: tuple[str, str], tmp: Path) -> float:
    old, new = pair(n, *forms)
    paths = _write(tmp, old, new)
    sizes = _diff(*paths)
    assert sizes == _diff(*paths, whole=True), "leaving out what is the same changed the diff"
    best = race({"lint": lambda: check_text(old, "old.conf"), "diff": lambda: _diff(*paths),
                 "whole": lambda: _diff(*paths, whole=True)})
    print(f"{forms[0]} vs {forms[1]}: {old.count(chr(10))} / {new.count(chr(10))} lines, compare text "
          f"{sizes[0]} bytes, set commands {sizes[1]} bytes; diff {best['diff']:.2f}s CPU vs lint of OLD "
          f"{best['lint']:.2f}s: ratio {best['diff'] / best['lint']:.2f} (limit 2.0); "
          f"the whole texts parsed: {best['whole']:.2f}s, ratio {best['whole'] / best['lint']:.2f}", flush=True)
    return best["diff"]


def _filter(terms: list[str]) -> str:
    return "firewall {\n    filter f {\n" + "".join(
        f"        term {t} {{\n            from {{\n                port {n % 1000};\n            }}\n"
        f"            then accept;\n        }}\n" for n, t in enumerate(terms)) + "    }\n}\n"


def _moves(tmp: Path) -> None:
    """The first term of a filter moved to its end: one `insert`, in about linear time."""
    figures = []
    for size in (2000, 20000):
        terms = [f"t{n}" for n in range(size)]
        paths = _write(tmp, _filter(terms), _filter(terms[1:] + terms[:1]))
        inserts = set_text(diff_files(*paths)).count("insert ")
        seconds = best_cpu(partial(_diff, *paths), 2)
        figures.append(seconds)
        print(f"move: first of {size} terms to the end: {inserts} insert command(s), diff {seconds:.2f}s CPU",
              flush=True)
    print(f"move: 10x the terms, {figures[1] / figures[0]:.1f}x the time (linear: about 10)", flush=True)


def main() -> None:
    n = int(os.environ.get("BENCH_DIFF_LINES", "100000"))
    roots()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        times = {forms: _ratio(n, forms, tmp) for forms in FORMS}
        mixed = times[("brace", "set")] / times[("brace", "brace")]
        print(f"mixed forms: brace vs set {times[('brace', 'set')]:.2f}s CPU, {mixed:.2f}x brace vs brace "
              f"{times[('brace', 'brace')]:.2f}s (limit 1.5)", flush=True)
        _moves(tmp)
        base = _baseline_mb()
        peaks = [(size, _peak_mb(size, tmp) - base) for size in (n // 4, n // 2, n)]
        print(f"peak memory above a bare import ({base:.0f} MB): " + ", ".join(
            f"{size} lines {mb:.0f} MB ({mb * 1e5 / size:.0f} MB per 100k)" for size, mb in peaks))
        big = int(os.environ.get("BENCH_DIFF_BIG", "0"))
        if big:
            old, new = pair(big)
            paths = _write(tmp, old, new)
            seconds = best_cpu(lambda: _diff(*paths), 1)
            lint = best_cpu(lambda: check_text(old, "old.conf"), 1)
            print(f"{big} lines: diff {seconds:.1f}s CPU (lint of OLD {lint:.1f}s, ratio {seconds / lint:.2f}), "
                  f"peak {_peak_mb(big, tmp):.0f} MB")


if __name__ == "__main__":
    main()
