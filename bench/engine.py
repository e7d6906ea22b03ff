"""Engine throughput: the highest lossless NetFlow v5 rate of one collector process, next to nfcapd.

For each rate (records/s, 30 records per datagram) a separate sender process blasts
pre-built datagrams for SECONDS at the flowc engine (one collector, `flowc` run as users
run it) and, in the same run, the same datagrams at nfcapd when it is installed. A rate
is lossless for flowc when every record sent is in a gzip file that reached the FTP
server (pyftpdlib in its own process; lines counted in the uploaded files), for nfcapd
when `nfdump -R DIR -I` counts every flow. Reported: records/s, lost records, CPU
seconds per million records (from /proc of the collector process and of nfcapd) and
the collector's RSS at the start and end of the run.

    python -m bench engine                      # 10 s per rate
    FLOWC_BENCH_RATES=200000,400000 python -m bench engine
    FLOWC_BENCH_SECONDS=5 FLOWC_BENCH_LONG=60 python -m bench engine   # + a 60 s memory run
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".bench" / "engine"
USER, PASSWORD = "flowc", "bench-pass"
DEFAULT_RATES = (100_000, 200_000, 300_000, 400_000, 500_000, 600_000, 700_000)
ENGINE = ("import sys; from flowc.runtime.engine import run_plan; from flowc.runtime.plan.model import load_plan; "
          "sys.exit(run_plan(load_plan(sys.argv[1])))")
SENDER = "import sys; from bench.engine import blast; blast(*sys.argv[1:])"
FILE_TIMEOUT = 5  # seconds: every file is closed and uploaded shortly after the blast


@dataclass(frozen=True)
class Result:
    rate: int
    sent: int
    seconds: float
    received: int
    uploaded: int
    cpu: float
    rss_start: int
    rss_end: int
    rss_peak: int
    nf_flows: int | None = None
    nf_cpu: float | None = None

    @property
    def lost(self) -> int:
        return self.sent - self.uploaded


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


def make_plan(work: Path, port: int, ftp: FtpServer):  # type: ignore[no-untyped-def]
    from flowc.runtime.plan.model import Channel, Collector, Destination, Endpoint, FileSpec, FtpTarget, Input, Plan
    from flowc.runtime.plan.secret import encode

    target = FtpTarget(f"ftp://{USER}@127.0.0.1:{ftp.port}/", Endpoint("127.0.0.1", ftp.port), USER,
                       encode(PASSWORD), "/")
    spec = FileSpec("1", "cFlowd-py69Ni69-0-%D_%T-%I_%N.bcp.bi.gz", record_level=500_000, timeout=FILE_TIMEOUT)
    collector = Collector("cp-6/0/0", Endpoint("127.0.0.1", port),
                          (Input("mo-7/1/0.0", "so_3_0_0_0", "1", source_address="127.0.0.1"),),
                          (spec,), "1", (Channel(0), Channel(1)), (Destination("primary", target),))
    return Plan(host_name="bench", spool=str(work / "spool"), control=str(work / "ctl.sock"),
                collectors=(collector,), analyzer_address="10.10.10.1", analyzer_id="server1")


class Engine:
    def __init__(self, work: Path, plan) -> None:  # type: ignore[no-untyped-def]
        from flowc.runtime.plan.model import dumps_plan

        self.plan = plan
        path = work / "plan.json"
        path.write_text(dumps_plan(plan))
        self.log = (work / "engine.log").open("w")
        self.proc = subprocess.Popen([sys.executable, "-c", ENGINE, str(path)], stderr=self.log,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.snapshot()
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError(f"engine did not start; see {work / 'engine.log'}")

    def snapshot(self) -> dict:
        from flowc.runtime.ops.control import request

        return request(self.plan.control, {"op": "show", "what": "interface", "interface": "all"},
                       timeout=10)["collectors"][0]

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
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)
        out = subprocess.run(["nfdump", "-R", str(self.folder), "-I"], capture_output=True, text=True).stdout
        match = re.search(r"^Flows:\s+(\d+)", out, re.M)
        return int(match.group(1)) if match else 0


# ---------------------------------------------------------------------- one run

def one_run(rate: int, seconds: float, nfcapd: bool) -> Result:
    work = WORK / f"rate-{rate}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "ftp").mkdir(parents=True)
    ftp = FtpServer(work / "ftp")
    port = free_port()
    engine = Engine(work, make_plan(work, port, ftp))
    nf = Nfcapd(work / "nfcapd", nf_port := free_port()) if nfcapd else None
    try:
        pid = engine.snapshot()["pid"]
        cpu0, rss0, nf_cpu0 = cpu_seconds(pid), rss(pid), cpu_seconds(nf.proc.pid) if nf else 0.0
        ports = f"{port},{nf_port}" if nf else str(port)
        sender = subprocess.Popen([sys.executable, "-c", SENDER, "127.0.0.1", ports, str(rate), str(seconds)],
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT)
        peak = rss0
        while sender.poll() is None:
            peak = max(peak, rss(pid))
            time.sleep(0.5)
        sent = json.loads(sender.communicate()[0])
        received = _settle(engine)
        cpu, rss1 = cpu_seconds(pid) - cpu0, rss(pid)
        nf_cpu = cpu_seconds(nf.proc.pid) - nf_cpu0 if nf else None
        _wait_uploaded(engine)
        uploaded = count_lines(work / "ftp")
    finally:
        engine.stop()
        nf_flows = nf.stop() if nf else None
        ftp.stop()
    result = Result(rate, sent["records"], sent["seconds"], received, uploaded, cpu, rss0, rss1,
                    max(peak, rss1), nf_flows, nf_cpu)
    for bulky in ("ftp", "nfcapd", "spool"):  # keep the log and plan, not gigabytes of flows
        shutil.rmtree(work / bulky, ignore_errors=True)
    return result


def _settle(engine: Engine) -> int:
    """Flows counted by the collector once it stops growing (socket buffer drained)."""
    last, stable = -1, 0
    while stable < 3:
        time.sleep(0.3)
        now = engine.snapshot()["counters"]["flows"]["total"]
        stable = stable + 1 if now == last else 0
        last = now
    return last


def _wait_uploaded(engine: Engine) -> None:
    deadline = time.monotonic() + FILE_TIMEOUT + 60
    while time.monotonic() < deadline:
        if not engine.snapshot()["files"]:
            return
        time.sleep(0.2)


def memory_run(seconds: float, rate: int, nfcapd: bool) -> Result:
    return one_run(rate, seconds, nfcapd)


# ---------------------------------------------------------------------- report

def report(result: Result) -> str:
    mrec = result.sent / 1e6
    text = (f"rate {result.rate:>7}/s  sent {result.sent:>9}  in files on FTP {result.uploaded:>9}  "
            f"lost {result.lost:>8}  flowc CPU {result.cpu / mrec:5.2f} s/M records  "
            f"RSS {result.rss_start / 2**20:5.1f}->{result.rss_end / 2**20:5.1f} MiB "
            f"(peak {result.rss_peak / 2**20:5.1f})")
    if result.nf_flows is not None and result.nf_cpu is not None:
        text += (f"  | nfcapd flows {result.nf_flows:>9} lost {result.sent - result.nf_flows:>8} "
                 f"CPU {result.nf_cpu / mrec:5.2f} s/M")
    return text


def main() -> None:
    rates = tuple(int(r) for r in os.environ.get("FLOWC_BENCH_RATES", "").split(",") if r) or DEFAULT_RATES
    seconds = float(os.environ.get("FLOWC_BENCH_SECONDS", "10"))
    long_run = float(os.environ.get("FLOWC_BENCH_LONG", "0"))
    nfcapd = bool(shutil.which("nfcapd") and shutil.which("nfdump"))
    if os.environ.get("FLOWC_BENCH_NFCAPD", "1") == "0":
        nfcapd = False
        print("nfcapd left out (FLOWC_BENCH_NFCAPD=0)")
    elif not nfcapd:
        print("nfcapd/nfdump not installed (apt-get install -y nfdump): flowc only")
    print(f"{seconds:g} s per rate, 30 records per datagram, one collector process; "
          f"{os.cpu_count()} CPUs; net.core.rmem_max {_rmem_max()}", flush=True)
    best = 0
    for rate in rates:
        result = one_run(rate, seconds, nfcapd)
        print(report(result), flush=True)
        if result.lost:
            break
        best = max(best, int(result.sent / result.seconds))
    print(f"highest lossless rate: {best} records/s per collector process")
    if long_run:
        result = memory_run(long_run, max(int(best * 0.8), 50_000), nfcapd)
        print(f"memory run {long_run:g} s: " + report(result))


def _rmem_max() -> str:
    try:
        return Path("/proc/sys/net/core/rmem_max").read_text().strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
