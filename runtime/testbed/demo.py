"""The runtime half of `flowc demo`: embedded FTP servers, a loopback site, the engine
driven with generated traffic, and what it shows (`show`, metrics, files, transfer log).

In: a compiled `Plan` (the compiler half, `flowc.compiler.commands.demo`, lints, formats and
compiles; the runtime never reads Junos text), the FTP accounts per router-side host, and
the engine's command line. Everything listens on 127.0.0.1 and is stopped on the way out.
"""
from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flowc.runtime.plan.model import Collector, Plan
from flowc.runtime.plan.secret import reveal
from flowc.runtime.testbed.ftpserver import EmbeddedFtpServer, FtpAccount

Servers = dict[tuple[str, int], EmbeddedFtpServer]


class DemoError(Exception):
    """The demo cannot go on (the engine did not start)."""


@dataclass(frozen=True, slots=True)
class Traffic:
    """How much the generator sends: records per second per input, for how long."""

    rate: int
    seconds: float


def accounts(plan: Plan, host_of: Callable[[str], tuple[str, int]]) -> dict[tuple[str, int], list[FtpAccount]]:
    """The FTP users of every router-side host the plan sends to (destinations, archive),
    by `host_of(url)`: the (host, port) a URL names on the router's side."""
    targets = [d.target for c in plan.collectors for d in c.destinations] + list(plan.transfer_log.archive_sites)
    found: dict[tuple[str, int], list[FtpAccount]] = {}
    for target in targets:
        directory = target.path if "%" not in target.path else "/"
        account = FtpAccount(target.username, reveal(target.password), (directory,))
        found.setdefault(host_of(target.url), []).append(account)
    return found


def start_servers(accounts: dict[tuple[str, int], list[FtpAccount]], work: Path) -> Servers:
    """One embedded server per router-side FTP host (host, port), with that host's users."""
    servers = {}
    for (host, port), users in accounts.items():
        root = work / "ftp" / f"{host}_{port}"
        servers[(host, port)] = EmbeddedFtpServer(root, users).start()
    step("2. embedded FTP servers (loopback) standing in for the router's")
    for (host, port), server in servers.items():
        print(f"   ftp://{host}:{port}  ->  {server.endpoint}  (files in {server.root})")
    return servers


def write_site(plan_collectors: Sequence[Collector], work: Path, servers: Servers) -> Path:
    """A site file that puts every listener on a free loopback port and maps the router's
    FTP hosts to the embedded servers."""
    lines = ["host-name: router1-demo", f"spool: {work / 'spool'}", f"control: {work / 'flowc.sock'}",
             f"metrics: 127.0.0.1:{free_tcp_port()}", "collectors:"]
    for collector in plan_collectors:
        lines += [f"  {collector.interface}:", f"    listen: 127.0.0.1:{free_udp_port()}"]
    lines.append("inputs:")
    for collector in plan_collectors:
        for item in collector.inputs:
            lines += [f"  {item.interface}:", f"    listen: 127.0.0.1:{free_udp_port()}"]
    lines.append("hosts:")
    for (host, port), server in servers.items():
        key = host if port == 21 else f'"{host}:{port}"'
        lines.append(f"  {key}: {server.endpoint}")
    site = work / "site.yaml"
    site.write_text("\n".join(lines) + "\n", "utf-8")
    return site


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that nothing uses right now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the metrics listener's)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_engine(plan: Plan, command: Sequence[str], work: Path, servers: Servers, traffic: Traffic) -> int:
    """Start the engine (`command`, its log in `work`), send traffic, show what happened,
    stop it."""
    log_path = work / "engine.log"
    with log_path.open("w", encoding="utf-8") as log:
        engine = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return _drive(plan, engine, log_path, servers, traffic)
        finally:
            _stop(engine)
            step("9. engine stopped; last lines of its log")
            print("".join(log_path.read_text("utf-8").splitlines(keepends=True)[-6:]), end="")


