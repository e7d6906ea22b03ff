"""Lowering: the validated IR of one router becomes a runtime plan (FC3xx on failure).

In: `flowc.compiler.ir.model.FlowCollectorConfig` (after lint found no errors). Out: a
`flowc.runtime.plan.model.Plan` with router-side addresses as written and unset listeners
(port 0); `flowc.compiler.lowering.site.overlay` then maps them to this host. Collectors are the
cp- interfaces the interface-map names, plus configured cp- interfaces on a
flow-collector PIC; inputs are the interface-map entries and the mo- units a
`collector-pic` monitoring group exports without an entry (they use the defaults).

A password inside a site's URL (`ftp://user:pass@host/`, lint FC267) never reaches the plan:
it moves into the target's `password` (sealed as `$9$`) and the URL keeps only the user;
when the site also has a different `password` statement the plan is refused (FC304).
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

import flowc.runtime.plan.model as rt
from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.ir import model as ir
from flowc.compiler.ir.lookups import resolve_ifalias
from flowc.compiler.lowering.site import DEFAULT_CONTROL, DEFAULT_SPOOL, router_host
from flowc.compiler.source import NO_SPAN, Span
from flowc.runtime.plan.secret import encode as encode_secret
from flowc.runtime.plan.secret import is_encrypted, mask_url_passwords, reveal, url_password, without_password

DEFAULT_NAME_FORMAT = "flowc-%D_%T-%I_%N.gz"
UNSET = rt.Endpoint("127.0.0.1", 0)


def lower(config: ir.FlowCollectorConfig,
          sources: Sequence[Path] = ()) -> tuple[rt.Plan | None, tuple[Diagnostic, ...]]:
    """The plan for `config`, or None and the FC3xx diagnostics that prevent one."""
    fc = config.collector
    if fc is None:
        where = config.span if config.span != NO_SPAN or not sources else Span(str(sources[0]), 1, 1, 1, 1)
        return None, (Diagnostic("FC301", Severity.ERROR,
                                 "no `services flow-collector` in this configuration: nothing to run",
                                 where, "add [edit services flow-collector]"),)
    if not fc.destinations:
        return None, (Diagnostic("FC302", Severity.ERROR,
                                 "services flow-collector has no destinations: files could go nowhere",
                                 fc.span, 'add destinations { "ftp://user@host/dir" { password "…"; } }'),)
    names = _collector_names(config, fc)
    if not names:
        return None, (Diagnostic("FC303", Severity.ERROR,
                                 "no collector (cp-) interface: set interface-map collector cp-x/y/z",
                                 fc.span),)
    conflicts = _password_conflicts(fc)
    if conflicts:
        return None, conflicts
    destinations = _destinations(fc)
    collectors = tuple(_collector(config, fc, name, destinations) for name in names)
    host = config.host_name or "flowc"
    archive = fc.transfer_log_archive or ir.TransferLogArchive()
    return rt.Plan(
        host_name=host,
        spool=DEFAULT_SPOOL,
        control=DEFAULT_CONTROL,
        collectors=collectors,
        analyzer_address=fc.analyzer_address or "",
        analyzer_id=fc.analyzer_id or "",
        retry=fc.retry,
        retry_delay=fc.retry_delay,
        transfer_log=rt.TransferLog(
            filename_prefix=archive.filename_prefix or "flowc",
            maximum_age=archive.maximum_age,
            archive_sites=tuple(_target(site) for site in archive.sites[:5]),
        ),
        sources=tuple(_source(path) for path in sources),
    ), ()


def _collector_names(config: ir.FlowCollectorConfig, fc: ir.FlowCollector) -> list[str]:
    names: dict[str, None] = {}
    imap = fc.interface_map or ir.InterfaceMap()
    for name in [imap.collector, *(imap.collector_of(e) for e in imap.entries)]:
        if name and name.startswith("cp-"):
            names[name.partition(".")[0]] = None
    for interface in config.interfaces:
        if interface.name.startswith("cp-") and _on_collector_pic(config, interface.name):
            names[interface.name] = None
    return list(names)


def _on_collector_pic(config: ir.FlowCollectorConfig, name: str) -> bool:
    fpc, pic, _ = (name[3:].split("/") + ["", "", ""])[:3]
    if not (fpc.isdigit() and pic.isdigit()):
        return False
    found = config.chassis.pic(int(fpc), int(pic))
    return found is not None and found.application == "flow-collector"


def _collector(config: ir.FlowCollectorConfig, fc: ir.FlowCollector, name: str,
               destinations: tuple[rt.Destination, ...]) -> rt.Collector:
    inputs = _inputs(config, fc, name)
    default = _default_spec(fc)
    used = [i.file_spec for i in inputs] + ([default] if default else [])
    specs = tuple(_file_spec(spec) for spec in fc.file_specs if spec.name in used)
    if not specs:
        specs = (rt.FileSpec(default or "default", DEFAULT_NAME_FORMAT),)
    return rt.Collector(
        interface=name,
        listen=UNSET,
        inputs=inputs,
        file_specs=specs,
        default_file_spec=default or specs[0].name,
        channels=tuple(_channel(config, name, index) for index in (0, 1)),
        destinations=destinations,
        receive_address=_peer_address(config, f"{name}.2"),
    )


def _default_spec(fc: ir.FlowCollector) -> str | None:
    imap = fc.interface_map
    if imap and imap.file_spec and fc.file_spec(imap.file_spec):
        return imap.file_spec
    return fc.file_specs[0].name if fc.file_specs else None


def _inputs(config: ir.FlowCollectorConfig, fc: ir.FlowCollector, collector: str) -> tuple[rt.Input, ...]:
    imap = fc.interface_map or ir.InterfaceMap()
    default_spec = _default_spec(fc) or "default"
    found: dict[str, rt.Input] = {}
    for entry in imap.entries:
        if (imap.collector_of(entry) or "").partition(".")[0] == collector:
            spec = imap.file_spec_of(entry)
            found[entry.input] = _input(config, entry.input, spec if spec and fc.file_spec(spec) else default_spec)
    mapped = {_unit_name(e.input) for e in imap.entries}
    if (imap.collector or "").partition(".")[0] == collector:
        for output in _collector_pic_outputs(config):
            if _unit_name(output.name) not in mapped:
                found.setdefault(_unit_name(output.name), _input(config, _unit_name(output.name), default_spec))
    return tuple(found.values())


def _collector_pic_outputs(config: ir.FlowCollectorConfig) -> list[ir.MonitoringOutput]:
    return [o for group in config.monitoring if group.flow_export_destination == "collector-pic"
            for o in group.interfaces]


def _unit_name(name: str) -> str:
    return name if "." in name else f"{name}.0"


def _input(config: ir.FlowCollectorConfig, name: str, spec: str) -> rt.Input:
    output = next((o for group in config.monitoring for o in group.interfaces
                   if _unit_name(o.name) == _unit_name(name)), None)
    return rt.Input(
        interface=name,
        if_alias=resolve_ifalias(config, name),
        file_spec=spec,
        source_address=output.source_address if output else None,
        engine_type=output.engine_type if output else None,
        engine_id=output.engine_id if output else None,
    )


def _file_spec(spec: ir.FileSpec) -> rt.FileSpec:
    return rt.FileSpec(spec.name, spec.name_format or DEFAULT_NAME_FORMAT, spec.data_format,
                       spec.record_level, spec.timeout)


def _channel(config: ir.FlowCollectorConfig, collector: str, index: int) -> rt.Channel:
    cos = config.channel_cos(f"{collector}.{index}")
    return rt.Channel(
        index=index,
        source_address=_peer_address(config, f"{collector}.{index}"),
        dscp=(cos.dscp or 0) if cos else 0,
        rate_bps=cos.transmit_rate_bps if cos else None,
    )


def _peer_address(config: ir.FlowCollectorConfig, unit_name: str) -> str | None:
    """On cp- units `destination` is the collector PIC's own address."""
    unit = config.unit(unit_name)
    if unit is None or not unit.addresses:
        return None
    first = unit.addresses[0]
    return first.destination or first.address.partition("/")[0]


