"""The development corpus: 356 public Junos configurations written by others, each through
`lint`, `fmt --to set`, brace -> set -> brace and a self-diff.

The corpus is not in the repository (each file stays under its own repository's terms, and
the manifest does not say which): it is read from `$FLOWC_CORPUS`, else from a
`shared/corpus` folder beside the repository or up to two levels above it, and the tests
skip, saying so, when there is none (a clean clone on its own).

Fails on any internal error (FC9xx, an exception), on any syntax finding (FC0xx) in a file
the manifest does not mark as not a configuration (terminal captures, placeholders, RPC
wrappers, CLI commands), and on any round trip that changes a statement: `display set` read
back gives the statements `display set` lists, and the brace form printed from that the same
again (in the order brace text prints them). A self-diff shows nothing.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from flowc.compiler.diff.files import diff_files
from flowc.compiler.document.junosstatements import display_statements
from flowc.compiler.fmt.printer import to_brace, to_set
from flowc.compiler.lint.check import check_files
from flowc.compiler.parse.blocktree import tree_order
from flowc.compiler.parse.loader import parse_file, parse_text
from flowc.compiler.parse.statements import Statement

ROOT = Path(__file__).resolve().parents[1]
# Notes of the manifest that say a file is not a configuration Junos would load as is.
NOT_A_CONFIGURATION = ("terminal capture", "placeholder", "not loadable as is", "'!' comment lines",
                       "CLI commands among", "not set/delete statements", "non-configuration line")
# Files that fail today, with why (strict: a file that starts passing must leave this list).
KNOWN: dict[str, str] = {
    "Juniper/OpenJNPR-Container-vMX/regression/vmx1.conf": "apply-groups of a group defined elsewhere (FC013)",
    "Juniper/OpenJNPR-Container-vMX/regression/vmx2.conf": "apply-groups of a group defined elsewhere (FC013)",
    "ysaied/jncis-devops/j2-results/ipsec-16Oct2020.txt": "apply-groups of a group defined elsewhere (FC013)",
}


@dataclass(frozen=True)
class Entry:
    """One row of MANIFEST.tsv: where the file is and what the manifest says of it."""

    path: Path
    name: str   # repo/path, as the manifest names it
    note: str

    @property
    def configuration(self) -> bool:
        return not any(marker in self.note for marker in NOT_A_CONFIGURATION)


def find_corpus() -> Path | None:
    """`$FLOWC_CORPUS`, or the nearest `shared/corpus` beside or above the repository."""
    configured = os.environ.get("FLOWC_CORPUS")
    if configured:
        return Path(configured)
    for folder in (ROOT.parent, ROOT.parent.parent, ROOT.parent.parent.parent):
        if (folder / "shared" / "corpus" / "MANIFEST.tsv").is_file():
            return folder / "shared" / "corpus"
    return None


def entries() -> list[Entry]:
    corpus = find_corpus()
    if corpus is None:
        return []
    with open(corpus / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Entry(corpus / row["repo"].replace("/", "+") / row["path"], f"{row['repo']}/{row['path']}",
                  row["note"] or "") for row in rows]


ENTRIES = entries()
SKIP = pytest.mark.skipif(not ENTRIES, reason="no development corpus: set FLOWC_CORPUS or put shared/corpus "
                                               "(with MANIFEST.tsv) beside the repository")


def _params() -> list[object]:
    params: list[object] = []
    for entry in ENTRIES:
        marks = [pytest.mark.xfail(reason=KNOWN[entry.name], strict=True)] if entry.name in KNOWN else []
        params.append(pytest.param(entry, id=entry.name, marks=marks))
    return params or [pytest.param(None, id="no-corpus")]


def _unique(statements: tuple[Statement, ...]) -> tuple[Statement, ...]:
    """Each statement once (a capture may show a configuration twice; set text merges them)."""
    return tuple(dict.fromkeys(statements))


@SKIP
def test_the_corpus_is_all_there() -> None:
    assert len(ENTRIES) >= 356
    missing = [e.name for e in ENTRIES if not e.path.is_file()]
    assert not missing


@SKIP
@pytest.mark.parametrize("entry", _params())
def test_corpus_file(entry: Entry) -> None:
    result = check_files([entry.path])
    internal = [d for d in result.diagnostics if d.code.startswith("FC9")]
    assert not internal, internal
    if entry.configuration:
        syntax = [f"{d.span}: {d.code} {d.message}" for d in result.diagnostics if d.code.startswith("FC0")]
        assert not syntax
    parsed = parse_file(entry.path)
    as_set = parse_text(to_set(parsed.statements), "twin.set", "set")
    assert as_set.diagnostics == ()
    assert _unique(as_set.statements) == _unique(display_statements(parsed.statements))
    brace = parse_text(to_brace(as_set.statements), "twin.conf", "brace")
    assert brace.diagnostics == ()
    assert _unique(display_statements(brace.statements)) == _unique(display_statements(tree_order(as_set.statements)))
    if parsed.ok:
        same = diff_files(str(entry.path), str(entry.path))
        assert same.sections == () and same.commands == ()
