"""The facade: the few calls the CLI and other tools make into the compiler.

`compile_paths` runs the whole front half (parse, groups, schema, rules) and lowers a clean
result into a runtime plan with the site overlay applied; `load_plan_or_config` gives a
plan from either a plan file or a Junos configuration. Only this module raises
`FlowcError`; the stages return diagnostics.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowc.compiler.diagnostics import Diagnostic, FlowcError, Severity, UsageError, sort_diagnostics
from flowc.compiler.lowering.site import Site, load_site, overlay
from flowc.runtime.plan.model import Plan, PlanError, load_plan

PLAN_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Compiled:
    """The outcome of compiling: a plan when there were no errors, and every finding."""

    plan: Plan | None
    diagnostics: tuple[Diagnostic, ...]
    check: Any  # flowc.compiler.lint.check.CheckResult

    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity >= Severity.ERROR)

    def report(self) -> Any:
        """The lint result with lowering's findings added, for `flowc.compiler.lint.report`."""
        return dataclasses.replace(self.check, diagnostics=self.diagnostics)


def read_site(site: str | Path | Site | None) -> Site | None:
    if site is None or isinstance(site, Site):
        return site
    return load_site(site)


def compile_paths(paths: Sequence[str | Path], site: str | Path | Site | None = None) -> Compiled:
    """Lint the configuration files and, if clean of errors, lower them into a plan."""
    from flowc.compiler.lint.check import check_files
    from flowc.compiler.lowering.lower import lower

    check = check_files(paths)
    if check.errors() or check.ir is None:
        return Compiled(None, check.diagnostics, check)
    plan, lowering = lower(check.ir, sources=[Path(p) for p in _files(check)])
    diagnostics = sort_diagnostics(check.diagnostics + lowering)
    if plan is None or any(d.severity >= Severity.ERROR for d in lowering):
        return Compiled(None, diagnostics, check)
    return Compiled(overlay(plan, read_site(site)), diagnostics, check)


def _files(check: Any) -> list[str]:
    return [parsed.name for parsed in check.files]


def is_plan_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in PLAN_SUFFIXES


def load_plan_or_config(path: str | Path, site: str | Path | Site | None = None) -> Plan:
    """A plan from a plan file (site applied) or from a Junos configuration (compiled)."""
    if is_plan_file(path):
        try:
            plan = load_plan(path)
        except PlanError as exc:
            raise UsageError(str(exc)) from None
        return overlay(plan, read_site(site)) if site is not None else plan
    compiled = compile_paths([path], site)
    if compiled.plan is None:
        from flowc.compiler.lint.report import render

        raise FlowcError(compiled.errors() or compiled.diagnostics, render(compiled.report(), "text"))
    return compiled.plan
