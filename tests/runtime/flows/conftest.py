"""Flow files for the reader's tests, written the engine's way, and their truth in Python.

Records are random (seeded) v5 records on small pools of addresses, ports, protocols and
ASes so that groups form; they become datagrams (`generator.v5_packet`), lines by the
collector's own `LineFormat` and gzip blocks by the writer's compressor with a sync flush
per block. The truth is the lines parsed with the shared layout, typed in Python.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from flowc.runtime.files.flowfile import gz, new_compressor
from flowc.runtime.files.layout import FIELDS, split_line
from flowc.runtime.ingest.decoder import LineFormat
from flowc.runtime.testbed.generator import FlowRecord, v5_packet

SOURCES = ("10.0.0.1", "10.0.0.2", "10.1.2.3", "10.200.0.9", "172.16.5.1", "172.31.255.254",
           "192.168.1.10", "192.168.1.20", "192.168.2.1", "8.8.8.8", "1.1.1.1", "203.0.113.7")
DESTINATIONS = ("10.0.0.1", "10.9.9.9", "192.168.1.10", "93.184.216.34", "198.51.100.1", "100.64.0.1")
PORTS = (22, 53, 80, 443, 8443, 65535, 0)
PROTOCOLS = (6, 6, 17, 1, 47)
ASES = (0, 3356, 64512, 65000, 65535)
UPTIME = 50_000_000
BASE = 1_765_000_800  # a whole hour (UTC), so buckets start at round times
TEXT_KINDS = ("ipv4", "text")

Row = dict[str, int | str]


@dataclass(frozen=True, slots=True)
class FlowSet:
    """A folder of flow files and every record in them, typed."""

    folder: Path
    files: tuple[Path, ...]
    rows: tuple[Row, ...]


def typed(line: str) -> Row:
    values = split_line(line)
    return {f.name: values[f.name] if f.kind in TEXT_KINDS else int(values[f.name]) for f in FIELDS}


def random_record(rng: random.Random) -> FlowRecord:
    protocol = rng.choice(PROTOCOLS)
    age = rng.randrange(0, 600_000)  # started up to 10 minutes before the datagram
    return FlowRecord(src=rng.choice(SOURCES), dst=rng.choice(DESTINATIONS), packets=rng.randrange(1, 500),
                      octets=rng.randrange(40, 2_000_000), first=UPTIME - age,
                      last=UPTIME - age + rng.randrange(0, 5000), sport=rng.choice(PORTS),
                      dport=rng.choice(PORTS), tcp_flags=rng.randrange(64), protocol=protocol,
                      src_as=rng.choice(ASES), dst_as=rng.choice(ASES))


def datagram_lines(records: list[FlowRecord], unix_secs: int, analyzer: str, alias: str) -> bytes:
    """The lines the collector writes for one datagram of `records` received at `unix_secs`."""
    data = v5_packet(records, sys_uptime=UPTIME, unix_secs=unix_secs, seq=0)
    return LineFormat(analyzer, "id1", alias, random.Random(unix_secs)).lines(data, len(records))


def write_flow_file(path: Path, blocks: list[bytes]) -> None:
    """Gzip the way the writer does: level 1, one sync-flushed block per datagram's lines."""
    compressor = new_compressor()
    with path.open("wb") as out:
        for block in blocks:
            out.write(compressor.compress(block) + compressor.flush(gz.Z_SYNC_FLUSH))
        out.write(compressor.flush())


def make_flow_set(folder: Path, *, files: int = 3, datagrams: int = 40, seed: int = 7) -> FlowSet:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written, rows = [], []
    for index in range(files):
        analyzer, alias = ("10.10.10.1", "at_4_0_0_4") if index % 2 == 0 else ("10.10.10.2", "ge_1_0_0")
        blocks = []
        for _ in range(datagrams):
            records = [random_record(rng) for _ in range(rng.randrange(1, 31))]
            blocks.append(datagram_lines(records, BASE + 600 + rng.randrange(0, 600), analyzer, alias))
        path = folder / f"cFlowd-test-0-20251206_{index:06d}-{alias}_{index + 1}.bcp.bi.gz"
        write_flow_file(path, blocks)
        written.append(path)
        rows += [typed(line) for block in blocks for line in block.decode().splitlines()]
    return FlowSet(folder, tuple(written), tuple(rows))


@pytest.fixture(scope="module")
def flow_set(tmp_path_factory: pytest.TempPathFactory) -> FlowSet:
    return make_flow_set(tmp_path_factory.mktemp("flows") / "ftp")
