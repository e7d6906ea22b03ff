"""`flowc diff OLD NEW`: compare two configurations (brace, set or Junos JSON, any mix) or
two plans (a `.json` file is a plan unless its content is Junos JSON).

Exit codes: 0 identical, 1 different, 2 trouble (unreadable file, syntax error, bad plan).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from flowc.compiler.diagnostics import FlowcError, UsageError

if TYPE_CHECKING:
    from flowc.compiler.diff.impact import Impact
    from flowc.runtime.plan.model import Plan


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "diff", help="compare two configurations or two plans (like `show | compare`)",
        description="Compare OLD and NEW: two Junos configurations (brace, set or "
                    "`| display json` form, any mix) or two plans (.json/.yaml; a configuration "
                    "beside a plan is compiled first). Exit 0 identical, 1 different, 2 trouble.")
    parser.add_argument("old", metavar="OLD")
    parser.add_argument("new", metavar="NEW")
    parser.add_argument("--format", choices=("text", "set", "json"), default="text",
                        help="text: [edit …] sections (default); set: the set/delete/insert "
                             "commands that turn OLD into NEW; json: for tools")
    parser.add_argument("--impact", action="store_true",
                        help="also say what the change does to running collectors and to lint findings")
    parser.add_argument("--site", metavar="SITE", help="site overlay used when compiling for --impact")
    parser.set_defaults(handler=diff_command)


def diff_command(args: argparse.Namespace) -> int:
    from flowc.compiler.diff.inputs import is_plan_input

    try:
        if is_plan_input(args.old) or is_plan_input(args.new):
            return _plans(args)
        return _configs(args)
    except FlowcError as exc:  # a configuration that must compile (plan beside config) does not
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        return 2


def _configs(args: argparse.Namespace) -> int:
    from flowc.compiler.diff.files import diff_files
    from flowc.compiler.diff.output import compare_text, config_diff_json, set_text

    result = diff_files(args.old, args.new)
    impact = _config_impact(args) if args.impact else None
    if args.format == "json":
        data: dict[str, Any] = {"kind": "configuration", **config_diff_json(result)}
        _emit_json(data, impact)
    elif args.format == "set":
        sys.stdout.write(set_text(result))
        if impact is not None:
            sys.stdout.write(_commented(_impact_text(impact)))
    else:
        sys.stdout.write(compare_text(result))
        if impact is not None:
            sys.stdout.write(("\n" if not result.identical else "") + _impact_text(impact))
    return 0 if result.identical else 1


def _plans(args: argparse.Namespace) -> int:
    from flowc.compiler.diff.plan import diff_plans, plan_diff_json, plan_diff_text

    if args.format == "set":
        raise UsageError("--format set needs two configurations (plans have no set commands)")
    old, new = _plan(args.old, args.site), _plan(args.new, args.site)
    changes = diff_plans(old, new)
    impact = _plan_impact(old, new) if args.impact else None
    if args.format == "json":
        _emit_json({"kind": "plan", **plan_diff_json(changes)}, impact)
    else:
        sys.stdout.write(plan_diff_text(changes))
        if impact is not None:
            sys.stdout.write(("\n" if changes else "") + _impact_text(impact))
    return 1 if changes else 0


def _plan(path: str, site: str | None) -> Plan:
    """A plan file as loaded, or a configuration (any form, Junos JSON included) compiled."""
    from flowc.compiler.api import compile_paths, load_plan_or_config, plan_of
    from flowc.compiler.diff.inputs import is_junos_json

    if not is_junos_json(path):
        return load_plan_or_config(path, site)
    return plan_of(compile_paths([path], site))


def _config_impact(args: argparse.Namespace) -> Impact:
    from flowc.compiler.api import compile_paths
    from flowc.compiler.diff.impact import impact
    from flowc.runtime.plan.delta import delta

    old = compile_paths([args.old], args.site)
    new = compile_paths([args.new], args.site)
    change = delta(old.plan, new.plan) if old.plan and new.plan else None
    return impact(change, tuple(old.diagnostics), tuple(new.diagnostics))


def _plan_impact(old: Plan, new: Plan) -> Impact:
    from flowc.compiler.diff.impact import impact
    from flowc.runtime.plan.delta import delta

    return impact(delta(old, new), (), (), linted=False)


def _impact_text(result: Impact) -> str:
    from flowc.compiler.diff.impact import impact_text

    return impact_text(result)


def _commented(text: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in text.splitlines())


def _emit_json(data: dict[str, Any], impact: Impact | None) -> None:
    if impact is not None:
        from flowc.compiler.diff.impact import impact_json

        data["impact"] = impact_json(impact)
    json.dump(data, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
