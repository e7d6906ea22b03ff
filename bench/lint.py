"""Lint benchmark: `check_text` end to end vs a bare Lark LALR parse of the same text.

The text is the parser benchmark's generated configuration (default 100,000 lines) with
the single-collector example appended, so every stage (parse, groups, folding, schema
validation, IR, rules) has work. Prints the ratio lint / bare Lark (target <= 1.0) for pure
Lark and lark-cython, per-stage times, and the CLI time of `flowc lint` on ~200 lines
(target <= 0.3 s).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.parse import GENERIC_BRACE, _best, _lark_times, generate
from flowc.compiler.build import build
from flowc.compiler.document import fold
from flowc.compiler.inherit import apply_groups
from flowc.compiler.lint import check_text, run_rules
from flowc.compiler.parse import parse_text
from flowc.compiler.schema import roots, validate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "single" / "router.conf"


def _stages(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    start = time.perf_counter()
    parsed = parse_text(text, "bench.conf")
    out["parse"] = time.perf_counter() - start
    start = time.perf_counter()
    statements, _ = apply_groups(parsed.statements)
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


def _cli_seconds(text: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "small.conf"
        path.write_text(text)
        cmd = [sys.executable, "-m", "flowc.compiler.cli", "lint", "--isolated", str(path)]
        return _best(lambda: subprocess.run(cmd, capture_output=True, check=False), 5)


def main() -> None:
    n = int(os.environ.get("BENCH_LINT_LINES", "100000"))
    text = generate(n) + EXAMPLE.read_text("utf-8")
    roots()  # compile the validators once, as a long-lived process would
    result = check_text(text, "bench.conf")
    print(f"config: {text.count(chr(10))} lines, {len(result.statements)} statements, "
          f"{len(result.diagnostics)} findings")
    ours = _best(lambda: check_text(text, "bench.conf"))
    bare = _lark_times(text, GENERIC_BRACE)
    for label, seconds in bare.items():
        print(f"lint end to end {ours:.2f}s vs bare {label} {seconds:.2f}s: ratio {ours / seconds:.2f} (limit 1.0)")
    stages = _stages(text)
    print("stages: " + ", ".join(f"{k} {v:.3f}s" for k, v in stages.items()))
    small = EXAMPLE.read_text("utf-8")
    print(f"CLI lint on {small.count(chr(10))} lines: {_cli_seconds(small):.3f}s (limit 0.3)")


if __name__ == "__main__":
    main()
