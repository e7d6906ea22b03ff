"""`flowc flows` from the command line: answers, exit codes and the column of a bad filter."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flowc.compiler.cli import main

LINE = "{n}|10.10.10.1|server1|ge_0|{src}|10.0.0.1|{packets}|{bytes}|1765000800|1765000801|1234|{port}|27|6|0|0\n"


def write_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [LINE.format(n=i, src=f"192.0.2.{i % 4}", packets=i, bytes=1000 * (i % 4 + 1), port=(443, 80)[i % 2])
             for i in range(1, 41)]
    (folder / "cFlowd-a-0-20251206_000000-ge_0_1.bcp.bi.gz").write_bytes(gzip.compress("".join(lines).encode()))
    (folder / "notes.txt").write_text("".join(lines), "utf-8")  # not a flow file name: left out
    (folder / "translog_1.log").write_text("fn=x\n", "utf-8")
    return folder


def flowc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "flows", *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


def test_top_talkers_as_a_real_command(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "ftp")
    done = flowc(str(folder), "--top", "2", "--by", "srcip", "--order", "bytes", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["src", "flows", "packets", "bytes", "share"]
    assert lines[1].split()[:2] == ["192.0.2.3", "10"] and lines[2].split()[0] == "192.0.2.2"
    assert "Summary: 40 flows" in done.stdout and "in 1 file" in done.stdout
    assert done.stderr == ""  # no progress in a pipe, nothing damaged


def test_a_bad_filter_is_exit_2_with_its_column(tmp_path: Path) -> None:
    done = flowc(str(write_folder(tmp_path / "ftp")), "-f", "dst port 443 and proto tcpx", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "flowc: filter, column 24: expected tcp, udp, icmp or a protocol number, found 'tcpx'",
        "  dst port 443 and proto tcpx", "                         ^"]
    assert "Traceback" not in done.stderr


def test_csv_json_and_a_named_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_folder(tmp_path / "ftp")
    assert main(["flows", str(folder), "-f", "dst port 443", "--format", "json", "--top", "5"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert sum(i["flows"] for i in items) == 20 and all(set(i) == {"src", "flows", "packets", "bytes"} for i in items)
    assert main(["flows", str(folder / "notes.txt"), "--format", "csv"]) == 0  # named: read whatever its name
    assert len(capsys.readouterr().out.splitlines()) == 41
    out = tmp_path / "series.csv"
    assert main(["flows", str(folder), "--every", "1m", "--format", "csv", "-o", str(out)]) == 0
    assert out.read_text("utf-8").splitlines() == ["bucket,flows,packets,bytes", "1765000800,40,820,100000"]
    assert "1 row(s) written" in capsys.readouterr().err


def test_a_plot_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "top.png"
    assert main(["flows", str(write_folder(tmp_path / "ftp")), "--top", "3", "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("args", "words"), [
    (["--format", "parquet"], "give -o FILE.parquet"),
    (["--plot", "x.gif", "--top", "3"], "a .png or .svg file"),
    (["--plot", "x.png"], "--plot draws a time series"),
    (["--every", "5m", "--top", "3"], "does not combine"),
    (["--every", "5 minutes"], "expected a duration"),
    (["--by", "colour"], "not a field to group by"),
    (["--since", "yesterday"], "expected Unix seconds or a date"),
    (["-o", "x.csv"], "-o FILE goes with --format"),
])
def test_usage_mistakes_are_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                   words: str) -> None:
    assert main(["flows", str(write_folder(tmp_path / "ftp")), *args]) == 2
    assert words in capsys.readouterr().err


def test_a_missing_path_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", str(tmp_path / "nowhere")]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_damaged_lines_are_reported_once_and_the_rest_answered(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "f.gz"
    path.write_bytes(gzip.compress((LINE.format(n=1, src="192.0.2.1", packets=1, bytes=5, port=1) + "bad|line\n"
                                    ).encode()))
    assert main(["flows", str(path), "--top", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"flowc: 1 line skipped in {path}:2 (too few fields)\n"
    assert "Summary: 1 flows" in captured.out


def test_site_reads_the_spools_ready_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ready = tmp_path / "spool" / "cp-6_0_0" / "ready"
    ready.mkdir(parents=True)
    data = "".join(LINE.format(n=i, src="192.0.2.9", packets=2, bytes=10, port=443) for i in range(3))
    (ready / "flows-1.bcp.bi").write_bytes(gzip.compress(data.encode()))
    (ready / "flows-1.bcp.bi.meta.json").write_text('{"records": 3}', "utf-8")
    site = tmp_path / "site.yaml"
    site.write_text(f"spool: {tmp_path / 'spool'}\n", "utf-8")
    assert main(["flows", "--site", str(site), "--format", "csv", "--top", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "192.0.2.9,3,6,30"
