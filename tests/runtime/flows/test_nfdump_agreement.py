"""flowc flows and nfdump agree on the same datagrams (the benchmark's setup, small)."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(shutil.which("nfcapd") is None or shutil.which("nfdump") is None,
                                reason="nfdump is not installed (Debian package nfdump)")


def bench_flows() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_flows", ROOT / "bench" / "flows.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_same_top_talkers_and_byte_totals(tmp_path: Path) -> None:
    bench = bench_flows()
    packets, records = bench.pool(), 30_000
    assert bench.write_flowc_files(tmp_path / "flowc", packets, records) == records
    assert bench.send_to_nfcapd(tmp_path / "nfcapd", packets, records, 100_000) == records
    for filtered in (False, True):
        ours = subprocess.run(bench.flowc_top(tmp_path / "flowc", filtered=filtered), capture_output=True,
                              text=True, check=True, cwd=tmp_path).stdout
        theirs = subprocess.run(bench.nfdump_top(tmp_path / "nfcapd", filtered=filtered), capture_output=True,
                                text=True, check=True).stdout
        top = bench.parse_flowc(ours)
        assert len(top.rows) == 10
        assert top == bench.parse_nfdump(theirs)