def _drive(plan: Plan, engine: subprocess.Popen[bytes], log_path: Path, servers: Servers,
           traffic: Traffic) -> int:
    from flowc.runtime.testbed.generator import generate

    if not _wait_for_control(plan.control, engine):
        print(log_path.read_text("utf-8"), file=sys.stderr)
        raise DemoError("the engine did not start; its log is above")
    step(f"4. sending {traffic.rate} records/s per input for {traffic.seconds:g} s (flowc generate)")
    from concurrent.futures import ThreadPoolExecutor

    sends = [(item, item.listen or collector.listen) for collector in plan.collectors for item in collector.inputs]
    with ThreadPoolExecutor(max_workers=max(1, len(sends))) as pool:  # all inputs at once
        results = list(pool.map(lambda s: generate(s[1], traffic.rate, traffic.seconds,
                                                   engine_type=s[0].engine_type or 0,
                                                   engine_id=s[0].engine_id or 0), sends))
    for (item, _), result in zip(sends, results):
        print(f"   {item.interface}: sent {result.records} records in {result.packets} packets")
    _wait_for_files(servers, timeout=10.0)
    _show(plan.control, plan.collectors[0].interface)
    _metrics(plan)
    _files(servers)
    _translog(plan)
    return 0


def _wait_for_control(path: str, engine: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    from flowc.runtime.ops.control import ControlError, request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and engine.poll() is None:
        try:
            if request(path, {"op": "show", "what": "interface", "interface": "all"}, timeout=2).get("ok"):
                return True
        except ControlError:
            time.sleep(0.2)
    return False


def _wait_for_files(servers: Servers, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.suffix == ".gz" for s in servers.values() for p in s.files()):
            time.sleep(1.0)
            return
        time.sleep(0.2)


def _show(control: str, first: str) -> None:
    from flowc.runtime.ops.control import request
    from flowc.runtime.ops.show import render

    commands = [("interface", "all", "terse"), ("interface", first, "extensive"),
                ("input", "all", "detail"), ("file", "all", "terse")]
    step("5. operational commands")
    for what, interface, level in commands:
        reply = request(control, {"op": "show", "what": what, "interface": interface})
        words = "" if what == "interface" else f"{what} "
        print(f"user@router1> show services flow-collector {words}interface {interface} {level}")
        print(render(what, level, reply).rstrip("\n"))
        print()


SHOWN_METRICS = ("flowc_input_packets_total", "flowc_input_flow_records_total", "flowc_files_exported_total",
                 "flowc_ftp_bytes_total", "flowc_export_current_server")


def _metrics(plan: Plan) -> None:
    """A few lines of what Prometheus scrapes from the engine, and its probes."""
    import urllib.error
    import urllib.request

    base = f"http://{plan.metrics}"
    step(f"5b. Prometheus metrics scraped from {base}/metrics (same numbers as show)")
    try:
        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as reply:
            text = reply.read().decode("utf-8")
        for line in text.splitlines():
            if line.startswith(SHOWN_METRICS) and f'collector="{plan.collectors[0].interface}"' in line:
                print(f"   {line}")
        for probe in ("/healthz", "/readyz"):
            with urllib.request.urlopen(base + probe, timeout=10) as reply:
                print(f"   GET {probe}: {reply.status} {reply.read().decode('utf-8').splitlines()[-1]}")
    except (urllib.error.URLError, OSError) as exc:
        print(f"   (no answer from the metrics listener: {exc})")


def _files(servers: Servers) -> None:
    step("6. files on the FTP servers")
    flow_files = [p for s in servers.values() for p in s.files() if ".log" not in p.name]
    for path in flow_files:
        print(f"   {path}  ({path.stat().st_size} bytes)")
    if not flow_files:
        print("   (none yet: files leave when record-level or timeout is reached)")
        return
    step(f"7. a few decoded lines of {flow_files[0].name}")
    with gzip.open(flow_files[0], "rt", encoding="utf-8") as handle:
        for _, line in zip(range(3), handle):
            print(f"   {line.rstrip()}")


def _translog(plan: Plan) -> None:
    from flowc.runtime.files.spool import SpoolDirs

    step("8. transfer log")
    for collector in plan.collectors:
        for log in sorted(SpoolDirs.for_collector(plan.spool, collector.interface).translog.glob("*.tmp")):
            print(f"   {log.name}")
            for line in log.read_text("utf-8").splitlines()[:4]:
                print(f"     {line}")


def _stop(engine: subprocess.Popen[bytes]) -> None:
    if engine.poll() is None:
        os.killpg(engine.pid, signal.SIGTERM)
        try:
            engine.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(engine.pid, signal.SIGKILL)
            engine.wait()


def step(text: str) -> None:
    """A numbered demo step's heading."""
    print(f"\n== {text}")
