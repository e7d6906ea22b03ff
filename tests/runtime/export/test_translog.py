"""The transfer log and its archive lifecycle, driven by a ManualClock."""
from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowc.runtime.clock import ManualClock
from flowc.runtime.export.ftp import FtplibTransport
from flowc.runtime.export.translog import ArchiveSetup, TransferRecord, Translog
from flowc.runtime.plan.model import FtpTarget, TransferLog

LOG = logging.getLogger("flowc.test.translog")
START = 1_700_000_000.0          # 2023-11-14 22:13:20 UTC


def record(name: str = "cFlowd-py69Ni69-0-20040227_230438-at_4_0_0_4_3.bcp.bi.gz", ok: bool = True,
           code: int = 250, error: str = "") -> TransferRecord:
    return TransferRecord(name, 552569, 20000, 1077923335.0, ok, "ftp://10.63.152.1/tmp/server1/",
                          code, error, 3280)


def make(tmp_path: Path, sites: tuple[FtpTarget, ...] = (), maximum_age: int = 120) -> tuple[Translog, ManualClock]:
    clock = ManualClock(START)
    directory = tmp_path / "translog"
    (directory / "failed").mkdir(parents=True)
    settings = TransferLog(filename_prefix="flowc", maximum_age=maximum_age, archive_sites=sites)
    return Translog(ArchiveSetup(settings, "router1"), directory, clock, FtplibTransport(timeout=5), LOG), clock


