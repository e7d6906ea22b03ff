"""Build the typed IR (`flowc.compiler.ir.model`) from a folded document.

Input: a `Document` (folded and schema-checked; values that failed validation are
tolerated: a non-number where a number belongs falls back to the default). Output: a
`FlowCollectorConfig` with defaults applied, entries in configuration order, spans from
the document's span index, and the export channels' class of service resolved.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flowc.compiler.document.fold import Document
from flowc.compiler.ir import model as ir
from flowc.compiler.ir.classofservice import build_cos, build_export_cos
from flowc.compiler.ir.reader import Reader
from flowc.compiler.source import NO_SPAN

FC = ("services", "flow-collector")


def build(document: Document) -> ir.FlowCollectorConfig:
    """The IR of everything flowc validates in `document`."""
    r = Reader(document)
    filters = _filters(r)
    cos = build_cos(r)
    return ir.FlowCollectorConfig(
        host_name=r.str("system", "host-name"),
        collector=_collector(r) if r.doc.get(*FC) is not None else None,
        interfaces=_interfaces(r),
        monitoring=_monitoring(r),
        chassis=_chassis(r),
        filters=filters,
        cos=cos,
        export_cos=build_export_cos(r, filters, cos),
        span=r.span(*FC) if r.doc.get(*FC) is not None else NO_SPAN,
        host_name_span=r.opt_span("system", "host-name"),
    )


def username_of(url: str) -> str:
    """The user name written in an FTP URL (`ftp://user@host/…`), else ''."""
    try:
        return unquote(urlsplit(url).username or "")
    except ValueError:
        return ""


def _site(r: Reader, path: tuple[str, ...], url: str) -> ir.FtpSite:
    here = (*path, url)
    return ir.FtpSite(
        url=url,
        password=r.str(*here, "password"),
        username=r.str(*here, "username") or username_of(url),
        span=r.span(*here),
        password_span=r.opt_span(*here, "password"),
    )


def _collector(r: Reader) -> ir.FlowCollector:
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


def _int(r: Reader, path: tuple[str, ...], default: int) -> int:
    value = r.int(*path)
    return default if value is None else value


def _file_spec(r: Reader, name: str) -> ir.FileSpec:
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


def _interface_map(r: Reader) -> ir.InterfaceMap:
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


def _interfaces(r: Reader) -> tuple[ir.Interface, ...]:
    return tuple(_interface(r, name) for name in r.dict("interfaces"))


def _interface(r: Reader, name: str) -> ir.Interface:
    path = ("interfaces", name)
    units = tuple(
        _unit(r, name, number) for number in r.dict(*path, "unit") if number.isdigit()
    )
    return ir.Interface(name=name, description=r.str(*path, "description"), units=units, span=r.span(*path))


def _unit(r: Reader, interface: str, number: str) -> ir.LogicalUnit:
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
        filter_output_list=tuple(r.list(*inet, "filter", "output-list")),
        span=r.span(*path),
        filter_output_span=r.opt_span(*inet, "filter", "output"),
        filter_output_list_span=r.opt_span(*inet, "filter", "output-list"),
    )


def _monitoring(r: Reader) -> tuple[ir.MonitoringGroup, ...]:
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


def _monitoring_output(r: Reader, out: tuple[str, ...], name: str) -> ir.MonitoringOutput:
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


def _chassis(r: Reader) -> ir.Chassis:
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


def _filters(r: Reader) -> tuple[ir.FirewallFilter, ...]:
    out: dict[str, ir.FirewallFilter] = {}
    for base in (("firewall", "filter"), ("firewall", "family", "inet", "filter")):
        for name in r.dict(*base):
            terms = tuple(_term(r, (*base, name, "term", term)) for term in r.dict(*base, name, "term"))
            classes = tuple(t.forwarding_class for t in terms if t.forwarding_class)
            out.setdefault(name, ir.FirewallFilter(name, classes, r.span(*base, name), terms))
    return tuple(out.values())


def _term(r: Reader, path: tuple[str, ...]) -> ir.FilterTerm:
    written = r.doc.get(*path, "from")
    conditions = tuple(tuple(str(w) for w in words) for words in written if isinstance(words, list)) \
        if isinstance(written, list) else ()
    return ir.FilterTerm(
        name=path[-1],
        conditions=conditions,
        forwarding_class=r.str(*path, "then", "forwarding-class"),
        next_term=r.str(*path, "then", "next") == "term",
        span=r.span(*path),
    )
