"""Corpus benchmark: `display set` parity and `lint --schema` false positives on real configs.

Reads the development corpus (`$FLOWC_CORPUS`, else a `shared/corpus` folder beside the
repository or up to two levels above; skipped when absent). Prints:

- parity: for every device the corpus holds in both forms (`NAME.set` beside `NAME.txt` or
  `NAME.text`), `fmt --to set` of the brace twin against the set twin, comments left out
  as Junos' `display set` leaves them out; devices identical and the share of set lines
  matched. RPC wrappers (`<configuration-text>` lines, XML entities) are taken off first;
- `lint --schema`: FC110-FC112 findings on files the manifest does not mark as odd (each one
  a false positive: these configurations loaded on real routers), per file and per statement;
- the time of lint, `fmt --to set` and the schema check over the whole corpus.
"""
from __future__ import annotations

import csv
import difflib
import html
import os
import time
from collections import Counter
from pathlib import Path

from flowc.compiler.document.junoscheck import schema_findings
from flowc.compiler.fmt.printer import to_set
from flowc.compiler.parse.loader import parse_file, parse_text

ROOT = Path(__file__).resolve().parents[1]
# Notes of the manifest that say a file is not a configuration Junos would load as is.
ODD = ("terminal capture", "placeholder", "not loadable as is", "'!' comment lines", "CLI commands among",
       "not set/delete statements", "non-configuration line")


def find_corpus() -> Path | None:
    configured = os.environ.get("FLOWC_CORPUS")
    if configured:
        return Path(configured)
    for folder in (ROOT.parent, ROOT.parent.parent, ROOT.parent.parent.parent):
        if (folder / "shared" / "corpus" / "MANIFEST.tsv").is_file():
            return folder / "shared" / "corpus"
    return None


def manifest(corpus: Path) -> list[tuple[Path, str]]:
    with open(corpus / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        return [(corpus / row["repo"].replace("/", "+") / row["path"], row["note"] or "")
                for row in csv.DictReader(handle, delimiter="\t")]


def unwrapped(text: str) -> str:
    """The configuration inside an RPC reply's `<configuration-…>` lines."""
    lines = [line for line in text.splitlines() if not line.strip().startswith(("<configuration", "</configuration"))]
    return html.unescape("\n".join(lines) + "\n")


def twins(files: list[tuple[Path, str]]) -> list[tuple[Path, Path]]:
    names = {path for path, _ in files}
    pairs = []
    for path in sorted(names):
        if path.suffix == ".set":
            for ending in (".txt", ".text"):
                brace = path.with_suffix(ending)
                if brace in names:
                    pairs.append((brace, path))
    return pairs


def parity(pairs: list[tuple[Path, Path]], corpus: Path) -> None:
    identical = matched = total = 0
    for brace, junos in pairs:
        config = parse_text(unwrapped(brace.read_text(encoding="utf-8")), brace.name, "brace")
        ours = [line for line in to_set(config.statements, comments=False).splitlines() if line.strip()]
        want = [line for line in unwrapped(junos.read_text(encoding="utf-8")).splitlines()
                if line.strip() and not line.startswith("#")]
        same = sum(block.size for block in difflib.SequenceMatcher(None, want, ours, autojunk=False)
                   .get_matching_blocks())
        identical += ours == want
        matched += same
        total += len(want)
        if ours != want:
            print(f"  differs: {brace.relative_to(corpus)} ({len(want) - same} of {len(want)} lines)")
    print(f"display set parity: {identical} of {len(pairs)} devices identical, "
          f"{matched} of {total} lines ({100 * matched / max(total, 1):.2f}%)")


def false_positives(files: list[tuple[Path, str]]) -> None:
    codes: Counter[str] = Counter()
    clean = flagged = statements = 0
    started = time.process_time()
    for path, note in files:
        if any(marker in note for marker in ODD):
            continue
        config = parse_file(path)
        clean += 1
        statements += len(config.statements)
        found = schema_findings(config.statements)
        flagged += bool(found)
        codes.update(d.code for d in found)
    spent = time.process_time() - started
    print(f"lint --schema on {clean} configurations not marked odd ({statements} statements): "
          f"{sum(codes.values())} findings ({dict(sorted(codes.items()))}), {flagged} files with any "
          f"({100 * flagged / max(clean, 1):.1f}%), {1000 * sum(codes.values()) / max(statements, 1):.2f} "
          f"per 1,000 statements; {spent:.1f} s CPU")


def main() -> None:
    corpus = find_corpus()
    if corpus is None:
        print("no development corpus (set FLOWC_CORPUS): skipped")
        return
    files = manifest(corpus)
    parity(twins(files), corpus)
    false_positives(files)
    started = time.process_time()
    for path, _ in files:
        to_set(parse_file(path).statements)
    print(f"parse + fmt --to set over {len(files)} files: {time.process_time() - started:.1f} s CPU")
