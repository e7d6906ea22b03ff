"""Rule cases as data (`rule_cases/<family>.yaml`), run by the test module of each family.

A test module says which case files it runs with `RULE_CASES = ("export",)`; every test
function of it that takes a `case` argument is parametrised with those cases (one id per
code). A `RuleCase` lints its `fail` snippet (where the code must fire, at the `expect`ed
words) and its `pass` snippet (where it must stay silent), in brace form and in the set
form printed from it. `test_rules.py` runs the case files no family module claims and
checks that every file is claimed at most once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from flowc.compiler.fmt.printer import to_set
from flowc.compiler.lint.check import check_text
from flowc.compiler.lint.settings import settings_from
from flowc.compiler.parse.loader import parse_text

CASES_DIR = Path(__file__).parent / "rule_cases"
CLAIM = re.compile(r"^RULE_CASES = \(([^)]*)\)", re.MULTILINE)

Location = tuple[int, int]


@dataclass(frozen=True)
class RuleCase:
    """One code's case: a snippet that fails at `expect` and one that passes."""

    family: str
    code: str
    fail: str
    passing: str
    expect: tuple[Location, ...]
    set_expect: tuple[Location, ...] | None = None
    note: str = ""  # set on the extra cases of a code (cos_chain.yaml: one per broken link)
    settings: tuple[tuple[str, object], ...] = ()  # `[tool.flowc]` keys, e.g. schema: true for FC110-FC112

    def found(self, text: str, form: str) -> list[Location]:
        """Where this code fires on `text` (brace text, linted as brace or as its set twin)."""
        if form == "set":
            text, name = set_twin(text), "case.set"
        else:
            name = "case.conf"
        result = check_text(text, name, settings_from(dict(self.settings)))
        syntax = [str(d) for d in result.diagnostics if d.code.startswith("FC0")]
        assert not syntax, f"{self.family}.yaml {self.code}: the snippet does not parse: {syntax}"
        return sorted((d.span.line, d.span.column) for d in result.diagnostics if d.code == self.code)

    def expected(self, form: str) -> list[Location]:
        """The words the fail snippet is reported at, in brace form or in its set twin."""
        if form == "brace":
            return sorted(self.expect)
        if self.set_expect is not None:
            return sorted(self.set_expect)
        return sorted(locate_in_set(self.fail, *where) for where in self.expect)


def set_twin(brace: str) -> str:
    return to_set(parse_text(brace, "case.conf", fmt="brace").statements)


def locate_in_set(brace: str, line: int, column: int) -> Location:
    """Where the brace word at line:column appears in the set twin (same statement path)."""
    brace_statements = parse_text(brace, "case.conf", fmt="brace").statements
    set_statements = parse_text(set_twin(brace), "case.set", fmt="set").statements
    for statement in brace_statements:
        for index, word in enumerate(statement.words):
            if (word.span.line, word.span.column) == (line, column):
                twin = next(s for s in set_statements if s.path == statement.path)
                return twin.words[index].span.line, twin.words[index].span.column
    raise AssertionError(f"no word at {line}:{column}")


def families() -> list[str]:
    return sorted(path.stem for path in CASES_DIR.glob("*.yaml"))


def load_cases(family: str) -> list[RuleCase]:
    raw = YAML(typ="safe").load((CASES_DIR / f"{family}.yaml").read_text("utf-8"))
    return [
        RuleCase(family, case["code"], case["fail"], case["pass"], _where(case["expect"]),
                 _where(case["set-expect"]) if "set-expect" in case else None, case.get("note", ""),
                 tuple(sorted(case.get("settings", {}).items())))
        for case in raw
    ]


def _where(pairs: list[list[int]]) -> tuple[Location, ...]:
    return tuple((line, column) for line, column in pairs)


def claims() -> dict[str, list[str]]:
    """Case file -> the test modules of this folder that name it in `RULE_CASES = (…)`."""
    out: dict[str, list[str]] = {}
    for module in sorted(Path(__file__).parent.glob("test_*.py")):
        match = CLAIM.search(module.read_text("utf-8"))
        for family in re.findall(r"\"([\w-]+)\"", match.group(1)) if match else ():
            out.setdefault(family, []).append(module.name)
    return out


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" not in metafunc.fixturenames:
        return
    named = getattr(metafunc.module, "RULE_CASES", None)
    if named is None:
        raise pytest.UsageError(f"{metafunc.module.__name__} takes `case` but sets no RULE_CASES")
    cases = [case for family in named for case in load_cases(family)]
    metafunc.parametrize("case", cases, ids=[case.code for case in cases])
