"""The facade: the few calls the CLI and other tools make into the compiler.

Every call reaches the front end through `flowc.compiler.pipeline`, up to the stage it
needs: `parse_paths` (fmt: statements), `lint_paths` (findings, lint's settings),
`compile_paths` (the plan, site overlay applied), `load_plan_or_config` (a plan from a plan
file or a configuration). Only this module raises `FlowcError`; the stages return
diagnostics.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flowc.compiler.diagnostics import Diagnostic, FlowcError, Severity, UsageError
from flowc.compiler.parse.loader import Format
from flowc.compiler.pipeline import Options, Run, Stage, combine, run_paths, run_texts

if TYPE_CHECKING:  # the later stages are imported by the calls that need them (CLI start-up)
    from flowc.compiler.lint.settings import LintSettings
    from flowc.compiler.lowering.site import Site
    from flowc.runtime.plan.model import Plan

PLAN_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Compiled:
    """The outcome of compiling: a plan when there were no errors, and the pipeline's run
    (every file's result and every finding, lowering's included) for the report."""

    plan: Plan | None
    run: Run

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.run.diagnostics

    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity >= Severity.ERROR)


def read_site(site: str | Path | Site | None) -> Site | None:
    from flowc.compiler.lowering.site import Site, load_site

    if site is None or isinstance(site, Site):
        return site
    return load_site(site)


def parse_paths(paths: Sequence[str], fmt: Format = "auto", stdin: str | None = None) -> Run:
    """Each file parsed (stage STATEMENTS); `-` is `stdin`'s text, named `<stdin>`."""
    options = Options(upto=Stage.STATEMENTS, fmt=fmt)
    files = [run_texts([("<stdin>", stdin or "")], options).files[0] if path == "-"
             else run_paths([path], options).files[0] for path in paths]
    return combine(files)


def lint_paths(paths: Sequence[str | Path], settings: LintSettings | None = None) -> Run:
    """Lint files and folders (stage FINDINGS, settled by `settings`)."""
    from flowc.compiler.lint.check import check_files

    return check_files(paths, settings)


def compile_paths(paths: Sequence[str | Path], site: str | Path | Site | None = None) -> Compiled:
    """Lint the configuration files and, if clean of errors, lower them into a plan (stage
    PLAN). A plan is one router's: with several files the run stops at FINDINGS."""
    from flowc.compiler.lint.check import expand_paths, lint_options
    from flowc.compiler.lowering.site import overlay

    files = expand_paths(paths)
    run = run_paths(files, lint_options(upto=Stage.PLAN if len(files) == 1 else Stage.FINDINGS))
    plan = run.files[0].plan if len(run.files) == 1 else None
    return Compiled(overlay(plan, read_site(site)) if plan is not None else None, run)


def is_plan_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in PLAN_SUFFIXES


def load_plan_or_config(path: str | Path, site: str | Path | Site | None = None) -> Plan:
    """A plan from a plan file (site applied) or from a Junos configuration (compiled)."""
    from flowc.compiler.lowering.site import overlay
    from flowc.runtime.plan.model import PlanError, load_plan

    if is_plan_file(path):
        try:
            plan = load_plan(path)
        except PlanError as exc:
            raise UsageError(str(exc)) from None
        return overlay(plan, read_site(site)) if site is not None else plan
    return plan_of(compile_paths([path], site))


def plan_of(compiled: Compiled) -> Plan:
    """The plan, or FlowcError with the findings as `flowc lint` shows them."""
    if compiled.plan is None:
        from flowc.compiler.lint.report import render

        raise FlowcError(compiled.errors() or compiled.diagnostics, render(compiled.run, "text"))
    return compiled.plan



def reload_plan_text(source: str, site: str | None) -> str:
    """The plan text for `request … reload FILE`: a CONFIG compiled, a PLAN loaded and
    validated, the site overlay and `FLOWC_SECRET_*` passwords applied as `flowc run` applies
    them. FlowcError (what went wrong, then that nothing was sent) when there is no plan."""
    from flowc.compiler.lowering.secrets import fill_secrets
    from flowc.runtime.plan.model import dumps_plan

    if not Path(source).is_file():
        raise UsageError(f"{source}: no such file")
    plan = _reload_plan_file(source, site) if is_plan_file(source) else _reload_config(source, site)
    return dumps_plan(fill_secrets(plan))


def _reload_plan_file(source: str, site: str | None) -> Plan:
    from flowc.compiler.lowering.site import overlay
    from flowc.runtime.plan.model import PlanError, load_plan

    try:
        plan = load_plan(source)
    except PlanError as exc:
        raise FlowcError((), f"flowc: {exc}; nothing was sent to the engine\n") from None
    return overlay(plan, read_site(site)) if site is not None else plan


def _reload_config(source: str, site: str | None) -> Plan:
    compiled = compile_paths([source], site)
    if compiled.plan is None:
        from flowc.compiler.lint.report import render

        raise FlowcError(compiled.errors() or compiled.diagnostics,
                         f"{render(compiled.run, 'text')}flowc: {source} does not compile; "
                         "nothing was sent to the engine\n")
    return compiled.plan
