"""The compiler's front end: one file's text through the typed stages, up to the one asked for.

`STATEMENTS` (parse, FC0xx) → `GROUPS` (apply-groups, FC013) → `DOCUMENT` (fold under the
JSON Schemas and validate, FC1xx) → `IR` (typed model) → `FINDINGS` (semantic rules, FC2xx,
then the caller's `Settle`: lint's settings and suppressions) → `PLAN` (lowering, FC3xx; only
for a file whose settled findings hold no error). Each file is one router configuration and
gets one `FileResult`; `Run` adds the aggregate. Every command reaches the front end through
here (via `flowc.compiler.api`); docs/pipeline.md has the stage table.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flowc.compiler.diagnostics import Diagnostic, Severity, UsageError, sort_diagnostics
from flowc.compiler.document.groups import apply_groups, well_known_single
from flowc.compiler.parse.loader import Format, ParsedConfig, parse_source, read_source
from flowc.compiler.parse.statements import Statement
from flowc.compiler.source import Source

if TYPE_CHECKING:  # the later stages are imported when a run reaches them (CLI start-up)
    from flowc.compiler.document.fold import Document
    from flowc.compiler.ir.model import FlowCollectorConfig
    from flowc.runtime.plan.model import Plan


class Stage(IntEnum):
    """The stages in the order they run; a run stops after the one asked for."""

    STATEMENTS = 1
    GROUPS = 2
    DOCUMENT = 3
    IR = 4
    FINDINGS = 5
    PLAN = 6


class Settle(Protocol):
    """What a consumer does with one file's raw findings (lint: settings, suppressions)."""

    def __call__(self, found: Sequence[Diagnostic], statements: tuple[Statement, ...],
                 file: str) -> tuple[Diagnostic, ...]: ...


def unsettled(found: Sequence[Diagnostic], statements: tuple[Statement, ...], file: str) -> tuple[Diagnostic, ...]:
    """The findings as the stages found them, sorted (no settings, no suppressions)."""
    return sort_diagnostics(list(found))


@dataclass(frozen=True, slots=True)
class Options:
    """How far to go and how: `fmt`/`merged` are the parser's (`merged=False` keeps a block
    written twice in both places, for diff); `settle` shapes the findings before lowering."""

    upto: Stage = Stage.FINDINGS
    settle: Settle = unsettled
    fmt: Format = "auto"
    merged: bool = True


@dataclass(frozen=True, slots=True)
class Grouped:
    """Stage GROUPS: the statements with groups applied (group text removed) and FC013."""

    statements: tuple[Statement, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class FileResult:
    """One configuration file as far as the run went: `reached` says which fields are set
    (`grouped` from GROUPS, `document` from DOCUMENT, `ir` from IR, `plan` at PLAN when the
    file lowered). `diagnostics`: every finding so far (settled from FINDINGS on)."""

    parsed: ParsedConfig
    reached: Stage
    diagnostics: tuple[Diagnostic, ...]
    grouped: Grouped | None = None
    document: Document | None = field(default=None, repr=False, compare=False)
    ir: FlowCollectorConfig | None = None
    plan: Plan | None = None

    @property
    def name(self) -> str:
        return self.parsed.name

    @property
    def source(self) -> Source:
        return self.parsed.source

    @property
    def effective(self) -> tuple[Statement, ...]:
        """The effective statements (groups applied) once GROUPS ran, else as parsed."""
        return self.grouped.statements if self.grouped is not None else self.parsed.statements

    @property
    def secrets(self) -> frozenset[str]:
        """Plain-text passwords of the IR (for redaction only); empty before IR."""
        return _plain_passwords(self.ir) if self.ir is not None else frozenset()

    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity >= Severity.ERROR)


@dataclass(frozen=True, slots=True)
class Run:
    """Every file's result, in the order given, and every finding sorted."""

    files: tuple[FileResult, ...]
    diagnostics: tuple[Diagnostic, ...]

    def errors(self) -> tuple[Diagnostic, ...]:
        return self.at_or_above(Severity.ERROR)

    def at_or_above(self, severity: Severity) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity >= severity)

    @property
    def secrets(self) -> frozenset[str]:
        """Plain-text passwords found in the configurations (for redaction only)."""
        return frozenset().union(*(f.secrets for f in self.files))


def run_paths(paths: Sequence[str | Path], options: Options = Options()) -> Run:
    """Run files (each its own configuration); UsageError for one that cannot be read."""
    return combine([run_source(read_file(path), options, from_file=True) for path in paths])


def run_texts(texts: Sequence[tuple[str, str]], options: Options = Options()) -> Run:
    """Run configurations given as `(name, text)` pairs."""
    return combine([run_source(Source(name, text), options) for name, text in texts])


