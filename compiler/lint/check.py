"""The lint consumer of the pipeline: which files, and how their findings are settled.

`check_files` / `check_text` run `flowc.compiler.pipeline` up to FINDINGS (parse FC0xx, groups,
schemas FC1xx, IR, rules FC2xx) with `Settler`: lint's settings (select, ignore, severity,
per-file ignores) and inline suppressions (FC290 and FC291 for the unused and the unknown).
The result is the pipeline's `Run`: one `FileResult` per file, findings sorted by file,
line, column and code; nothing here prints.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flowc.compiler.diagnostics import Diagnostic, UsageError, sort_diagnostics
from flowc.compiler.lint.settings import DEFAULT_EXTENSIONS, LintSettings
from flowc.compiler.lint.suppressions import Suppressions
from flowc.compiler.parse.statements import Statement
from flowc.compiler.pipeline import Options, Run, Stage, run_paths, run_texts
from flowc.compiler.rules.registry import REGISTRY


def check_text(text: str, name: str = "<text>", settings: LintSettings | None = None) -> Run:
    """Lint one configuration given as text (brace or set form, detected)."""
    return run_texts([(name, text)], lint_options(settings))


def check_files(paths: Sequence[str | Path], settings: LintSettings | None = None) -> Run:
    """Lint files and folders (folders are walked for the settings' extensions).
    UsageError for a path that does not exist or cannot be read."""
    settings = settings or LintSettings()
    return run_paths(expand_paths(paths, settings.extensions), lint_options(settings))


def lint_options(settings: LintSettings | None = None, upto: Stage = Stage.FINDINGS) -> Options:
    """Pipeline options that settle findings as lint does (default settings if None)."""
    return Options(upto=upto, settle=Settler(settings or LintSettings()))


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


@dataclass(frozen=True, slots=True)
class Settler:
    """The pipeline's `Settle` as lint does it: what the settings select, at the severity
    they say, less what an inline comment suppresses, plus FC290/FC291 for the comments."""

    settings: LintSettings

    def __call__(self, found: Sequence[Diagnostic], statements: tuple[Statement, ...],
                 file: str) -> tuple[Diagnostic, ...]:
        if self.settings.junos_schema:  # Junos' own schema, anywhere (loaded only when asked for)
            found = [*found, *_junos_findings(found, statements)]
        suppressions = Suppressions(statements)
        kept = [self._rated(d) for d in found
                if self.settings.enabled(d.code, d.span.file or file) and not suppressions.silences(d)]
        kept += [self._rated(d) for d in suppressions.leftovers(self.settings)
                 if self.settings.enabled(d.code, d.span.file or file)]
        return sort_diagnostics(kept)

    def _rated(self, diagnostic: Diagnostic) -> Diagnostic:
        rule = REGISTRY.get(diagnostic.code)
        default = rule.severity if rule else diagnostic.severity
        severity = self.settings.severity_of(diagnostic.code, default)
        if severity == diagnostic.severity:
            return diagnostic
        return Diagnostic(diagnostic.code, severity, diagnostic.message, diagnostic.span, diagnostic.hint,
                          diagnostic.related)


def _junos_findings(found: Sequence[Diagnostic], statements: tuple[Statement, ...]) -> list[Diagnostic]:
    """FC1xx findings of Junos' own schema, less those flowc's own schemas made at the same word."""
    from flowc.compiler.document.junoscheck import schema_findings

    taken = {d.span for d in found if d.code.startswith("FC10")}
    return [d for d in schema_findings(statements) if d.span not in taken]
