"""`flowc flows` against nfdump: the same records, the same questions, timed side by side.

One run, unattended:

1. RECORDS NetFlow v5 records (30 per datagram, from a pool of 2,048 distinct datagrams with
   a Zipf-like choice of 20,000 source addresses and 40% of flows to port 443) are made once;
2. flowc's side: the datagrams become lines through the collector's own `LineFormat` (the
   compiled hot path when built) and gzip files through the writer's compressor (level 1,
   128 KiB sync-flushed blocks, a file per million records), written straight to a folder:
   the same bytes `flowc run` delivers, without the UDP hop (faster to set up; the engine's
   own throughput is `bench/engine.py`);
3. nfdump's side: the same datagrams, in the same order, over UDP on 127.0.0.1 to `nfcapd`
   (paced at RATE records/s), its files in a folder;
4. timed, best of ROUNDS in turns, as subprocesses: `flowc flows DIR --top 10 --by srcip
   --order bytes` and the filtered `-f 'dst port 443 and proto tcp'`, cold from the gzip
   files (`--sidecars off`), then from Parquet sidecars (written once, that cost shown), and
   `nfdump -R DIR -s srcip/bytes -n 10` with and without the filter;
5. the answers compared: the same ten addresses with the same byte totals.

Reported per query: wall seconds, CPU seconds (the child's user+system: both DuckDB threads
count, and the interpreter's start), records/s of wall time and per CPU second, and the
ratios to nfdump. Process start is in both sides' figures, as a user meets it.

    python -m bench flows                                  # 2,000,000 records
    FLOWC_BENCH_FLOWS_RECORDS=10000000 python -m bench flows   # the issue's ten million
    FLOWC_BENCH_FLOWS_RATE=300000 FLOWC_BENCH_FLOWS_ROUNDS=3 ...
    FLOWC_BENCH_FLOWS_KEEP=1 python -m bench flows           # keep .bench/flows (removed otherwise)
"""
from __future__ import annotations

import os
import random
import re
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from flowc.runtime.files.flowfile import gz, new_compressor
from flowc.runtime.ingest.hotpath import current
from flowc.runtime.testbed.generator import FlowRecord, v5_packet

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".bench" / "flows"
POOL, PER_PACKET, SOURCES = 2048, 30, 20_000
DATAGRAMS_PER_FILE = 33_334   # about a million records per file
BLOCK_DATAGRAMS = 30          # about 128 KiB of lines per sync-flushed block, as the writer does
UPTIME, BASE = 100_000_000, 1_765_000_000
FILTER = "dst port 443 and proto tcp"
PATCH = struct.Struct("!II")


@dataclass(frozen=True, slots=True)
class Timing:
    wall: float
    cpu: float


@dataclass(frozen=True, slots=True)
class Talkers:
    """A top-10 by bytes: (address, bytes) in order."""

    rows: tuple[tuple[str, int], ...]


# ---------------------------------------------------------------------- the records

def _record(rng: random.Random, weights: Sequence[float]) -> FlowRecord:
    src = rng.choices(range(SOURCES), cum_weights=weights)[0]
    tcp = rng.random() < 0.7
    first = UPTIME - rng.randrange(1000, 60_000)
    return FlowRecord(src=f"10.{src >> 16}.{(src >> 8) & 255}.{src & 255}",
                      dst=f"192.168.{rng.randrange(256)}.{rng.randrange(256)}",
                      packets=rng.randrange(1, 2000), octets=rng.randrange(40, 3_000_000), first=first,
                      last=first + rng.randrange(0, 1000), sport=rng.randrange(1024, 65536),
                      dport=443 if rng.random() < 0.4 else rng.choice((80, 53, 22, 8080, 25)),
                      tcp_flags=rng.randrange(64) if tcp else 0, protocol=6 if tcp else 17,
                      src_as=rng.randrange(64512, 64600), dst_as=rng.randrange(64512, 64600))


def pool(seed: int = 1) -> list[bytearray]:
    rng = random.Random(seed)
    total, weights = 0.0, []
    for rank in range(1, SOURCES + 1):
        total += 1 / rank
        weights.append(total)
    return [bytearray(v5_packet([_record(rng, weights) for _ in range(PER_PACKET)], sys_uptime=UPTIME,
                                unix_secs=BASE, seq=0)) for _ in range(POOL)]