def _destinations(fc: ir.FlowCollector) -> tuple[rt.Destination, ...]:
    roles: tuple[rt.Role, ...] = ("primary", "secondary")
    return tuple(rt.Destination(role, _target(site)) for role, site in zip(roles, fc.destinations))


def _target(site: ir.FtpSite) -> rt.FtpTarget:
    url = without_password(site.url)
    parts = urlsplit(url)
    host, port = router_host(url)
    return rt.FtpTarget(
        url=url,
        connect=rt.Endpoint(host, port),
        username=site.username or unquote(parts.username or "") or "anonymous",
        password=_sealed(site.password or url_password(site.url)),
        path=unquote(parts.path) or "/",
    )


def _password_conflicts(fc: ir.FlowCollector) -> tuple[Diagnostic, ...]:
    """FC304 for every site whose URL password differs from its `password` statement."""
    archive = fc.transfer_log_archive.sites if fc.transfer_log_archive else ()
    return tuple(
        Diagnostic("FC304", Severity.ERROR,
                   f"{mask_url_passwords(site.url)} has a password in its URL and a different `password` "
                   "statement: which one is meant cannot be told", site.span,
                   "remove the password from the URL (keep `password \"…\";`)")
        for site in (*fc.destinations, *archive)
        if site.password is not None and (in_url := url_password(site.url)) is not None
        and reveal(_sealed(in_url)) != reveal(site.password))


def _sealed(password: str | None) -> str:
    """The `$9$` form: kept as written, or encoded with a salt derived from the text so
    the same configuration always gives the same plan bytes."""
    if not password:
        return ""
    if is_encrypted(password):
        return password
    salt_letters = "QzF3n6/9CAtpu0O"
    salt = salt_letters[hashlib.sha256(password.encode()).digest()[0] % len(salt_letters)]
    return encode_secret(password, salt=salt)


def _source(path: Path) -> rt.SourceFile:
    return rt.SourceFile(str(path), hashlib.sha256(path.read_bytes()).hexdigest())
