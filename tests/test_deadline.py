"""The per-test deadline (pytest-timeout, `timeout` in pyproject.toml): a test blocked on a
datagram that never comes fails, and the tests after it still run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LOST_DATAGRAM = '''
import socket


def test_waits_for_a_lost_datagram():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.recvfrom(2048)  # nobody sends


def test_after_it():
    assert True
'''


def test_the_suite_has_a_default_deadline(pytestconfig: pytest.Config) -> None:
    assert float(pytestconfig.getini("timeout")) > 0
    assert pytestconfig.getini("timeout_method") == "signal"


def test_a_lost_datagram_fails_its_test_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "test_lost.py").write_text(LOST_DATAGRAM, encoding="utf-8")
    # the project's own settings (-c), with the deadline cut to 2 s for this run
    result = subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir",
                             str(tmp_path), "-p", "no:cacheprovider", "-o", "timeout=2", "-rA", "test_lost.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=100)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Timeout (>2.0s)" in result.stdout
    outcomes = [line.split(" - ")[0] for line in result.stdout.splitlines() if line.startswith(("PASSED", "FAILED"))]
    assert outcomes == ["PASSED test_lost.py::test_after_it", "FAILED test_lost.py::test_waits_for_a_lost_datagram"]
