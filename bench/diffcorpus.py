"""Diff over the development corpus: every configuration against itself and against copies
with one statement removed.

Reads the corpus as `bench/corpus.py` does (skipped when absent). For each file that parses:
the diff against itself must be empty; then up to BENCH_DIFF_REMOVALS (default 5) of its
plain statement lines (a brace line `keyword …;` or a `set` line, no quotes, brackets or
comments), spread over the file, are each removed in a copy, and the diff must give only
`delete` commands (and a `set` of the level the statement leaves empty, a statement of its
own, or a `deactivate` again of a mark the delete took) that, applied to OLD's `display set`
(flowc's set-form loader), give the copy's statements, without removing any statement both
keep. Prints the counts, and the first failures.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from pathlib import Path

from bench.corpus import find_corpus, manifest, unwrapped
from flowc.compiler.diagnostics import UsageError
from flowc.compiler.diff.files import diff_files
from flowc.compiler.diff.oneliners import displayed
from flowc.compiler.diff.secrets import conceal
from flowc.compiler.fmt.printer import to_set
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.parse.statements import Statement

_PLAIN_BRACE = re.compile(r"\s+[a-z][^\s;{}\[\]\"#]*( [^;{}\[\]\"#]+)?;\s*")
_PLAIN_SET = re.compile(r"set [^{}\[\]\"#;]+\s*")


def candidates(text: str) -> list[int]:
    """Lines that are one plain statement each."""
    lines = text.splitlines()
    brace = [n for n, line in enumerate(lines) if _PLAIN_BRACE.fullmatch(line) and ":" not in line.split()[0]]
    plain = [n for n, line in enumerate(lines) if _PLAIN_SET.fullmatch(line)]
    return brace if len(brace) >= len(plain) else plain


def spread(items: list[int], count: int) -> list[int]:
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


Row = tuple[tuple[str, ...], int]


def _rows(statements: tuple[Statement, ...] | list[Statement]) -> set[Row]:
    """Statements as compared here: path and inactive mark, secrets as `********` (a
    concealed secret carries a salt of its own), each once (a capture may repeat a line)."""
    return {(tuple("********" if w.startswith("********") else w for w in s.path), s.inactive_at)
            for s in conceal(displayed(statements))}


def check_removal(old_path: Path, text: str, line: int, tmp: Path) -> str | None:
    """None when the diff against the copy without `line` is right, else what is wrong."""
    lines = text.splitlines(keepends=True)
    copy = tmp / ("removed" + old_path.suffix)
    copy.write_text("".join(lines[:line] + lines[line + 1:]), "utf-8")
    result = diff_files(str(old_path), str(copy))
    old = conceal(displayed(parse_text(text, "old").statements))
    old_rows, new_rows = _rows(old), _rows(parse_text(copy.read_text("utf-8"), "new").statements)
    if not result.commands:
        return None if old_rows == new_rows else "no commands"
    removed = old_rows - new_rows
    for command in result.commands:
        if command.startswith("delete "):
            continue
        words = parse_text("set " + command.split(" ", 1)[1] + "\n", "cmd.set", fmt="set").statements
        if not words or not any(path[:len(words[0].path)] == words[0].path for path, _ in removed):
            return f"not only deletes (and the emptied level): {result.commands[:3]}"
    applied = parse_text(to_set(old) + "".join(c + "\n" for c in result.commands), "applied", fmt="set")
    if _rows(applied.statements) != new_rows:
        return f"applied != new: {result.commands[:3]}"
    kept = {path for path, _ in old_rows & new_rows}
    for command in result.commands:
        (target,) = parse_text("set " + command[7:] + "\n", "cmd.set", fmt="set").statements
        if any(p[:len(target.path)] == target.path for p in kept):
            return f"removes a kept statement: {command}"
    return None


def main() -> None:
    corpus = find_corpus()
    if corpus is None:
        print("no corpus: set FLOWC_CORPUS or put shared/corpus beside the repository")
        return
    count = int(os.environ.get("BENCH_DIFF_REMOVALS", "5"))
    counts: Counter[str] = Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for path, _ in manifest(corpus):
            text = unwrapped(path.read_text("utf-8", errors="replace")) if "<configuration" in \
                path.read_text("utf-8", errors="replace") else path.read_text("utf-8", errors="replace")
            source = tmp / ("old" + path.suffix)
            source.write_text(text, "utf-8")
            try:
                same = diff_files(str(source), str(source))
            except UsageError:
                counts["files not read (syntax errors)"] += 1
                continue
            counts["files"] += 1
            counts["self-diffs empty" if same.identical else "self-diffs NOT empty"] += 1
            for line in spread(candidates(text), count):
                try:
                    wrong = check_removal(source, text, line, tmp)
                except UsageError:
                    counts["removals that break the file"] += 1
                    continue
                counts["removals right" if wrong is None else "removals WRONG"] += 1
                if wrong is not None:
                    removed = text.splitlines()[line].strip()
                    failures.append(f"{path.relative_to(corpus)}:{line + 1}: {removed}: {wrong}")
    for key, value in sorted(counts.items()):
        print(f"{key}: {value}")
    for failure in failures[:30]:
        print("  " + failure)


if __name__ == "__main__":
    main()
