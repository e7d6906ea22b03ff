"""What a configuration change does to the running collectors (`flowc diff --impact`).

Input: the plan delta of OLD and NEW (`flowc.runtime.plan.delta.PlanDelta`, part of the plan contract, computed by the
CLI handler: the compiler does not import the engine side) or None when one side does not
compile, and the lint findings of both sides. Output: an `Impact` that prints as text
(collectors that start, stop, restart or change only their export side; destinations that
change server; file specifications whose names or rotation change; lint findings that
appear or disappear) and as JSON.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.runtime.plan.delta import CollectorDelta, FieldChange, FileChange, PlanDelta, ServerChange

_VERBS = {
    "started": "starts",
    "stopped": "stops",
    "restarted": "restarts",
    "export-only": "keeps running; export side changes (applies to files not yet exported)",
    "unchanged": "unchanged",
}


@dataclass(frozen=True, slots=True)
class Impact:
    delta: PlanDelta | None
    appeared: tuple[Diagnostic, ...]
    disappeared: tuple[Diagnostic, ...]
    old_errors: int = 0
    new_errors: int = 0
    linted: bool = True


def impact(delta: PlanDelta | None, old: tuple[Diagnostic, ...], new: tuple[Diagnostic, ...], *,
           linted: bool = True) -> Impact:
    """Pair lint findings by code and message (their lines move with the text).
    `linted` is False for two plans: there is no configuration to lint."""
    return Impact(delta, _minus(new, old), _minus(old, new), _errors(old), _errors(new), linted)


def _minus(a: tuple[Diagnostic, ...], b: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    left = Counter((d.code, d.message) for d in b)
    out = []
    for diagnostic in a:
        key = (diagnostic.code, diagnostic.message)
        if left[key]:
            left[key] -= 1
        else:
            out.append(diagnostic)
    return tuple(out)


def _errors(diagnostics: tuple[Diagnostic, ...]) -> int:
    return sum(1 for d in diagnostics if d.severity >= Severity.ERROR)


# ------------------------------------------------------------------ text

def impact_text(result: Impact) -> str:
    lines = ["Impact on the running collectors:"]
    lines += _collector_lines(result)
    lines.append("Lint findings:")
    if not result.linted:
        lines.append("  none to compare (two plans)")
    elif not result.appeared and not result.disappeared:
        lines.append("  no change")
    lines += [f"  + {d}" for d in result.appeared]
    lines += [f"  - {d}" for d in result.disappeared]
    return "".join(f"{line}\n" for line in lines)


def _collector_lines(result: Impact) -> list[str]:
    delta = result.delta
    if delta is None:
        side = "NEW" if result.new_errors else "OLD"
        return [f"  unknown: {side} does not compile (see the lint findings); "
                "a reload would change nothing"]
    lines = []
    if delta.engine_restart:
        lines.append("  the whole engine restarts (control socket changes)")
    for change in delta.plan_changes:
        lines += [f"  plan: {path}: {_value(a)} -> {_value(b)}"
                  for path, a, b in _expand(change.path, change.old, change.new)]
    for item in delta.collectors:
        lines.append(f"  {item.interface}: {_VERBS[item.kind]}")
        own = [r for r in item.reasons if not any(r is c for c in delta.plan_changes)]
        lines += [f"    {text}" for r in own for text in _reason(r)]
        if item.reasons and not own:
            lines.append("    because of the plan-wide change above")
        lines += [f"    export channels 0 and 1: {_server(s)}" for s in item.servers]
        lines += [f"    {_file(f)}" for f in item.files]
    if not delta.collectors:
        lines.append("  no collectors")
    return lines


def _reason(change: FieldChange) -> list[str]:
    """One collector field that changed, in a line or a few."""
    if change.path in ("destinations", "file_specs"):
        return []  # said per server and per file specification
    if change.path in ("inputs", "channels"):
        key = "interface" if change.path == "inputs" else "index"
        before = {getattr(i, key): i for i in change.old}
        after = {getattr(i, key): i for i in change.new}
        word = "input" if change.path == "inputs" else "export channel"
        out = [f"{word} {k}: added" for k in after if k not in before]
        out += [f"{word} {k}: removed" for k in before if k not in after]
        for k in (k for k in after if k in before and before[k] != after[k]):
            fields = _expand("", before[k], after[k])
            out.append(f"{word} {k}: " + ", ".join(
                f"{p.lstrip('.').replace('_', '-')} {_value(a)} -> {_value(b)}" for p, a, b in fields))
        return out
    return [f"{change.path.replace('_', '-')}: {_value(change.old)} -> {_value(change.new)}"]


def _server(change: ServerChange) -> str:
    old = change.old or "(none)"
    new = change.new or "(none)"
    if change.old == change.new and change.password_changed:
        return f"{change.role} server {new}: password changes"
    return f"{change.role} server {old} -> {new}"


def _file(change: FileChange) -> str:
    if change.kind != "changed":
        return f"file-specification {change.name}: {change.kind}"
    what = ", ".join(f"{c.path.replace('_', '-')} {_value(c.old)} -> {_value(c.new)}"
                     for c in change.changes)
    kinds = [k for k, on in (("names", change.naming), ("rotation", change.rotation)) if on]
    return f"file-specification {change.name}: {' and '.join(kinds) or 'format'} change ({what})"


def _expand(path: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    """A changed dataclass (the transfer log) as its changed fields."""
    if type(old) is type(new) and hasattr(old, "__dataclass_fields__"):
        return [(f"{path}.{name}", getattr(old, name), getattr(new, name))
                for name in old.__dataclass_fields__ if getattr(old, name) != getattr(new, name)]
    return [(path, old, new)]


def _value(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, (tuple, list)):
        urls = [getattr(item, "url", None) for item in value]
        if value and all(urls):
            return ", ".join(str(u) for u in urls)
        return f"{len(value)} item(s)"
    if hasattr(value, "host") and hasattr(value, "port"):
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        return type(value).__name__
    return str(value)


# ------------------------------------------------------------------ json

def impact_json(result: Impact) -> dict[str, Any]:
    delta = result.delta
    return {
        "compiles": {"old": result.old_errors == 0, "new": result.new_errors == 0},
        "engine_restart": bool(delta and delta.engine_restart),
        "collectors": [] if delta is None else [_collector_json(c) for c in delta.collectors],
        "lint": {
            "appeared": [_diagnostic_json(d) for d in result.appeared],
            "disappeared": [_diagnostic_json(d) for d in result.disappeared],
        },
    }


def _collector_json(item: CollectorDelta) -> dict[str, Any]:
    return {
        "interface": item.interface,
        "change": item.kind,
        "reasons": [r.path for r in item.reasons],
        "servers": [{"role": s.role, "old": s.old, "new": s.new,
                     "password_changed": s.password_changed} for s in item.servers],
        "files": [{"name": f.name, "change": f.kind, "naming": f.naming, "rotation": f.rotation,
                   "fields": {c.path: {"old": c.old, "new": c.new} for c in f.changes}}
                  for f in item.files],
    }


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    return {"code": d.code, "severity": str(d.severity), "message": d.message,
            "file": d.span.file, "line": d.span.line, "column": d.span.column}
