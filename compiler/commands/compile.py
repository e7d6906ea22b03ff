"""`flowc compile` and `flowc site init`: from a Junos configuration to a runtime plan."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Literal

from flowc.compiler.diagnostics import FlowcError, UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    compile_p = sub.add_parser(
        "compile", help="lower a configuration into a runtime plan (JSON or YAML)",
        description="Lint CONFIG and, when it has no errors, write the runtime plan.")
    compile_p.add_argument("config", nargs="+", metavar="CONFIG", help="brace or set configuration file(s)")
    compile_p.add_argument("--site", metavar="SITE", help="site overlay (YAML); embedded defaults otherwise")
    compile_p.add_argument("-o", "--output", metavar="PLAN", help="plan.json or plan.yaml (default: stdout)")
    compile_p.add_argument("--format", choices=("json", "yaml"), help="plan format (default: from -o, else json)")
    compile_p.set_defaults(handler=compile_command)

    site_p = sub.add_parser("site", help="site overlay files")
    site_sub = site_p.add_subparsers(dest="site_command", metavar="ACTION", required=True)
    init = site_sub.add_parser("init", help="write a commented starting site file for CONFIG")
    init.add_argument("config", metavar="CONFIG", help="the router's configuration (brace or set form)")
    init.add_argument("-o", "--output", metavar="SITE", help="where to write it (default: stdout)")
    init.add_argument("--ftp-testbed", action="store_true",
                      help="map every FTP host to a loopback port from 127.0.0.1:2121 up, for "
                           "`flowc testbed ftp` (instead of the router's own addresses)")
    init.set_defaults(handler=site_init_command)


def compile_command(args: argparse.Namespace) -> int:
    from flowc.compiler.api import compile_paths
    from flowc.compiler.lint.report import render
    from flowc.runtime.plan.model import dumps_plan

    compiled = compile_paths(args.config, args.site)
    if compiled.diagnostics:
        sys.stderr.write(render(compiled.run, "text"))
    if compiled.plan is None:
        if not compiled.errors():
            raise FlowcError(compiled.diagnostics)
        return 1
    default = "yaml" if (args.output or "").endswith((".yaml", ".yml")) else "json"
    fmt: Literal["json", "yaml"] = "yaml" if (args.format or default) == "yaml" else "json"
    _write(args.output, dumps_plan(compiled.plan, fmt))
    if args.output:
        names = ", ".join(c.interface for c in compiled.plan.collectors) or "no collectors"
        print(f"flowc: wrote {args.output} ({names})", file=sys.stderr)
    return 0


def site_init_command(args: argparse.Namespace) -> int:
    from flowc.compiler.api import compile_paths
    from flowc.compiler.lint.report import render
    from flowc.compiler.lowering.site_init import site_template

    compiled = compile_paths([args.config])
    if compiled.plan is None:
        sys.stderr.write(render(compiled.run, "text"))
        return 1
    _write(args.output, site_template(compiled.plan, args.config, testbed=args.ftp_testbed))
    return 0


def _write(output: str | None, text: str) -> None:
    if not output or output == "-":
        sys.stdout.write(text)
        return
    try:  # 0600 whatever the umask: a plan holds $9$ secrets, which decode in one line
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(text)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write: {exc.strerror or exc}") from None
