"""Structural codes (FC101..FC107, reported while folding and validating): their YAML cases."""
from __future__ import annotations

import pytest

from flowc.compiler.diagnostics import Severity
from flowc.compiler.rules.registry import STRUCTURE

RULE_CASES = ("structure",)
FORMS = ("brace", "set")


@pytest.mark.parametrize("form", FORMS)
def test_fails(case, form: str) -> None:  # type: ignore[no-untyped-def]
    assert case.found(case.fail, form) == case.expected(form)


@pytest.mark.parametrize("form", FORMS)
def test_passes(case, form: str) -> None:  # type: ignore[no-untyped-def]
    assert case.found(case.passing, form) == []


def test_structural_codes_are_reported_by_folding_not_by_a_check() -> None:
    assert [r.code for r in STRUCTURE] == [f"FC10{n}" for n in range(1, 8)]
    assert all(r.check is None for r in STRUCTURE)
    assert [r.code for r in STRUCTURE if r.severity != Severity.ERROR] == ["FC107"]
