"""Reading a site file (YAML) into a `Site`, checked like a configuration.

Input: the file's text and name. Output: a `Site` and every finding, each at its
`site.yaml:line:column` (ruamel.yaml's positions): unknown keys, values that are not an
address, a port, a size, a rate or a number of seconds, duplicate listen endpoints.
Relative `spool` and `control` paths are taken relative to the site file's folder. Names
the plan must know (collectors, inputs) are checked when the site meets a plan
(`flowc.compiler.lowering.site.site_findings`).
"""
from __future__ import annotations

import ipaddress
import os
import re
from typing import Any

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.source import Span
from flowc.runtime.plan.model import Endpoint

# Codes of site-file findings (docs/diagnostics.md, FC3xx: lowering).
SITE_SYNTAX = "FC310"
UNKNOWN_KEY = "FC311"
BAD_VALUE = "FC312"
UNKNOWN_COLLECTOR = "FC313"
UNKNOWN_INPUT = "FC314"
DUPLICATE_LISTEN = "FC315"
TARGET_MISMATCH = "FC316"

KEYS = ("host-name", "spool", "control", "memory-budget", "metrics", "ftp-minimum-rate",
        "ftp-deadline-allowance", "collectors", "inputs", "hosts")
_SIZE = re.compile(r"^\s*(\d+)\s*([KMG]i?B?)?\s*$", re.IGNORECASE)
_RATE = re.compile(r"^\s*(\d+)\s*([kKmMgG]?)\s*$")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")


