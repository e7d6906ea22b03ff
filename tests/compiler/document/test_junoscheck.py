"""`lint --schema`: FC110-FC112 from Junos' own schema, at the word, off by default."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from flowc.compiler.document.junoscheck import schema_findings
from flowc.compiler.lint.check import check_text
from flowc.compiler.lint.settings import LintSettings, settings_from
from flowc.compiler.parse.loader import parse_text

BAD = """\
system {
    services {
        ssh {
            root-login allwo;
        }
    }
}
protocols {
    ospf {
        area 0.0.0.0 {
            interface lo0.0 {
                pasive;
            }
        }
    }
}
snmp {
    location "rack 4";
}
"""


def found(text: str) -> list[tuple[str, int, int, str]]:
    return sorted((d.code, d.span.line, d.span.column, d.hint or "")
                  for d in schema_findings(parse_text(text, "s.conf").statements))


def test_typos_and_bad_words_are_found_at_the_word() -> None:
    assert found(BAD) == [("FC110", 12, 17, "did you mean `passive`?"),
                          ("FC111", 4, 24, "did you mean `allow`?")]


def test_a_value_outside_its_pattern_is_fc112() -> None:
    ((code, line, column, hint),) = found("system { host-name \"router one\"; }\n")
    assert (code, line, column) == ("FC112", 1, 20) and "must match" in hint


def test_what_is_not_a_typo_is_not_reported() -> None:
    text = """\
security { zones { security-zone trust { interfaces { ge-0/0/0.0; } } } }
vlans { v10 { vlan-id 10; } }
interfaces { ge-0/0/1 { unit 0 { family ethernet-switching { vlan { members [ v10 20 all ]; } } } } }
groups { g { interfaces { <*> { mtu 9000; } } } }
"""
    assert found(text) == []


def test_the_set_form_is_checked_the_same() -> None:
    text = "set protocols ospf area 0.0.0.0 interface lo0.0 pasive\nset system services ssh root-login allwo\n"
    assert [(c, line, col) for c, line, col, _ in found(text)] == [("FC110", 1, 49), ("FC111", 2, 36)]


def test_lint_reports_them_only_when_asked() -> None:
    assert not [d for d in check_text(BAD, "b.conf").diagnostics if d.code.startswith("FC11")]
    asked = replace(LintSettings(), junos_schema=True)
    codes = sorted(d.code for d in check_text(BAD, "b.conf", asked).diagnostics)
    assert codes == ["FC110", "FC111"]
    assert settings_from({"schema": True}).junos_schema


def test_flowc_own_schema_is_not_repeated() -> None:
    text = 'system { host-name "router one"; }\n'  # FC102 of flowc's own schema and FC112 alike
    asked = replace(LintSettings(), junos_schema=True)
    found = check_text(text, "f.conf", asked).diagnostics
    own = {d.span for d in found if d.code == "FC102"}
    assert own and not [d for d in found if d.code.startswith("FC11") and d.span in own]


def test_the_command_line_flag(tmp_path: Path) -> None:
    config = tmp_path / "bad.conf"
    config.write_text(BAD, encoding="utf-8")
    run = [sys.executable, "-m", "flowc.compiler.cli", "lint", str(config), "--fail-on", "warning"]
    plain = subprocess.run(run, capture_output=True, text=True, check=False)
    schema = subprocess.run([*run, "--schema"], capture_output=True, text=True, check=False)
    assert plain.returncode == 0 and "FC11" not in plain.stdout
    assert schema.returncode == 1, schema.stderr
    assert f"{config}:12:17: warning FC110 unknown statement pasive" in schema.stdout
