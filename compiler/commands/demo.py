"""`flowc demo`: the main job end to end on embedded defaults, with no outside servers.

It lints and formats the bundled Router 1 example and compiles it with a demo site (the
compiler half, here); `flowc.runtime.testbed.demo` starts an embedded FTP server per
router-side FTP host and the engine, sends a few seconds of cflowd traffic from the built-in
generator, prints the `show` outputs, the files that reached the FTP servers with a few
decoded lines, and the transfer log, then stops all it started.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from flowc.compiler.commands.flows import flows_summary
from flowc.compiler.diagnostics import UsageError

if TYPE_CHECKING:
    from flowc.runtime.plan.model import Plan

DEFAULT_CONFIG = Path("examples") / "router1" / "router.conf"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="run the whole job on the bundled example, on loopback only")
    demo.add_argument("--config", default=str(DEFAULT_CONFIG), metavar="CONFIG")
    demo.add_argument("--workdir", default="demo-run", metavar="DIR", help="scratch folder (recreated)")
    demo.add_argument("--seconds", type=float, default=4.0, help="how long to send traffic (default 4)")
    demo.add_argument("--rate", type=int, default=20000, help="records per second per input (default 20000)")
    demo.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    from flowc.compiler.lowering.site import router_host
    from flowc.runtime.testbed import demo

    config = Path(args.config)
    if not config.is_file():
        raise UsageError(f"{config}: not found (run `make demo` from the flowc checkout, or give --config)")
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, mode=0o700)  # flow records, the plan and logs: the owner's only
    work.chmod(0o700)  # whatever the umask
    demo.step(f"1. lint and format {config}")
    if _lint_and_format(config, work) != 0:
        return 1
    draft = _compiled(config)
    servers = demo.start_servers(demo.accounts(draft, router_host), work)
    try:
        plan, plan_file = _plan_file(config, work, demo.write_site(draft.collectors, work, servers))
        command = [sys.executable, "-m", "flowc.compiler.cli", "run", str(plan_file)]
        code = demo.run_engine(plan, command, work, servers, demo.Traffic(args.rate, args.seconds))
    except demo.DemoError as exc:
        raise UsageError(str(exc)) from None
    finally:
        for server in servers.values():
            server.stop()
    if code == 0:
        flows_summary(work / "ftp", work / "flows.png")
    return code


def _lint_and_format(config: Path, work: Path) -> int:
    from flowc.compiler.api import lint_paths
    from flowc.compiler.fmt.printer import to_set
    from flowc.compiler.lint.report import render, summary

    check = lint_paths([config])
    print(summary(check))
    if check.errors():
        sys.stdout.write(render(check, "text"))
        return 1
    display_set = work / "router.set"
    display_set.write_text(to_set(check.files[0].parsed.statements), "utf-8")
    lines = display_set.read_text("utf-8").count("\n")
    print(f"wrote {display_set} ({lines} `display set` lines)")
    return 0


def _compiled(config: Path, site: Path | None = None) -> Plan:
    from flowc.compiler.api import compile_paths, plan_of

    return plan_of(compile_paths([config], site))


def _plan_file(config: Path, work: Path, site: Path) -> tuple[Plan, Path]:
    """The plan compiled with the demo site, written to `work`."""
    from flowc.runtime.plan.model import dumps_plan
    from flowc.runtime.testbed.demo import step

    plan = _compiled(config, site)
    plan_file = work / "plan.json"
    plan_file.touch(mode=0o600)
    plan_file.chmod(0o600)
    plan_file.write_text(dumps_plan(plan), "utf-8")
    step(f"3. compiled {plan_file} with the demo site {site}")
    for collector in plan.collectors:
        inputs = ", ".join(f"{i.interface} on {i.listen}" for i in collector.inputs) or "no inputs"
        print(f"   {collector.interface} listens on {collector.listen}; inputs: {inputs}")
    return plan, plan_file
