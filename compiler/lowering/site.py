"""The site overlay: what exists only on the router, mapped to this host.

A site file (YAML, read with ruamel.yaml) says where this host listens, spools and keeps
its control socket, and which reachable `HOST[:PORT]` stands for each FTP host named in
the router's URLs. `overlay(plan, site)` applies it to a plan; it is used at compile time
and again by `flowc run PLAN --site SITE`, so a plan compiled once runs on many hosts.
Without a site file, embedded defaults serve: loopback listeners from port 2055 up, a
spool and control socket under the working directory.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flowc.compiler.diagnostics import UsageError
from flowc.runtime.plan.model import Collector, Endpoint, FtpTarget, Input, Plan, TransferLog

DEFAULT_LISTEN_HOST = "127.0.0.1"
DEFAULT_FIRST_PORT = 2055
DEFAULT_SPOOL = "spool"
DEFAULT_CONTROL = "flowc.sock"
_SIZE = re.compile(r"^\s*(\d+)\s*([KMG]i?B?)?\s*$", re.IGNORECASE)
_KEYS = {"host-name", "spool", "control", "memory-budget", "metrics", "collectors", "inputs", "hosts",
         "ftp-minimum-rate", "ftp-deadline-allowance"}


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


def load_site(path: str | Path) -> Site:
    """Read and check a site file; problems raise UsageError naming file and line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read site file: {exc.strerror or exc}") from None
    try:
        data = YAML(typ="rt").load(text) or {}
    except YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML: {exc}") from None
    return _site_from(data, str(path))


def _site_from(data: Any, name: str) -> Site:
    if not isinstance(data, dict):
        raise UsageError(f"{name}: a site file is a YAML mapping (host-name:, spool:, …)")
    for key in data:
        if key not in _KEYS:
            raise UsageError(f"{_where(name, data, key)}: unknown site key {key!r} "
                             f"(known: {', '.join(sorted(_KEYS))})")
    return Site(
        name=name,
        host_name=_text(data, "host-name", name),
        spool=_text(data, "spool", name),
        control=_text(data, "control", name),
        memory_budget=_size(data, "memory-budget", name),
        metrics=_endpoint(data, "metrics", name),
        ftp_minimum_rate=_rate(data, "ftp-minimum-rate", name),
        ftp_deadline_allowance=_seconds(data, "ftp-deadline-allowance", name),
        collectors=_endpoints(data, "collectors", name, nested=True),
        inputs=_endpoints(data, "inputs", name, nested=True),
        hosts=_endpoints(data, "hosts", name, nested=False, default_port=21),
    )


def _where(name: str, data: Any, key: Any) -> str:
    try:
        line = data.lc.key(key)[0] + 1
        return f"{name}:{line}"
    except (AttributeError, KeyError, TypeError):
        return name


def _text(data: dict[str, Any], key: str, name: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int)) or str(value) == "":
        raise UsageError(f"{_where(name, data, key)}: {key} must be a non-empty string")
    return str(value)


def _size(data: dict[str, Any], key: str, name: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    match = _SIZE.match(str(value))
    if not match:
        raise UsageError(f"{_where(name, data, key)}: {key} must be a size such as 512MiB")
    unit = (match.group(2) or "").upper()[:1]
    return int(match.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[unit]


def _endpoint(data: dict[str, Any], key: str, name: str) -> Endpoint | None:
    value = _text(data, key, name)
    if value is None:
        return None
    try:
        return Endpoint.parse(value)
    except ValueError as exc:
        raise UsageError(f"{_where(name, data, key)}: {key}: {exc}") from None


def _rate(data: dict[str, Any], key: str, name: str) -> int | None:
    """Bits per second: `256000`, `256k`, `2M` (decimal units, as line rates are)."""
    value = data.get(key)
    if value is None:
        return None
    match = re.match(r"^\s*(\d+)\s*([kKmMgG]?)\s*$", str(value))
    rate = int(match.group(1)) * {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[match.group(2).lower()] if match else 0
    if rate < 1000:
        raise UsageError(f"{_where(name, data, key)}: {key} must be a rate of at least 1000 bits "
                         "per second, such as 256k or 2M")
    return rate


def _seconds(data: dict[str, Any], key: str, name: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3600:
        raise UsageError(f"{_where(name, data, key)}: {key} must be a number of seconds from 1 to 3600")
    return value


def _endpoints(data: dict[str, Any], key: str, name: str, *, nested: bool,
               default_port: int = 0) -> dict[str, Endpoint]:
    section = data.get(key) or {}
    if not isinstance(section, dict):
        raise UsageError(f"{_where(name, data, key)}: {key} must be a mapping")
    result = {}
    for entry, value in section.items():
        if nested:
            value = value.get("listen") if isinstance(value, dict) else None
            if value is None:
                raise UsageError(f"{_where(name, section, entry)}: {key} {entry}: "
                                 "expected `listen: HOST:PORT`")
        try:
            result[str(entry)] = Endpoint.parse(str(value), default_port)
        except ValueError as exc:
            raise UsageError(f"{_where(name, section, entry)}: {key} {entry}: {exc}") from None
    return result


# ------------------------------------------------------------------- applying

def overlay(plan: Plan, site: Site | None = None) -> Plan:
    """Apply `site` (or the embedded defaults) to a plan; pure."""
    site = site or Site()
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


def _collector(collector: Collector, index: int, site: Site) -> Collector:
    listen = site.collectors.get(collector.interface) or collector.listen
    if listen.port == 0 and collector.interface not in site.collectors:
        listen = Endpoint(DEFAULT_LISTEN_HOST, DEFAULT_FIRST_PORT + index)
    return dataclasses.replace(
        collector,
        listen=listen,
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
