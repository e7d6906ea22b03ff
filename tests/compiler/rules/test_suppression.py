"""The lint's own codes on inline suppressions (FC290, FC291): their YAML cases."""
from __future__ import annotations

from flowc.compiler.lint.check import check_text

from .casetests import test_fails, test_passes  # noqa: F401 (collected here, with this module's cases)

RULE_CASES = ("suppression",)


def test_a_used_suppression_silences_its_code_and_is_not_reported() -> None:
    text = 'services { flow-collector {\n/* flowc: ignore FC263 */\ndestinations { "ftp://u@h/f/" { password "plain"; } }\n} }\n'
    codes = {d.code for d in check_text(text, "s.conf").diagnostics}
    assert "FC263" not in codes and "FC290" not in codes
    unsuppressed = text.replace("/* flowc: ignore FC263 */\n", "")
    assert "FC263" in {d.code for d in check_text(unsuppressed, "s.conf").diagnostics}
