"""`flowc testbed ftp (CONFIG|PLAN) --site SITE`: loopback FTP servers standing in for the
plan's, to try a site out on one machine.

One embedded server (pyftpdlib) per address the plan connects to (the site's `hosts:`),
each with every user, password and folder its destinations and archive sites name; files
land below `--root` (default `ftp-root/`). Serves until SIGINT/SIGTERM or `--duration`.
Only loopback addresses are served: a test server never answers for a real one.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from flowc.compiler.diagnostics import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    testbed = sub.add_parser("testbed", help="stand-ins for the outside world (test FTP servers)",
                             description="Stand-ins for the outside world, for trying a setup on one machine.")
    testbed_sub = testbed.add_subparsers(dest="testbed_command", metavar="WHAT", required=True)
    ftp = testbed_sub.add_parser(
        "ftp", help="serve every FTP destination of the plan on loopback",
        description="Serve every FTP destination and archive site of the plan on the loopback address "
                    "the site maps it to (`hosts:`; `flowc site init --ftp-testbed` writes such a site), "
                    "with the users, passwords and folders the router's URLs name. Until Ctrl-C.")
    ftp.add_argument("source", metavar="CONFIG|PLAN", help="Junos configuration or plan.json/plan.yaml")
    ftp.add_argument("--site", metavar="SITE", help="site overlay (YAML): its `hosts:` say where to listen")
    ftp.add_argument("--root", default="ftp-root", metavar="DIR",
                     help="where received files go, one folder per server and user (default ftp-root)")
    ftp.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this many seconds")
    ftp.set_defaults(handler=ftp_command)


def ftp_command(args: argparse.Namespace) -> int:
    from flowc.compiler.api import load_plan_or_config
    from flowc.compiler.lowering.secrets import fill_secrets
    from flowc.runtime.testbed.ftpsite import ftp_sites, start_servers

    sites = ftp_sites(fill_secrets(load_plan_or_config(args.source, args.site)))
    if not sites:
        raise UsageError(f"{args.source}: the plan names no FTP server")
    remote = [str(s.endpoint) for s in sites if not s.loopback]
    if remote:
        raise UsageError(f"the site maps FTP hosts to {', '.join(remote)}, not loopback: a test server only "
                         "serves 127.0.0.1 (write `hosts:` such as `192.168.252.2: 127.0.0.1:2121`, or "
                         "`flowc site init --ftp-testbed`)")
    root = Path(args.root)
    try:
        servers = start_servers(sites, root)
    except OSError as exc:
        raise UsageError(f"cannot listen: {exc.strerror or exc}") from None
    try:
        for site in sites:
            for account in site.accounts:
                print(f"ftp://{account.username}@{site.endpoint}  folders {', '.join(account.directories)}  "
                      f"files in {site.folder(root) / account.username}")
        print(f"flowc: serving {len(servers)} FTP server(s) on loopback until Ctrl-C", file=sys.stderr, flush=True)
        sys.stdout.flush()
        _wait(args.duration)
    finally:
        for server in servers:
            server.stop()
    return 0


def _wait(duration: float | None) -> None:
    stop = threading.Event()

    def on_signal(number: int, frame: FrameType | None) -> None:
        stop.set()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.2 if duration is None else min(0.2, duration)):
            if duration is not None:
                duration -= 0.2
                if duration <= 0:
                    break
    finally:
        for number, handler in old.items():
            signal.signal(number, handler)
