"""`flowc site init`: a commented starting site overlay for one router's plan."""
from __future__ import annotations

from flowc.compiler.lowering.site import (
    DEFAULT_CONTROL,
    DEFAULT_FIRST_PORT,
    DEFAULT_LISTEN_HOST,
    DEFAULT_SPOOL,
    router_host,
)
from flowc.runtime.plan.model import FtpTarget, Plan


def site_template(plan: Plan, config_name: str) -> str:
    """YAML text with every key a site file takes, filled with this router's names."""
    lines = [
        f"# flowc site overlay for {config_name}",
        "# Maps what exists only on the router to this host. Every key is optional.",
        "",
        _note(f"host-name: {plan.host_name}", "names the transfer logs"),
        _note(f"spool: {DEFAULT_SPOOL}", "flow files wait here until a server has them"),
        _note(f"control: {DEFAULT_CONTROL}", "control socket for `flowc show …`"),
        _note("memory-budget: 512MiB", "buffered records beyond this count as 'No memory' drops"),
        "",
        _note("collectors:", "where each collector (cp-) interface receives cflowd"),
    ]
    for index, collector in enumerate(plan.collectors):
        lines += [f"  {collector.interface}:",
                  f"    listen: {DEFAULT_LISTEN_HOST}:{DEFAULT_FIRST_PORT + index}"]
    lines += ["", _note("# inputs:", "give an input its own port to match packets by port"),
              _note("#", "(otherwise by exporter address and engine type/id)")]
    for collector in plan.collectors:
        for item in collector.inputs:
            lines.append(f"#   {item.interface}:\n#     listen: {DEFAULT_LISTEN_HOST}:PORT")
    lines += ["", _note("hosts:", "router-side FTP host -> HOST[:PORT] reachable from here")]
    for host, port in _ftp_hosts(plan):
        key = host if port == 21 else f"{host}:{port}"
        lines.append(f"  {_yaml_key(key)}: {host}:{port}")
    return "\n".join(lines) + "\n"


def _note(text: str, comment: str) -> str:
    return f"{text:<30}# {comment}"


def _ftp_hosts(plan: Plan) -> list[tuple[str, int]]:
    targets: list[FtpTarget] = [d.target for c in plan.collectors for d in c.destinations]
    targets += list(plan.transfer_log.archive_sites)
    return list(dict.fromkeys(router_host(t.url) for t in targets))


def _yaml_key(text: str) -> str:
    return f'"{text}"' if ":" in text else text
