"""`flowc fmt PATH… [--to brace|set] [--check]`: canonical brace or `display set` text.

Prints each file's statements as canonical brace text (4-space indent, order and comments
as written) or as `display set` lines. `--check` prints the names of files that are not
canonical and exits 1. Layout changes, values never do: a clear password is printed as
written (lint's FC263 flags it; diagnostics mask it). Syntax errors go to stderr as `file:line:col: error FC0xx …` with
the source line and a caret; the exit code is then 1 (2 for unreadable files).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flowc.compiler.diagnostics import Diagnostic
from flowc.compiler.fmt.printer import to_brace, to_set
from flowc.compiler.fmt.sealing import clear_secrets
from flowc.compiler.parse.loader import Format, ParsedConfig

if TYPE_CHECKING:
    from flowc.compiler.pipeline import Run


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `flowc fmt` to the `flowc` parser."""
    cmd = sub.add_parser("fmt", help="print configurations as canonical brace or display-set text",
                         description="Print Junos configurations (brace or set form) as canonical "
                                     "brace text or as `display set` lines.")
    cmd.add_argument("files", nargs="+", metavar="PATH",
                     help="configuration files (brace or set form; - for stdin) or folders, walked as "
                          "`flowc lint` walks them")
    cmd.add_argument("--to", choices=("brace", "set"), default="brace", help="output form (default: brace)")
    cmd.add_argument("--from", dest="source_format", choices=("auto", "brace", "set", "json"),
                     default="auto", help="input form (default: detected from the first statement; "
                                          "`display json` from a leading `{\"`)")
    cmd.add_argument("--check", action="store_true",
                     help="print the names of files that are not canonical; exit 1 if any")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Format every file; 0 when all is well, 1 on syntax errors or (with --check) changes."""
    status = 0
    parsed = [file.parsed for file in _read(_paths(args.files), args.source_format).files]
    for number, config in enumerate(parsed):
        if config.diagnostics:
            sys.stderr.write(render_diagnostics(config.diagnostics, config))
        if not config.ok:
            status = 1
            continue
        statements = config.statements  # values as written: fmt changes layout, never a value
        text = to_set(statements) if args.to == "set" else to_brace(statements)
        if args.check:
            if text != config.source.text:
                print(config.name)
                status = 1
            continue
        if len(parsed) > 1:
            sys.stdout.write(("\n" if number else "") + f"# {config.name}\n")
        sys.stdout.write(text)
    return status


def _paths(given: list[str]) -> list[str]:
    """Files as given, `-` for stdin, folders walked for configuration files (as lint does)."""
    from pathlib import Path

    from flowc.compiler.lint.check import expand_paths

    out: list[str] = []
    for path in given:
        out += [str(p) for p in expand_paths([path])] if path != "-" and Path(path).is_dir() else [path]
    return out


def _read(paths: list[str], source_format: Format) -> Run:
    """The files parsed (standard input for `-`), through the pipeline's first stage."""
    from flowc.compiler.api import parse_paths

    return parse_paths(paths, source_format, sys.stdin.read() if "-" in paths else None)


def render_diagnostics(diagnostics: Sequence[Diagnostic], config: ParsedConfig) -> str:
    """`file:line:col: severity CODE message`, the source line and a caret under the token.
    Clear secrets (values of the leaves `secretleaf` knows, words after `password` and the
    like) are masked in the message and the source line."""
    from flowc.compiler.lint.report import Redactor  # the linter's stack: loaded only when there is something to show

    lines = config.source.text.splitlines()
    redactor = Redactor(clear_secrets(config.statements))
    out = []
    for d in diagnostics:
        out.append(f"{d.span}: {d.severity} {d.code} {redactor.text(d.message)}\n")
        if 0 < d.span.line <= len(lines):
            out.append(_caret(redactor.line(lines[d.span.line - 1]), d))
        if d.hint:
            out.append(f"    hint: {d.hint}\n")
        for related in d.related:
            out.append(f"    note: {related.span}: {related.message}\n")
    return "".join(out)


def _caret(line: str, d: Diagnostic) -> str:
    start = max(d.span.column - 1, 0)
    width = d.span.end_column - d.span.column if d.span.end_line == d.span.line else 1
    lead = "".join(c if c == "\t" else " " for c in line[:start])
    return f"    {line}\n    {lead}{'^' * max(width, 1)}\n"
