"""The deployment model behind `flowc render`: paths, ports and site settings per target.

Input: a plan, a target name and the rendering options. Output: the template context, a
plain dict: the plan text (passwords moved to per-collector secrets for the systemd and
container targets), the site settings file(s) for where the setup runs (spool, control
socket, listeners, metrics, FTP hosts), and per collector its names, UDP ports, metrics
port, destinations and secret keys. Two collectors never share a spool, a control socket
or a metrics port where they run side by side (systemd units; compose's published ports).
"""
from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from flowc.compiler.lowering.secrets import password_targets, redact, secret_key, secret_refs
from flowc.compiler.lowering.site import Site, router_host
from flowc.runtime.plan.model import Collector, Endpoint, FtpTarget, Input, Plan, dumps_plan, slug

CONTAINER_TARGETS = frozenset({"compose", "kubernetes"})
ANY_ADDRESS = "0.0.0.0"
SECRET_TARGETS = frozenset({"systemd", "compose", "kubernetes"})  # passwords out of plan.json
# Where things live, per target: (spool, control socket, configuration directory).
_PATHS = {
    "shell": ("spool", "flowc.sock", "."),
    "systemd": ("/var/lib/flowc/spool", "/run/flowc/flowc.sock", "/etc/flowc"),
    "compose": ("/var/lib/flowc/spool", "/run/flowc/control.sock", "/etc/flowc"),
    "kubernetes": ("/var/lib/flowc/spool", "/run/flowc/control.sock", "/etc/flowc"),
}
_DEFAULT_FLOWC = {"shell": "flowc", "systemd": "/usr/local/bin/flowc"}
# The HTTP listener (/metrics, /healthz, /readyz): one port per engine. The site's
# `metrics:` wins; without one, containers listen on every address of their own network
# namespace (the kubelet probes the pod IP), hosts on loopback. systemd units run side by
# side on one host: collector N takes the port + N.
METRICS_PORT = 9155
NOFILE_LIMIT = 65536  # LimitNOFILE= of the units: sockets, spool files, FTP data connections


# ------------------------------------------------------------------ names and secrets

def dns_name(text: str) -> str:
    """A DNS-1123 label: lower case, digits and `-`, at most 63 characters."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:63].rstrip("-") or "flowc"


def collector_secrets(plan: Plan, interface: str) -> dict[str, str]:
    """The `FLOWC_SECRET_…` entries one collector needs: its destinations and the archive
    sites (its engine sends its own transfer logs)."""
    wanted = {secret_key(name) for name, _ in password_targets(plan)
              if name.startswith(f"{interface} ") or name.startswith("archive ")}
    return {k: v for k, v in secret_refs(plan).items() if k in wanted}


# ------------------------------------------------------------------ context

def context(plan: Plan, target: str, options: Any, site: Site | None = None) -> dict[str, Any]:
    """Everything a target's templates may use (StrictUndefined catches the rest)."""
    spool, control, config_dir = _PATHS[target]
    containers = target in CONTAINER_TARGETS
    plan = bound(plan, site) if containers else plan
    shown = redact(plan) if target in SECRET_TARGETS else plan
    # the plan as the setup runs it: the target's spool and control socket, not the compiling host's
    shown = dataclasses.replace(shown, spool=spool, control=control)
    metrics = _metrics(plan, containers)
    collectors = [_collector(c, i, target) for i, c in enumerate(plan.collectors)]
    for item in collectors:
        _per_engine(item, plan, target, (spool, control, metrics))
    return {
        "target": target,
        "host_name": plan.host_name,
        "host_dns": dns_name(plan.host_name),
        "image": options.image,
        "storage": options.storage,
        "service_type": options.service_type,
        "flowc": options.flowc or _DEFAULT_FLOWC.get(target, "flowc"),
        "spool": spool,
        "control": control,
        "config_dir": config_dir,
        "plan_json": dumps_plan(shown),
        "site_yaml": site_text(_settings(plan, spool, control, str(metrics)), target),
        "metrics_port": metrics.port,
        "nofile": NOFILE_LIMIT,
        "collectors": collectors,
        "archive_sites": [t.url for t in plan.transfer_log.archive_sites],
        "privileged_ports": any(p["port"] < 1024 for c in collectors for p in c["ports"]),
        "memory_budget": plan.memory_budget,
        "memory_limit": f"{(plan.memory_budget >> 20) + 256}Mi",
    }


