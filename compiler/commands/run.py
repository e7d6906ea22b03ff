"""`flowc run` (the collector engine) and `flowc generate` (a cflowd v5 test sender)."""
from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable

from flowc.compiler.diagnostics import FlowcError, UsageError
from flowc.runtime.plan.model import Plan, PlanError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run_p = sub.add_parser(
        "run", help="run the flow collector for a configuration or plan",
        description="Run one collector pipeline per collector (cp-) interface until "
                    "SIGINT/SIGTERM. CONFIG is compiled in memory first.")
    run_p.add_argument("source", metavar="CONFIG|PLAN", help="Junos configuration or plan.json/plan.yaml")
    run_p.add_argument("--site", metavar="SITE", help="site overlay (YAML)")
    run_p.add_argument("--collector", action="append", metavar="cp-x/y/z",
                       help="run only this collector interface (repeatable)")
    run_p.add_argument("--replay", metavar="FILE.pcap", help="read packets from a pcap file instead of UDP")
    run_p.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this many seconds")
    run_p.set_defaults(handler=run_command)

    gen = sub.add_parser(
        "generate", help="send generated NetFlow v5 (cflowd) records to a collector",
        description="Send NetFlow v5 packets of random flows at a steady rate.")
    gen.add_argument("target", metavar="HOST:PORT", help="where the collector listens (UDP)")
    gen.add_argument("--rate", type=int, default=1000, metavar="N", help="records per second (default 1000)")
    gen.add_argument("--duration", type=float, default=5.0, metavar="S", help="seconds (default 5)")
    gen.add_argument("--records-per-packet", type=int, default=30, metavar="N", help="1..30 (default 30)")
    gen.add_argument("--engine-type", type=int, default=0, metavar="N",
                     help="engine type in the v5 header, 0..255 (default 0): inputs without their own "
                          "port are matched by exporter address and engine type/id")
    gen.add_argument("--engine-id", type=int, default=0, metavar="N",
                     help="engine id in the v5 header, 0..255 (default 0)")
    gen.add_argument("--seed", type=int, default=0, metavar="N",
                     help="random seed of the generated flows (default 0: the same flows every run)")
    gen.set_defaults(handler=generate_command)


def run_command(args: argparse.Namespace) -> int:
    from flowc.compiler.api import load_plan_or_config
    from flowc.compiler.lowering.secrets import fill_secrets
    from flowc.runtime.engine import run_plan

    def load() -> Plan:
        # container setups (`flowc render`) keep passwords out of the plan: FLOWC_SECRET_* give them back
        plan = fill_secrets(load_plan_or_config(args.source, args.site))
        return _only(plan, args.collector) if args.collector else plan

    plan = load()
    replay = None
    if args.replay:
        from pathlib import Path

        replay = Path(args.replay)
        if not replay.is_file():
            raise UsageError(f"{args.replay}: no such pcap file")
    return run_plan(plan, replay=replay, stop_after=args.duration,
                    reload_source=None if replay else lambda: reload_plan(load),
                    only=frozenset(args.collector) if args.collector else None)


def reload_plan(load: Callable[[], Plan]) -> Plan:
    """`load()` again for a reload (SIGHUP, `request … reload`): the CONFIG/PLAN the engine
    was started from, re-read; what stops it becomes a `PlanError` whose text carries
    every diagnostic with its file:line:column, so the engine can log it and keep going."""
    try:
        return load()
    except FlowcError as exc:
        raise PlanError("; ".join(str(d) for d in exc.diagnostics)) from None
    except UsageError as exc:
        raise PlanError(str(exc)) from None
    except OSError as exc:
        raise PlanError(f"{exc.filename or ''}: {exc.strerror or exc}") from None


def _only(plan: Plan, names: list[str]) -> Plan:
    known = {c.interface for c in plan.collectors}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"no collector {', '.join(unknown)} in the plan "
                         f"(it has: {', '.join(sorted(known)) or 'none'})")
    return dataclasses.replace(plan, collectors=tuple(c for c in plan.collectors if c.interface in names))


def generate_command(args: argparse.Namespace) -> int:
    from flowc.runtime.plan.model import Endpoint
    from flowc.runtime.testbed.generator import generate

    try:
        target = Endpoint.parse(args.target)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not 1 <= args.records_per_packet <= 30:
        raise UsageError("--records-per-packet must be 1..30 (NetFlow v5 carries at most 30)")
    if args.rate < 1 or args.duration <= 0:
        raise UsageError("--rate and --duration must be positive")
    for name in ("engine_type", "engine_id"):
        if not 0 <= getattr(args, name) <= 255:
            raise UsageError(f"--{name.replace('_', '-')} must be 0..255")
    result = generate(target, args.rate, args.duration, records_per_packet=args.records_per_packet,
                      engine_type=args.engine_type, engine_id=args.engine_id, seed=args.seed)
    print(f"sent {result.records} records in {result.packets} packets to {target}", file=sys.stderr)
    return 0
