"""The pipeline: stages stop where asked, one result per file, findings per stage, errors."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pytest

from flowc.compiler.diagnostics import Diagnostic, UsageError
from flowc.compiler.parse.statements import Statement
from flowc.compiler.pipeline import Options, Stage, apply_file_groups, run_paths, run_source, run_texts
from flowc.compiler.source import Source

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CLEAN = EXAMPLES / "single" / "router.conf"

# one finding per stage: an unknown group (FC013), an unknown statement under a validated
# hierarchy (FC1xx), a rule's (FC2xx); no syntax error, so the rules run
LAYERED = """apply-groups missing;
services {
    flow-collector {
        retry 1;
        no-such-statement 3;
    }
}
"""


def codes(diagnostics: Sequence[Diagnostic]) -> set[str]:
    return {d.code for d in diagnostics}


@pytest.mark.parametrize("stage", list(Stage))
def test_a_run_stops_at_the_stage_asked_for(stage: Stage) -> None:
    (result,) = run_paths([CLEAN], Options(upto=stage)).files
    assert result.reached == stage
    assert (result.grouped is not None) == (stage >= Stage.GROUPS)
    assert (result.document is not None) == (stage >= Stage.DOCUMENT)
    assert (result.ir is not None) == (stage >= Stage.IR)
    assert (result.plan is not None) == (stage >= Stage.PLAN)


def test_each_stage_adds_its_own_findings() -> None:
    found = {stage: codes(run_texts([("l.conf", LAYERED)], Options(upto=stage)).diagnostics) for stage in Stage}
    assert found[Stage.STATEMENTS] == set()
    assert found[Stage.GROUPS] == {"FC013"}
    assert "FC013" in found[Stage.DOCUMENT] and any(c.startswith("FC1") for c in found[Stage.DOCUMENT])
    assert found[Stage.IR] == found[Stage.DOCUMENT]
    assert found[Stage.DOCUMENT] < found[Stage.FINDINGS]
    assert any(c.startswith("FC2") for c in found[Stage.FINDINGS] - found[Stage.IR])


def test_a_file_with_errors_gets_no_plan_and_lowering_does_not_run() -> None:
    (result,) = run_texts([("l.conf", LAYERED)], Options(upto=Stage.PLAN)).files
    assert result.reached == Stage.PLAN and result.errors()
    assert result.plan is None and not any(c.startswith("FC3") for c in codes(result.diagnostics))


def test_lowering_findings_come_at_the_plan_stage_only() -> None:
    text = "system { host-name lonely; }\n"
    assert codes(run_texts([("h.conf", text)], Options(upto=Stage.FINDINGS)).diagnostics) == set()
    (result,) = run_texts([("h.conf", text)], Options(upto=Stage.PLAN)).files
    assert result.plan is None and codes(result.diagnostics) == {"FC301"}


def test_syntax_errors_keep_the_rules_from_guessing() -> None:
    broken = "services {\n    flow-collector {\n        retry 1;\n"  # retry 1 alone would trip a rule
    whole = codes(run_texts([("b.conf", broken + "    }\n}\n")]).diagnostics)
    found = codes(run_texts([("b.conf", broken)]).diagnostics)
    assert any(c.startswith("FC2") for c in whole)
    assert "FC004" in found and not any(c.startswith("FC2") for c in found)


def test_many_files_give_one_result_each_in_order_and_one_sorted_aggregate() -> None:
    paths = [CLEAN, EXAMPLES / "invalid" / "router.conf", EXAMPLES / "groups" / "router.set"]
    run = run_paths(paths, Options(upto=Stage.PLAN))
    assert [f.name for f in run.files] == [str(p) for p in paths]
    assert sorted(run.diagnostics, key=lambda d: (d.span.file, d.span.line, d.span.column, d.code)) == \
        list(run.diagnostics)
    assert set(run.diagnostics) == {d for f in run.files for d in f.diagnostics}
    assert [f.plan is not None for f in run.files] == [True, False, True]
    assert run.errors() == run.files[1].errors() and run.files[1].errors()


def test_a_plan_from_a_file_records_its_hash_one_from_text_does_not() -> None:
    (from_file,) = run_paths([CLEAN], Options(upto=Stage.PLAN)).files
    assert from_file.plan is not None
    assert [s.sha256 for s in from_file.plan.sources] == [hashlib.sha256(CLEAN.read_bytes()).hexdigest()]
    (from_text,) = run_texts([("r.conf", CLEAN.read_text("utf-8"))], Options(upto=Stage.PLAN)).files
    assert from_text.plan is not None and from_text.plan.sources == ()


def test_the_settle_step_decides_what_stops_the_plan() -> None:
    def drop_all(found: Sequence[Diagnostic], statements: tuple[Statement, ...], file: str) -> tuple[Diagnostic, ...]:
        assert file == "r.conf" and statements  # the effective statements, for suppressions
        return ()

    text = CLEAN.read_text("utf-8").replace("retry", "retry 99; #", 1)
    strict = run_texts([("r.conf", text)], Options(upto=Stage.PLAN)).files[0]
    lenient = run_texts([("r.conf", text)], Options(upto=Stage.PLAN, settle=drop_all)).files[0]
    assert strict.errors() and strict.plan is None
    assert lenient.diagnostics == () and lenient.plan is not None


def test_an_unreadable_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"nope\.conf"):
        run_paths([tmp_path / "nope.conf"])
    with pytest.raises(UsageError, match="cannot read"):
        run_paths([tmp_path])


def test_groups_are_applied_with_the_schema_knowledge_of_single_values() -> None:
    text = ("groups { g { services { flow-collector { retry 5; analyzer-id g; } } } }\n"
            "apply-groups g;\nservices { flow-collector { retry 2; } }\n")
    (result,) = run_texts([("g.conf", text)], Options(upto=Stage.GROUPS)).files
    shown = [str(s) for s in result.effective]
    assert "services flow-collector retry 2" in shown and "services flow-collector retry 5" not in shown
    assert "services flow-collector analyzer-id g" in shown
    assert apply_file_groups(result.parsed.statements) == result.grouped


def test_blocks_written_twice_stay_apart_when_asked() -> None:
    text = "system { host-name a; }\ninterfaces { lo0; }\nsystem { domain-name b; }\n"
    merged = run_source(Source("m.conf", text), Options(upto=Stage.STATEMENTS)).parsed.statements
    apart = run_source(Source("m.conf", text), Options(upto=Stage.STATEMENTS, merged=False)).parsed.statements
    assert [s.words[0].text for s in merged] == ["system", "system", "interfaces"]
    assert [s.words[0].text for s in apart] == ["system", "interfaces", "system"]
