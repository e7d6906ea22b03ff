"""Renderers: text (snapshot), json, SARIF 2.1.0 (every field GitHub code scanning reads),
GitHub annotations, JUnit; and no secret in clear in any of them."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from flowc.compiler.lint.check import check_files, check_text
from flowc.compiler.lint.report import FORMATS, MASK, Redactor, render, summary

ROOT = Path(__file__).resolve().parents[3]
INVALID = "examples/invalid/router.conf"
PLAINTEXT = ("hunter2-primary", "hunter2-secondary")


@pytest.fixture(scope="module")
def invalid(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    import os

    old = os.getcwd()
    os.chdir(ROOT)
    try:
        yield check_files([INVALID, "examples/single/router.set"])
    finally:
        os.chdir(old)


def test_text_snapshot(invalid, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert render(invalid, "text") == snapshot


def test_text_block_has_caret_under_the_word_and_hint() -> None:
    text = render(check_text("services {\n    flow-collector {\n        retry 11;\n    }\n}\n", "r.conf"), "text")
    assert "r.conf:3:15: error FC103 retry 11 is out of range 0..10 [value.range]\n" \
           " 3 |         retry 11;\n   |               ^^\n  hint: use a value from 0 to 10\n" in text
    assert text.endswith("3 errors, 1 warning in 1 file\n")


def test_summary_wording() -> None:
    assert summary(check_text("system { host-name a; }")) == "no problems in 1 file"


def test_json_fields(invalid) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(render(invalid, "json"))
    assert document["files"] == [INVALID, "examples/single/router.set"]
    first = document["diagnostics"][0]
    assert set(first) == {"code", "name", "severity", "message", "hint", "file", "line", "column",
                          "end_line", "end_column", "related"}
    assert document["summary"]["error"] == sum(1 for d in invalid.diagnostics if str(d.severity) == "error")


LEVELS = {"none", "note", "warning", "error"}


def test_sarif_has_every_field_code_scanning_reads(invalid) -> None:  # type: ignore[no-untyped-def]
    sarif = json.loads(render(invalid, "sarif"))
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "flowc" and driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids)) and {"FC001", "FC101", "FC201", "FC290"} <= set(ids)
    for rule in driver["rules"]:
        assert re.fullmatch(r"FC\d{3}", rule["id"]) and rule["name"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in LEVELS
    assert "Bad" in driver["rules"][ids.index("FC201")]["help"]["markdown"]
    assert len(run["results"]) == len(invalid.diagnostics)
    for result in run["results"]:
        assert result["ruleId"] in ids and ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in LEVELS and result["message"]["text"]
        (location,) = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == INVALID  # relative, forward slashes, as in the repository
        region = location["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert region["endLine"] >= region["startLine"]
        assert region["endLine"] > region["startLine"] or region["endColumn"] > region["startColumn"]
        assert all(isinstance(v, str) for v in result["partialFingerprints"].values())


def test_sarif_regions_match_the_diagnostics(invalid) -> None:  # type: ignore[no-untyped-def]
    sarif = json.loads(render(invalid, "sarif"))
    for result, d in zip(sarif["runs"][0]["results"], invalid.diagnostics):
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (result["ruleId"], region["startLine"], region["startColumn"], region["endColumn"]) \
            == (d.code, d.span.line, d.span.column, d.span.end_column)


ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+(,endColumn=\d+)?,"
                        r"title=FC\d{3} [a-z0-9.-]+::[^\n\r]+$")


def test_github_annotations(invalid) -> None:  # type: ignore[no-untyped-def]
    lines = render(invalid, "github").splitlines()
    assert len(lines) == len(invalid.diagnostics)
    assert all(ANNOTATION.match(line) for line in lines), [ln for ln in lines if not ANNOTATION.match(ln)]
    assert any("%0Ahint: " in line for line in lines)
    assert any("add %25N (generation number)" in line for line in lines)  # `%` escaped as %25
    unsafe = [ln for ln in lines if "FC252" in ln]
    assert unsafe and "%0A" in unsafe[0]


def test_junit_is_parseable_with_a_case_per_file(invalid) -> None:  # type: ignore[no-untyped-def]
    root = ET.fromstring(render(invalid, "junit"))
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [INVALID, "examples/single/router.set"]
    assert cases[0].find("failure") is not None and cases[1].find("failure") is None
    assert root.get("failures") == "1" and root.get("tests") == "2"


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_plaintext_password_in_any_format(invalid, fmt: str) -> None:  # type: ignore[no-untyped-def]
    out = render(invalid, fmt)
    assert not [p for p in PLAINTEXT if p in out]
    if fmt == "text":
        assert f'password "{MASK}"' in out


def test_encrypted_passwords_are_shown_as_written() -> None:
    result = check_text('set services flow-collector destinations "ftp://u@192.0.2.1/" password "$9$ReqcyKY2aHq"\n',
                        "p.set")
    assert "$9$ReqcyKY2aHq" in render(result, "text")


def test_redactor_masks_plain_secrets_in_lines() -> None:
    redact = Redactor(frozenset({"s3cret"}))
    assert redact.line('  password "s3cret";') == f'  password "{MASK}";'
    assert redact.line('password "$9$ReqcyKY2aHqf";') == 'password "$9$ReqcyKY2aHqf";'
    assert redact.line("set snmp community x authentication-key abc") == \
        f'set snmp community x authentication-key "{MASK}"'
    assert redact.text("the s3cret word") == f"the {MASK} word"


def test_cli_never_prints_the_plaintext_passwords(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "flowc.compiler.cli", "lint", "--isolated", INVALID]
    for fmt in FORMATS:
        args += ["--format", fmt]
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert not [p for p in PLAINTEXT if p in run.stdout + run.stderr]


def test_a_password_set_twice_is_not_shown_in_the_conflict_message() -> None:
    text = ('set services flow-collector destinations "ftp://u@192.0.2.1/" password first-secret\n'
            'set services flow-collector destinations "ftp://u@192.0.2.1/" password second-secret\n')
    result = check_text(text, "twice.set")
    assert "FC107" in {d.code for d in result.diagnostics}
    for fmt in FORMATS:
        out = render(result, fmt)
        assert "first-secret" not in out and "second-secret" not in out, fmt


def test_syntax_errors_are_reported_in_every_format_with_their_rule() -> None:
    result = check_text("services {\n    flow-collector {\n        retry 3\n    }\n", "broken.conf")
    codes = {d.code for d in result.diagnostics}
    assert codes and all(code.startswith("FC0") for code in codes), codes
    sarif = json.loads(render(result, "sarif"))
    ids = [rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    for item in sarif["runs"][0]["results"]:
        assert ids[item["ruleIndex"]] == item["ruleId"]
    heads = [line for line in render(result, "text").splitlines() if line.startswith("broken.conf:")]
    assert len(heads) == len(result.diagnostics)
    failure = ET.fromstring(render(result, "junit")).find("./testsuite/testcase/failure")
    assert failure is not None and failure.get("type") in codes
    assert all(str(d) in (failure.text or "") for d in result.diagnostics), failure.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_url_password_in_any_format(fmt: str) -> None:
    text = ('set services flow-collector destinations "ftp://u:url-secret@192.0.2.1/" password "$9$ReqcyKY2aHqf"\n'
            'set services flow-collector destinations "sftp://u:url-secret2@192.0.2.2/" password "$9$ReqcyKY2aHqf"\n')
    out = render(check_text(text, "url.set"), fmt)
    assert "FC267" in out and "FC260" in out  # the second URL is also not ftp://, its message names it
    assert "url-secret" not in out and f":{MASK}@192.0.2.1" in out
