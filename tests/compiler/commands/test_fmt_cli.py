"""`flowc fmt` through a real subprocess: output, --to set, --check, exit codes, errors."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROUTER1 = Path(__file__).parents[3] / "examples" / "router1"


def flowc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_brace_file_prints_canonical_text() -> None:
    result = flowc("fmt", str(ROUTER1 / "router.conf"))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (ROUTER1 / "router.conf").read_text(encoding="utf-8")


def test_to_set_prints_the_set_twin() -> None:
    result = flowc("fmt", "--to", "set", str(ROUTER1 / "router.conf"))
    assert result.returncode == 0
    assert result.stdout == (ROUTER1 / "router.set").read_text(encoding="utf-8")


def test_check_passes_on_canonical_files_and_names_the_others(tmp_path: Path) -> None:
    messy = tmp_path / "messy.conf"
    messy.write_text("system { host-name r1; }\n")
    assert flowc("fmt", "--check", str(ROUTER1 / "router.conf")).returncode == 0
    assert flowc("fmt", "--check", "--to", "set", str(ROUTER1 / "router.set")).returncode == 0
    result = flowc("fmt", "--check", str(ROUTER1 / "router.conf"), str(messy))
    assert (result.returncode, result.stdout) == (1, f"{messy}\n")
    assert messy.read_text() == "system { host-name r1; }\n"  # --check never writes


def test_several_files_get_a_header_each(tmp_path: Path) -> None:
    one, two = tmp_path / "one.conf", tmp_path / "two.set"
    one.write_text("system { host-name r1; }\n")
    two.write_text("set system host-name r2\n")
    result = flowc("fmt", str(one), str(two))
    assert result.returncode == 0
    assert result.stdout == (f"# {one}\nsystem {{\n    host-name r1;\n}}\n\n"
                             f"# {two}\nsystem {{\n    host-name r2;\n}}\n")


def test_syntax_errors_exit_1_with_location_source_line_and_caret(tmp_path: Path) -> None:
    bad = tmp_path / "bad.conf"
    bad.write_text("system {\n    host-name r1 [ a ] ntp;\n")
    result = flowc("fmt", str(bad))
    assert result.returncode == 1 and result.stdout == ""
    assert f"{bad}:2:24: error FC002 missing `;` after `]`\n        host-name r1 [ a ] ntp;\n" \
           f"                           ^\n" in result.stderr
    assert f"{bad}:1:8: error FC004 unclosed `{{` opened at line 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_and_bad_usage_exit_2(tmp_path: Path) -> None:
    missing = flowc("fmt", str(tmp_path / "nope.conf"))
    assert missing.returncode == 2 and "nope.conf" in missing.stderr and "Traceback" not in missing.stderr
    assert flowc("fmt").returncode == 2
    assert flowc("fmt", "--to", "xml", str(ROUTER1 / "router.conf")).returncode == 2


def test_binary_garbage_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    junk = tmp_path / "junk.conf"
    junk.write_bytes(b"\xff\xfe\x00{{{\"\x00\n]]]")
    result = flowc("fmt", str(junk))
    assert result.returncode == 1 and "Traceback" not in result.stderr and "FC0" in result.stderr


def test_cli_start_up_does_not_need_the_lint_pipeline() -> None:
    # commands/lint.py spells out report.FORMATS so that `flowc fmt` starts fast
    from flowc.compiler.commands import lint
    from flowc.compiler.lint import report

    assert lint.FORMATS == report.FORMATS
    code = "import sys, flowc.compiler.cli as c; c.build_parser(); print('flowc.compiler.lint.check' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == "False"


def test_dash_reads_standard_input() -> None:
    result = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "fmt", "--to", "set", "-"],
                            input="system { host-name r1; }\n", capture_output=True, text=True, timeout=60,
                            check=False)
    assert (result.returncode, result.stdout) == (0, "set system host-name r1\n")
