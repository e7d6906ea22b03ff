"""`flowc lint PATH…` (findings in text, json, sarif, github, junit) and `flowc rules [CODE]`.

Exit codes: 0 no finding at or above `--fail-on` (default error), 1 findings, 2 usage or
I/O problems. `--format` may be repeated; an `--output FILE` after a `--format` sends that
format to the file (`--format sarif --output out.sarif --format text`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowc.compiler.diagnostics import Severity, UsageError

if TYPE_CHECKING:
    from flowc.compiler.lint.settings import LintSettings


class _FormatAction(argparse.Action):
    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        outputs = list(getattr(namespace, "outputs", None) or [])
        outputs.append([values, None])
        namespace.outputs = outputs


class _OutputAction(argparse.Action):
    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        outputs = list(getattr(namespace, "outputs", None) or [])
        if not outputs or outputs[-1][1] is not None:
            if outputs:
                parser.error("--output needs a --format before it (one --output per --format)")
            outputs.append(["text", None])
        outputs[-1][1] = values
        namespace.outputs = outputs


# The output formats of flowc.compiler.lint.report.FORMATS, spelled out here so that building the
# CLI parser does not import the whole lint pipeline (it cost every `flowc` start ~0.25 s);
# tests/compiler/commands/test_fmt_cli.py checks the two agree.
FORMATS = ("text", "json", "sarif", "github", "junit")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `lint` and `rules` to the `flowc` parser."""

    lint = sub.add_parser(
        "lint", help="check configurations for flow-collector problems",
        description="Check Junos configurations (brace or set form, files or folders) for problems "
                    "in services flow-collector and everything it references.")
    lint.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to check")
    lint.add_argument("--format", "-f", action=_FormatAction, choices=FORMATS, dest="outputs",
                      help="output format (repeatable; default text)")
    lint.add_argument("--output", "-o", action=_OutputAction, dest="outputs", metavar="FILE",
                      help="write the preceding --format to FILE instead of standard output")
    lint.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default=None,
                      help="exit 1 when a finding is at or above this severity (default error)")
    lint.add_argument("--config", metavar="FILE", help="settings file (default: nearest flowc.toml or "
                      "pyproject.toml with [tool.flowc])")
    lint.add_argument("--isolated", action="store_true", help="ignore every settings file")
    lint.add_argument("--select", action="append", default=[], metavar="CODES",
                      help="only these codes, prefixes or rule names (comma-separated)")
    lint.add_argument("--ignore", action="append", default=[], metavar="CODES",
                      help="never report these codes, prefixes or rule names")
    lint.add_argument("--extensions", metavar="EXTS",
                      help="file endings a folder walk picks up (default .conf,.set,.cfg,.txt,.junos)")
    lint.add_argument("--schema", action="store_true",
                      help="also check every statement against Junos' own schema (FC110-FC112)")
    lint.set_defaults(handler=run_lint, outputs=None)

    rules = sub.add_parser("rules", help="list lint rules, or explain one",
                           description="List every code flowc lint reports, or explain one with examples.")
    rules.add_argument("rule", nargs="?", metavar="CODE", help="a code (FC201) or rule name")
    rules.set_defaults(handler=run_rules)


def _settings(args: argparse.Namespace) -> LintSettings:
    from dataclasses import replace

    from flowc.compiler.lint.settings import LintSettings, load_settings

    settings = LintSettings() if args.isolated else load_settings(config=args.config)
    if args.select:
        settings = replace(settings, select=_split(args.select))
    if args.ignore:
        settings = replace(settings, ignore=settings.ignore + _split(args.ignore))
    if args.schema:
        settings = replace(settings, junos_schema=True)
    if args.extensions:
        settings = replace(settings, extensions=tuple(
            e if e.startswith(".") else f".{e}" for e in _split([args.extensions])))
    return settings


def _split(values: list[str]) -> tuple[str, ...]:
    """`--select A,B --select C` -> (A, B, C)."""
    return tuple(v for chunk in values for v in chunk.replace(",", " ").split())


def run_lint(args: argparse.Namespace) -> int:
    from flowc.compiler.api import lint_paths
    from flowc.compiler.lint.report import render

    settings = _settings(args)
    result = lint_paths(args.paths, settings)
    for fmt, output in args.outputs or [["text", None]]:
        text = render(result, fmt)
        if output is None or output == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(output).write_text(text, "utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    fail_on = args.fail_on or str(settings.fail_on)
    if fail_on == "never":
        return 0
    return 1 if result.at_or_above(Severity.parse(fail_on)) else 0


def run_rules(args: argparse.Namespace) -> int:
    from flowc.compiler.rules.registry import REGISTRY, lookup

    if args.rule is None:
        width = max(len(r.name) for r in REGISTRY.values())
        for rule in REGISTRY.values():
            print(f"{rule.code}  {rule.name:<{width}}  {rule.severity!s:<7}  {rule.summary}")
        print("FC0xx  syntax errors (docs/diagnostics.md); FC9xx internal errors")
        return 0
    found = lookup(args.rule)
    if found is None:
        raise UsageError(f"no rule {args.rule} (see `flowc rules`)")
    print(f"{found.code} {found.name} (default severity: {found.severity})\n")
    print(found.documentation)
    return 0
