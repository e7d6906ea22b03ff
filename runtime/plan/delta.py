"""The plan delta: what applying a new plan does to a running engine (live reload, `diff --impact`).

`delta(old, new)` is a pure function of two plans. Per collector interface it says
whether the collector starts, stops, restarts (its receive side changed: listen address,
inputs, file specifications, analyzer fields, memory budget, spool), changes only on its
export side (destinations, export channels, retry policy, transfer-log archive: applied
live, affecting only files not yet exported), or is untouched. It also lists which
destinations change server and which file specifications change name or rotation, so
that `flowc diff --impact` can say it and the engine can act on it.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from flowc.runtime.plan.model import Collector, Destination, FileSpec, Plan

Kind = Literal["started", "stopped", "restarted", "export-only", "unchanged"]

# Top-level plan fields, by what a change of them means for every collector.
_RESTART_FIELDS = ("analyzer_address", "analyzer_id", "memory_budget", "spool")
_EXPORT_FIELDS = ("retry", "retry_delay", "transfer_log", "host_name")
_ENGINE_FIELDS = ("control",)
_IGNORED_FIELDS = ("sources", "version", "collectors")
# Collector fields, by the same measure.
_COLLECTOR_RESTART = ("listen", "receive_address", "inputs", "file_specs", "default_file_spec")
_COLLECTOR_EXPORT = ("channels", "destinations")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed field: a dotted path, the old and the new value (None when absent)."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class ServerChange:
    """A destination role whose server changes; both export channels upload to it."""

    role: str
    old: str | None
    new: str | None
    old_connect: str | None = None
    new_connect: str | None = None
    password_changed: bool = False


@dataclass(frozen=True, slots=True)
class FileChange:
    """A file specification added, removed, renamed (name-format) or re-timed (rotation)."""

    name: str
    kind: Literal["added", "removed", "changed"]
    changes: tuple[FieldChange, ...] = ()

    @property
    def naming(self) -> bool:
        return self.kind != "changed" or any(c.path == "name_format" for c in self.changes)

    @property
    def rotation(self) -> bool:
        return self.kind != "changed" or any(
            c.path in ("record_level", "timeout") for c in self.changes)


@dataclass(frozen=True, slots=True)
class CollectorDelta:
    """What happens to one collector interface."""

    interface: str
    kind: Kind
    reasons: tuple[FieldChange, ...] = ()
    servers: tuple[ServerChange, ...] = ()
    files: tuple[FileChange, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanDelta:
    """The whole delta: per collector (new plan's order, then stopped ones) and plan-wide."""

    collectors: tuple[CollectorDelta, ...]
    plan_changes: tuple[FieldChange, ...] = ()
    engine_restart: bool = False

    def interfaces(self, kind: Kind) -> tuple[str, ...]:
        return tuple(c.interface for c in self.collectors if c.kind == kind)

    @property
    def started(self) -> tuple[str, ...]:
        return self.interfaces("started")

    @property
    def stopped(self) -> tuple[str, ...]:
        return self.interfaces("stopped")

    @property
    def restarted(self) -> tuple[str, ...]:
        return self.interfaces("restarted")

    @property
    def export_only(self) -> tuple[str, ...]:
        return self.interfaces("export-only")

    @property
    def unchanged(self) -> tuple[str, ...]:
        return self.interfaces("unchanged")

    @property
    def empty(self) -> bool:
        """True when applying the new plan changes nothing at all."""
        return not self.plan_changes and all(c.kind == "unchanged" for c in self.collectors)

    def collector(self, interface: str) -> CollectorDelta:
        for item in self.collectors:
            if item.interface == interface:
                return item
        raise KeyError(interface)


def delta(old: Plan, new: Plan) -> PlanDelta:
    """Classify every collector of `old` and `new`; pure, deterministic."""
    plan_changes = _field_changes(old, new, skip=_IGNORED_FIELDS)
    changed = {c.path for c in plan_changes}
    global_restart = tuple(c for c in plan_changes if c.path in _RESTART_FIELDS)
    global_export = tuple(c for c in plan_changes if c.path in _EXPORT_FIELDS)
    olds = {c.interface: c for c in old.collectors}
    news = {c.interface: c for c in new.collectors}
    items = [
        _collector_delta(olds.get(c.interface), c, global_restart, global_export)
        for c in new.collectors
    ]
    items += [CollectorDelta(c.interface, "stopped") for c in old.collectors
              if c.interface not in news]
    return PlanDelta(tuple(items), plan_changes, bool(changed & set(_ENGINE_FIELDS)))


def _collector_delta(old: Collector | None, new: Collector,
                     global_restart: tuple[FieldChange, ...],
                     global_export: tuple[FieldChange, ...]) -> CollectorDelta:
    if old is None:
        return CollectorDelta(new.interface, "started", files=_file_changes((), new.file_specs))
    changes = _field_changes(old, new)
    restart = tuple(c for c in changes if c.path in _COLLECTOR_RESTART) + global_restart
    export = tuple(c for c in changes if c.path in _COLLECTOR_EXPORT) + global_export
    kind: Kind = "restarted" if restart else "export-only" if export else "unchanged"
    return CollectorDelta(
        new.interface, kind,
        reasons=restart + export,
        servers=server_changes(old.destinations, new.destinations),
        files=_file_changes(old.file_specs, new.file_specs),
    )


def server_changes(old: tuple[Destination, ...],
                   new: tuple[Destination, ...]) -> tuple[ServerChange, ...]:
    """Per role (primary, secondary): the server before and after, where it differs."""
    result = []
    for role in ("primary", "secondary"):
        before = next((d.target for d in old if d.role == role), None)
        after = next((d.target for d in new if d.role == role), None)
        if before == after:
            continue
        result.append(ServerChange(
            role,
            before.url if before else None,
            after.url if after else None,
            str(before.connect) if before else None,
            str(after.connect) if after else None,
            bool(before and after and before.password != after.password),
        ))
    return tuple(result)


def _file_changes(old: tuple[FileSpec, ...], new: tuple[FileSpec, ...]) -> tuple[FileChange, ...]:
    olds = {f.name: f for f in old}
    news = {f.name: f for f in new}
    result = [FileChange(f.name, "added") for f in new if f.name not in olds]
    result += [FileChange(f.name, "removed") for f in old if f.name not in news]
    for spec in new:
        before = olds.get(spec.name)
        if before is not None and before != spec:
            result.append(FileChange(spec.name, "changed", _field_changes(before, spec)))
    return tuple(result)


def _field_changes(old: Any, new: Any, skip: tuple[str, ...] = ()) -> tuple[FieldChange, ...]:
    """Top-level fields of two dataclasses of one type that differ, in declaration order."""
    return tuple(
        FieldChange(f.name, getattr(old, f.name), getattr(new, f.name))
        for f in fields(old)
        if f.name not in skip and getattr(old, f.name) != getattr(new, f.name)
    )