def bound(plan: Plan, site: Site | None) -> Plan:
    """A container's listeners: what the site says, else every address of the container's own
    network namespace (`0.0.0.0`) on the plan's port."""
    said = site or Site()

    def listen(endpoint: Endpoint, name: str, section: dict[str, Endpoint]) -> Endpoint:
        return endpoint if name in section else Endpoint(ANY_ADDRESS, endpoint.port)

    def inputs(collector: Collector) -> tuple[Input, ...]:
        return tuple(dataclasses.replace(i, listen=listen(i.listen, i.interface, said.inputs)) if i.listen else i
                     for i in collector.inputs)

    return dataclasses.replace(plan, collectors=tuple(
        dataclasses.replace(c, listen=listen(c.listen, c.interface, said.collectors), inputs=inputs(c))
        for c in plan.collectors))


def _metrics(plan: Plan, containers: bool) -> Endpoint:
    if plan.metrics is not None:
        return plan.metrics
    return Endpoint(ANY_ADDRESS if containers else "127.0.0.1", METRICS_PORT)


def _per_engine(item: dict[str, Any], plan: Plan, target: str,
                where: tuple[str, str, Endpoint]) -> None:
    """What one collector's engine gets on its own: spool, control socket, metrics, site file."""
    spool, control, metrics = where
    index = item["index"]
    item["slug"], item["dns"] = slug(item["interface"]), dns_name(item["interface"])
    side_by_side = target == "systemd"
    item["spool"] = f"/var/lib/flowc/{item['slug']}" if side_by_side else spool
    item["control"] = f"/run/flowc/{item['slug']}/control.sock" if side_by_side else control
    item["metrics_port"] = metrics.port + index if side_by_side else metrics.port
    item["published_metrics_port"] = metrics.port + index  # compose: one host port per service
    item["metrics"] = str(Endpoint(metrics.host, item["metrics_port"]))
    item["secrets"] = [{"key": k, "value": v} for k, v in collector_secrets(plan, item["interface"]).items()]
    item["site_yaml"] = site_text(_settings(plan, item["spool"], item["control"], item["metrics"]),
                                  f"{target}: collector {item['interface']} only")


def _collector(collector: Collector, index: int, target: str) -> dict[str, Any]:
    ports = [{"name": "cflowd", "port": collector.listen.port, "what": "cflowd (all inputs)"}]
    ports += [{"name": f"in-{n}", "port": i.listen.port, "what": f"input {i.interface}"}
              for n, i in enumerate(collector.inputs, 1) if i.listen is not None]
    return {
        "interface": collector.interface,
        "index": index,
        "listen": str(collector.listen),
        "ports": ports,
        "by_address": any(i.listen is None for i in collector.inputs),
        "inputs": [{"interface": i.interface, "if_alias": i.if_alias, "file_spec": i.file_spec}
                   for i in collector.inputs],
        "destinations": [
            {"role": d.role, "url": d.target.url, "connect": str(d.target.connect),
             "secret": secret_key(f"{collector.interface} {d.role}") if d.target.password else ""}
            for d in collector.destinations
        ],
        "spool_dir": f"{_PATHS[target][0]}/{slug(collector.interface)}",
    }


def _settings(plan: Plan, spool: str, control: str, metrics: str) -> dict[str, Any]:
    collectors = {c.interface: {"listen": str(c.listen)} for c in plan.collectors}
    inputs = {i.interface: {"listen": str(i.listen)} for c in plan.collectors for i in c.inputs if i.listen is not None}
    return {
        "host-name": plan.host_name,
        "spool": spool,
        "control": control,
        "metrics": metrics,
        "collectors": collectors,
        "inputs": inputs,
        "hosts": _hosts(plan),
    }


def _hosts(plan: Plan) -> dict[str, str]:
    targets: list[FtpTarget] = [d.target for c in plan.collectors for d in c.destinations]
    targets += list(plan.transfer_log.archive_sites)
    hosts: dict[str, str] = {}
    for target in targets:
        host, port = router_host(target.url)
        hosts.setdefault(host if port == 21 else f"{host}:{port}", str(target.connect))
    return hosts


def site_text(settings: dict[str, Any], what: str) -> str:
    """Site settings as YAML (`flowc run --site`); values JSON-quoted, which YAML reads."""
    lines = [f"# flowc site settings ({what}): where this setup listens, spools and finds",
             "# its FTP servers. Edit addresses here; plan.json stays as compiled."]
    for key, value in settings.items():
        if isinstance(value, dict):
            if not value:
                continue
            lines.append(f"{key}:")
            for name, inner in value.items():
                if isinstance(inner, dict):
                    lines.append(f"  {json.dumps(name)}:")
                    lines += [f"    {k}: {json.dumps(v)}" for k, v in inner.items()]
                else:
                    lines.append(f"  {json.dumps(name)}: {json.dumps(inner)}")
        else:
            lines.append(f"{key}: {json.dumps(value)}")
    return "".join(f"{line}\n" for line in lines)
