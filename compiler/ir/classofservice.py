"""Class of service for the IR: forwarding classes, schedulers, maps, rewrite rules, the
cp- units' CoS, and each export channel's resolved CoS (forwarding class, rate, DSCP).

Input: a `Reader` over the folded document; output: `ir.ClassOfService` and the
`ir.ExportCos` of every cp- unit 0 and 1 that has any CoS configuration.
"""
from __future__ import annotations

import re

from flowc.compiler.ir import model as ir
from flowc.compiler.ir.reader import Reader
from flowc.compiler.source import Span

# Standard DSCP names Junos knows (`show class-of-service code-point-aliases dscp`).
DSCP_NAMES = {
    "be": 0, "ef": 46, "af11": 10, "af12": 12, "af13": 14, "af21": 18, "af22": 20, "af23": 22,
    "af31": 26, "af32": 28, "af33": 30, "af41": 34, "af42": 36, "af43": 38,
    "cs0": 0, "cs1": 8, "cs2": 16, "cs3": 24, "cs4": 32, "cs5": 40, "cs6": 48, "cs7": 56,
    "nc1": 48, "nc2": 56,
}
_RATE = re.compile(r"^(\d+(?:\.\d+)?)([kmg]?)$", re.IGNORECASE)


def build_cos(r: Reader) -> ir.ClassOfService:
    c = ("class-of-service",)
    classes = [
        ir.ForwardingClass(name, r.int(*c, "forwarding-classes", "class", name, "queue-num"),
                           r.span(*c, "forwarding-classes", "class", name))
        for name in r.dict(*c, "forwarding-classes", "class")
    ]
    for queue, names in r.dict(*c, "forwarding-classes", "queue").items():
        for name in names if isinstance(names, list) else []:
            classes.append(ir.ForwardingClass(name, int(queue) if queue.isdigit() else None,
                                              r.span(*c, "forwarding-classes", "queue", queue)))
    return ir.ClassOfService(
        forwarding_classes=tuple(classes),
        schedulers=tuple(_scheduler(r, name) for name in r.dict(*c, "schedulers")),
        scheduler_maps=tuple(_scheduler_map(r, name) for name in r.dict(*c, "scheduler-maps")),
        rewrite_rules=tuple(_rewrite_rule(r, name) for name in r.dict(*c, "rewrite-rules", "dscp")),
        code_point_aliases=tuple(
            (alias, bits[0]) for alias, bits in r.dict(*c, "code-point-aliases", "dscp").items()
            if isinstance(bits, list) and bits
        ),
        units=_cos_units(r),
        span=r.span(*c),
    )


def _scheduler(r: Reader, name: str) -> ir.Scheduler:
    path = ("class-of-service", "schedulers", name)
    words = r.doc.get(*path, "transmit-rate")
    written = [w for w in words if isinstance(w, str)] if isinstance(words, list) else []
    bps, percent = parse_transmit_rate(written)
    return ir.Scheduler(name, bps, percent, r.span(*path), tuple(written))


def parse_transmit_rate(words: list[str]) -> tuple[int | None, int | None]:
    """`transmit-rate percent 10` -> (None, 10); `transmit-rate 10m [exact]` -> (10_000_000, None)."""
    if len(words) >= 2 and words[0] == "percent" and words[1].isdigit():
        return None, int(words[1])
    match = _RATE.match(words[0]) if words else None
    if match is None:
        return None, None
    scale = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * scale), None


def _scheduler_map(r: Reader, name: str) -> ir.SchedulerMap:
    path = ("class-of-service", "scheduler-maps", name)
    entries = tuple(
        ir.SchedulerMapEntry(fc, r.str(*path, "forwarding-class", fc, "scheduler"),
                             r.span(*path, "forwarding-class", fc))
        for fc in r.dict(*path, "forwarding-class")
    )
    return ir.SchedulerMap(name, entries, r.span(*path))


def _rewrite_rule(r: Reader, name: str) -> ir.RewriteRule:
    path = ("class-of-service", "rewrite-rules", "dscp", name)
    points = []
    for fc, body in r.dict(*path, "forwarding-class").items():
        for priority in (body.get("loss-priority", {}) if isinstance(body, dict) else {}).values():
            if isinstance(priority, dict) and isinstance(priority.get("code-point"), str):
                points.append((fc, priority["code-point"]))
                break
    return ir.RewriteRule(name, tuple(points), r.span(*path))


