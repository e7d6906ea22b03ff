"""`flowc demo`, the README's first command, end to end on loopback."""
from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_demo_runs_the_whole_job(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "flowc.compiler.cli", "demo", "--config",
         str(ROOT / "examples/router1/router.conf"), "--workdir", str(work), "--seconds", "3"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "no problems in 1 file" in out
    assert "Flow collector interface: cp-6/0/0" in out and "Flow collector interface: cp-7/0/0" in out
    assert "Export channel: 1" in out and "Traceback" not in done.stderr
    delivered = sorted((work / "ftp").rglob("*.bcp.bi.gz"))
    assert delivered, out
    lines = gzip.decompress(delivered[0].read_bytes()).decode().splitlines()
    assert len(lines) == 50000  # record-level of the example
    assert all(len(line.split("|")) == 16 for line in lines[:100])
    assert ':sf=1:' in out and 'rc=250' in out
    assert "engine stopped" in out
    scraped = [line.split() for line in out.splitlines() if line.startswith("   flowc_input_packets_total{")]
    assert scraped and float(scraped[0][-1]) > 0  # the metrics listener answered with real counts
    assert "GET /healthz: 200 ok" in out and "GET /readyz: 200 ok" in out
    top = out.split("--top 5 --by srcip --order bytes\n")[1].splitlines()  # the talkers, from `flowc flows`
    assert top[0].split() == ["src", "flows", "packets", "bytes", "share"] and top[6].startswith("Summary: ")
    assert (work / "flows.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert work.stat().st_mode & 0o077 == 0  # flow records, plan and logs: the owner's only
    assert (work / "plan.json").stat().st_mode & 0o077 == 0
