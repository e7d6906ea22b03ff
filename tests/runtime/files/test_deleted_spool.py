"""A spool directory deleted under a running collector (issue 18, item 6): made again on the
next write, the open files' records kept, and the collector's health failing only when the
directory cannot be made again. Records carry a unique id (source port and destination AS)
and are counted in the files: none lost, none twice."""
from __future__ import annotations

import gzip
import logging
import shutil
from pathlib import Path

from flowc.runtime.clock import ManualClock
from flowc.runtime.collector import CollectorPipeline
from flowc.runtime.plan.model import Input
from flowc.runtime.testbed.generator import (
    FlowRecord,
    ethernet_frame,
    ipv4_packet,
    udp_datagram,
    v5_packet,
    write_frames,
)

LOG = logging.getLogger("flowc.test.deleted-spool")
UNIX = 1_700_000_000
UPTIME = 100_000_000
SOURCES = ("192.0.2.1", "192.0.2.2")


def pcap(path: Path, first: int, count: int) -> Path:
    """`count` datagrams of 30 records with ids first*30 …, alternating between two sources."""
    frames = []
    for n in range(first, first + count):
        records = [FlowRecord(src="10.0.0.1", dst="10.0.0.2", packets=1, octets=100, first=UPTIME - 5000,
                              last=UPTIME - 1000, sport=(n * 30 + i) % 65536, dst_as=(n * 30 + i) // 65536)
                   for i in range(30)]
        payload = v5_packet(records, sys_uptime=UPTIME, unix_secs=UNIX, seq=n * 30, engine_type=0, engine_id=0)
        udp = udp_datagram(2055, 9995, payload)
        frames.append(ethernet_frame(ipv4_packet(SOURCES[n % 2], "127.0.0.1", 17, udp)))
    write_frames(path, frames)
    return path


def ids(folder: Path) -> list[int]:
    """The id of every record in the gzip files of `folder` (sport + 65536 * dst AS)."""
    found = []
    for path in sorted(folder.glob("*.gz")):
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            fields = line.split("|")
            found.append(int(fields[10]) + 65536 * int(fields[15]))
    return found


def pipeline_for(plan_builder) -> CollectorPipeline:
    plan = plan_builder(inputs=[Input("mo-7/1/0.0", "so_3_0_0_0", "1", source_address=SOURCES[0]),
                                Input("mo-7/2/0.0", "so_3_1_0_0", "1", source_address=SOURCES[1])])
    pipeline = CollectorPipeline(plan, plan.collectors[0], log=LOG, clock=ManualClock(start=UNIX))
    pipeline.start(listen=False)
    return pipeline


def test_a_deleted_spool_directory_is_made_again_and_no_record_is_lost(plan_builder, tmp_path, caplog):
    pipeline = pipeline_for(plan_builder)
    pipeline.replay(pcap(tmp_path / "before.pcap", 0, 200))
    assert len(pipeline.writer.files) == 2                   # two open files, blocks on disk
    shutil.rmtree(pipeline.dirs.root)                        # rm -rf spool/cp-6_0_0
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        pipeline.replay(pcap(tmp_path / "after.pcap", 200, 200))
        assert pipeline.handle({"op": "health"})["ok"] is True
        pipeline.stop(export_timeout=1.0)
    snap = pipeline.snapshot()
    assert snap["counters"]["flows"]["total"] == 400 * 30
    assert sorted(ids(pipeline.dirs.ready)) == list(range(400 * 30))   # all, once each
    messages = [r.getMessage() for r in caplog.records]
    assert sum("written again from memory" in m for m in messages) == 2, messages
    assert not any("cannot write flow files" in m for m in messages), messages


def test_a_spool_that_cannot_be_made_again_fails_the_health_check(plan_builder, tmp_path):
    pipeline = pipeline_for(plan_builder)
    try:
        assert pipeline.handle({"op": "health"})["ok"] is True
        shutil.rmtree(pipeline.dirs.root)
        pipeline.dirs.root.write_text("in the way")          # the directory cannot come back
        reply = pipeline.handle({"op": "health"})
        assert reply["ok"] is False and "cannot be written or created again" in reply["error"]
        pipeline.dirs.root.unlink()                          # cleared: healthy again, spool made again
        assert pipeline.handle({"op": "health"})["ok"] is True
        assert pipeline.dirs.active.is_dir() and pipeline.dirs.ready.is_dir()
    finally:
        pipeline.stop(export_timeout=1.0)
