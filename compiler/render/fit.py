"""Does the site fit the target? Warnings (FC316) for values `flowc render` keeps as the
site says but that cannot work where the setup runs.

Input: the plan (site applied), the target, the `Site` given to render (for positions) and
the name of the rendered source. Output: findings, warnings only: the setup is still
written. Inside a container, loopback is the container's own: an FTP host, a listener or a
metrics listener on 127.0.0.1 reaches or hears nothing from outside (and a metrics listener
there fails every probe).
"""
from __future__ import annotations

import ipaddress

from flowc.compiler.diagnostics import Diagnostic, Severity, sort_diagnostics
from flowc.compiler.lowering.site import Site
from flowc.compiler.lowering.site_file import TARGET_MISMATCH
from flowc.compiler.source import Span
from flowc.runtime.plan.model import Endpoint, Plan

CONTAINERS = frozenset({"compose", "kubernetes"})


def misfits(plan: Plan, target: str, site: Site | None, source: str) -> tuple[Diagnostic, ...]:
    """Every value of the site that cannot work in `target` (none for shell and systemd)."""
    if target not in CONTAINERS:
        return ()
    said = site or Site()
    where = _Where(said, source)
    found = [where.warn(f"hosts/{host}", f"FTP host {host} is reached at {endpoint}, a loopback address: inside "
                        f"a {target} container that is the container itself, not this machine",
                        "map it to an address the container can reach (the host's, a service name)")
             for host, endpoint in said.hosts.items() if _loopback(endpoint)]
    for section in ("collectors", "inputs"):
        found += [where.warn(f"{section}/{name}", f"{section.rstrip('s')} {name} listens on {endpoint}, a loopback "
                             f"address: inside a {target} container it receives nothing from outside",
                             "listen on 0.0.0.0 (or leave `listen:` out: the setup then does)")
                  for name, endpoint in getattr(said, section).items() if _loopback(endpoint)]
    if plan.metrics is not None and _loopback(plan.metrics):
        found.append(where.warn("metrics", f"metrics listener {plan.metrics} is loopback: inside a {target} "
                                "container the probes and Prometheus cannot reach it",
                                "use metrics: 0.0.0.0:PORT (or leave it out: the setup then does)"))
    return sort_diagnostics(found)


class _Where:
    """Positions of the site's values; the rendered source's name when there is no site."""

    def __init__(self, site: Site, source: str) -> None:
        self.site, self.source = site, source

    def warn(self, key: str, message: str, hint: str) -> Diagnostic:
        span = self.site.spans.get(key) or Span(self.source, 1, 1, 1, 1)
        return Diagnostic(TARGET_MISMATCH, Severity.WARNING, message, span, hint)


def _loopback(endpoint: Endpoint) -> bool:
    if endpoint.host == "localhost":
        return True
    try:
        return ipaddress.ip_address(endpoint.host).is_loopback
    except ValueError:
        return False
