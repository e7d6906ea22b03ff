"""The site overlay: what exists only on the router, mapped to this host.

A site file (YAML, read with ruamel.yaml and checked like a configuration by
`site_file.SiteReader`: every problem a finding at its `site.yaml:line:column`) says where
this host listens, spools and keeps its control socket, and which reachable `HOST[:PORT]`
stands for each FTP host named in the router's URLs. `overlay(plan, site)` applies it to
a plan (names the plan lacks are findings too); it is used at compile time and again by
`flowc run PLAN --site SITE`, so a plan compiled once runs on many hosts.
Without a site file, embedded defaults serve: loopback listeners from port 2055 up, a
spool and control socket under the working directory.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from flowc.compiler.diagnostics import Diagnostic, FlowcError, Severity, UsageError, sort_diagnostics
from flowc.compiler.lowering.site_file import (
    DUPLICATE_LISTEN,
    KEYS,
    SITE_SYNTAX,
    UNKNOWN_COLLECTOR,
    UNKNOWN_INPUT,
    SiteReader,
    clash,
)
from flowc.compiler.source import Span
from flowc.runtime.plan.model import Collector, Endpoint, FtpTarget, Input, Plan, TransferLog

DEFAULT_LISTEN_HOST = "127.0.0.1"
DEFAULT_FIRST_PORT = 2055
DEFAULT_SPOOL = "spool"
DEFAULT_CONTROL = "flowc.sock"


@dataclass(frozen=True, slots=True)
class Site:
    """A parsed site overlay; `None` and empty maps mean 'keep the plan's value'."""

    name: str = "<embedded defaults>"
    host_name: str | None = None
    spool: str | None = None
    control: str | None = None
    memory_budget: int | None = None
    metrics: Endpoint | None = None  # `metrics: HOST:PORT`: the /metrics, /healthz, /readyz listener
    ftp_minimum_rate: int | None = None        # bits per second (`256k`, `1M`)
    ftp_deadline_allowance: int | None = None  # seconds
    collectors: dict[str, Endpoint] = field(default_factory=dict)
    inputs: dict[str, Endpoint] = field(default_factory=dict)
    hosts: dict[str, Endpoint] = field(default_factory=dict)
    spans: dict[str, Span] = field(default_factory=dict, compare=False)  # `collectors/cp-6/0/0` -> where


