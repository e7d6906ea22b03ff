"""compiler.impact: lint findings that appear or disappear, and a side that does not compile."""
from __future__ import annotations

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.impact import impact, impact_json, impact_text
from flowc.compiler.source import Span


def finding(code: str, message: str, line: int, severity: Severity = Severity.WARNING) -> Diagnostic:
    return Diagnostic(code, severity, message, Span("r.conf", line, 5, line, 9))


def test_findings_pair_by_code_and_message_not_by_line() -> None:
    old = (finding("FC210", "plaintext password", 10), finding("FC220", "unused file specification", 20))
    new = (finding("FC210", "plaintext password", 12), finding("FC230", "name-format not unique", 30))
    result = impact(None, old, new)
    assert [d.code for d in result.appeared] == ["FC230"]
    assert [d.code for d in result.disappeared] == ["FC220"]


def test_repeated_findings_count() -> None:
    one = (finding("FC210", "plaintext password", 10),)
    two = one + (finding("FC210", "plaintext password", 11),)
    assert len(impact(None, one, two).appeared) == 1
    assert impact(None, two, two).appeared == ()


def test_new_side_that_does_not_compile_changes_nothing() -> None:
    error = finding("FC104", "retry 11 is out of range 0..10", 7, Severity.ERROR)
    result = impact(None, (), (error,))
    text = impact_text(result)
    assert "unknown: NEW does not compile (see the lint findings); a reload would change nothing" in text
    assert "  + r.conf:7:5: error FC104 retry 11 is out of range 0..10" in text
    data = impact_json(result)
    assert data["compiles"] == {"old": True, "new": False}
    assert data["collectors"] == [] and data["lint"]["appeared"][0]["line"] == 7
