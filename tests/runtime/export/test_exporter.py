"""The exporter: real files in a real spool, uploaded to real pyftpdlib servers."""
from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from flowc.runtime.clock import ManualClock
from flowc.runtime.export.exporter import Exporter
from flowc.runtime.export.failure import FtpAborted
from flowc.runtime.export.ftp import FtplibTransport, UploadRequest, UploadResult
from flowc.runtime.export.requests import change_destination
from flowc.runtime.export.requests import test_file_transfer as request_test_file
from flowc.runtime.files.spool import ClosedFile, SpoolDirs
from flowc.runtime.plan.model import Channel, Collector, Destination, Endpoint, FtpTarget, Plan

LOG = logging.getLogger("flowc.test.exporter")


class Counts:
    """A CounterSink that remembers."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()
        self.lock = threading.Lock()

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.values[name] += n


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


def make_plan(tmp_path: Path, targets: list[FtpTarget], retry: int = 0, retry_delay: int = 0,
              channels: tuple[Channel, ...] = (Channel(0), Channel(1))) -> Plan:
    roles = ("primary", "secondary")
    collector = Collector(
        interface="cp-6/0/0", listen=Endpoint("127.0.0.1", 0), inputs=(), file_specs=(),
        default_file_spec="", channels=channels,
        destinations=tuple(Destination(r, t) for r, t in zip(roles, targets)))
    return Plan(host_name="router1", spool=str(tmp_path / "spool"), control=str(tmp_path / "c.sock"),
                collectors=(collector,), retry=retry, retry_delay=retry_delay)


class Rig:
    """An exporter over a plan, with its spool, counters and manual clock."""

    def __init__(self, plan: Plan, transport=None) -> None:
        self.plan = plan
        self.clock = ManualClock()
        self.stats = Counts()
        self.dirs = SpoolDirs.for_collector(plan.spool, "cp-6/0/0")
        self.dirs.create()
        self.exporter = Exporter(plan, plan.collectors[0], self.dirs, self.stats, self.clock, LOG,
                                 transport or FtplibTransport(timeout=5))
        self.serial = 0

    def closed_file(self, size: int = 50_000) -> tuple[Path, ClosedFile]:
        self.serial += 1
        name = f"cFlowd-py69Ni69-0-20040227_23043{self.serial}-at_4_0_0_4_{self.serial}.bcp.bi.gz"
        part = self.dirs.active / f"{name}.part"
        part.write_bytes(os.urandom(size))
        closed = ClosedFile(name, 20000, size * 7, size, 1000.0 + self.serial, 2000.0 + self.serial,
                            self.serial)
        return self.dirs.publish(part, closed), closed

    def translog_lines(self) -> list[str]:
        return [line for path in sorted(self.dirs.translog.glob("*.tmp"))
                for line in path.read_text().splitlines()]

    def ready_names(self) -> set[str]:
        """Files not yet done: in ready/, or taken by a channel that has not finished with
        them (the spool copy goes before the transfer-log line is written)."""
        names = {p.name for p in self.dirs.ready.iterdir() if not p.name.endswith(".meta.json")}
        return names | {s.busy[0].name for s in self.exporter.channels if s.busy}


@pytest.fixture
def stopper():
    rigs: list[Rig] = []
    yield rigs.append
    for rig in rigs:
        rig.exporter.stop(timeout=5)


def test_files_resume_from_ready_and_arrive_byte_identical(ftp_server, tmp_path, stopper):
    server = ftp_server()
    rig = Rig(make_plan(tmp_path, [server.target("/tmp/server1/")]))
    (server.home / "tmp").mkdir()
    waiting = [rig.closed_file() for _ in range(2)]       # already in ready/ before start
    stopper(rig)
    rig.exporter.start()
    later = rig.closed_file()
    rig.exporter.submit(*later)
    names = [c.name for _, c in [*waiting, later]]
    wait_until(lambda: not rig.ready_names(), "the spool to empty")
    for _path, closed in [*waiting, later]:
        assert (server.home / "tmp" / "server1" / closed.name).stat().st_size == 50_000
    assert rig.stats.values["files_exported"] == 3 and rig.stats.values["ftp_files"] == 3
    assert rig.stats.values["ftp_bytes"] == 150_000
    # Only successes are expected; a transient local failure (shown if any) is retried.
    lines = [line for line in rig.translog_lines() if ":sf=1:" in line]
    assert len(lines) == 3 and all(":rc=250:" in line for line in lines), rig.translog_lines()
    assert {line.split('"')[1] for line in lines} == set(names)
    assert f'ul="ftp://flowc@127.0.0.1:{server.port}/tmp/server1/"' in lines[0]
    assert rig.exporter.snapshot()["files"] == []


def test_a_file_leaves_the_spool_only_after_the_server_acknowledged_it(ftp_server, tmp_path, stopper):
    server = ftp_server()
    seen: list[bool] = []

    class Watching(FtplibTransport):
        def upload(self, request: UploadRequest, abort=None) -> UploadResult:
            result = super().upload(request, abort)
            seen.append(request.local.exists())          # still in ready/ after the 250
            return result

    rig = Rig(make_plan(tmp_path, [server.target()]), Watching(timeout=5))
    stopper(rig)
    rig.exporter.start()
    rig.exporter.submit(*rig.closed_file())
    wait_until(lambda: not rig.ready_names(), "the upload")
    assert seen == [True]


def _one_channel(tmp_path: Path, targets: list[FtpTarget], retry: int) -> Plan:
    return make_plan(tmp_path, targets, retry=retry, channels=(Channel(0),))


@pytest.mark.parametrize("failure", ["down", "login", "disconnect", "silent"])
def test_primary_failures_retry_then_fail_over_without_losing_the_file(
        failure, ftp_server, dead_endpoint, silent_endpoint, tmp_path, stopper, caplog):
    primary, secondary = ftp_server(), ftp_server()
    target = primary.target()
    if failure == "down":
        target = FtpTarget(target.url, dead_endpoint, target.username, target.password, "/")
    elif failure == "silent":
        target = FtpTarget(target.url, silent_endpoint, target.username, target.password, "/")
    elif failure == "login":
        primary.refuse_login = True
    else:
        primary.disconnect_after = 16 * 1024
    rig = Rig(_one_channel(tmp_path, [target, secondary.target()], retry=2),
              FtplibTransport(timeout=0.3 if failure == "silent" else 5))
    path, closed = rig.closed_file(size=1_000_000)
    original = path.read_bytes()
    stopper(rig)
    caplog.set_level(logging.WARNING, LOG.name)
    rig.exporter.start()
    wait_until(lambda: not rig.ready_names(), "the failover upload")
    assert (secondary.home / closed.name).read_bytes() == original
    assert not (primary.home / closed.name).exists()
    lines = rig.translog_lines()
    assert len(lines) == 4                               # 1 + retry 2 on primary, then secondary
    assert all(":sf=0:" in line for line in lines[:3]) and ":sf=1:" in lines[3]
    expected = {"down": ("rc=0", "refused"), "login": ("rc=530", "refused"),
                "disconnect": ("", ""), "silent": ("rc=0", "timed out")}[failure]
    assert all(expected[0] in line and expected[1] in line.split("er=")[1] for line in lines[:3])
    assert all('er=""' not in line for line in lines[:3])
    assert rig.stats.values["ftp_failures"] == 3
    snap = rig.exporter.snapshot()
    assert snap["ftp_failures"] == 3
    assert snap["channels"][0] == {"index": 0, "current_server": "Secondary",
                                   "primary_state": "Failed", "secondary_state": "OK"}
    assert "automatic switchover from primary to secondary" in caplog.text


def test_both_servers_failing_keeps_the_file_and_backs_off(dead_endpoint, tmp_path, stopper):
    dead = FtpTarget("ftp://127.0.0.1/", dead_endpoint, "u", "p", "/")
    rig = Rig(_one_channel(tmp_path, [dead, dead], retry=1))
    path, closed = rig.closed_file()
    stopper(rig)
    rig.exporter.start()
    wait_until(lambda: len(rig.translog_lines()) == 4, "a first round on both servers")
    time.sleep(0.2)                                      # backing off on the manual clock
    assert len(rig.translog_lines()) == 4
    snap = rig.exporter.snapshot()
    assert snap["files"][0]["transfer_attempts"] == 4
    assert snap["channels"][0]["primary_state"] == snap["channels"][0]["secondary_state"] == "Failed"
    rig.clock.advance(1.0)                               # first back-off: 1 s
    wait_until(lambda: len(rig.translog_lines()) == 8, "a second round")
    rig.exporter.stop(timeout=5)
    assert rig.ready_names() == {closed.name} and path.exists()


def _both_failing_then_backing_off(ftp_server, tmp_path, stopper):
    """A rig whose two servers refuse logins, its channel backing off 300 s (manual clock)."""
    primary, secondary = ftp_server(), ftp_server()
    primary.refuse_login = secondary.refuse_login = True
    plan = dataclasses.replace(_one_channel(tmp_path, [primary.target(), secondary.target()], retry=0),
                               retry_delay=300)
    rig = Rig(plan)
    _path, closed = rig.closed_file()
    stopper(rig)
    rig.exporter.start()
    wait_until(lambda: len(rig.translog_lines()) == 2, "a round on both servers")
    time.sleep(0.3)
    assert len(rig.translog_lines()) == 2                # backing off: the clock does not move
    return rig, plan, primary, secondary, closed


def test_a_reload_ends_the_back_off(ftp_server, tmp_path, stopper):
    """Issue 18, item 9: a fixed password takes effect at once, not after the back-off."""
    rig, plan, primary, secondary, closed = _both_failing_then_backing_off(ftp_server, tmp_path, stopper)
    primary.refuse_login = False                         # "the password is fixed"
    fixed = _with(plan, [primary.target(), secondary.target()])
    rig.exporter.reconfigure(fixed.collectors[0], fixed)
    wait_until(lambda: not rig.ready_names(), "the upload after the reload")
    assert (primary.home / closed.name).exists()


def test_change_destination_ends_the_back_off(ftp_server, tmp_path, stopper):
    rig, _plan, _primary, secondary, closed = _both_failing_then_backing_off(ftp_server, tmp_path, stopper)
    secondary.refuse_login = False
    assert rig.exporter.channels[0].current == "primary"
    assert change_destination(rig.exporter, "secondary", "gracefully", False, False)[0]
    wait_until(lambda: not rig.ready_names(), "the upload after change-destination")
    assert (secondary.home / closed.name).exists()


def test_retry_delay_is_waited_on_the_clock(dead_endpoint, ftp_server, tmp_path, stopper):
    dead = FtpTarget("ftp://127.0.0.1/", dead_endpoint, "u", "p", "/")
    rig = Rig(make_plan(tmp_path, [dead], retry=2, retry_delay=30, channels=(Channel(0),)))
    rig.closed_file()
    stopper(rig)
    rig.exporter.start()
    wait_until(lambda: len(rig.translog_lines()) == 1, "the first attempt")
    rig.clock.advance(29)
    time.sleep(0.2)
    assert len(rig.translog_lines()) == 1
    rig.clock.advance(1)
    wait_until(lambda: len(rig.translog_lines()) == 2, "the retry after 30 s")


def test_stop_keeps_pending_files_in_ready(dead_endpoint, tmp_path):
    dead = FtpTarget("ftp://127.0.0.1/", dead_endpoint, "u", "p", "/")
    rig = Rig(make_plan(tmp_path, [dead]))
    files = [rig.closed_file() for _ in range(3)]
    rig.exporter.start()
    rig.exporter.stop(timeout=5)
    assert rig.ready_names() == {c.name for _, c in files}


def test_no_destination_means_files_wait(tmp_path, stopper):
    rig = Rig(make_plan(tmp_path, []))
    _, closed = rig.closed_file()
    stopper(rig)
    rig.exporter.start()
    time.sleep(0.1)
    assert rig.exporter.snapshot()["files"][0]["state"] == "Waiting"
    assert rig.ready_names() == {closed.name}


# ---------------------------------------------------------------- change-destination

def test_change_destination_messages_with_one_server(ftp_server, tmp_path):
    rig = Rig(make_plan(tmp_path, [ftp_server().target()]))
    assert change_destination(rig.exporter, "primary", "gracefully", False, False) == \
        (False, "Destination change not needed")
    assert change_destination(rig.exporter, "secondary", "gracefully", False, False) == \
        (False, "Destination not configured")


def test_change_destination_messages_with_two_servers(ftp_server, tmp_path):
    rig = Rig(make_plan(tmp_path, [ftp_server().target(), ftp_server().target()]))
    def change(*args): return change_destination(rig.exporter, *args)
    assert change("secondary", "gracefully", False, False) == (True, "Destination change successful")
    assert [c["current_server"] for c in rig.exporter.snapshot()["channels"]] == ["Secondary"] * 2
    assert change("secondary", "immediately", False, False) == (False, "Destination change not needed")
    assert change("primary", "immediately", False, False) == (True, "Destination change successful")
    assert change("tertiary", "gracefully", False, False)[0] is False


def test_clear_files_purges_the_waiting_queue(ftp_server, tmp_path, caplog):
    rig = Rig(make_plan(tmp_path, [ftp_server().target(), ftp_server().target()]))
    files = [rig.closed_file() for _ in range(3)]
    for item in files:
        rig.exporter.submit(*item)
    caplog.set_level(logging.WARNING, LOG.name)
    assert change_destination(rig.exporter, "secondary", "gracefully", True, False)[0]
    assert rig.ready_names() == set()
    assert rig.stats.values["files_destroyed"] == 3
    assert rig.exporter.snapshot()["files"] == []
    assert all(c.name in caplog.text for _, c in files)


def test_clear_logs_purges_unarchived_transfer_logs(ftp_server, tmp_path):
    rig = Rig(make_plan(tmp_path, [ftp_server().target(), ftp_server().target()]))
    (rig.dirs.translog / "router1_flowc_20231114_221320.tmp").write_text("x\n")
    (rig.dirs.translog / "failed" / "router1_flowc_20231114_201320.log.gz").write_bytes(b"x")
    assert change_destination(rig.exporter, "secondary", "gracefully", False, True)[0]
    assert list(rig.dirs.translog.rglob("*.*")) == []


class Gate(FtplibTransport):
    """Holds uploads to one port until released (or aborted), then uploads for real."""

    def __init__(self, port: int) -> None:
        super().__init__(timeout=5)
        self.port, self.release, self.holding = port, threading.Event(), threading.Event()

    def upload(self, request: UploadRequest, abort=None) -> UploadResult:
        if request.target.connect.port == self.port:
            self.holding.set()
            while not self.release.wait(0.01):
                if abort is not None and abort.is_set():
                    raise FtpAborted("aborted by destination change")
        return super().upload(request, abort)


def test_immediately_aborts_in_flight_uploads_and_restarts_them_on_the_new_server(
        ftp_server, tmp_path, stopper):
    primary, secondary = ftp_server(), ftp_server()
    rig = Rig(_one_channel(tmp_path, [primary.target(), secondary.target()], retry=0),
              Gate(primary.port))
    _, closed = rig.closed_file()
    stopper(rig)
    rig.exporter.start()
    rig.exporter.transport.holding.wait(5)
    assert rig.exporter.snapshot()["files"][0]["state"] == "Exporting primary"
    assert change_destination(rig.exporter, "secondary", "immediately", False, False)[0]
    wait_until(lambda: not rig.ready_names(), "the restarted upload")
    assert (secondary.home / closed.name).exists() and not (primary.home / closed.name).exists()
    lines = rig.translog_lines()
    assert ":sf=0:" in lines[0] and "aborted" in lines[0] and ":sf=1:" in lines[1]
    assert rig.stats.values["ftp_failures"] == 0


def test_gracefully_lets_the_upload_finish_where_it_is(ftp_server, tmp_path, stopper):
    primary, secondary = ftp_server(), ftp_server()
    gate = Gate(primary.port)
    rig = Rig(_one_channel(tmp_path, [primary.target(), secondary.target()], retry=0), gate)
    _, first = rig.closed_file()
    stopper(rig)
    rig.exporter.start()
    gate.holding.wait(5)
    assert change_destination(rig.exporter, "secondary", "gracefully", False, False)[0]
    second = rig.closed_file()
    rig.exporter.submit(*second)
    time.sleep(0.1)
    gate.release.set()
    wait_until(lambda: not rig.ready_names(), "both uploads")
    assert (primary.home / first.name).exists()
    assert (secondary.home / second[1].name).exists()


# ---------------------------------------------------------------- test-file-transfer, snapshot

def test_test_file_transfer_sends_a_small_file_and_logs_it(ftp_server, tmp_path, stopper):
    primary, secondary = ftp_server(), ftp_server()
    rig = Rig(make_plan(tmp_path, [primary.target(), secondary.target()]))
    stopper(rig)
    assert request_test_file(rig.exporter, "test_file", 1, "secondary") == \
        (True, "Test file transfer successfully scheduled")
    local = rig.dirs.root / "test" / "test_file"
    wait_until(lambda: rig.translog_lines() and not local.exists(), "the test file")
    assert (secondary.home / "test_file").read_text() == "flowc test file transfer\n"
    assert rig.translog_lines()[0].startswith('fn="test_file":sz=25:nr=0:')


def test_test_file_transfer_refusals(ftp_server, tmp_path):
    rig = Rig(make_plan(tmp_path, [ftp_server().target()]))
    assert request_test_file(rig.exporter, "t", 0, "secondary") == (False, "Destination not configured")
    assert request_test_file(rig.exporter, "../t", 0, "primary")[0] is False
    assert request_test_file(rig.exporter, "t", 5, "primary")[0] is False


def test_snapshot_shape_and_clear(tmp_path, dead_endpoint):
    dead = FtpTarget("ftp://127.0.0.1/", dead_endpoint, "u", "p", "/")
    rig = Rig(make_plan(tmp_path, [dead]))
    rig.closed_file()                                    # in ready/, not submitted (no start)
    _, queued = rig.closed_file()
    rig.exporter.submit(rig.dirs.ready / queued.name, queued)
    snap = rig.exporter.snapshot()
    assert snap["channels"][1] == {"index": 1, "current_server": "Primary", "primary_state": "OK",
                                   "secondary_state": "Not configured"}
    assert snap["files"] == [{"name": queued.name, "flows": 20000, "uncompressed_bytes": 350_000,
                              "compressed_bytes": 50_000, "state": "Waiting", "transfer_attempts": 0}]
    rig.exporter.clear()
    assert rig.exporter.snapshot()["ftp_failures"] == 0


def test_a_server_going_down_mid_run_sends_later_files_to_the_secondary(ftp_server, tmp_path, stopper):
    primary, secondary = ftp_server(), ftp_server()
    rig = Rig(_one_channel(tmp_path, [primary.target(), secondary.target()], retry=1))
    stopper(rig)
    rig.exporter.start()
    _, first = rig.closed_file()
    rig.exporter.submit(rig.dirs.ready / first.name, first)
    wait_until(lambda: not rig.ready_names(), "the first upload")
    primary.down()
    second = rig.closed_file()
    rig.exporter.submit(*second)
    wait_until(lambda: not rig.ready_names(), "the second upload")
    assert (primary.home / first.name).exists() and (secondary.home / second[1].name).exists()
    assert [":sf=1:" in line for line in rig.translog_lines()] == [True, False, False, True]


def test_the_transfer_log_is_archived_by_the_exporters_own_thread(ftp_server, tmp_path, stopper):
    import dataclasses

    from flowc.runtime.plan.model import TransferLog

    server, archive = ftp_server(), ftp_server()
    plan = make_plan(tmp_path, [server.target()])
    plan = dataclasses.replace(plan, transfer_log=TransferLog(maximum_age=5, archive_sites=(archive.target(),)))
    rig = Rig(plan)
    stopper(rig)
    rig.exporter.start()
    rig.exporter.submit(*rig.closed_file())
    wait_until(lambda: len(rig.translog_lines()) == 1, "the transfer record")
    rig.clock.advance(5 * 60)
    wait_until(lambda: not list(rig.dirs.translog.rglob("*.*")), "the log to leave the spool")
    (sent,) = archive.home.iterdir()
    assert sent.name.startswith("router1_flowc_") and sent.name.endswith(".log.gz")


# ---------------------------------------------------------------- reconfigure (live reload)

def _with(plan: Plan, targets: list[FtpTarget], **fields) -> Plan:
    import dataclasses

    roles = ("primary", "secondary")
    collector = dataclasses.replace(plan.collectors[0], destinations=tuple(
        Destination(r, t) for r, t in zip(roles, targets)), **fields)
    return dataclasses.replace(plan, collectors=(collector,))


def test_reconfigure_sends_waiting_files_to_the_new_server_and_lets_the_upload_finish(
        ftp_server, tmp_path, stopper):
    old, new = ftp_server(), ftp_server()
    gate = Gate(old.port)
    plan = _one_channel(tmp_path, [old.target()], retry=0)
    rig = Rig(plan, gate)
    _, in_flight = rig.closed_file()
    stopper(rig)
    rig.exporter.start()
    assert gate.holding.wait(5)
    waiting = rig.closed_file()
    rig.exporter.submit(*waiting)
    rig.exporter.reconfigure(_with(plan, [new.target()]).collectors[0], _with(plan, [new.target()]))
    closed_later = rig.closed_file()
    rig.exporter.submit(*closed_later)
    time.sleep(0.1)
    assert rig.exporter.snapshot()["files"][0]["state"] == "Exporting primary"
    gate.release.set()
    wait_until(lambda: not rig.ready_names(), "every upload")
    assert [p.name for p in old.home.iterdir()] == [in_flight.name]       # finished where it began
    assert {p.name for p in new.home.iterdir()} == {waiting[1].name, closed_later[1].name}
    assert all(":sf=1:" in line for line in rig.translog_lines())


def test_reconfigure_keeps_the_state_of_an_unchanged_role_and_resets_a_changed_one(
        ftp_server, dead_endpoint, tmp_path, stopper):
    dead = FtpTarget("ftp://127.0.0.1/", dead_endpoint, "u", "p", "/")
    secondary, replacement = ftp_server(), ftp_server()
    plan = _one_channel(tmp_path, [dead, secondary.target()], retry=0)
    rig = Rig(plan)
    stopper(rig)
    rig.exporter.start()
    rig.exporter.submit(*rig.closed_file())
    wait_until(lambda: not rig.ready_names(), "the fail-over upload")
    (channel,) = rig.exporter.snapshot()["channels"]
    assert (channel["current_server"], channel["primary_state"]) == ("Secondary", "Failed")
    unchanged = _with(plan, [dead, secondary.target()], channels=(Channel(0, dscp=46),))
    rig.exporter.reconfigure(unchanged.collectors[0], unchanged)
    (channel,) = rig.exporter.snapshot()["channels"]
    assert (channel["current_server"], channel["primary_state"], channel["secondary_state"]) == \
        ("Secondary", "Failed", "OK")                                   # kept: same servers
    assert rig.exporter.channels[0].channel.dscp == 46
    import dataclasses

    fixed = dataclasses.replace(_with(plan, [replacement.target(), secondary.target()]), retry=3)
    rig.exporter.reconfigure(fixed.collectors[0], fixed)
    (channel,) = rig.exporter.snapshot()["channels"]
    assert (channel["current_server"], channel["primary_state"]) == ("Secondary", "OK")
    assert rig.exporter.plan.retry == 3
    alone = _with(plan, [replacement.target()])                         # the secondary is gone
    rig.exporter.reconfigure(alone.collectors[0], alone)
    (channel,) = rig.exporter.snapshot()["channels"]
    assert (channel["current_server"], channel["secondary_state"]) == ("Primary", "Not configured")
    _, later = rig.closed_file()
    rig.exporter.submit(rig.dirs.ready / later.name, later)
    wait_until(lambda: not rig.ready_names(), "the upload after the reload")
    assert (replacement.home / later.name).exists()


def test_reconfigure_adds_and_retires_channels_and_reaches_the_transfer_log(
        ftp_server, tmp_path, stopper):
    import dataclasses

    from flowc.runtime.plan.model import TransferLog

    server = ftp_server()
    plan = _one_channel(tmp_path, [server.target()], retry=0)
    rig = Rig(plan)
    stopper(rig)
    rig.exporter.start()
    two = dataclasses.replace(_with(plan, [server.target()], channels=(Channel(1, dscp=10),)),
                              host_name="router2", transfer_log=TransferLog(filename_prefix="xfer"))
    rig.exporter.reconfigure(two.collectors[0], two)
    assert [c["index"] for c in rig.exporter.snapshot()["channels"]] == [1]
    assert (rig.exporter.translog.host_name, rig.exporter.translog.settings.filename_prefix,
            rig.exporter.translog.dscp) == ("router2", "xfer", 10)
    _, closed = rig.closed_file()
    rig.exporter.submit(rig.dirs.ready / closed.name, closed)
    wait_until(lambda: not rig.ready_names(), "an upload on the new channel")
    assert (server.home / closed.name).exists()
    # the spool copy goes first, the transfer-log line right after it
    wait_until(lambda: list(rig.dirs.translog.glob("*.tmp")), "the transfer-log line")
    assert [p.name.startswith("router2_xfer_") for p in rig.dirs.translog.glob("*.tmp")] == [True]
