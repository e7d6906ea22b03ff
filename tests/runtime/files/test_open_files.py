"""Many exporters, few descriptors (issue 18, item 8): the writer keeps at most `max_open`
files open, closing the least recently used early (rotation reason `open-files`, counted),
and loses no record to `Too many open files`: 1,500 exporters under RLIMIT_NOFILE 1,024 in
a subprocess, every record counted by its unique id."""
from __future__ import annotations

import gzip
import json
import logging
import resource
import subprocess
import sys
from pathlib import Path

from flowc.runtime.clock import ManualClock
from flowc.runtime.files.descriptors import open_file_budget, raise_open_file_limit
from flowc.runtime.files.memory import MemoryPool
from flowc.runtime.files.spool import SpoolDirs
from flowc.runtime.files.writer import OPEN_FILES, Writer
from flowc.runtime.plan.model import FileSpec
from flowc.runtime.stats import CollectorStats

LOG = logging.getLogger("flowc.test.open-files")


def test_the_least_recently_used_file_is_closed_first_and_no_line_is_lost(tmp_path: Path, caplog) -> None:
    dirs = SpoolDirs(tmp_path / "cp-6_0_0")
    dirs.create()
    stats = CollectorStats()
    closed = []
    writer = Writer(dirs, [FileSpec("1", "f-%I_%N.gz", record_level=1_000_000, timeout=600)], stats=stats,
                    memory=MemoryPool(8 << 20, stats, block_size=4096, reserve=0),
                    clock=ManualClock(start=1_700_000_000.0), log=LOG,
                    on_closed=lambda path, c: closed.append(c), max_open=3)
    sent = []
    with caplog.at_level(logging.INFO, logger=LOG.name):
        for n, alias in enumerate(["a", "b", "c", "a", "d", "a", "e"]):   # d closes b, e closes c
            line = f"{alias}-{n}\n"
            assert writer.add(("1", alias), line.encode(), 1)
            sent.append(line.strip())
            assert len(writer.files) <= 3
        assert sorted(k[1] for k in writer.files) == ["a", "d", "e"]
        writer.close_all()
    assert [(c.name, c.reason) for c in closed[:2]] == [("f-b_2.gz", OPEN_FILES), ("f-c_3.gz", OPEN_FILES)]
    lines = [line for path in sorted(dirs.ready.glob("*.gz"))
             for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
    assert sorted(lines) == sorted(sent)
    assert stats.totals["files_closed_open_files"] == 2
    reasons = [r.getMessage() for r in caplog.records if "file closed" in r.getMessage()]
    assert sum(f"reason={OPEN_FILES}" in m for m in reasons) == 2


def test_the_budget_follows_the_soft_limit_and_the_limit_is_raised_to_the_hard_one() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert open_file_budget(reserve=100) == max(16, soft - 100)
    before, now = raise_open_file_limit()
    assert before == soft and now == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert now == (hard if hard != resource.RLIM_INFINITY else soft)


CHILD = r"""
import json, sys
from pathlib import Path
from flowc.runtime.clock import ManualClock
from flowc.runtime.collector import CollectorPipeline
from flowc.runtime.plan.model import Collector, Endpoint, FileSpec, Input, Plan
from flowc.runtime.testbed.generator import FlowRecord, ethernet_frame, ipv4_packet, udp_datagram, v5_packet, write_frames

base, exporters, again = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
source = lambda i: f"10.1.{i // 250}.{i % 250 + 1}"
inputs = tuple(Input(f"mo-7/{i // 100}/{i % 100}.0", f"so_{i}", "1", source_address=source(i))
               for i in range(exporters))
collector = Collector(interface="cp-6/0/0", listen=Endpoint("127.0.0.1", 0), inputs=inputs,
                      file_specs=(FileSpec("1", "f-%I_%N.gz", record_level=1_000_000, timeout=600),),
                      default_file_spec="1", channels=(), destinations=())
plan = Plan(host_name="router1", spool=str(base / "spool"), control=str(base / "c.sock"),
            collectors=(collector,), analyzer_address="10.10.10.1", analyzer_id="server1",
            memory_budget=512 << 20)
frames, serial = [], 0
for i in list(range(exporters)) + list(range(again)):
    records = [FlowRecord(src="10.0.0.1", dst="10.0.0.2", packets=1, octets=100, first=1000, last=2000,
                          sport=(serial * 30 + k) % 65536, dst_as=(serial * 30 + k) // 65536) for k in range(30)]
    payload = v5_packet(records, sys_uptime=100_000, unix_secs=1_700_000_000, seq=serial * 30,
                        engine_type=0, engine_id=0)
    frames.append(ethernet_frame(ipv4_packet(source(i), "127.0.0.1", 17, udp_datagram(2055, 9995, payload))))
    serial += 1
write_frames(base / "traffic.pcap", frames)
pipeline = CollectorPipeline(plan, collector, clock=ManualClock(start=1_700_000_000))
pipeline.start(listen=False)
pipeline.writer.start_closer()
pipeline.replay(base / "traffic.pcap")
pipeline.stop(export_timeout=1.0)
snap = pipeline.snapshot()
print(json.dumps({"sent": serial * 30, "flows": snap["counters"]["flows"]["total"],
                  "not_written": snap["faults"]["records_not_written"], "drops": snap["drops"],
                  "closed_early": pipeline.stats.totals.get("files_closed_open_files", 0),
                  "budget": pipeline.writer.max_open}))
"""


def _limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def test_1500_exporters_under_a_limit_of_1024_descriptors_lose_no_record(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), "1500", "300"], capture_output=True,
                          text=True, preexec_fn=_limit_descriptors, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "Too many open files" not in done.stderr
    assert result["budget"] == 1024 - 128
    assert result["sent"] == 1800 * 30 and result["flows"] == result["sent"]
    assert result["not_written"] == 0 and not any(result["drops"].values())
    assert result["closed_early"] >= 1500 + 300 - result["budget"]
    ids = []
    for path in (tmp_path / "spool" / "cp-6_0_0" / "ready").glob("*.gz"):
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            fields = line.split("|")
            ids.append(int(fields[10]) + 65536 * int(fields[15]))
    assert sorted(ids) == list(range(result["sent"]))                   # none lost, none twice