def _cos_units(r: Reader) -> tuple[ir.CosUnit, ...]:
    units = []
    for interface, _body in r.dict("class-of-service", "interfaces").items():
        path = ("class-of-service", "interfaces", interface)
        written = r.dict(*path, "unit")
        for number in written:
            # `unit *` applies to every unit: here, to the export channels not written out
            targets = [int(number)] if number.isdigit() else [n for n in (0, 1) if str(n) not in written] \
                if number == "*" else []
            for target in targets:
                units.append(_cos_unit(r, path, (*path, "unit", number), target))
        if r.str(*path, "scheduler-map") and "*" not in written:
            # a scheduler-map on the physical interface serves the channels not written out
            units.extend(_cos_unit(r, path, path, channel) for channel in (0, 1) if str(channel) not in written)
    return tuple(units)


def _cos_unit(r: Reader, physical: tuple[str, ...], unit: tuple[str, ...], number: int) -> ir.CosUnit:
    rewrite = list(r.dict(*unit, "rewrite-rules", "dscp"))
    own = unit != physical  # False: a physical interface's scheduler-map standing for a unit
    own_map = r.str(*unit, "scheduler-map") if own else None
    return ir.CosUnit(
        interface=physical[-1],
        number=number,
        scheduler_map=own_map or r.str(*physical, "scheduler-map"),
        forwarding_class=r.str(*unit, "forwarding-class") if own else None,
        rewrite_rule=rewrite[0] if rewrite and own else None,
        span=r.span(*unit),
        scheduler_map_span=r.opt_span(*unit, "scheduler-map") if own_map else r.opt_span(*physical, "scheduler-map"),
        forwarding_class_span=r.opt_span(*unit, "forwarding-class") if own else None,
    )


def build_export_cos(r: Reader, filters: tuple[ir.FirewallFilter, ...],
                     cos: ir.ClassOfService) -> tuple[ir.ExportCos, ...]:
    """Resolve the CoS of every cp- unit 0 and 1 that has any CoS configuration."""
    by_filter = {f.name: f for f in filters}
    out = []
    for name, _body in r.dict("interfaces").items():
        if not name.startswith("cp-"):
            continue
        for number in (0, 1):
            unit_name = f"{name}.{number}"
            path = ("interfaces", name, "unit", str(number))
            if r.doc.get(*path) is None:
                continue
            inet_filter = (*path, "family", "inet", "filter")
            outputs = [name for name in (r.str(*inet_filter, "output"),) if name] + r.list(*inet_filter, "output-list")
            cos_unit = cos.unit(unit_name)
            if not outputs and cos_unit is None:
                continue
            classifying = next((by_filter[o] for o in outputs if o in by_filter and by_filter[o].forwarding_classes),
                               by_filter.get(outputs[0]) if outputs else None)
            out.append(_resolve_channel(unit_name, cos_unit, classifying, cos, r.span(*path)))
    return tuple(out)


def _resolve_channel(unit: str, cos_unit: ir.CosUnit | None, fw: ir.FirewallFilter | None,
                     cos: ir.ClassOfService, span: Span) -> ir.ExportCos:
    from_filter = fw.forwarding_classes[0] if fw and fw.forwarding_classes else None
    fc = (cos_unit.forwarding_class if cos_unit else None) or from_filter
    smap_name = cos_unit.scheduler_map if cos_unit else None
    smap = next((m for m in cos.scheduler_maps if m.name == smap_name), None)
    entry = next((e for e in smap.entries if e.forwarding_class == fc), None) if smap else None
    if smap and entry is None and smap.entries and fc is None:
        entry = smap.entries[0]
        fc = entry.forwarding_class
    scheduler = next((s for s in cos.schedulers if entry and s.name == entry.scheduler), None)
    rule_name = cos_unit.rewrite_rule if cos_unit else None
    rules = [x for x in cos.rewrite_rules if x.name == rule_name] or list(cos.rewrite_rules)
    point = next((cp for rule in rules for (cls, cp) in rule.code_points if cls == fc), None)
    return ir.ExportCos(
        unit=unit,
        forwarding_class=fc,
        scheduler_map=smap_name,
        scheduler=entry.scheduler if entry else None,
        transmit_rate_bps=scheduler.transmit_rate_bps if scheduler else None,
        transmit_rate_percent=scheduler.transmit_rate_percent if scheduler else None,
        code_point=point,
        dscp=dscp_value(point, dict(cos.code_point_aliases)) if point else None,
        span=span,
    )


def dscp_value(code_point: str, aliases: dict[str, str]) -> int | None:
    """A DSCP code point as a number: six bits (`101110`), a standard name or an alias."""
    text = aliases.get(code_point, code_point)
    if len(text) == 6 and set(text) <= {"0", "1"}:
        return int(text, 2)
    return DSCP_NAMES.get(text.lower())
