"""Rule cases as data (`rule_cases/*.yaml`): each code fails on its `fail` snippet at the
expected words and stays silent on its `pass` snippet, in brace form and in set form."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from flowc.compiler.fmt.printer import to_set
from flowc.compiler.lint.check import check_text
from flowc.compiler.lint.settings import settings_from
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.rules.registry import REGISTRY, SEMANTIC

CASES_DIR = Path(__file__).parent / "rule_cases"


def _load() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in YAML(typ="safe").load(path.read_text("utf-8")):
            case["file"] = path.name
            cases.append(case)
    return cases


CASES = _load()
IDS = [case["code"] for case in CASES]


def _set_twin(text: str) -> str:
    return to_set(parse_text(text, "case.conf", fmt="brace").statements)


def _found(text: str, code: str, fmt: str, settings: dict[str, Any] | None = None) -> list[tuple[int, int]]:
    """Where `code` is reported, with the case's `settings` (`[tool.flowc]` keys, e.g.
    `schema: true` for FC110-FC112)."""
    parsed_name = "case.conf" if fmt == "brace" else "case.set"
    result = check_text(text, parsed_name, settings_from(settings or {}))
    assert not [d for d in result.diagnostics if d.code.startswith("FC0")], result.diagnostics
    return sorted((d.span.line, d.span.column) for d in result.diagnostics if d.code == code)


def _locate_in_set(brace: str, set_text: str, line: int, column: int) -> tuple[int, int]:
    """Where the brace word at line:column appears in the set twin (same statement path)."""
    brace_statements = parse_text(brace, "case.conf", fmt="brace").statements
    set_statements = parse_text(set_text, "case.set", fmt="set").statements
    for statement in brace_statements:
        for index, word in enumerate(statement.words):
            if (word.span.line, word.span.column) == (line, column):
                twin = next(s for s in set_statements if s.path == statement.path)
                return twin.words[index].span.line, twin.words[index].span.column
    raise AssertionError(f"no word at {line}:{column}")


def test_every_rule_has_a_case() -> None:
    covered = {case["code"] for case in CASES}
    missing = [code for code in REGISTRY if code not in covered]
    assert not missing, f"rules without a case: {missing}"


def test_every_rule_documents_bad_and_good() -> None:
    for rule in REGISTRY.values():
        doc = rule.documentation
        assert rule.summary and "Bad:" in doc and "Good:" in doc, rule.code
        assert rule.name.count(".") >= 1 and rule.name == rule.name.lower(), rule.name
    assert len({r.name for r in REGISTRY.values()}) == len(REGISTRY)
    assert all(r.code.startswith("FC2") for r in SEMANTIC)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fails_in_brace_form(case: dict[str, Any]) -> None:
    expected = sorted(tuple(x) for x in case["expect"])
    assert _found(case["fail"], case["code"], "brace", case.get("settings")) == expected


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_passes_in_brace_form(case: dict[str, Any]) -> None:
    assert _found(case["pass"], case["code"], "brace", case.get("settings")) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fails_in_set_form(case: dict[str, Any]) -> None:
    set_text = _set_twin(case["fail"])
    if "set-expect" in case:
        expected = sorted(tuple(x) for x in case["set-expect"])
    else:
        expected = sorted(_locate_in_set(case["fail"], set_text, *x) for x in case["expect"])
    assert _found(set_text, case["code"], "set", case.get("settings")) == expected


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_passes_in_set_form(case: dict[str, Any]) -> None:
    assert _found(_set_twin(case["pass"]), case["code"], "set", case.get("settings")) == []


def test_every_code_is_documented() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs" / "diagnostics.md").read_text("utf-8")
    missing = [f"{r.code} `{r.name}`" for r in REGISTRY.values() if f"### {r.code} `{r.name}`" not in text]
    assert not missing, f"docs/diagnostics.md lacks {missing}"
