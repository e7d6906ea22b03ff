"""Engine throughput: the highest lossless NetFlow v5 rate per collector process, next to nfcapd.

For each rate (records/s, 30 records per datagram) a separate sender process blasts
pre-built datagrams for SECONDS at the flowc engine (`run_plan`, as `flowc run` runs it)
and then, in the same bench run, the same datagrams with the same sender at nfcapd. With
two or more CPUs the collector (flowc's engine and its collector process, or nfcapd) is
pinned to CPU 0 and the sender to the last CPU ("the sender on the other core"). A rate is
lossless for flowc when every record sent is in a gzip file that reached the FTP server
(pyftpdlib in its own process; lines counted in the uploaded files), for nfcapd when
`nfdump -R DIR -I` counts every flow. Measured, unattended, in one go:

1. flowc on the compiled hot path, rising rates until the first loss;
2. nfcapd at the same rates, on until its own first loss;
3. flowc on the pure-Python twin (`FLOWC_HOTPATH=python`), until its first loss;
4. two flowc collectors at once (two processes, unpinned, on two cores), rate per collector;
5. a LONG-second memory run at 80% of the best compiled rate (RSS start, end, peak).

Reported: records/s, lost records, CPU seconds per million records (from /proc of the
collector process, or of nfcapd) and the ratio to nfcapd's, RSS, then a summary table.

    python -m bench engine                      # everything, 10 s per rate (about 15 minutes)
    FLOWC_BENCH_SECONDS=5 FLOWC_BENCH_LONG=0 python -m bench engine   # shorter, no memory run
    FLOWC_BENCH_RATES=400000,600000 FLOWC_BENCH_PY_RATES=100000 FLOWC_BENCH_TWO_RATES=200000 ...
    FLOWC_BENCH_NFCAPD=0 python -m bench engine  # flowc alone
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".bench" / "engine"
USER, PASSWORD = "flowc", "bench-pass"
DEFAULT_RATES = (100_000, 200_000, 300_000, 400_000, 500_000, 600_000, 800_000, 1_000_000, 1_200_000,
                 1_500_000, 2_000_000)
DEFAULT_PY_RATES = (100_000, 200_000, 300_000, 400_000, 500_000)
DEFAULT_TWO_RATES = (200_000, 300_000, 400_000, 500_000, 600_000, 800_000)
ENGINE = ("import sys; from flowc.runtime.engine import run_plan; from flowc.runtime.plan.model import load_plan; "
          "sys.exit(run_plan(load_plan(sys.argv[1])))")
SENDER = "import sys; from bench.engine import blast; blast(*sys.argv[1:])"
FILE_TIMEOUT = 5  # seconds: every file is closed and uploaded shortly after the blast
CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
COLLECTOR_CPU = CPUS[:1] if len(CPUS) >= 2 else []
SENDER_CPU = CPUS[-1:] if len(CPUS) >= 2 else []


def pinned(cpus: Sequence[int]) -> Callable[[], None] | None:
    """A `preexec_fn` that pins the child (and what it starts) to `cpus`."""
    if not cpus:
        return None
    return lambda: os.sched_setaffinity(0, set(cpus))


@dataclass(frozen=True)
class Setup:
    """What one flowc run measures: which hot path, how many collectors, pinned or not."""

    face: str = "compiled"
    collectors: int = 1
    pin: bool = True


@dataclass(frozen=True)
class Result:
    """One run at one rate: flowc's (or nfcapd's) figures."""

    who: str  # "compiled", "python", "2 x compiled", "nfcapd"
    rate: int  # records/s asked for, per collector
    sent: int  # records sent to each collector
    seconds: float
    kept: int  # records in files on the FTP server (flowc) or counted by nfdump (nfcapd)
    cpu: float  # collector CPU seconds over the run (all collector processes)
    rss_start: int = 0
    rss_end: int = 0
    rss_peak: int = 0
    collectors: int = 1

    @property
    def lost(self) -> int:
        return self.sent * self.collectors - self.kept

    @property
    def achieved(self) -> int:
        """Records/s actually sent per collector."""
        return int(self.sent / self.seconds) if self.seconds else 0

    @property
    def cpu_per_million(self) -> float:
        return self.cpu / (self.sent * self.collectors / 1e6) if self.sent else 0.0


# ---------------------------------------------------------------------- sender process

def blast(host: str, ports: str, rate: str, seconds: str) -> None:
    """Send to every port the same pre-built datagrams at `rate` records/s; JSON to stdout."""
    from flowc.runtime.testbed.generator import packet_pool

    pool = packet_pool(256, 30, engine_type=0, engine_id=0, seed=1)
    targets = [int(p) for p in ports.split(",")]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
    per_second = int(rate) / 30
    total = int(per_second * float(seconds))
    sendto, patch, clock = sock.sendto, struct.Struct("!II").pack_into, time.monotonic
    addresses = [(host, p) for p in targets]
    started, sent = clock(), 0
    while sent < total:
        ahead = started + sent / per_second - clock()
        if ahead > 0:
            time.sleep(ahead)
        now = int(time.time())
        for _ in range(min(64, total - sent)):
            packet = pool[sent & 255]
            patch(packet, 8, now, 0)
            patch(packet, 16, sent * 30 & 0xFFFFFFFF, 0)
            for address in addresses:
                sendto(packet, address)
            sent += 1
    print(json.dumps({"packets": sent, "records": sent * 30, "seconds": clock() - started}))


# ---------------------------------------------------------------------- helpers

def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss(pid: int) -> int:
    match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) * 1024 if match else 0


def count_lines(folder: Path) -> int:
    from isal import igzip

    total = 0
    for path in folder.glob("*.gz"):
        with igzip.open(path, "rb") as src:
            while chunk := src.read(1 << 22):
                total += chunk.count(b"\n")
    return total


class FtpServer:
    """pyftpdlib in its own process."""

    def __init__(self, home: Path) -> None:
        self.home, self.port = home, free_port(socket.SOCK_STREAM)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", str(self.port), "-w",
             "-d", str(home), "-u", USER, "-P", PASSWORD], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        _wait_tcp(self.port)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _wait_tcp(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port}")


def make_plan(work: Path, ports: Sequence[int], ftp: FtpServer) -> Any:
    from flowc.runtime.plan.model import Channel, Collector, Destination, Endpoint, FileSpec, FtpTarget, Input, Plan
    from flowc.runtime.plan.secret import encode

    target = FtpTarget(f"ftp://{USER}@127.0.0.1:{ftp.port}/", Endpoint("127.0.0.1", ftp.port), USER,
                       encode(PASSWORD), "/")
    spec = FileSpec("1", "cFlowd-py69Ni69-0-%D_%T-%I_%N.bcp.bi.gz", record_level=500_000, timeout=FILE_TIMEOUT)
    collectors = tuple(
        Collector(f"cp-6/0/{n}", Endpoint("127.0.0.1", port),
                  (Input(f"mo-7/1/{n}.0", f"so_3_0_0_{n}", "1", source_address="127.0.0.1"),),
                  (spec,), "1", (Channel(0), Channel(1)), (Destination("primary", target),))
        for n, port in enumerate(ports))
    return Plan(host_name="bench", spool=str(work / "spool"), control=str(work / "ctl.sock"),
                collectors=collectors, analyzer_address="10.10.10.1", analyzer_id="server1")


class Engine:
    """`run_plan` in its own process (its collector processes inherit the pinning)."""

    def __init__(self, work: Path, plan: Any, setup: Setup) -> None:
        from flowc.runtime.plan.model import dumps_plan

        self.plan = plan
        path = work / "plan.json"
        path.write_text(dumps_plan(plan))
        self.log = (work / "engine.log").open("w")
        env = {**os.environ, "FLOWC_HOTPATH": setup.face}
        self.proc = subprocess.Popen([sys.executable, "-c", ENGINE, str(path)], stderr=self.log, env=env,
                                     start_new_session=True,
                                     preexec_fn=pinned(COLLECTOR_CPU) if setup.pin else None)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.snapshots()
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError(f"engine did not start; see {work / 'engine.log'}")

    def snapshots(self) -> list[Any]:
        from flowc.runtime.ops.control import request

        reply: Any = request(self.plan.control, {"op": "show", "what": "interface", "interface": "all"},
                             timeout=10)
        return list(reply["collectors"])

    def pids(self) -> list[int]:
        return [int(s["pid"]) for s in self.snapshots()]

    def flows(self) -> int:
        return sum(int(s["counters"]["flows"]["total"]) for s in self.snapshots())

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()


class Nfcapd:
    def __init__(self, folder: Path, port: int) -> None:
        folder.mkdir(parents=True)
        self.folder = folder
        self.proc = subprocess.Popen(["nfcapd", "-w", str(folder), "-p", str(port), "-b", "127.0.0.1",
                                      "-B", str(32 << 20), "-t", "3600"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=pinned(COLLECTOR_CPU))
        time.sleep(0.5)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)
        out = subprocess.run(["nfdump", "-R", str(self.folder), "-I"], capture_output=True, text=True).stdout
        match = re.search(r"^Flows:\s+(\d+)", out, re.M)
        return int(match.group(1)) if match else 0


def _send(ports: Sequence[int], rate: int, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", SENDER, "127.0.0.1", ",".join(map(str, ports)), str(rate),
                             str(seconds)], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                            preexec_fn=pinned(SENDER_CPU))


def _watch(sender: subprocess.Popen[str], pids: Sequence[int]) -> tuple[dict[str, Any], int]:
    """Wait for the sender; its report and the peak RSS of `pids` meanwhile."""
    peak = 0
    while sender.poll() is None:
        peak = max(peak, sum(rss(pid) for pid in pids))
        time.sleep(0.5)
    return json.loads(sender.communicate()[0]), peak


# ---------------------------------------------------------------------- one run

def flowc_run(rate: int, seconds: float, setup: Setup) -> Result:
    work = WORK / f"{setup.face}-{setup.collectors}-{rate}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "ftp").mkdir(parents=True)
    ftp = FtpServer(work / "ftp")
    ports = [free_port() for _ in range(setup.collectors)]
    engine = Engine(work, make_plan(work, ports, ftp), setup)
    try:
        pids = engine.pids()
        cpu0, rss0 = sum(map(cpu_seconds, pids)), sum(map(rss, pids))
        sent, peak = _watch(_send(ports, rate, seconds), pids)
        _settle(engine)
        cpu, rss1 = sum(map(cpu_seconds, pids)) - cpu0, sum(map(rss, pids))
        _wait_uploaded(engine)
        uploaded = count_lines(work / "ftp")
    finally:
        engine.stop()
        ftp.stop()
    for bulky in ("ftp", "spool"):  # keep the log and plan, not gigabytes of flows
        shutil.rmtree(work / bulky, ignore_errors=True)
    who = setup.face if setup.collectors == 1 else f"{setup.collectors} x {setup.face}"
    return Result(who, rate, sent["records"], sent["seconds"], uploaded, cpu, rss0, rss1, max(peak, rss1),
                  setup.collectors)


def nfcapd_run(rate: int, seconds: float) -> Result:
    work = WORK / f"nfcapd-{rate}"
    shutil.rmtree(work, ignore_errors=True)
    nf = Nfcapd(work / "nfcapd", port := free_port())
    try:
        cpu0, rss0 = cpu_seconds(nf.proc.pid), rss(nf.proc.pid)
        sent, peak = _watch(_send([port], rate, seconds), [nf.proc.pid])
        time.sleep(1.0)  # let it drain its socket buffer
        cpu, rss1 = cpu_seconds(nf.proc.pid) - cpu0, rss(nf.proc.pid)
    finally:
        flows = nf.stop()
    shutil.rmtree(work, ignore_errors=True)
    return Result("nfcapd", rate, sent["records"], sent["seconds"], flows, cpu, rss0, rss1, max(peak, rss1))


def _settle(engine: Engine) -> int:
    """Flows counted by the collectors once they stop growing (socket buffers drained)."""
    last, stable = -1, 0
    while stable < 3:
        time.sleep(0.3)
        now = engine.flows()
        stable = stable + 1 if now == last else 0
        last = now
    return last


def _wait_uploaded(engine: Engine) -> None:
    deadline = time.monotonic() + FILE_TIMEOUT + 60
    while time.monotonic() < deadline:
        if not any(s["files"] for s in engine.snapshots()):
            return
        time.sleep(0.2)


def sweep(rates: Sequence[int], run: Callable[[int], Result]) -> list[Result]:
    """Rising rates until the first loss (that run included)."""
    results = []
    for rate in rates:
        result = run(rate)
        print(report(result), flush=True)
        results.append(result)
        if result.lost:
            break
    return results


# ---------------------------------------------------------------------- report

def report(r: Result) -> str:
    text = (f"{r.who:>13}  rate {r.rate:>9,}/s  sent {r.sent * r.collectors:>11,}  kept {r.kept:>11,}  "
            f"lost {r.lost:>9,}  CPU {r.cpu_per_million:5.2f} s/M records")
    if r.rss_start:
        text += (f"  RSS {r.rss_start / 2**20:5.1f}->{r.rss_end / 2**20:5.1f} MiB "
                 f"(peak {r.rss_peak / 2**20:5.1f})")
    return text


def best(results: Sequence[Result]) -> Result | None:
    """The lossless run at the highest rate."""
    lossless = [r for r in results if not r.lost]
    return max(lossless, key=lambda r: r.achieved) if lossless else None


def at_rate(results: Sequence[Result], rate: int) -> Result | None:
    return next((r for r in results if r.rate == rate), None)


def summary(sweeps: dict[str, list[Result]], memory: Result | None) -> str:
    rows = ["", "| collector | highest lossless rate | CPU s / M records there | nfcapd CPU s / M there | ratio |",
            "|---|---|---|---|---|"]
    nf = sweeps.get("nfcapd", [])
    for name, results in sweeps.items():
        top = best(results)
        if top is None:
            rows.append(f"| {name} | none lossless (from {results[0].rate:,}/s) | | | |" if results else
                        f"| {name} | not run | | | |")
            continue
        peer = at_rate(nf, top.rate) if name != "nfcapd" else None
        peer_cpu = f"{peer.cpu_per_million:.2f}" if peer else ""
        ratio = f"{top.cpu_per_million / peer.cpu_per_million:.1f}x" if peer and peer.cpu_per_million else ""
        per = " per collector" if top.collectors > 1 else ""
        capped = " (the sweep's top rate)" if top is results[-1] else ""
        rows.append(f"| {name} | {top.achieved:,} records/s{per}{capped} | {top.cpu_per_million:.2f} | "
                    f"{peer_cpu} | {ratio} |")
    if memory is not None:
        rows.append(f"\nmemory over {memory.seconds:.0f} s at {memory.rate:,}/s ({memory.who}): RSS "
                    f"{memory.rss_start / 2**20:.1f} -> {memory.rss_end / 2**20:.1f} MiB, peak "
                    f"{memory.rss_peak / 2**20:.1f} MiB, lost {memory.lost:,}")
    return "\n".join(rows)


def _rates(name: str, default: Sequence[int]) -> tuple[int, ...]:
    return tuple(int(r) for r in os.environ.get(name, "").split(",") if r) or tuple(default)


def main() -> None:
    seconds = float(os.environ.get("FLOWC_BENCH_SECONDS", "10"))
    long_run = float(os.environ.get("FLOWC_BENCH_LONG", "60"))
    nfcapd = bool(shutil.which("nfcapd") and shutil.which("nfdump"))
    if os.environ.get("FLOWC_BENCH_NFCAPD", "1") == "0":
        nfcapd = False
        print("nfcapd left out (FLOWC_BENCH_NFCAPD=0)")
    elif not nfcapd:
        print("nfcapd/nfdump not installed (apt-get install -y nfdump): flowc only")
    from flowc.runtime.ingest.hotpath import describe

    print(f"{seconds:g} s per rate, 30 records per datagram; {os.cpu_count()} CPUs (collector on "
          f"{COLLECTOR_CPU or 'any'}, sender on {SENDER_CPU or 'any'}); net.core.rmem_max {_rmem_max()}; "
          f"hot path here: {describe()}", flush=True)
    rates = _rates("FLOWC_BENCH_RATES", DEFAULT_RATES)
    sweeps: dict[str, list[Result]] = {}
    sweeps["flowc compiled"] = sweep(rates, lambda r: flowc_run(r, seconds, Setup("compiled")))
    if nfcapd:
        sweeps["nfcapd"] = sweep(rates, lambda r: nfcapd_run(r, seconds))
    sweeps["flowc python"] = sweep(_rates("FLOWC_BENCH_PY_RATES", DEFAULT_PY_RATES),
                                   lambda r: flowc_run(r, seconds, Setup("python")))
    sweeps["2 flowc compiled"] = sweep(_rates("FLOWC_BENCH_TWO_RATES", DEFAULT_TWO_RATES),
                                       lambda r: flowc_run(r, seconds, Setup("compiled", 2, pin=False)))
    memory = None
    top = best(sweeps["flowc compiled"])
    if long_run and top is not None:
        memory = flowc_run(max(int(top.rate * 0.8), 50_000), long_run, Setup("compiled"))
        print("memory run: " + report(memory), flush=True)
    print(summary(sweeps, memory))


def _rmem_max() -> str:
    try:
        return Path("/proc/sys/net/core/rmem_max").read_text().strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
