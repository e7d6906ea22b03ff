"""`flowc site init`: a commented starting site overlay for one router's plan.

Every key a site file takes is written: the ones that only make sense with this router's
names (collectors, inputs, FTP hosts) with their values, every other one commented out
with the default that applies without it, so the file documents itself.
"""
from __future__ import annotations

from flowc.compiler.lowering.site import (
    DEFAULT_CONTROL,
    DEFAULT_FIRST_PORT,
    DEFAULT_LISTEN_HOST,
    DEFAULT_SPOOL,
    router_host,
)
from flowc.runtime.plan.model import FtpTarget, Plan

METRICS_EXAMPLE = "127.0.0.1:9155"
TESTBED_FTP_PORT = 2121


def site_template(plan: Plan, config_name: str, *, testbed: bool = False) -> str:
    """YAML text with every key a site file takes, filled with this router's names.
    `testbed`: FTP hosts mapped to loopback ports from TESTBED_FTP_PORT up (`flowc testbed ftp`)."""
    lines = [
        f"# flowc site overlay for {config_name}",
        "# Maps what exists only on the router to this host. Every key is optional: a",
        "# commented line shows the default that applies without it. Relative paths are",
        "# relative to this file's folder. `flowc compile --site` checks every key and value.",
        "",
        _note(f"# host-name: {plan.host_name}", "names the transfer logs [the router's host-name]"),
        _note(f"# spool: {DEFAULT_SPOOL}", "flow files wait here until a server has them"),
        _note(f"# control: {DEFAULT_CONTROL}", "control socket for `flowc show …`"),
        _note(f"# memory-budget: {plan.memory_budget >> 20}MiB",
              "buffered records beyond this count as 'No memory' drops"),
        _note(f"# metrics: {METRICS_EXAMPLE}", "HTTP /metrics, /healthz, /readyz [off]"),
        _note("# ftp-minimum-rate: 256k", "bits per second an upload must keep"),
        _note("# ftp-deadline-allowance: 30", "seconds for connect, login, CWD, rename"),
        "",
        *_collectors(plan),
        "",
        *_inputs(plan),
        "",
        *_hosts(plan, testbed),
    ]
    return "\n".join(lines) + "\n"


def _collectors(plan: Plan) -> list[str]:
    lines = [_note("collectors:", "where each collector (cp-) interface receives cflowd")]
    for index, collector in enumerate(plan.collectors):
        lines += [f"  {collector.interface}:", f"    listen: {DEFAULT_LISTEN_HOST}:{DEFAULT_FIRST_PORT + index}"]
    return lines


def _inputs(plan: Plan) -> list[str]:
    lines = [_note("# inputs:", "give an input its own port to match packets by port"),
             _note("#", "(otherwise by exporter address and engine type/id)")]
    for collector in plan.collectors:
        for item in collector.inputs:
            lines.append(f"#   {item.interface}:\n#     listen: {DEFAULT_LISTEN_HOST}:PORT")
    return lines


def _hosts(plan: Plan, testbed: bool) -> list[str]:
    what = "a loopback test server (flowc testbed ftp)" if testbed else "HOST[:PORT] reachable from here"
    lines = [_note("hosts:", f"router-side FTP host -> {what}")]
    for index, (host, port) in enumerate(_ftp_hosts(plan)):
        key = host if port == 21 else f"{host}:{port}"
        lines.append(f"  {_yaml_key(key)}: {f'127.0.0.1:{TESTBED_FTP_PORT + index}' if testbed else f'{host}:{port}'}")
    return lines if len(lines) > 1 else ["# hosts:                     # router-side FTP host -> HOST[:PORT]"]


def _note(text: str, comment: str) -> str:
    return f"{text:<30}# {comment}"


def _ftp_hosts(plan: Plan) -> list[tuple[str, int]]:
    targets: list[FtpTarget] = [d.target for c in plan.collectors for d in c.destinations]
    targets += list(plan.transfer_log.archive_sites)
    return list(dict.fromkeys(router_host(t.url) for t in targets))


def _yaml_key(text: str) -> str:
    return f'"{text}"' if ":" in text else text