class SiteReader:
    """Walks one parsed site file, turning values into settings and problems into findings."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.findings: list[Diagnostic] = []
        self.spans: dict[str, Span] = {}

    # -------------------------------------------------------------- positions and findings

    def span(self, mapping: Any, key: Any = None, *, value: bool = False) -> Span:
        """Where `key` (or its value) of `mapping` is; the file's start when unknown."""
        try:
            if key is None:
                line, column = mapping.lc.line, mapping.lc.col
            else:
                line, column = mapping.lc.value(key) if value else mapping.lc.key(key)
        except (AttributeError, KeyError, TypeError):
            line, column = 0, 0
        text = str(key) if key is not None and not value else ""
        return Span(self.name, line + 1, column + 1, line + 1, column + 1 + len(text))

    def problem(self, code: str, message: str, span: Span, hint: str = "") -> None:
        self.findings.append(Diagnostic(code, Severity.ERROR, message, span, hint))

    def bad(self, mapping: Any, key: Any, message: str, hint: str = "") -> None:
        self.problem(BAD_VALUE, message, self.span(mapping, key, value=True), hint)

    # -------------------------------------------------------------- keys

    def known_keys(self, mapping: dict[str, Any], known: tuple[str, ...], where: str) -> None:
        for key in mapping:
            if key not in known:
                self.problem(UNKNOWN_KEY, f"unknown key {key!r} {where}", self.span(mapping, key),
                             f"known keys: {', '.join(known)}")

    # -------------------------------------------------------------- values

    def text(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == "":
            self.bad(data, key, f"{key} must be a non-empty string")
            return None
        return str(value)

    def path(self, data: dict[str, Any], key: str) -> str | None:
        """A path; relative ones are relative to the site file's folder."""
        value = self.text(data, key)
        folder = os.path.dirname(self.name)
        if value is None or os.path.isabs(value) or not folder:
            return value
        return os.path.normpath(os.path.join(folder, value))

    def size(self, data: dict[str, Any], key: str) -> int | None:
        value = data.get(key)
        match = _SIZE.match(str(value)) if value is not None else None
        if value is not None and not match:
            self.bad(data, key, f"{key} must be a size such as 512MiB")
        if not match:
            return None
        unit = (match.group(2) or "").upper()[:1]
        return int(match.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[unit]

    def rate(self, data: dict[str, Any], key: str) -> int | None:
        """Bits per second: `256000`, `256k`, `2M` (decimal units, as line rates are)."""
        value = data.get(key)
        if value is None:
            return None
        match = _RATE.match(str(value))
        rate = int(match.group(1)) * {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[match.group(2).lower()] if match else 0
        if rate < 1000:
            self.bad(data, key, f"{key} must be a rate of at least 1000 bits per second, such as 256k or 2M")
            return None
        return rate

    def seconds(self, data: dict[str, Any], key: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3600:
            self.bad(data, key, f"{key} must be a number of seconds from 1 to 3600")
            return None
        return value

    def endpoint(self, mapping: Any, key: Any, what: str, *, listen: bool, default_port: int = 0) -> Endpoint | None:
        """`HOST:PORT` checked: an address (a listener binds an IP address), a port 1..65535."""
        value = mapping.get(key)
        try:
            endpoint = Endpoint.parse(str(value), default_port)
        except ValueError as exc:
            self.bad(mapping, key, f"{what}: {exc}", "write HOST:PORT, [IPv6]:PORT for IPv6")
            return None
        problem = _address_problem(endpoint.host, listen) or (
            f"port {endpoint.port} is not 1..65535" if endpoint.port == 0 else "")
        if problem:
            self.bad(mapping, key, f"{what}: {problem} in {str(value)!r}")
            return None
        return endpoint

    def endpoints(self, data: dict[str, Any], key: str, *, nested: bool) -> dict[str, Endpoint]:
        """`collectors:`/`inputs:` (NAME: {listen: HOST:PORT}) or `hosts:` (HOST[:PORT]: HOST[:PORT])."""
        section = data.get(key)
        if section is None:
            return {}
        if not isinstance(section, dict):
            self.bad(data, key, f"{key} must be a mapping")
            return {}
        found: dict[str, Endpoint] = {}
        for entry, value in section.items():
            self.spans[f"{key}/{entry}"] = self.span(section, entry)
            read = self._listen if nested else self._host
            endpoint = read(section, entry, value, key)
            if endpoint is not None:
                found[str(entry)] = endpoint
        return found

    def _listen(self, section: Any, entry: Any, value: Any, key: str) -> Endpoint | None:
        if not isinstance(value, dict) or "listen" not in value:
            self.bad(section, entry, f"{key} {entry}: expected `listen: HOST:PORT`")
            return None
        self.known_keys(value, ("listen",), f"in {key} {entry}")
        return self.endpoint(value, "listen", f"{key} {entry} listen", listen=True)

    def _host(self, section: Any, entry: Any, value: Any, key: str) -> Endpoint | None:
        self._router_side(section, entry)
        return self.endpoint(section, entry, f"hosts {entry}", listen=False, default_port=21)

    def _router_side(self, section: Any, entry: Any) -> None:
        try:
            endpoint = Endpoint.parse(str(entry), 21)
        except ValueError as exc:
            self.problem(BAD_VALUE, f"hosts: {exc}", self.span(section, entry))
            return
        if problem := _address_problem(endpoint.host, False):
            self.problem(BAD_VALUE, f"hosts: {problem} in {str(entry)!r}", self.span(section, entry))

    def duplicates(self, data: dict[str, Any], listens: dict[str, dict[str, Endpoint]]) -> None:
        """Two listeners of the site on one UDP port of one address (or of every address)."""
        seen: dict[int, list[tuple[str, Endpoint]]] = {}
        for section, entries in listens.items():
            for name, endpoint in entries.items():
                for other, taken in seen.get(endpoint.port, []):
                    if clash(taken, endpoint):
                        self.problem(DUPLICATE_LISTEN, f"{section} {name} listens on {endpoint}, as {other} does",
                                     self.spans[f"{section}/{name}"],
                                     "every collector and input needs its own UDP port")
                seen.setdefault(endpoint.port, []).append((f"{section.rstrip('s')} {name}", endpoint))


def clash(one: Endpoint, two: Endpoint) -> bool:
    """Two UDP listeners that cannot both bind: one port, one address or a wildcard."""
    wildcard = ("0.0.0.0", "::")
    return one.port == two.port and (one.host == two.host or one.host in wildcard or two.host in wildcard)


def _address_problem(host: str, listen: bool) -> str:
    try:
        ipaddress.ip_address(host)
        return ""
    except ValueError:
        pass
    if listen and host != "localhost":
        return f"{host!r} is not an IP address (a listener binds an address of this machine)"
    numeric = re.fullmatch(r"[\d.]+", host)  # digits and dots that are no IPv4 address
    return "" if _HOSTNAME.match(host) and not numeric else f"{host!r} is neither an IP address nor a host name"

