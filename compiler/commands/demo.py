"""`flowc demo`: the main job end to end on embedded defaults, with no outside servers.

It lints and formats the bundled Router 1 example, compiles it with a demo site, starts an
embedded FTP server per router-side FTP host and the engine, sends a few seconds of cflowd
traffic from the built-in generator, prints the `show` outputs, the files that reached the
FTP servers with a few decoded lines, and the transfer log, then stops all it started.
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from flowc.compiler.commands.flows import flows_summary
from flowc.compiler.diagnostics import UsageError

DEFAULT_CONFIG = Path("examples") / "router1" / "router.conf"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="run the whole job on the bundled example, on loopback only")
    demo.add_argument("--config", default=str(DEFAULT_CONFIG), metavar="CONFIG")
    demo.add_argument("--workdir", default="demo-run", metavar="DIR", help="scratch folder (recreated)")
    demo.add_argument("--seconds", type=float, default=4.0, help="how long to send traffic (default 4)")
    demo.add_argument("--rate", type=int, default=20000, help="records per second per input (default 20000)")
    demo.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    config = Path(args.config)
    if not config.is_file():
        raise UsageError(f"{config}: not found (run `make demo` from the flowc checkout, or give --config)")
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _step(f"1. lint and format {config}")
    if _lint_and_format(config, work) != 0:
        return 1
    servers = _start_ftp_servers(config, work)
    try:
        code = _run_engine(config, work, servers, args)
    finally:
        for server in servers.values():
            server.stop()
    if code == 0:
        flows_summary(work / "ftp", work / "flows.png")
    return code


def _lint_and_format(config: Path, work: Path) -> int:
    from flowc.compiler.fmt.printer import to_set
    from flowc.compiler.lint.check import check_files
    from flowc.compiler.lint.report import render, summary

    check = check_files([config])
    print(summary(check))
    if check.errors():
        sys.stdout.write(render(check, "text"))
        return 1
    display_set = work / "router.set"
    display_set.write_text(to_set(check.files[0].statements), "utf-8")
    lines = display_set.read_text("utf-8").count("\n")
    print(f"wrote {display_set} ({lines} `display set` lines)")
    return 0


def _start_ftp_servers(config: Path, work: Path) -> dict[tuple[str, int], Any]:
    """One embedded server per router-side FTP host, with that host's users."""
    from flowc.compiler.api import compile_paths
    from flowc.compiler.lowering.site import router_host
    from flowc.runtime.plan.secret import reveal
    from flowc.runtime.testbed.ftpserver import EmbeddedFtpServer, FtpAccount

    plan = compile_paths([config]).plan
    assert plan is not None
    targets = [d.target for c in plan.collectors for d in c.destinations] + list(plan.transfer_log.archive_sites)
    accounts: dict[tuple[str, int], list[FtpAccount]] = {}
    for target in targets:
        directory = target.path if "%" not in target.path else "/"
        account = FtpAccount(target.username, reveal(target.password), (directory,))
        accounts.setdefault(router_host(target.url), []).append(account)
    servers = {}
    for (host, port), users in accounts.items():
        root = work / "ftp" / f"{host}_{port}"
        servers[(host, port)] = EmbeddedFtpServer(root, users).start()
    _step("2. embedded FTP servers (loopback) standing in for the router's")
    for (host, port), server in servers.items():
        print(f"   ftp://{host}:{port}  ->  {server.endpoint}  (files in {server.root})")
    return servers


def _write_site(plan_collectors: list[Any], work: Path, servers: dict[tuple[str, int], Any]) -> Path:
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


def _run_engine(config: Path, work: Path, servers: dict[tuple[str, int], Any], args: argparse.Namespace) -> int:
    from flowc.compiler.api import compile_paths
    from flowc.runtime.plan.model import dumps_plan

    draft = compile_paths([config]).plan
    assert draft is not None
    site = _write_site(list(draft.collectors), work, servers)
    plan = compile_paths([config], site).plan
    assert plan is not None
    plan_file = work / "plan.json"
    plan_file.write_text(dumps_plan(plan), "utf-8")
    _step(f"3. compiled {plan_file} with the demo site {site}")
    for collector in plan.collectors:
        inputs = ", ".join(f"{i.interface} on {i.listen}" for i in collector.inputs) or "no inputs"
        print(f"   {collector.interface} listens on {collector.listen}; inputs: {inputs}")
    log_path = work / "engine.log"
    with log_path.open("w", encoding="utf-8") as log:
        engine = subprocess.Popen([sys.executable, "-m", "flowc.compiler.cli", "run", str(plan_file)],
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return _drive(plan, engine, log_path, servers, args)
        finally:
            _stop(engine)
            _step("9. engine stopped; last lines of its log")
            print("".join(log_path.read_text("utf-8").splitlines(keepends=True)[-6:]), end="")


def _drive(plan: Any, engine: subprocess.Popen[bytes], log_path: Path,
           servers: dict[tuple[str, int], Any], args: argparse.Namespace) -> int:
    from flowc.runtime.testbed.generator import generate

    if not _wait_for_control(plan.control, engine):
        print(log_path.read_text("utf-8"), file=sys.stderr)
        raise UsageError("the engine did not start; its log is above")
    _step(f"4. sending {args.rate} records/s per input for {args.seconds:g} s (flowc generate)")
    from concurrent.futures import ThreadPoolExecutor

    sends = [(item, item.listen or collector.listen) for collector in plan.collectors for item in collector.inputs]
    with ThreadPoolExecutor(max_workers=max(1, len(sends))) as pool:  # all inputs at once
        results = list(pool.map(lambda s: generate(s[1], args.rate, args.seconds, engine_type=s[0].engine_type or 0,
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


def _wait_for_files(servers: dict[tuple[str, int], Any], timeout: float) -> None:
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
    _step("5. operational commands")
    for what, interface, level in commands:
        reply = request(control, {"op": "show", "what": what, "interface": interface})
        words = "" if what == "interface" else f"{what} "
        print(f"user@router1> show services flow-collector {words}interface {interface} {level}")
        print(render(what, level, reply).rstrip("\n"))
        print()


SHOWN_METRICS = ("flowc_input_packets_total", "flowc_input_flow_records_total", "flowc_files_exported_total",
                 "flowc_ftp_bytes_total", "flowc_export_current_server")


def _metrics(plan: Any) -> None:
    """A few lines of what Prometheus scrapes from the engine, and its probes."""
    import urllib.error
    import urllib.request

    base = f"http://{plan.metrics}"
    _step(f"5b. Prometheus metrics scraped from {base}/metrics (same numbers as show)")
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


def _files(servers: dict[tuple[str, int], Any]) -> None:
    _step("6. files on the FTP servers")
    flow_files = [p for s in servers.values() for p in s.files() if ".log" not in p.name]
    for path in flow_files:
        print(f"   {path}  ({path.stat().st_size} bytes)")
    if not flow_files:
        print("   (none yet: files leave when record-level or timeout is reached)")
        return
    _step(f"7. a few decoded lines of {flow_files[0].name}")
    with gzip.open(flow_files[0], "rt", encoding="utf-8") as handle:
        for _, line in zip(range(3), handle):
            print(f"   {line.rstrip()}")


def _translog(plan: Any) -> None:
    from flowc.runtime.files.spool import SpoolDirs

    _step("8. transfer log")
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


def _step(text: str) -> None:
    print(f"\n== {text}")
