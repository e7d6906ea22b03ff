"""The registry as a whole, and the rule cases no family module runs (today: `cos.yaml`).

Each family's cases (`rule_cases/<family>.yaml`) run in that family's test module
(`RULE_CASES = ("export",)` in test_export.py, see conftest.py); the files no module claims
run here, so a new case file is never left out.
"""
from __future__ import annotations

from pathlib import Path

from flowc.compiler.rules.registry import REGISTRY, SEMANTIC

from .casetests import test_fails, test_passes  # noqa: F401 (collected here, with this module's cases)
from .conftest import claims, families, load_cases

RULE_CASES = tuple(family for family in families() if family not in claims())


def test_every_rule_has_a_case() -> None:
    covered = {case.code for family in families() for case in load_cases(family)}
    missing = [code for code in REGISTRY if code not in covered]
    assert not missing, f"rules without a case: {missing}"


def test_every_case_names_a_registered_code_once() -> None:
    """One main case per code; extra cases of a code each say what they add (`note`)."""
    cases = [case for family in families() for case in load_cases(family)]
    assert [c.code for c in cases if c.code not in REGISTRY] == []
    main = [c.code for c in cases if not c.note]
    assert len(main) == len(set(main)), sorted(c for c in main if main.count(c) > 1)
    extra = [(c.code, c.note) for c in cases if c.note]
    assert len(extra) == len(set(extra)), sorted(e for e in extra if extra.count(e) > 1)


def test_every_case_file_runs_in_exactly_one_module() -> None:
    claimed = claims()
    twice = {family: modules for family, modules in claimed.items() if len(modules) > 1}
    assert not twice, f"case files run by more than one module: {twice}"
    assert [f for f in claimed if f not in families()] == [], "a module claims a case file that does not exist"
    assert set(RULE_CASES) | set(claimed) == set(families())


def test_every_rule_documents_bad_and_good() -> None:
    for rule in REGISTRY.values():
        doc = rule.documentation
        assert rule.summary and "Bad:" in doc and "Good:" in doc, rule.code
        assert rule.name.count(".") >= 1 and rule.name == rule.name.lower(), rule.name
    assert len({r.name for r in REGISTRY.values()}) == len(REGISTRY)
    assert all(r.code.startswith("FC2") for r in SEMANTIC)


def test_every_code_is_documented() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs" / "diagnostics.md").read_text("utf-8")
    missing = [f"{r.code} `{r.name}`" for r in REGISTRY.values() if f"### {r.code} `{r.name}`" not in text]
    assert not missing, f"docs/diagnostics.md lacks {missing}"