def combine(results: Sequence[FileResult]) -> Run:
    """The aggregate of file results."""
    return Run(tuple(results), sort_diagnostics([d for r in results for d in r.diagnostics]))


def read_file(path: str | Path) -> Source:
    """One configuration file's text; UsageError for what cannot be read."""
    try:
        return read_source(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def run_source(source: Source, options: Options = Options(), *, from_file: bool = False) -> FileResult:
    """One configuration through the stages up to `options.upto` (`from_file`: the source
    is a file on disk, which the plan records by its hash)."""
    parsed = parse_source(source, options.fmt, merged=options.merged)
    result = FileResult(parsed, Stage.STATEMENTS, sort_diagnostics(parsed.diagnostics))
    if options.upto >= Stage.GROUPS:
        result = _groups(result)
    if options.upto >= Stage.DOCUMENT:
        result = _document(result)
    if options.upto >= Stage.IR:
        result = _ir(result)
    if options.upto >= Stage.FINDINGS:
        result = _findings(result, options.settle)
    if options.upto >= Stage.PLAN:
        result = _plan(result, from_file)
    return result


def apply_file_groups(statements: Sequence[Statement]) -> Grouped:
    """Stage GROUPS on statements: apply-groups expanded with the schema's knowledge of
    which leaves take one value (the groups stage's table where the schema is silent)."""
    from flowc.compiler.document.fold import single_valued

    def one_value(path: tuple[str, ...]) -> bool:
        known = single_valued(path)
        return known if known is not None else well_known_single(path)

    effective, diagnostics = apply_groups(statements, single_valued=one_value)
    return Grouped(tuple(effective), tuple(diagnostics))


def _groups(result: FileResult) -> FileResult:
    grouped = apply_file_groups(result.parsed.statements)
    return replace(result, reached=Stage.GROUPS, grouped=grouped,
                   diagnostics=sort_diagnostics([*result.diagnostics, *grouped.diagnostics]))


def _document(result: FileResult) -> FileResult:
    from flowc.compiler.document.fold import fold
    from flowc.compiler.document.schema import roots, validate

    document = fold(result.effective)
    found = list(document.diagnostics)
    for name, data in document.data.items():
        found.extend(validate(roots()[name], data, document.spans, document.keywords))
    return replace(result, reached=Stage.DOCUMENT, document=document,
                   diagnostics=sort_diagnostics([*result.diagnostics, *found]))


def _ir(result: FileResult) -> FileResult:
    from flowc.compiler.ir.build import build

    assert result.document is not None  # DOCUMENT ran
    return replace(result, reached=Stage.IR, ir=build(result.document))


def _findings(result: FileResult, settle: Settle) -> FileResult:
    """Rules run only on a file without syntax errors (its statements are incomplete
    otherwise: rules would guess); then the consumer settles every finding."""
    assert result.ir is not None  # IR ran
    found = [*result.diagnostics, *(run_rules(result.ir) if result.parsed.ok else ())]
    settled = settle(found, result.effective, result.name)
    return replace(result, reached=Stage.FINDINGS, diagnostics=settled)


def _plan(result: FileResult, from_file: bool) -> FileResult:
    """Lowering, for a file whose findings hold no error; a plan only without FC3xx errors."""
    from flowc.compiler.lowering.lower import lower

    if result.errors() or result.ir is None:
        return replace(result, reached=Stage.PLAN)
    sources = (Path(result.name),) if from_file else ()
    plan, lowering = lower(result.ir, sources=sources)
    diagnostics = sort_diagnostics([*result.diagnostics, *lowering])
    if any(d.severity >= Severity.ERROR for d in lowering):
        plan = None
    return replace(result, reached=Stage.PLAN, diagnostics=diagnostics, plan=plan)


def run_rules(config: FlowCollectorConfig) -> list[Diagnostic]:
    """Run every semantic rule that applies; a failing rule becomes an FC902 finding."""
    from flowc.compiler.rules.registry import SEMANTIC

    out = []
    for rule in SEMANTIC:
        if rule.check is None or (config.collector is None and not rule.always):
            continue
        try:
            for finding in rule.check(config):
                out.append(Diagnostic(rule.code, rule.severity, finding.message, finding.span,
                                      finding.hint, finding.related))
        except Exception as exc:  # a rule bug must not hide the other findings
            out.append(Diagnostic("FC902", Severity.ERROR,
                                  f"internal error in rule {rule.code} ({rule.name}): {type(exc).__name__}: {exc}",
                                  config.span))
    return out


def _plain_passwords(config: FlowCollectorConfig) -> frozenset[str]:
    fc = config.collector
    if fc is None:
        return frozenset()
    sites = [*fc.destinations, *(fc.transfer_log_archive.sites if fc.transfer_log_archive else ())]
    return frozenset(s.password for s in sites if s.password and not s.password.startswith("$9$"))
