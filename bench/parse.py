"""Parser benchmark: statements with spans vs a bare Lark LALR parse of the same text.

Generates a brace configuration of N lines and its set twin, then times, in the same run:
the bare Lark LALR parse (generic grammar, tree built) in pure Python and with
lark-cython when importable, and flowc's `parse_text`. Prints ratios (flowc / bare Lark),
the 200k/100k time ratio, peak memory (tracemalloc) and the CLI time for a 200-line file.
"""
from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from lark import Lark

from bench.timing import best_cpu, race
from flowc.compiler.fmt.printer import to_brace, to_set
from flowc.compiler.parse.loader import parse_text

GENERIC_BRACE = r"""
start: item*
?item: WORD+ (";" | "{" item* "}" | "[" WORD* "]" ";")
WORD: /[^\s;{}\[\]"#]+/ | /"(?:[^"\\]|\\.)*"/
%ignore /[ \t\f\r\n]+/
%ignore /#[^\n]*/
%ignore /\/\*(.|\n)*?\*\//
"""
GENERIC_SET = r"""
start: _NL* (line _NL+)*
line: (WORD | "[" WORD* "]")+
WORD: /[^\s;{}\[\]"#]+/ | /"(?:[^"\\]|\\.)*"/
_NL: /\r?\n/
%ignore /[ \t\f\r]+/
%ignore /#[^\n]*/
"""


def generate(lines: int) -> str:
    """A realistic brace configuration of about `lines` lines."""
    out = ["## Last commit: 2026-11-26 04:00:00 UTC by admin", "version 20.4R3.8;",
           "system {", "    host-name bench;", "}", "interfaces {"]
    i = 0
    while len(out) < lines * 0.6:
        fpc, pic, port = i // 40, i // 4 % 10, i % 4
        out += [f"    ge-{fpc}/{pic}/{port} {{", f'        description "uplink {i} to core";',
                "        mtu 9192;", f"        unit {i % 100} {{", "            family inet {",
                f"                address 10.{i // 250 % 250}.{i % 250}.1/30;",
                "                filter { input protect-re; }", "            }",
                "            family iso;", "        }", "    }"]
        i += 1
    out += ["}", "policy-options {"]
    j = 0
    while len(out) < lines - 3:
        out += [f"    policy-statement export-{j} {{", f"        term t{j} {{",
                f"            from {{ community c{j}; route-filter 192.168.{j % 250}.0/24 orlonger; }}",
                "            then accept;", "        }", "    }",
                f"    community c{j} members [ 65000:{j} 65001:{j} ];"]
        j += 1
    out.append("}")
    return "\n".join(out) + "\n"




def _interleaved(first, second, repeat: int = 5) -> tuple[float, float]:
    """Best CPU times of two jobs run in turns (so that a busy spell hits both alike)."""
    a, b = [], []
    for _ in range(repeat):
        a.append(best_cpu(first, 1))
        b.append(best_cpu(second, 1))
    return min(a), min(b)


def _child_best(cmd: list[str], repeat: int = 5) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system) of a child process."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def _paused_gc(fn):
    def run():
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()
    return run


def _contenders(text: str, grammar: str, kind: str) -> dict[str, object]:
    """flowc and the bare Lark LALR parse (tree built) of the same text: pure Python,
    lark-cython, and lark-cython with the cyclic GC paused as flowc's parser does (the
    hardest baseline)."""
    parser = Lark(grammar, parser="lalr")
    jobs: dict[str, object] = {"flowc": lambda: parse_text(text, "bench", kind),
                               "flowc, pure-Python Lark": _pure(lambda: parse_text(text, "bench", kind)),
                               "lark": lambda: parser.parse(text)}
    try:
        import lark_cython
    except ImportError:
        return jobs
    fast = Lark(grammar, parser="lalr", _plugins=lark_cython.plugins)
    jobs["lark-cython"] = lambda: fast.parse(text)
    jobs["lark-cython, gc paused"] = _paused_gc(lambda: fast.parse(text))
    return jobs


def _pure(fn):
    """`fn` with flowc's parser on pure-Python Lark (FLOWC_PARSER=python)."""
    def run():
        os.environ["FLOWC_PARSER"] = "python"
        try:
            return fn()
        finally:
            del os.environ["FLOWC_PARSER"]
    return run


def _peak_mib(text: str) -> float:
    gc.collect()
    tracemalloc.start()
    parsed = parse_text(text, "bench.conf")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del parsed
    return peak / 2**20


def _cli_seconds(text: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "small.conf"
        path.write_text(text)
        return _child_best([sys.executable, "-m", "flowc.compiler.cli", "fmt", "--check", str(path)])


def main() -> None:
    n = int(os.environ.get("BENCH_PARSE_LINES", "100000"))
    brace = generate(n)
    parsed = parse_text(brace, "bench.conf")
    assert not parsed.diagnostics, parsed.diagnostics[:3]
    twin = to_set(parsed.statements)
    print(f"brace: {brace.count(chr(10))} lines, set twin: {twin.count(chr(10))} lines, "
          f"{len(parsed.statements)} statements")
    for label, text, grammar, kind in (("brace", brace, GENERIC_BRACE, "brace"), ("set", twin, GENERIC_SET, "set")):
        times = race(_contenders(text, grammar, kind))
        ours = times.pop("flowc")
        pure = times.pop("flowc, pure-Python Lark")
        lines = text.count("\n")
        ratios = ", ".join(f"vs {k} {v:.2f}s = {ours / v:.2f}" for k, v in times.items())
        print(f"{label:5}: flowc {ours:.2f}s ({lines / ours:,.0f} lines/s); ratio {ratios}")
        print(f"{label:5}: flowc on pure-Python Lark {pure:.2f}s ({lines / pure:,.0f} lines/s); "
              f"ratio vs lark {times['lark']:.2f}s = {pure / times['lark']:.2f}")
    big = generate(2 * n)
    t1, t2 = _interleaved(lambda: parse_text(brace, "bench", "brace"), lambda: parse_text(big, "bench", "brace"))
    print(f"scaling: {2 * n // 1000}k/{n // 1000}k = {t2 / t1:.2f} ({t1:.2f}s, {t2:.2f}s; limit 2.2)")
    print(f"peak memory, 100k brace: {_peak_mib(brace):.0f} MiB (limit 300)")
    print(f"emit, 100k brace: to_brace {best_cpu(lambda: to_brace(parsed.statements)):.2f}s, "
          f"to_set {best_cpu(lambda: to_set(parsed.statements)):.2f}s")
    small = generate(200)
    wall, cpu = _cli_seconds(small)
    print(f"CLI fmt --check on {small.count(chr(10))} lines, start-up included: "
          f"{wall:.3f}s wall, {cpu:.3f}s CPU (limit 0.3)")
    print(f"(load average while measuring: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
