"""Structural codes (FC101..FC107, reported while folding and validating): their YAML cases."""
from __future__ import annotations

from flowc.compiler.diagnostics import Severity
from flowc.compiler.rules.registry import STRUCTURE

from .casetests import test_fails, test_passes  # noqa: F401 (collected here, with this module's cases)

RULE_CASES = ("structure",)


def test_structural_codes_are_reported_by_folding_not_by_a_check() -> None:
    """FC101-FC107 come from flowc's own schemas, FC110-FC112 from Junos' (`lint --schema`,
    warnings): all found while folding or walking the statements, none by a rule's check."""
    assert [r.code for r in STRUCTURE] == [f"FC10{n}" for n in range(1, 8)] + ["FC110", "FC111", "FC112"]
    assert all(r.check is None for r in STRUCTURE)
    assert [r.code for r in STRUCTURE if r.severity != Severity.ERROR] == ["FC107", "FC110", "FC111", "FC112"]