def names(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def test_line_format_is_the_seeds():
    assert record().line() == (
        'fn="cFlowd-py69Ni69-0-20040227_230438-at_4_0_0_4_3.bcp.bi.gz":sz=552569:nr=20000'
        ':ts="20040227230855":sf=1:ul="ftp://10.63.152.1/tmp/server1/":rc=250:er="":tt=3280')


def test_failure_line_carries_code_and_error_text_without_breaking_the_format():
    line = record(ok=False, code=530, error='Login "refused"\nnow').line()
    assert ':sf=0:' in line and ':rc=530:er="Login \'refused\' now":tt=3280' in line


@given(st.text(), st.text())
def test_any_file_name_or_error_text_stays_on_one_line_inside_its_quotes(name, error):
    line = record(name=name, ok=False, code=0, error=error).line()
    assert "\n" not in line and "\r" not in line
    assert line.count('"') == 8 and line.endswith(":tt=3280")


def test_lines_go_to_a_tmp_file_named_after_host_prefix_and_time(tmp_path):
    log, clock = make(tmp_path)
    log.write(record())
    clock.advance(60)
    log.write(record(ok=False, code=0, error="connection refused"))
    assert names(log.directory) == ["router1_flowc_20231114_221320.tmp"]
    lines = (log.directory / "router1_flowc_20231114_221320.tmp").read_text().splitlines()
    assert len(lines) == 2 and ":sf=0:" in lines[1]


def test_tmp_becomes_log_then_gz_at_maximum_age(tmp_path):
    log, clock = make(tmp_path, maximum_age=120)
    log.write(record())
    clock.advance(120 * 60 - 1)
    log.tick()
    assert names(log.directory) == ["router1_flowc_20231114_221320.tmp"]
    clock.advance(1)
    log.tick()
    assert names(log.directory) == ["router1_flowc_20231114_221320.log.gz"]   # no sites: it stays
    text = gzip.decompress((log.directory / "router1_flowc_20231114_221320.log.gz").read_bytes())
    assert text.decode() == record().line() + "\n"


def test_a_write_after_maximum_age_opens_a_new_tmp(tmp_path):
    log, clock = make(tmp_path, maximum_age=1)
    log.write(record())
    clock.advance(61)
    log.write(record())
    assert names(log.directory) == ["router1_flowc_20231114_221320.tmp",
                                    "router1_flowc_20231114_221421.tmp"]
    log.tick()
    assert names(log.directory) == ["router1_flowc_20231114_221320.log.gz",
                                    "router1_flowc_20231114_221421.tmp"]


def test_a_tmp_named_in_the_future_is_closed_and_archived_not_kept_open(ftp_server, tmp_path):
    """The clock was ahead once (issue 18, item 9): a negative age counts as expired."""
    server = ftp_server()
    log, _clock = make(tmp_path, sites=(server.target(),))
    future = log.directory / "router1_flowc_20991231_235959.tmp"
    future.write_text(record(name="from-the-future").line() + "\n")
    log.write(record())                                  # never appended to the future file
    assert future.read_text().count("\n") == 1
    log.tick()
    assert sorted(p.name for p in server.home.iterdir()) == ["router1_flowc_20991231_235959.log.gz"]
    assert names(log.directory) == ["router1_flowc_20231114_221320.tmp"]
    archived = gzip.decompress((server.home / "router1_flowc_20991231_235959.log.gz").read_bytes()).decode()
    assert archived == record(name="from-the-future").line() + "\n"


def test_a_deleted_translog_directory_is_made_again_on_the_next_line(tmp_path):
    import shutil

    log, _clock = make(tmp_path)
    shutil.rmtree(log.directory)                         # rm -rf spool/cp-6_0_0
    assert log.write(record())
    assert names(log.directory) == ["router1_flowc_20231114_221320.tmp"]
    assert (log.directory.stat().st_mode & 0o777) == 0o700


def test_archive_sites_are_tried_in_order_until_one_accepts(ftp_server, dead_endpoint, tmp_path):
    refusing, accepting, unused = ftp_server(), ftp_server(), ftp_server()
    refusing.refuse_login = True
    dead = FtpTarget("ftp://127.0.0.1/", dead_endpoint, "u", "p", "/")
    log, clock = make(tmp_path, sites=(dead, refusing.target(), accepting.target("/logs/"),
                                       unused.target()))
    (accepting.home / "logs").mkdir()
    log.write(record())
    clock.advance(120 * 60)
    log.tick()
    assert names(log.directory) == []
    sent = accepting.home / "logs" / "router1_flowc_20231114_221320.log.gz"
    assert gzip.decompress(sent.read_bytes()).decode() == record().line() + "\n"
    assert names(refusing.home) == [] and names(unused.home) == [] and unused.logins == 0


def test_no_site_accepting_moves_the_log_to_failed_and_retries_every_30_minutes(ftp_server, tmp_path):
    site = ftp_server()
    site.refuse_login = True
    log, clock = make(tmp_path, sites=(site.target(),))
    log.write(record())
    clock.advance(120 * 60)
    log.tick()
    assert names(log.directory) == ["failed/router1_flowc_20231114_221320.log.gz"]
    assert site.logins == 1
    site.refuse_login = False
    clock.advance(1799)
    log.tick()
    assert site.logins == 1 and names(site.home) == []
    clock.advance(1)
    log.tick()
    assert site.logins == 2
    assert names(log.directory) == [] and names(site.home) == ["router1_flowc_20231114_221320.log.gz"]
    assert log.failed_due is None


def test_failed_logs_keep_waiting_another_30_minutes_when_the_retry_fails(ftp_server, tmp_path):
    site = ftp_server()
    site.refuse_login = True
    log, clock = make(tmp_path, sites=(site.target(),))
    log.write(record())
    clock.advance(120 * 60)
    log.tick()
    clock.advance(1800)
    log.tick()
    assert site.logins == 2 and log.failed_due == pytest.approx(clock.time() + 1800)
    clock.advance(1000)
    log.tick()
    assert site.logins == 2


def test_failed_logs_left_by_a_previous_run_are_retried_at_once(ftp_server, tmp_path):
    site = ftp_server()
    log, _ = make(tmp_path, sites=(site.target(),))
    (log.directory / "failed" / "router1_flowc_20231114_201320.log.gz").write_bytes(gzip.compress(b"x\n"))
    log.tick()
    assert names(site.home) == ["router1_flowc_20231114_201320.log.gz"]
    assert names(log.directory) == []


def test_purge_deletes_everything_not_yet_archived(tmp_path):
    log, _ = make(tmp_path)
    for name in ("a_flowc_20231114_201320.tmp", "a_flowc_20231114_181320.log",
                 "a_flowc_20231114_161320.log.gz", "failed/a_flowc_20231114_141320.log.gz"):
        (log.directory / name).write_text("x")
    assert log.purge() == 4
    assert names(log.directory) == []


def test_dotted_host_names_keep_their_time_stamp(tmp_path):
    log, clock = make(tmp_path, maximum_age=1)
    log.host_name = "router1.example.net"
    log.write(record())
    clock.advance(59)
    log.tick()
    assert names(log.directory) == ["router1.example.net_flowc_20231114_221320.tmp"]
    clock.advance(1)
    log.tick()
    assert names(log.directory) == ["router1.example.net_flowc_20231114_221320.log.gz"]
