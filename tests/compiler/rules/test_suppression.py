"""The lint's own codes on inline suppressions (FC290, FC291): their YAML cases."""
from __future__ import annotations

import pytest

from flowc.compiler.lint.check import check_text

RULE_CASES = ("suppression",)
FORMS = ("brace", "set")


@pytest.mark.parametrize("form", FORMS)
def test_fails(case, form: str) -> None:  # type: ignore[no-untyped-def]
    assert case.found(case.fail, form) == case.expected(form)


@pytest.mark.parametrize("form", FORMS)
def test_passes(case, form: str) -> None:  # type: ignore[no-untyped-def]
    assert case.found(case.passing, form) == []


def test_a_used_suppression_silences_its_code_and_is_not_reported() -> None:
    text = 'services { flow-collector {\n/* flowc: ignore FC263 */\ndestinations { "ftp://u@h/f/" { password "plain"; } }\n} }\n'
    codes = {d.code for d in check_text(text, "s.conf").diagnostics}
    assert "FC263" not in codes and "FC290" not in codes
    unsuppressed = text.replace("/* flowc: ignore FC263 */\n", "")
    assert "FC263" in {d.code for d in check_text(unsuppressed, "s.conf").diagnostics}
