"""Lint benchmark: `check_text` end to end vs a bare Lark LALR parse of the same text.

The text is the parser benchmark's generated configuration (default 100,000 lines) with
the single-collector example appended, so every stage (parse, groups, folding, schema
validation, IR, rules) has work. Prints the ratio lint / bare Lark (target <= 1.0) for pure
Lark and lark-cython, per-stage times, and the CLI time of `flowc lint` on ~200 lines
(target <= 0.3 s).
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lark import Lark

from bench.parse import GENERIC_BRACE, generate
from bench.timing import best_cpu
from flowc.compiler.document.fold import fold
from flowc.compiler.document.schema import roots, validate
from flowc.compiler.ir.build import build
from flowc.compiler.lint.check import check_text
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.pipeline import apply_file_groups, run_rules

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "single" / "router.conf"




def _lark_times(text: str) -> dict[str, float]:
    """Bare Lark LALR (tree built), pure Python and with lark-cython when importable."""
    out = {"lark": best_cpu(lambda: Lark(GENERIC_BRACE, parser="lalr").parse(text), 2)}
    parser = Lark(GENERIC_BRACE, parser="lalr")
    out["lark (parser built once)"] = best_cpu(lambda: parser.parse(text), 2)
    try:
        import lark_cython
    except ImportError:
        return out
    fast = Lark(GENERIC_BRACE, parser="lalr", _plugins=lark_cython.plugins)
    out["lark-cython"] = best_cpu(lambda: fast.parse(text), 2)
    return out


def _stages(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    start = time.perf_counter()
    parsed = parse_text(text, "bench.conf")
    out["parse"] = time.perf_counter() - start
    start = time.perf_counter()
    statements = apply_file_groups(parsed.statements).statements
    out["groups"] = time.perf_counter() - start
    start = time.perf_counter()
    document = fold(statements)
    out["fold"] = time.perf_counter() - start
    start = time.perf_counter()
    for name, data in document.data.items():
        list(validate(roots()[name], data, document.spans, document.keywords))
    out["schema"] = time.perf_counter() - start
    start = time.perf_counter()
    run_rules(build(document))
    out["ir+rules"] = time.perf_counter() - start
    return out


def _cli_seconds(text: str, repeat: int = 5) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system of the child) of `flowc lint`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "small.conf"
        path.write_text(text)
        cmd = [sys.executable, "-m", "flowc.compiler.cli", "lint", "--isolated", str(path)]
        walls, cpus = [], []
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            run = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if run.returncode != 0:
                raise SystemExit(f"flowc lint failed ({run.returncode}): {run.stderr.strip()}")
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        return min(walls), min(cpus)


def main() -> None:
    n = int(os.environ.get("BENCH_LINT_LINES", "100000"))
    text = generate(n) + EXAMPLE.read_text("utf-8")
    roots()  # compile the validators once, as a long-lived process would
    result = check_text(text, "bench.conf")
    print(f"config: {text.count(chr(10))} lines, {len(result.files[0].effective)} statements, "
          f"{len(result.diagnostics)} findings")
    ours = best_cpu(lambda: check_text(text, "bench.conf"))
    bare = _lark_times(text)
    for label, seconds in bare.items():
        print(f"lint end to end {ours:.2f}s vs bare {label} {seconds:.2f}s: ratio {ours / seconds:.2f} (limit 1.0)")
    stages = _stages(text)
    print("stages: " + ", ".join(f"{k} {v:.3f}s" for k, v in stages.items()))
    small = EXAMPLE.read_text("utf-8")
    wall, cpu = _cli_seconds(small)
    print(f"CLI lint on {small.count(chr(10))} lines: {wall:.3f}s wall, {cpu:.3f}s CPU (limit 0.3)")


if __name__ == "__main__":
    main()
