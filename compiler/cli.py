"""The `flowc` command line: a thin shell over the command modules.

Exit codes for every command: 0 success, 1 problems found in the input, 2 usage, I/O or
internal failure. No traceback ever reaches a user (set FLOWC_DEBUG=1 to see one).
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from flowc.compiler.commands import (
    compile as compile_cmd,
)
from flowc.compiler.commands import (
    demo as demo_cmd,
)
from flowc.compiler.commands import (
    diff as diff_cmd,
)
from flowc.compiler.commands import (
    flows as flows_cmd,
)
from flowc.compiler.commands import (
    fmt as fmt_cmd,
)
from flowc.compiler.commands import (
    lint as lint_cmd,
)
from flowc.compiler.commands import (
    ops as ops_cmd,
)
from flowc.compiler.commands import (
    render as render_cmd,
)
from flowc.compiler.commands import (
    run as run_cmd,
)
from flowc.compiler.commands import (
    testbed as testbed_cmd,
)
from flowc.compiler.diagnostics import FlowcError, UsageError

# The explicit table of command modules, in the order `flowc --help` lists them.
COMMAND_MODULES: tuple[ModuleType, ...] = (
    fmt_cmd,
    lint_cmd,
    compile_cmd,
    run_cmd,
    ops_cmd,
    render_cmd,
    diff_cmd,
    flows_cmd,
    demo_cmd,
    testbed_cmd,
)


# What `flowc show|clear|request --help` prints after the options: the words they take
# (Junos operational command grammar; words may be shortened where unambiguous).
GRAMMAR = {
    "show": """words:
  show services flow-collector [terse|detail|extensive]
  show services flow-collector interface (all|cp-x/y/z) [terse|detail|extensive]
  show services flow-collector input interface (all|cp-x/y/z) [terse|detail|extensive]
  show services flow-collector file interface (all|cp-x/y/z) [terse|detail|extensive]

example:
  flowc show services flow-collector interface cp-6/0/0 extensive --control flowc.sock""",
    "clear": """words:
  clear services flow-collector statistics interface (all|cp-x/y/z)
  clear services flow-collector statistics all

example:
  flowc clear services flow-collector statistics interface all --site site.yaml""",
    "request": """words:
  request services flow-collector change-destination (primary|secondary) interface cp-x/y/z
          [immediately|gracefully] [clear-files] [clear-logs]
  request services flow-collector test-file-transfer NAME interface (all|cp-x/y/z)
          (channel-zero|channel-one) (primary|secondary)
  request services flow-collector reload [PLAN|CONFIG]
          without a file the engine re-reads the CONFIG/PLAN and site it was started with

example:
  flowc request services flow-collector reload --control /run/flowc/cp-6_0_0/control.sock""",
}
# Help for options that their command modules register without one (filled in here so that
# `--help` explains every option; the owning module may take the text over).
_OPTION_HELP = {
    ("show", "format"): "text (Junos-like, the default) or json",
    ("clear", "format"): "text (the default) or json",
    ("request", "format"): "text (the default) or json",
    ("show", "words"): "the command's words (see below)",
    ("clear", "words"): "the command's words (see below)",
    ("request", "words"): "the command's words (see below)",
    ("demo", "config"): "the configuration to run (default: the bundled Router 1 example)",
    ("diff", "old"): "the configuration before the change (brace, set or Junos JSON)",
    ("diff", "new"): "the configuration after the change",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowc",
        description="Lint, compile and run the Junos [edit services flow-collector] hierarchy.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    _complete_help(sub)
    return parser


def _complete_help(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The grammar of show/clear/request after their options; help on every option."""
    for verb, parser in sub.choices.items():
        if verb in GRAMMAR:
            parser.epilog = GRAMMAR[verb]
            parser.formatter_class = argparse.RawDescriptionHelpFormatter
        for action in parser._actions:
            text = _OPTION_HELP.get((verb, action.dest))
            if text and not action.help:
                action.help = text


def main(argv: Sequence[str] | None = None) -> int:
    """Run one flowc command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except FlowcError as exc:
        sys.stderr.write(exc.rendered or "".join(f"{d}\n" for d in exc.diagnostics))
        return 1
    except UsageError as exc:
        print(f"flowc: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"flowc: {_os_error_text(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: never a traceback
        if os.environ.get("FLOWC_DEBUG"):
            traceback.print_exc()
        print(f"flowc: internal error (FC901): {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


def _os_error_text(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


class _VersionAction(argparse.Action):
    """`--version`, worked out only when asked (it loads the hot path to name it)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the version and which collector hot path runs, then exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        sys.stdout.write(f"flowc {_version()}\n")  # on stdout: `$(flowc --version)` has it
        parser.exit()


def _version() -> str:
    """`0.1.0 (hot path: compiled (…))`: the release and which collector hot path runs."""
    from importlib.metadata import PackageNotFoundError, version

    from flowc.runtime.ingest.hotpath import describe

    try:
        release = version("flowc")
    except PackageNotFoundError:
        release = "0+unknown"
    return f"{release} (hot path: {describe()})"


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