def load_site(path: str | Path) -> Site:
    """Read and check a site file. An unreadable file raises UsageError (exit 2); findings
    (unknown keys, bad values, duplicate listeners) raise FlowcError with every one of them
    at its `site.yaml:line:column` (exit 1: nothing is compiled)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read site file: {exc.strerror or exc}") from None
    try:
        data = YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = exc.problem_mark if isinstance(exc, MarkedYAMLError) else None
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        _refuse([Diagnostic(SITE_SYNTAX, Severity.ERROR, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                            Span(name, line, column, line, column + 1))])
    return _site_from(data if data is not None else {}, name)


def _site_from(data: Any, name: str) -> Site:
    reader = SiteReader(name)
    if not isinstance(data, dict):
        reader.problem(SITE_SYNTAX, "a site file is a YAML mapping (host-name:, spool:, collectors:, …)",
                       reader.span(data))
        _refuse(reader.findings)
    reader.known_keys(data, KEYS, "in a site file")
    reader.spans.update({str(key): reader.span(data, key) for key in data})
    collectors = reader.endpoints(data, "collectors", nested=True)
    inputs = reader.endpoints(data, "inputs", nested=True)
    reader.duplicates(data, {"collectors": collectors, "inputs": inputs})
    site = Site(
        name=name,
        host_name=reader.text(data, "host-name"),
        spool=reader.path(data, "spool"),
        control=reader.path(data, "control"),
        memory_budget=reader.size(data, "memory-budget"),
        metrics=reader.endpoint(data, "metrics", "metrics", listen=True) if data.get("metrics") is not None else None,
        ftp_minimum_rate=reader.rate(data, "ftp-minimum-rate"),
        ftp_deadline_allowance=reader.seconds(data, "ftp-deadline-allowance"),
        collectors=collectors,
        inputs=inputs,
        hosts=reader.endpoints(data, "hosts", nested=False),
        spans=reader.spans,
    )
    if reader.findings:
        _refuse(reader.findings)
    return site


def site_findings(plan: Plan, site: Site) -> list[Diagnostic]:
    """What a site says that the plan does not have: collectors and inputs it does not
    know, and site listeners on a port another collector or input already has."""
    findings = []
    known = {c.interface for c in plan.collectors}
    inputs = {i.interface for c in plan.collectors for i in c.inputs}
    for section, names, code in (("collectors", known, UNKNOWN_COLLECTOR), ("inputs", inputs, UNKNOWN_INPUT)):
        for name in getattr(site, section):
            if name not in names:
                what = "collector" if section == "collectors" else "input"
                findings.append(Diagnostic(code, Severity.ERROR, f"no {what} {name} in the plan",
                                           site.spans.get(f"{section}/{name}", Span(site.name, 1, 1, 1, 1)),
                                           f"the plan's {what}s: {', '.join(sorted(names)) or 'none'}"))
    return findings + _clashes(plan, site)


def _clashes(plan: Plan, site: Site) -> list[Diagnostic]:
    """A site listener on the port of a listener the site did not set (a default)."""
    defaults = [(f"collector {c.interface}", c.listen) for c in plan.collectors if c.interface not in site.collectors]
    findings = []
    for section in ("collectors", "inputs"):
        for name, endpoint in getattr(site, section).items():
            for other, taken in defaults:
                if clash(taken, endpoint):
                    findings.append(Diagnostic(
                        DUPLICATE_LISTEN, Severity.ERROR,
                        f"{section.rstrip('s')} {name} listens on {endpoint}, as {other} does (by default)",
                        site.spans.get(f"{section}/{name}", Span(site.name, 1, 1, 1, 1)),
                        f"give {other} its own `listen:` in the site file"))
    return findings


def _refuse(findings: list[Diagnostic]) -> NoReturn:
    ordered = sort_diagnostics(findings)
    raise FlowcError(ordered, findings_text(ordered))


def findings_text(findings: tuple[Diagnostic, ...] | list[Diagnostic]) -> str:
    """Findings as lint prints them: location, severity, code, message, the line, a caret."""
    lines = []
    for finding in findings:
        lines.append(str(finding))
        source = _line(finding.span.file, finding.span.line)
        if source:
            lines += [f"    {source}", f"    {' ' * (finding.span.column - 1)}^"]
        if finding.hint:
            lines.append(f"    hint: {finding.hint}")
    return "".join(f"{line}\n" for line in lines)


def _line(file: str, number: int) -> str:
    try:
        text = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return text[number - 1] if 0 < number <= len(text) else ""


# ------------------------------------------------------------------- applying

def overlay(plan: Plan, site: Site | None = None) -> Plan:
    """Apply `site` (or the embedded defaults) to a plan. A site that names what the plan
    does not have raises FlowcError with its findings (`site_findings`)."""
    site = site or Site()
    if findings := site_findings(overlay_listeners(plan, site), site):
        _refuse(findings)
    collectors = tuple(_collector(c, i, site) for i, c in enumerate(plan.collectors))
    log = plan.transfer_log
    return dataclasses.replace(
        plan,
        host_name=site.host_name or plan.host_name,
        spool=site.spool or plan.spool,
        control=site.control or plan.control,
        memory_budget=site.memory_budget or plan.memory_budget,
        metrics=site.metrics or plan.metrics,
        ftp_minimum_rate=site.ftp_minimum_rate or plan.ftp_minimum_rate,
        ftp_deadline_allowance=site.ftp_deadline_allowance or plan.ftp_deadline_allowance,
        collectors=collectors,
        transfer_log=TransferLog(log.filename_prefix, log.maximum_age,
                                 tuple(_target(t, site) for t in log.archive_sites),
                                 log.failed_retry),
    )


def overlay_listeners(plan: Plan, site: Site) -> Plan:
    """The plan with only the collectors' default listeners filled in (for the checks)."""
    return dataclasses.replace(plan, collectors=tuple(
        dataclasses.replace(c, listen=_listen(c, i, site)) for i, c in enumerate(plan.collectors)))


def _listen(collector: Collector, index: int, site: Site) -> Endpoint:
    listen = site.collectors.get(collector.interface) or collector.listen
    if listen.port == 0 and collector.interface not in site.collectors:
        listen = Endpoint(DEFAULT_LISTEN_HOST, DEFAULT_FIRST_PORT + index)
    return listen


def _collector(collector: Collector, index: int, site: Site) -> Collector:
    return dataclasses.replace(
        collector,
        listen=_listen(collector, index, site),
        inputs=tuple(_input(i, site) for i in collector.inputs),
        destinations=tuple(dataclasses.replace(d, target=_target(d.target, site))
                           for d in collector.destinations),
    )


def _input(item: Input, site: Site) -> Input:
    listen = site.inputs.get(item.interface)
    return dataclasses.replace(item, listen=listen) if listen else item


def _target(target: FtpTarget, site: Site) -> FtpTarget:
    host, port = router_host(target.url)
    mapped = site.hosts.get(host) or site.hosts.get(f"{host}:{port}")
    return dataclasses.replace(target, connect=mapped or Endpoint(host, port))


def router_host(url: str) -> tuple[str, int]:
    """The host and port an `ftp://` URL names on the router's side (port 21 by default)."""
    parts = urlsplit(url)
    try:
        port = parts.port or 21
    except ValueError:
        port = 21
    return (parts.hostname or "", port)
