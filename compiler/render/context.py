"""The deployment model behind `flowc render`: paths, ports and site settings per target.

Input: a plan, a target name and the rendering options. Output: the template context, a
plain dict: the plan text (passwords moved to a Secret for container targets), the site
settings file(s) for where the setup runs (spool, control socket, listeners, FTP hosts),
and per collector its names, UDP ports, destinations and secret keys.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flowc.compiler.lowering.secrets import redact, secret_key, secret_refs
from flowc.compiler.lowering.site import router_host
from flowc.runtime.plan.model import Collector, FtpTarget, Plan, dumps_plan, slug

CONTAINER_TARGETS = frozenset({"compose", "kubernetes"})
# Where things live, per target: (spool, control socket, configuration directory).
_PATHS = {
    "shell": ("spool", "flowc.sock", "."),
    "systemd": ("/var/lib/flowc/spool", "/run/flowc/flowc.sock", "/etc/flowc"),
    "compose": ("/var/lib/flowc/spool", "/run/flowc/control.sock", "/etc/flowc"),
    "kubernetes": ("/var/lib/flowc/spool", "/run/flowc/control.sock", "/etc/flowc"),
}
_DEFAULT_FLOWC = {"shell": "flowc", "systemd": "/usr/local/bin/flowc"}
# The HTTP listener (/metrics, /healthz, /readyz): one port per engine. Containers listen on
# every address of their own network namespace (the kubelet probes the pod IP); hosts on
# loopback, one port per collector unit from METRICS_PORT up.
METRICS_PORT = 9155


# ------------------------------------------------------------------ names and secrets

def dns_name(text: str) -> str:
    """A DNS-1123 label: lower case, digits and `-`, at most 63 characters."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:63].rstrip("-") or "flowc"


# ------------------------------------------------------------------ context

def context(plan: Plan, target: str, options: Any) -> dict[str, Any]:
    """Everything a target's templates may use (StrictUndefined catches the rest)."""
    spool, control, config_dir = _PATHS[target]
    containers = target in CONTAINER_TARGETS
    secrets = secret_refs(plan) if containers else {}
    shown = redact(plan) if containers else plan
    listen_host = "0.0.0.0" if containers else None
    collectors = [_collector(c, i, plan, target, listen_host, spool) for i, c in enumerate(plan.collectors)]
    for item in collectors:
        item["slug"], item["dns"] = slug(item["interface"]), dns_name(item["interface"])
        item["control"] = f"/run/flowc/{item['slug']}/control.sock" if target == "systemd" else control
        item["metrics_port"] = METRICS_PORT + item["index"] if target == "systemd" else METRICS_PORT
        item["metrics"] = f"{listen_host or '127.0.0.1'}:{item['metrics_port']}"
        item["site_yaml"] = site_text(_settings(plan, spool, item["control"], listen_host, item["metrics"]),
                                      f"{target}: collector {item['interface']} only")
    return {
        "target": target,
        "host_name": plan.host_name,
        "host_dns": dns_name(plan.host_name),
        "image": options.image,
        "storage": options.storage,
        "flowc": options.flowc or _DEFAULT_FLOWC.get(target, "flowc"),
        "spool": spool,
        "control": control,
        "config_dir": config_dir,
        "plan_json": dumps_plan(shown),
        "site_yaml": site_text(_settings(plan, spool, control, listen_host,
                                         f"{listen_host or '127.0.0.1'}:{METRICS_PORT}"), target),
        "metrics_port": METRICS_PORT,
        "collectors": collectors,
        "archive_sites": [t.url for t in plan.transfer_log.archive_sites],
        "secrets": [{"key": k, "value": v} for k, v in secrets.items()],
        "privileged_ports": any(p["port"] < 1024 for c in collectors for p in c["ports"]),
        "memory_budget": plan.memory_budget,
    }


def _collector(collector: Collector, index: int, plan: Plan, target: str,
               listen_host: str | None, spool: str) -> dict[str, Any]:
    ports = [{"name": "cflowd", "port": collector.listen.port, "what": "cflowd (all inputs)"}]
    ports += [{"name": f"in-{n}", "port": i.listen.port, "what": f"input {i.interface}"}
              for n, i in enumerate(collector.inputs, 1) if i.listen is not None]
    return {
        "interface": collector.interface,
        "index": index,
        "listen": str(collector.listen) if listen_host is None else f"{listen_host}:{collector.listen.port}",
        "ports": ports,
        "inputs": [{"interface": i.interface, "if_alias": i.if_alias, "file_spec": i.file_spec}
                   for i in collector.inputs],
        "destinations": [
            {"role": d.role, "url": d.target.url, "connect": str(d.target.connect),
             "secret": secret_key(f"{collector.interface} {d.role}") if d.target.password else ""}
            for d in collector.destinations
        ],
        "spool_dir": f"{spool}/{slug(collector.interface)}",
    }


def _settings(plan: Plan, spool: str, control: str, listen_host: str | None, metrics: str) -> dict[str, Any]:
    collectors = {c.interface: {"listen": str(c.listen) if listen_host is None
                                else f"{listen_host}:{c.listen.port}"} for c in plan.collectors}
    inputs = {i.interface: {"listen": str(i.listen) if listen_host is None
                            else f"{listen_host}:{i.listen.port}"}
              for c in plan.collectors for i in c.inputs if i.listen is not None}
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
