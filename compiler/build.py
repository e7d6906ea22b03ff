"""Build the typed IR (`flowc.compiler.ir`) from a folded document.

Input: a `Document` (folded and schema-checked; values that failed validation are
tolerated: a non-number where a number belongs falls back to the default). Output: a
`FlowCollectorConfig` with defaults applied, entries in configuration order, spans from
the document's span index, and the export channels' class of service resolved.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from flowc.compiler import ir
from flowc.compiler.document import Document
from flowc.compiler.source import NO_SPAN, Span

FC = ("services", "flow-collector")
# Standard DSCP names Junos knows (`show class-of-service code-point-aliases dscp`).
DSCP_NAMES = {
    "be": 0, "ef": 46, "af11": 10, "af12": 12, "af13": 14, "af21": 18, "af22": 20, "af23": 22,
    "af31": 26, "af32": 28, "af33": 30, "af41": 34, "af42": 36, "af43": 38,
    "cs0": 0, "cs1": 8, "cs2": 16, "cs3": 24, "cs4": 32, "cs5": 40, "cs6": 48, "cs7": 56,
    "nc1": 48, "nc2": 56,
}
_RATE = re.compile(r"^(\d+(?:\.\d+)?)([kmg]?)$", re.IGNORECASE)


class _Reader:
    """Typed access to the document with spans."""

    def __init__(self, document: Document) -> None:
        self.doc = document

    def dict(self, *path: str) -> dict[str, Any]:
        value = self.doc.get(*path)
        return value if isinstance(value, dict) else {}

    def str(self, *path: str) -> str | None:
        value = self.doc.get(*path)
        return value if isinstance(value, str) else None

    def int(self, *path: str, default: int | None = None) -> int | None:
        value = self.doc.get(*path)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def span(self, *path: str) -> Span:
        return self.doc.spans.get(path, NO_SPAN)

    def opt_span(self, *path: str) -> Span | None:
        return self.doc.spans.get(path)


def build(document: Document) -> ir.FlowCollectorConfig:
    """The IR of everything flowc validates in `document`."""
    r = _Reader(document)
    filters = _filters(r)
    cos = _cos(r)
    return ir.FlowCollectorConfig(
        host_name=r.str("system", "host-name"),
        collector=_collector(r) if r.doc.get(*FC) is not None else None,
        interfaces=_interfaces(r),
        monitoring=_monitoring(r),
        chassis=_chassis(r),
        filters=filters,
        cos=cos,
        export_cos=_export_cos(r, filters, cos),
        span=r.span(*FC) if r.doc.get(*FC) is not None else NO_SPAN,
        host_name_span=r.opt_span("system", "host-name"),
    )


def username_of(url: str) -> str:
    """The user name written in an FTP URL (`ftp://user@host/…`), else ''."""
    try:
        return unquote(urlsplit(url).username or "")
    except ValueError:
        return ""


def _site(r: _Reader, path: tuple[str, ...], url: str) -> ir.FtpSite:
    here = (*path, url)
    return ir.FtpSite(
        url=url,
        password=r.str(*here, "password"),
        username=r.str(*here, "username") or username_of(url),
        span=r.span(*here),
        password_span=r.opt_span(*here, "password"),
    )


def _collector(r: _Reader) -> ir.FlowCollector:
    archive = None
    if r.doc.get(*FC, "transfer-log-archive") is not None:
        path = (*FC, "transfer-log-archive")
        archive = ir.TransferLogArchive(
            filename_prefix=r.str(*path, "filename-prefix"),
            maximum_age=r.int(*path, "maximum-age", default=ir.DEFAULT_MAXIMUM_AGE) or ir.DEFAULT_MAXIMUM_AGE,
            sites=tuple(_site(r, (*path, "archive-sites"), url) for url in r.dict(*path, "archive-sites")),
            span=r.span(*path),
        )
    return ir.FlowCollector(
        analyzer_address=r.str(*FC, "analyzer-address"),
        analyzer_id=r.str(*FC, "analyzer-id"),
        retry=_int(r, (*FC, "retry"), ir.DEFAULT_RETRY),
        retry_delay=_int(r, (*FC, "retry-delay"), ir.DEFAULT_RETRY_DELAY),
        destinations=tuple(_site(r, (*FC, "destinations"), url) for url in r.dict(*FC, "destinations")),
        file_specs=tuple(_file_spec(r, name) for name in r.dict(*FC, "file-specification")),
        interface_map=_interface_map(r) if r.doc.get(*FC, "interface-map") is not None else None,
        transfer_log_archive=archive,
        span=r.span(*FC),
    )


def _int(r: _Reader, path: tuple[str, ...], default: int) -> int:
    value = r.int(*path)
    return default if value is None else value


def _file_spec(r: _Reader, name: str) -> ir.FileSpec:
    path = (*FC, "file-specification", name)
    span = r.span(*path)
    return ir.FileSpec(
        name=name,
        variant=path in r.doc.variant_keys,
        name_format=r.str(*path, "name-format"),
        data_format=r.str(*path, "data-format") or ir.DEFAULT_DATA_FORMAT,
        record_level=_int(r, (*path, "transfer", "record-level"), ir.DEFAULT_RECORD_LEVEL),
        timeout=_int(r, (*path, "transfer", "timeout"), ir.DEFAULT_TIMEOUT),
        span=span,
        name_format_span=r.opt_span(*path, "name-format"),
    )


def _interface_map(r: _Reader) -> ir.InterfaceMap:
    path = (*FC, "interface-map")
    entries = tuple(
        ir.MapEntry(
            input=name,
            collector=r.str(*path, name, "collector"),
            file_spec=r.str(*path, name, "file-specification"),
            span=r.span(*path, name),
            collector_span=r.opt_span(*path, name, "collector"),
            file_spec_span=r.opt_span(*path, name, "file-specification"),
        )
        for name, value in r.dict(*path).items()
        if isinstance(value, dict)
    )
    return ir.InterfaceMap(
        collector=r.str(*path, "collector"),
        file_spec=r.str(*path, "file-specification"),
        entries=entries,
        span=r.span(*path),
        collector_span=r.opt_span(*path, "collector"),
        file_spec_span=r.opt_span(*path, "file-specification"),
    )


def _interfaces(r: _Reader) -> tuple[ir.Interface, ...]:
    return tuple(_interface(r, name) for name in r.dict("interfaces"))


def _interface(r: _Reader, name: str) -> ir.Interface:
    path = ("interfaces", name)
    units = tuple(
        _unit(r, name, number) for number in r.dict(*path, "unit") if number.isdigit()
    )
    return ir.Interface(name=name, description=r.str(*path, "description"), units=units, span=r.span(*path))


def _unit(r: _Reader, interface: str, number: str) -> ir.LogicalUnit:
    path = ("interfaces", interface, "unit", number)
    inet = (*path, "family", "inet")
    addresses = tuple(
        ir.Address(address=a, destination=r.str(*inet, "address", a, "destination"), span=r.span(*inet, "address", a))
        for a in r.dict(*inet, "address")
    )
    return ir.LogicalUnit(
        name=f"{interface}.{int(number)}",
        number=int(number),
        description=r.str(*path, "description"),
        addresses=addresses,
        filter_input=r.str(*inet, "filter", "input"),
        filter_output=r.str(*inet, "filter", "output"),
        span=r.span(*path),
        filter_output_span=r.opt_span(*inet, "filter", "output"),
    )


def _monitoring(r: _Reader) -> tuple[ir.MonitoringGroup, ...]:
    groups = []
    for name in r.dict("forwarding-options", "monitoring"):
        out = ("forwarding-options", "monitoring", name, "family", "inet", "output")
        groups.append(ir.MonitoringGroup(
            name=name,
            flow_export_destination=r.str(*out, "flow-export-destination"),
            cflowd=tuple(ir.CflowdHost(h, r.int(*out, "cflowd", h, "port"), r.span(*out, "cflowd", h))
                         for h in r.dict(*out, "cflowd")),
            interfaces=tuple(_monitoring_output(r, out, i) for i in r.dict(*out, "interface")),
            span=r.span("forwarding-options", "monitoring", name),
            destination_span=r.opt_span(*out, "flow-export-destination"),
        ))
    return tuple(groups)


def _monitoring_output(r: _Reader, out: tuple[str, ...], name: str) -> ir.MonitoringOutput:
    path = (*out, "interface", name)
    return ir.MonitoringOutput(
        name=name,
        engine_id=r.int(*path, "engine-id"),
        engine_type=r.int(*path, "engine-type"),
        source_address=r.str(*path, "source-address"),
        input_interface_index=r.int(*path, "input-interface-index"),
        output_interface_index=r.int(*path, "output-interface-index"),
        span=r.span(*path),
    )


def _chassis(r: _Reader) -> ir.Chassis:
    pics = []
    for fpc in r.dict("chassis", "fpc"):
        for pic in r.dict("chassis", "fpc", fpc, "pic"):
            if fpc.isdigit() and pic.isdigit():
                path = ("chassis", "fpc", fpc, "pic", pic)
                pics.append(ir.Pic(int(fpc), int(pic), r.str(*path, "monitoring-services", "application"),
                                   r.span(*path)))
    gres = r.doc.get("chassis", "redundancy", "graceful-switchover") is True
    return ir.Chassis(
        pics=tuple(pics),
        graceful_switchover=gres,
        span=r.span("chassis"),
        graceful_switchover_span=r.opt_span("chassis", "redundancy", "graceful-switchover"),
    )


def _filters(r: _Reader) -> tuple[ir.FirewallFilter, ...]:
    out: dict[str, ir.FirewallFilter] = {}
    for base in (("firewall", "filter"), ("firewall", "family", "inet", "filter")):
        for name, body in r.dict(*base).items():
            classes = tuple(
                term["then"]["forwarding-class"]
                for term in (body.get("term", {}) if isinstance(body, dict) else {}).values()
                if isinstance(term, dict) and isinstance(term.get("then"), dict)
                and isinstance(term["then"].get("forwarding-class"), str)
            )
            out.setdefault(name, ir.FirewallFilter(name, classes, r.span(*base, name)))
    return tuple(out.values())


def _cos(r: _Reader) -> ir.ClassOfService:
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


def _scheduler(r: _Reader, name: str) -> ir.Scheduler:
    path = ("class-of-service", "schedulers", name)
    words = r.doc.get(*path, "transmit-rate")
    bps, percent = parse_transmit_rate(words if isinstance(words, list) else [])
    return ir.Scheduler(name, bps, percent, r.span(*path))


def parse_transmit_rate(words: list[str]) -> tuple[int | None, int | None]:
    """`transmit-rate percent 10` -> (None, 10); `transmit-rate 10m [exact]` -> (10_000_000, None)."""
    if len(words) >= 2 and words[0] == "percent" and words[1].isdigit():
        return None, int(words[1])
    match = _RATE.match(words[0]) if words else None
    if match is None:
        return None, None
    scale = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * scale), None


def _scheduler_map(r: _Reader, name: str) -> ir.SchedulerMap:
    path = ("class-of-service", "scheduler-maps", name)
    entries = tuple(
        ir.SchedulerMapEntry(fc, r.str(*path, "forwarding-class", fc, "scheduler"), r.span(*path, "forwarding-class", fc))
        for fc in r.dict(*path, "forwarding-class")
    )
    return ir.SchedulerMap(name, entries, r.span(*path))


def _rewrite_rule(r: _Reader, name: str) -> ir.RewriteRule:
    path = ("class-of-service", "rewrite-rules", "dscp", name)
    points = []
    for fc, body in r.dict(*path, "forwarding-class").items():
        for priority in (body.get("loss-priority", {}) if isinstance(body, dict) else {}).values():
            if isinstance(priority, dict) and isinstance(priority.get("code-point"), str):
                points.append((fc, priority["code-point"]))
                break
    return ir.RewriteRule(name, tuple(points), r.span(*path))


def _cos_units(r: _Reader) -> tuple[ir.CosUnit, ...]:
    units = []
    for interface, body in r.dict("class-of-service", "interfaces").items():
        path = ("class-of-service", "interfaces", interface)
        physical_map = r.str(*path, "scheduler-map")
        written = r.dict(*path, "unit")
        for number in written:
            # `unit *` applies to every unit: here, to the export channels not written out
            targets = [int(number)] if number.isdigit() else [n for n in (0, 1) if str(n) not in written] \
                if number == "*" else []
            for target in targets:
                units.append(_cos_unit(r, interface, (*path, "unit", number), target, physical_map))
        if physical_map and not written:
            for number in (0, 1):
                units.append(ir.CosUnit(interface, number, physical_map, span=r.span(*path)))
    return tuple(units)


def _cos_unit(r: _Reader, interface: str, unit: tuple[str, ...], number: int,
              physical_map: str | None) -> ir.CosUnit:
    rewrite = list(r.dict(*unit, "rewrite-rules", "dscp"))
    return ir.CosUnit(
        interface=interface,
        number=number,
        scheduler_map=r.str(*unit, "scheduler-map") or physical_map,
        forwarding_class=r.str(*unit, "forwarding-class"),
        rewrite_rule=rewrite[0] if rewrite else None,
        span=r.span(*unit),
    )


def _export_cos(r: _Reader, filters: tuple[ir.FirewallFilter, ...], cos: ir.ClassOfService) -> tuple[ir.ExportCos, ...]:
    """Resolve the CoS of every cp- unit 0 and 1 that has any CoS configuration."""
    by_filter = {f.name: f for f in filters}
    out = []
    for name, body in r.dict("interfaces").items():
        if not name.startswith("cp-"):
            continue
        for number in (0, 1):
            unit_name = f"{name}.{number}"
            path = ("interfaces", name, "unit", str(number))
            if r.doc.get(*path) is None:
                continue
            output = r.str(*path, "family", "inet", "filter", "output")
            cos_unit = cos.unit(unit_name)
            if output is None and cos_unit is None:
                continue
            out.append(_resolve_channel(unit_name, cos_unit, by_filter.get(output or ""), cos, r.span(*path)))
    return tuple(out)


def _resolve_channel(unit: str, cos_unit: ir.CosUnit | None, fw: ir.FirewallFilter | None,
                     cos: ir.ClassOfService, span: Span) -> ir.ExportCos:
    fc = (cos_unit.forwarding_class if cos_unit else None) or (fw.forwarding_classes[0] if fw and fw.forwarding_classes else None)
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
