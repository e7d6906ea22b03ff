"""`flowc diff` never shows a clear secret, in any format (issue 10, item 7)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowc.compiler.diff.config import diff_statements
from flowc.compiler.diff.secrets import conceal
from flowc.compiler.fmt.sealing import sealed
from flowc.compiler.parse.loader import parse_text
from flowc.runtime.plan.secret import MASK

CASES = Path(__file__).parent / "diff_cases"
OLD, NEW = CASES / "secrets_old.conf", CASES / "secrets_new.conf"
CLEAR = ("hunter2", "hunter3", "s3cret-old", "s3cret-new", "ftp-old-pass", "ftp-new-pass",
         "bgp-key-old", "bgp-key-new", "urlpass")


def _diff(fmt: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "diff", str(OLD), str(NEW), "--format", fmt],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("fmt", ["text", "set", "json"])
def test_no_clear_secret_in_any_format(fmt: str) -> None:
    done = _diff(fmt)
    assert done.returncode == 1, done.stderr
    shown = done.stdout + done.stderr
    assert not [value for value in CLEAR if value in shown]
    assert sealed("ftp-new-pass") in shown  # a changed password still shows as changed, in $9$ form


def test_set_commands_carry_the_sealed_value_junos_loads() -> None:
    out = _diff("set").stdout
    assert f'authentication-key "{sealed("bgp-key-new")}"' in out
    assert f'set system root-authentication plain-text-password-value "{MASK}-' in out  # changed, masked


def test_an_unchanged_clear_password_is_no_difference() -> None:
    text = 'protocols { bgp { group g { authentication-key "same"; } } }\n'
    old = parse_text(text, "old.conf").statements
    new = parse_text(text.replace("group g {", "group g { description x;"), "new.conf").statements
    diff = diff_statements(old, new)
    assert [line.text for s in diff.sections for line in s.lines] == ["description x;"]


def test_a_url_password_is_masked_in_the_statements_a_diff_shows() -> None:
    statements = parse_text('services { flow-collector { destinations { "ftp://u:pa55@192.0.2.1/x"; } } }\n',
                            "u.conf").statements
    shown = conceal(statements)
    assert [w.text for w in shown[0].words][-1] == f"ftp://u:{MASK}@192.0.2.1/x"
    assert conceal(shown) == shown  # idempotent
