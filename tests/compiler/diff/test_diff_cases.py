"""`flowc diff` cases as data: OLD, NEW, the expected compare text and set commands.

Each `diff_cases/*.case` holds `--- old.conf|old.set|old.json`, `--- new.conf|new.set|new.json`,
`--- compare` and `--- set` sections. Applying the set commands to OLD with flowc's own
set-form loader must give NEW. Run with FLOWC_UPDATE_CASES=1 to rewrite the expected
sections from the current output (then read them).
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from flowc.compiler.diff.config import diff_statements
from flowc.compiler.diff.files import diff_files
from flowc.compiler.diff.oneliners import displayed
from flowc.compiler.diff.output import compare_text, set_text
from flowc.compiler.diff.secrets import conceal
from flowc.compiler.fmt.printer import to_set
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.parse.statements import Statement

CASES = sorted((Path(__file__).parent / "diff_cases").glob("*.case"))


def read_case(path: Path) -> dict[str, str]:
    sections: dict[str, str] = {}
    name = None
    for line in path.read_text("utf-8").splitlines(keepends=True):
        if line.startswith("--- "):
            name = line[4:].strip()
            sections[name] = ""
        elif name is not None:
            sections[name] += line
    return sections


def write_case(path: Path, sections: dict[str, str]) -> None:
    head = path.read_text("utf-8").split("--- ", 1)[0]
    body = "".join(f"--- {name}\n{text}" for name, text in sections.items())
    path.write_text(head + body, "utf-8")


def files(case: dict[str, str], tmp_path: Path) -> tuple[str, str]:
    names = [n for n in case if n.startswith(("old.", "new."))]
    for name in names:
        (tmp_path / name).write_text(case[name], "utf-8")
    old = next(n for n in names if n.startswith("old."))
    new = next(n for n in names if n.startswith("new."))
    return str(tmp_path / old), str(tmp_path / new)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_output(path: Path, tmp_path: Path) -> None:
    case = read_case(path)
    old, new = files(case, tmp_path)
    result = diff_files(old, new)
    got = {"compare": compare_text(result), "set": set_text(result)}
    if os.environ.get("FLOWC_UPDATE_CASES"):
        keep = {k: v for k, v in case.items() if k not in got}
        write_case(path, {**keep, **got})
        return
    assert got["compare"] == case.get("compare", ""), "compare text"
    assert got["set"] == case.get("set", ""), "set commands"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_diffs_the_same_with_nothing_left_out(path: Path, tmp_path: Path) -> None:
    """What both files write the same is left out before parsing (diff/unchanged.py,
    diff/samelines.py): the diff of the whole texts is the same."""
    old, new = files(read_case(path), tmp_path)
    fast, whole = diff_files(old, new), diff_files(old, new, unchanged_blanked=False)
    assert (compare_text(fast), set_text(fast)) == (compare_text(whole), set_text(whole))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_set_commands_turn_old_into_new(path: Path, tmp_path: Path) -> None:
    case = read_case(path)
    old, new = files(case, tmp_path)
    old_parsed = parse_text(Path(old).read_text("utf-8"), old)
    new_parsed = parse_text(Path(new).read_text("utf-8"), new)
    commands = set_text(diff_files(old, new))
    applied = parse_text(to_set(displayed(old_parsed.statements)) + commands, "applied", fmt="set")
    assert applied.ok, applied.diagnostics
    assert_same_configuration(applied.statements, new_parsed.statements)


def assert_same_configuration(got: Sequence[Statement], want: Sequence[Statement]) -> None:
    """The same statements, ordered lists in the same order (as the diff compares them: `display set` pieces)."""
    got, want = displayed(got), displayed(want)
    assert Counter(got) == Counter(want)
    assert diff_statements(got, want).identical


@pytest.mark.parametrize("name", ["brace_set_twins", "oneliner_twins", "unordered_stay_blind"])
def test_twins_are_identical(name: str, tmp_path: Path) -> None:
    case = read_case(next(p for p in CASES if p.stem == name))
    old, new = files(case, tmp_path)
    assert diff_files(old, new).identical


EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*/router.conf"))
PAIRS = [(a, b) for a in EXAMPLES for b in EXAMPLES if a != b]


@pytest.mark.parametrize("config", [c for c in EXAMPLES if c.with_suffix(".set").exists()],
                         ids=lambda p: p.parent.name)
def test_example_and_its_set_twin_are_identical(config: Path) -> None:
    twin = config.with_suffix(".set")
    assert diff_files(str(config), str(twin)).identical


@pytest.mark.parametrize("old,new", PAIRS, ids=lambda p: p.parent.name)
def test_set_commands_between_examples(old: Path, new: Path) -> None:
    """Whole router configurations: the commands turn one example into another."""
    old_parsed = parse_text(old.read_text("utf-8"), str(old))
    new_parsed = parse_text(new.read_text("utf-8"), str(new))
    result = diff_files(str(old), str(new))
    assert not result.identical and result.sections
    applied = parse_text(to_set(conceal(old_parsed.statements)) + set_text(result), "applied", fmt="set")
    assert applied.ok, applied.diagnostics
    # secrets as Junos stores them ($9$): the diff never commands a clear one
    assert_same_configuration(applied.statements, conceal(new_parsed.statements))
