"""The lint facade: files or text -> parsed configs, effective statements, IR, findings.

Each file is one router configuration, linted on its own: parse (FC0xx), apply groups,
fold the validated hierarchies and check them against the schemas (FC1xx), build the IR,
run the semantic rules (FC2xx: only on a file without syntax errors that has
`services flow-collector`, except the few that Junos itself enforces), then apply
settings (select, ignore, severity, per-file ignores) and inline suppressions (FC290 and
FC291 for the unused and the unknown). Findings are sorted by file, line, column and
code; nothing here prints.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flowc.compiler.diagnostics import Diagnostic, Severity, UsageError, sort_diagnostics
from flowc.compiler.document.fold import fold, single_valued
from flowc.compiler.document.groups import apply_groups, well_known_single
from flowc.compiler.document.schema import roots, validate
from flowc.compiler.ir.build import build
from flowc.compiler.ir.model import FlowCollectorConfig
from flowc.compiler.lint.settings import DEFAULT_EXTENSIONS, LintSettings
from flowc.compiler.lint.suppressions import Suppressions
from flowc.compiler.parse.loader import ParsedConfig, parse_file, parse_text
from flowc.compiler.parse.statements import Statement
from flowc.compiler.rules.registry import REGISTRY, SEMANTIC


@dataclass(frozen=True, slots=True)
class FileResult:
    """One configuration file: parsed text, effective statements, IR, its findings."""

    parsed: ParsedConfig
    statements: tuple[Statement, ...]
    ir: FlowCollectorConfig
    diagnostics: tuple[Diagnostic, ...]
    secrets: frozenset[str] = field(default=frozenset(), repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What `check_files` / `check_text` found. `statements` and `ir` are those of the
    only file when one file was checked (None / all statements otherwise: each file is
    its own router configuration, see `results`)."""

    files: tuple[ParsedConfig, ...]
    statements: tuple[Statement, ...]
    ir: FlowCollectorConfig | None
    diagnostics: tuple[Diagnostic, ...]
    results: tuple[FileResult, ...] = ()

    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity >= Severity.ERROR)

    def at_or_above(self, severity: Severity) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity >= severity)

    @property
    def secrets(self) -> frozenset[str]:
        """Plain-text passwords found in the configurations (for redaction only)."""
        return frozenset().union(*(r.secrets for r in self.results)) if self.results else frozenset()


def check_text(text: str, name: str = "<text>", settings: LintSettings | None = None) -> CheckResult:
    """Lint one configuration given as text (brace or set form, detected)."""
    return _combine([_check(parse_text(text, name), settings or LintSettings())])


def check_files(paths: Sequence[str | Path], settings: LintSettings | None = None) -> CheckResult:
    """Lint files and folders (folders are walked for the settings' extensions).
    UsageError for a path that does not exist or cannot be read."""
    settings = settings or LintSettings()
    results = []
    for path in expand_paths(paths, settings.extensions):
        try:
            parsed = parse_file(path)
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
        results.append(_check(parsed, settings))
    return _combine(results)


def expand_paths(paths: Sequence[str | Path], extensions: Iterable[str] = DEFAULT_EXTENSIONS) -> list[Path]:
    """Files as given; folders walked (sorted, hidden folders skipped) for `extensions`."""
    wanted = tuple(e.lower() for e in extensions)
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = _walk(path, wanted)
            if not found:  # never "no problems in 0 files": that reads as a pass
                raise UsageError(f"no configuration files in {raw} (files ending in {', '.join(wanted)}; "
                                 f"see --extensions)")
            out.extend(found)
        elif path.exists():
            out.append(path)
        else:
            raise UsageError(f"cannot read {raw}: no such file or directory")
    return list(dict.fromkeys(out))


def _walk(folder: Path, wanted: tuple[str, ...]) -> list[Path]:
    """The files under `folder` with these endings; UsageError for a folder it cannot list."""
    def unreadable(exc: OSError) -> None:
        raise UsageError(f"cannot read {exc.filename or folder}: {exc.strerror or exc}")

    found: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in sorted(files) if f.lower().endswith(wanted))
    return found


def _combine(results: list[FileResult]) -> CheckResult:
    one = results[0] if len(results) == 1 else None
    return CheckResult(
        files=tuple(r.parsed for r in results),
        statements=one.statements if one else tuple(s for r in results for s in r.statements),
        ir=one.ir if one else None,
        diagnostics=sort_diagnostics([d for r in results for d in r.diagnostics]),
        results=tuple(results),
    )


def _check(parsed: ParsedConfig, settings: LintSettings) -> FileResult:
    statements, group_diagnostics = _effective(parsed.statements)
    document = fold(statements)
    found: list[Diagnostic] = [*parsed.diagnostics, *group_diagnostics, *document.diagnostics]
    for name, data in document.data.items():
        found.extend(validate(roots()[name], data, document.spans, document.keywords))
    config = build(document)
    if parsed.ok:  # with syntax errors the statements are incomplete: rules would guess
        found.extend(run_rules(config))
    if settings.junos_schema:  # Junos' own schema, anywhere (loaded only when asked for)
        from flowc.compiler.document.junoscheck import schema_findings

        taken = {d.span for d in found if d.code.startswith("FC10")}  # flowc's own schemas said it
        found.extend(d for d in schema_findings(parsed.statements) if d.span not in taken)
    diagnostics = _settle(found, statements, settings, parsed.name)
    return FileResult(parsed, statements, config, diagnostics, _plain_passwords(config))


def _effective(statements: tuple[Statement, ...]) -> tuple[tuple[Statement, ...], tuple[Diagnostic, ...]]:
    effective, diagnostics = apply_groups(statements, single_valued=_single_valued)
    return tuple(effective), tuple(diagnostics)


def _single_valued(path: tuple[str, ...]) -> bool:
    """Schema knowledge first, then the groups stage's table of well-known leaves."""
    known = single_valued(path)
    return known if known is not None else well_known_single(path)


def run_rules(config: FlowCollectorConfig) -> list[Diagnostic]:
    """Run every semantic rule that applies; a failing rule becomes an FC902 finding."""
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


def _settle(found: list[Diagnostic], statements: tuple[Statement, ...], settings: LintSettings,
            file: str) -> tuple[Diagnostic, ...]:
    suppressions = Suppressions(statements)
    kept = []
    for diagnostic in found:
        if not settings.enabled(diagnostic.code, diagnostic.span.file or file):
            continue
        if suppressions.silences(diagnostic):
            continue
        kept.append(_rated(diagnostic, settings))
    for diagnostic in suppressions.leftovers(settings):
        if settings.enabled(diagnostic.code, diagnostic.span.file or file):
            kept.append(_rated(diagnostic, settings))
    return sort_diagnostics(kept)


def _rated(diagnostic: Diagnostic, settings: LintSettings) -> Diagnostic:
    rule = REGISTRY.get(diagnostic.code)
    default = rule.severity if rule else diagnostic.severity
    severity = settings.severity_of(diagnostic.code, default)
    if severity == diagnostic.severity:
        return diagnostic
    return Diagnostic(diagnostic.code, severity, diagnostic.message, diagnostic.span, diagnostic.hint,
                      diagnostic.related)


def _plain_passwords(config: FlowCollectorConfig) -> frozenset[str]:
    fc = config.collector
    if fc is None:
        return frozenset()
    sites = [*fc.destinations, *(fc.transfer_log_archive.sites if fc.transfer_log_archive else ())]
    return frozenset(s.password for s in sites if s.password and not s.password.startswith("$9$"))
