"""A full spool is a state, not a crash (issue 10, item 1): a small tmpfs, a server that
refuses at first, records counted by a unique id from the exporter to the server."""
from __future__ import annotations

import gzip
import logging
import time
from pathlib import Path

from flowc.runtime.clock import ManualClock
from flowc.runtime.collector import CollectorPipeline
from flowc.runtime.testbed.generator import FlowRecord, v5_packet

LOG = logging.getLogger("flowc.test-full-spool")
UNIX = 1_700_000_000
UPTIME = 100_000_000


def packet(first: int) -> bytes:
    """30 records whose `packets` field is a unique id: first … first + 29."""
    records = [FlowRecord(src=f"10.{i % 250}.{i // 250 % 250}.1", dst="10.0.0.1", packets=i,
                          octets=i * 7 + 13, first=UPTIME - 5000, last=UPTIME - 1000, sport=i % 60000,
                          dport=80, tcp_flags=0x1B, protocol=6, src_as=i % 65000, dst_as=i * 31 % 65000)
               for i in range(first, first + 30)]
    return v5_packet(records, sys_uptime=UPTIME, unix_secs=UNIX, seq=0, engine_type=0, engine_id=0)


def ids_in(folder: Path) -> list[int]:
    """The unique id (packets field) of every record in every gzip file of a folder."""
    found = []
    for path in sorted(p for p in folder.iterdir() if p.name.endswith(".gz")):
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            found.append(int(line.split("|")[6]))
    return found


def feed(pipeline: CollectorPipeline, clock: ManualClock, first: int, packets: int) -> int:
    """`packets` datagrams from id `first` on, a tick every 20; the next free id."""
    for n in range(packets):
        data = packet(first)
        pipeline.on_datagram(data, len(data), "198.51.100.7", 0)
        first += 30
        if n % 20 == 19:
            clock.advance(0.2)
            pipeline.tick()
    return first


def wait_until(condition, what: str, clock: ManualClock, pipeline: CollectorPipeline,
               timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        clock.advance(5.0)
        pipeline.tick()
        time.sleep(0.05)


def test_full_spool_counts_drops_keeps_files_valid_and_resumes(plan_builder, ftp_server, small_fs,
                                                               caplog) -> None:
    server = ftp_server()
    server.refuse_login = True  # the server is "down" while the spool fills
    spool = small_fs(160 * 1024)
    plan = plan_builder(destinations=[server.target("/")], spool=str(spool), record_level=1500,
                        retry_delay=1)
    clock = ManualClock(start=UNIX)
    pipeline = CollectorPipeline(plan, plan.collectors[0], clock=clock, log=LOG, block_size=8192)
    pipeline.start(listen=False)
    with caplog.at_level(logging.INFO, logger=LOG.name):
        next_id = feed(pipeline, clock, 1, 400)
        next_id = feed(pipeline, clock, next_id, 400)  # well past full
        stats = pipeline.snapshot()
        lost = stats["faults"]["records_not_written"]
        assert lost > 0 and stats["faults"]["write_error_episodes"] == 1
        errors = [r.getMessage() for r in caplog.records if "cannot write flow files" in r.getMessage()]
        assert len(errors) == 1 and "free space" in errors[0] and str(pipeline.dirs.active) in errors[0]
        ready = [p for p in pipeline.dirs.ready.iterdir() if p.name.endswith(".gz")]
        assert ready
        for path in ready:  # every published file is a complete gzip
            gzip.decompress(path.read_bytes())

        server.refuse_login = False  # the server is back: uploads free the spool
        wait_until(lambda: not [p for p in pipeline.dirs.ready.iterdir() if p.name.endswith(".gz")],
                   "the spool to drain", clock, pipeline)
        resumed = next_id
        next_id = feed(pipeline, clock, next_id, 100)
        pipeline.writer.close_all()
        wait_until(lambda: not pipeline.exporter.snapshot()["files"] and not pipeline.writer.later,
                   "the last files", clock, pipeline)
        pipeline.stop(export_timeout=5.0)
    on_server = ids_in(server.home)
    assert len(on_server) == len(set(on_server)), "a record was delivered twice"
    assert len(on_server) + pipeline.stats.totals["records_not_written"] == next_id - 1
    assert set(range(resumed, next_id)) <= set(on_server), "writing did not resume after the disk full"
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_start_up_on_a_full_spool_works_and_recovers_later(plan_builder, ftp_server, small_fs) -> None:
    server = ftp_server()
    spool = small_fs(96 * 1024)
    plan = plan_builder(destinations=[server.target("/")], spool=str(spool), record_level=100_000)
    clock = ManualClock(start=UNIX)
    first = CollectorPipeline(plan, plan.collectors[0], clock=clock, log=LOG, block_size=8192)
    first.dirs.create()
    filler = first.dirs.root / "filler"
    next_id = 1
    # a crash-left .part, then a spool full to the last byte
    part = first.dirs.active / "crashed.gz.part"
    with gzip.open(part, "wb") as out:
        out.write(b"".join(f"0|a|b|c|d|e|{i}|x\n".encode() for i in range(1, 2001)))
    next_id = 2001
    try:
        with open(filler, "wb") as out:
            while True:
                out.write(b"\xff" * 4096)
                out.flush()
    except OSError:
        pass
    pipeline = CollectorPipeline(plan, plan.collectors[0], clock=clock, log=LOG, block_size=8192)
    pipeline.start(listen=False)  # no exception: recovery waits for room
    assert pipeline.writer.recovery_pending and part.exists()
    filler.unlink()
    wait_until(lambda: not part.exists() and not pipeline.exporter.snapshot()["files"]
               and not list(pipeline.dirs.ready.glob("*.gz")), "recovery and upload", clock, pipeline)
    pipeline.stop(export_timeout=5.0)
    assert sorted(ids_in(server.home)) == list(range(1, next_id))