def datagrams(packets: list[bytearray], records: int) -> Iterator[bytearray]:
    """Datagram i is pool[i % POOL] with its time and sequence set from i (the same both ways)."""
    for i in range(records // PER_PACKET):
        packet = packets[i % len(packets)]
        PATCH.pack_into(packet, 8, BASE + i // 1000, 0)
        struct.pack_into("!I", packet, 16, (i * PER_PACKET) & 0xFFFFFFFF)
        yield packet


def write_flowc_files(folder: Path, packets: list[bytearray], records: int) -> int:
    """The collector's lines and gzip blocks, a file per DATAGRAMS_PER_FILE; records written."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = current().line_format("10.10.10.1", "bench", "ge_0_0_0", random.Random(0))
    stream = datagrams(packets, records)
    written, index = 0, 0
    while True:
        chunk = [lines.lines(p, PER_PACKET) for _, p in zip(range(DATAGRAMS_PER_FILE), stream)]
        if not chunk:
            return written
        index += 1
        compressor = new_compressor()
        with (folder / f"cFlowd-bench-0-20251206_000000-ge_0_0_0_{index}.bcp.bi.gz").open("wb") as out:
            for start in range(0, len(chunk), BLOCK_DATAGRAMS):
                block = b"".join(chunk[start:start + BLOCK_DATAGRAMS])
                out.write(compressor.compress(block) + compressor.flush(gz.Z_SYNC_FLUSH))
            out.write(compressor.flush())
        written += len(chunk) * PER_PACKET


def send_to_nfcapd(folder: Path, packets: list[bytearray], records: int, rate: int) -> int:
    """The same datagrams over UDP to a fresh nfcapd; the flows it stored."""
    folder.mkdir(parents=True, exist_ok=True)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nfcapd = subprocess.Popen(["nfcapd", "-w", str(folder), "-p", str(port), "-b", "127.0.0.1",
                               "-B", str(32 << 20), "-t", "3600"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        _paced(port, datagrams(packets, records), rate / PER_PACKET)
        time.sleep(1.0)
    finally:
        nfcapd.send_signal(signal.SIGTERM)
        nfcapd.wait(60)
    info = subprocess.run(["nfdump", "-R", str(folder), "-I"], capture_output=True, text=True).stdout
    match = re.search(r"^Flows:\s+(\d+)", info, re.M)
    return int(match.group(1)) if match else 0


def _paced(port: int, packets: Iterator[bytearray], per_second: float) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        sock.connect(("127.0.0.1", port))
        started = time.monotonic()
        for sent, packet in enumerate(packets):
            if sent % 64 == 0:
                ahead = started + sent / per_second - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            sock.send(packet)


# ---------------------------------------------------------------------- the questions

def flowc_top(folder: Path, *, filtered: bool, sidecars: str = "off") -> list[str]:
    extra = ["-f", FILTER] if filtered else []
    return [sys.executable, "-m", "flowc.compiler.cli", "flows", str(folder), "--top", "10", "--by", "srcip",
            "--order", "bytes", "--format", "csv", "--sidecars", sidecars, *extra]


def nfdump_top(folder: Path, *, filtered: bool) -> list[str]:
    return ["nfdump", "-R", str(folder), "-s", "srcip/bytes", "-n", "10", "-N", "-q",
            *([FILTER] if filtered else [])]


def timed(command: list[str]) -> tuple[Timing, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu), done.stdout


def parse_flowc(text: str) -> Talkers:
    rows = [line.split(",") for line in text.splitlines()[1:] if line]
    return Talkers(tuple((r[0], int(r[3])) for r in rows))


def parse_nfdump(text: str) -> Talkers:
    """`nfdump -s srcip/bytes -N -q`: date time duration proto address flows(%) packets(%) bytes(%) …"""
    rows = []
    for line in text.splitlines():
        address = re.search(r"\s(\d+\.\d+\.\d+\.\d+)\s", line)
        counts = re.findall(r"(\d+)\(\s*[\d.]+\)", line)
        if address and len(counts) == 3:
            rows.append((address.group(1), int(counts[2])))
    return Talkers(tuple(rows))


def best(commands: dict[str, list[str]], rounds: int) -> tuple[dict[str, Timing], dict[str, str]]:
    """Best wall and CPU of each command, run in turns; the last output of each."""
    times: dict[str, Timing] = {}
    outputs: dict[str, str] = {}
    for _ in range(rounds):
        for name, command in commands.items():
            timing, outputs[name] = timed(command)
            old = times.get(name, timing)
            times[name] = Timing(min(old.wall, timing.wall), min(old.cpu, timing.cpu))
    return times, outputs


def report(name: str, t: Timing, records: int, nfdump: Timing | None) -> str:
    ratio = f"  {t.wall / nfdump.wall:5.2f}x nfdump wall, {t.cpu / nfdump.cpu:5.2f}x CPU" if nfdump else ""
    return (f"  {name:<34} {t.wall:7.2f} s wall {t.cpu:7.2f} s CPU  {records / t.wall:>12,.0f} records/s "
            f"({records / t.cpu:,.0f} per CPU s){ratio}")


def main() -> None:
    records = int(os.environ.get("FLOWC_BENCH_FLOWS_RECORDS", "2000000")) // PER_PACKET * PER_PACKET
    rate = int(os.environ.get("FLOWC_BENCH_FLOWS_RATE", "400000"))
    rounds = int(os.environ.get("FLOWC_BENCH_FLOWS_ROUNDS", "3"))
    if shutil.which("nfcapd") is None or shutil.which("nfdump") is None:
        print("nfcapd/nfdump not installed (Debian: apt-get install nfdump): nothing to compare with")
        return
    shutil.rmtree(WORK, ignore_errors=True)
    packets = pool()
    flowc_dir, nf_dir = WORK / "flowc", WORK / "nfcapd"
    print(f"{records:,} records; hot path {current().name}; lines to gzip files ...", flush=True)
    write_flowc_files(flowc_dir, packets, records)
    size = sum(p.stat().st_size for p in flowc_dir.iterdir())
    print(f"  flowc files: {len(list(flowc_dir.iterdir()))}, {size / 1e6:.0f} MB gzip", flush=True)
    stored = send_to_nfcapd(nf_dir, packets, records, rate)
    print(f"  nfcapd stored {stored:,} of {records:,} flows (sent at {rate:,} records/s)", flush=True)
    jobs = {"flowc top-10 (gzip, cold)": flowc_top(flowc_dir, filtered=False),
            "flowc filtered top-10 (gzip, cold)": flowc_top(flowc_dir, filtered=True),
            "nfdump -s srcip/bytes -n 10": nfdump_top(nf_dir, filtered=False),
            "nfdump ... 'dst port 443 and proto tcp'": nfdump_top(nf_dir, filtered=True)}
    times, outputs = best(jobs, rounds)
    sidecar, _ = timed(flowc_top(flowc_dir, filtered=False, sidecars="write"))
    side_jobs = {"flowc top-10 (Parquet sidecars)": flowc_top(flowc_dir, filtered=False, sidecars="auto"),
                 "flowc filtered top-10 (sidecars)": flowc_top(flowc_dir, filtered=True, sidecars="auto")}
    side_times, side_out = best(side_jobs, rounds)
    nf_all, nf_443 = times["nfdump -s srcip/bytes -n 10"], times["nfdump ... 'dst port 443 and proto tcp'"]
    print(report("flowc top-10 (gzip, cold)", times["flowc top-10 (gzip, cold)"], records, nf_all))
    print(report("flowc top-10 (Parquet sidecars)", side_times["flowc top-10 (Parquet sidecars)"], records, nf_all))
    print(report("nfdump -s srcip/bytes -n 10", nf_all, records, None))
    print(report("flowc filtered (gzip, cold)", times["flowc filtered top-10 (gzip, cold)"], records, nf_443))
    print(report("flowc filtered (sidecars)", side_times["flowc filtered top-10 (sidecars)"], records, nf_443))
    print(report("nfdump filtered", nf_443, records, None))
    print(f"  writing the sidecars once (and answering): {sidecar.wall:.2f} s wall, {sidecar.cpu:.2f} s CPU")
    same = parse_flowc(outputs["flowc top-10 (gzip, cold)"]) == parse_nfdump(outputs["nfdump -s srcip/bytes -n 10"])
    same_443 = (parse_flowc(outputs["flowc filtered top-10 (gzip, cold)"])
                == parse_nfdump(outputs["nfdump ... 'dst port 443 and proto tcp'"]))
    same_side = parse_flowc(side_out["flowc top-10 (Parquet sidecars)"]) == parse_flowc(
        outputs["flowc top-10 (gzip, cold)"])
    print(f"  answers agree with nfdump: top-10 {same}, filtered {same_443}; sidecars = gzip: {same_side}"
          + ("" if stored == records else " (nfcapd lost datagrams: totals cannot agree)"))
    if not os.environ.get("FLOWC_BENCH_FLOWS_KEEP"):
        shutil.rmtree(WORK, ignore_errors=True)  # gigabytes at ten million records
