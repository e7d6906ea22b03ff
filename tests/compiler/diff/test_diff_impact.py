"""compiler.impact: lint findings that appear or disappear, and a side that does not compile."""
from __future__ import annotations

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.diff.impact import impact, impact_json, impact_text
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


def test_collector_reasons_are_spelt_out() -> None:
    import dataclasses
    from pathlib import Path

    from flowc.runtime.plan.delta import delta
    from flowc.runtime.plan.model import Channel, Input, loads_plan

    plan = loads_plan((Path(__file__).parent / "diff_cases" / "seed_plan.json").read_text())
    cp6 = plan.collectors[0]
    changed = dataclasses.replace(
        cp6, channels=(Channel(0, dscp=46, rate_bps=1000000), Channel(1)),
        inputs=cp6.inputs[:1] + (Input("mo-9/0/0.0", "x", "1"),), receive_address="10.0.0.9")
    new = dataclasses.replace(plan, collectors=(changed, plan.collectors[1]))
    text = impact_text(impact(delta(plan, new), (), (), linted=False))
    assert text.splitlines()[1:7] == [
        "  cp-6/0/0: restarts",
        "    input mo-9/0/0.0: added",
        "    input mo-7/2/0.0: removed",
        "    receive-address: (none) -> 10.0.0.9",
        "    export channel 0: dscp 0 -> 46, rate-bps (none) -> 1000000",
        "  cp-7/0/0: unchanged",
    ]
