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
    demo_cmd,
    testbed_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowc",
        description="Lint, compile and run the Junos [edit services flow-collector] hierarchy.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


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
        parser.exit(message=f"flowc {_version()}\n")


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
