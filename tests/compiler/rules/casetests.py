"""The two tests every family module runs on its rule cases (`RULE_CASES`): imported by name
there, so pytest collects them in that module and `conftest.py` gives them its cases."""
from __future__ import annotations

import pytest

FORMS = ("brace", "set")


@pytest.mark.parametrize("form", FORMS)
def test_fails(case, form: str) -> None:  # type: ignore[no-untyped-def]
    assert case.found(case.fail, form) == case.expected(form)


@pytest.mark.parametrize("form", FORMS)
def test_passes(case, form: str) -> None:  # type: ignore[no-untyped-def]
    assert case.found(case.passing, form) == []
