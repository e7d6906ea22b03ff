"""The runtime plan: THE contract between the compiler and the engine.

A plan is a self-contained, versioned document (JSON or YAML) that the compiler lowers
from a validated Junos configuration plus a site overlay, and that the engine runs without
ever reading Junos text. It is deterministic (same input, same bytes), checked against
`plan.schema.json` on load, and carries no secret in clear: passwords travel in Junos
`$9$` form (see `flowc.runtime.plan.secret`).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from flowc.runtime.plan.secret import mask_url_passwords, url_password

PLAN_VERSION = 1
METRICS_PLAN_VERSION = 2  # the first version with `metrics`; a plan without it stays version 1
Role = Literal["primary", "secondary"]


def slug(interface: str) -> str:
    """`cp-6/0/0` -> `cp-6_0_0`: the directory (spool) and unit name of a collector interface."""
    return interface.replace("/", "_").replace(".", "_")


class PlanError(Exception):
    """A plan file that cannot be read, parsed or validated; the message says where."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A host and port this machine can reach or listen on."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, text: str, default_port: int = 0) -> Endpoint:
        """`HOST:PORT`, `[v6]:PORT` or bare `HOST` (then `default_port`)."""
        text = text.strip()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port = rest.lstrip(":")
        elif text.count(":") == 1:
            host, port = text.split(":")
        else:
            host, port = text, ""
        if not host or (port and not port.isdigit()) or (not port and not default_port):
            raise ValueError(f"not HOST:PORT: {text!r}")
        number = int(port) if port else default_port
        if not 0 <= number <= 65535:
            raise ValueError(f"port out of range in {text!r}")
        return cls(host, number)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """An input file the plan was compiled from, with the SHA-256 of its bytes."""

    path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class FtpTarget:
    """An FTP URL as configured on the router, and where this host reaches it.

    `url` keeps the router's text (macros included); `connect` is the server after the
    site's `hosts:` rewriting; `path` is the URL's directory (macros unexpanded).
    `password` is the Junos `$9$` form, or "" when none is configured.
    """

    url: str
    connect: Endpoint
    username: str
    password: str
    path: str


@dataclass(frozen=True, slots=True)
class Destination:
    """One of at most two flow-file servers; the first configured is primary."""

    role: Role
    target: FtpTarget


@dataclass(frozen=True, slots=True)
class FileSpec:
    """How files are named and when they are closed (record-level or timeout, first wins)."""

    name: str
    name_format: str
    data_format: str = "flow-compressed"
    record_level: int = 500000
    timeout: int = 600


@dataclass(frozen=True, slots=True)
class Input:
    """An input (mo-) logical interface feeding a collector.

    Packets are matched to it by `listen` (its own UDP port) when the site gives one,
    else by exporter `source_address` and the v5 header's `engine_type`/`engine_id`.
    """

    interface: str
    if_alias: str
    file_spec: str
    listen: Endpoint | None = None
    source_address: str | None = None
    engine_type: int | None = None
    engine_id: int | None = None


@dataclass(frozen=True, slots=True)
class Channel:
    """Export channel 0 or 1 (cp- unit 0 or 1): its source address and class of service."""

    index: int
    source_address: str | None = None
    dscp: int = 0
    rate_bps: int | None = None


@dataclass(frozen=True, slots=True)
class TransferLog:
    """The transfer log and its archive lifecycle (tmp -> log -> gz -> archive sites)."""

    filename_prefix: str = "flowc"
    maximum_age: int = 120
    archive_sites: tuple[FtpTarget, ...] = ()
    failed_retry: int = 1800


@dataclass(frozen=True, slots=True)
class Collector:
    """One collector (cp-) interface: one pipeline, one process."""

    interface: str
    listen: Endpoint
    inputs: tuple[Input, ...]
    file_specs: tuple[FileSpec, ...]
    default_file_spec: str
    channels: tuple[Channel, ...]
    destinations: tuple[Destination, ...]
    receive_address: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the engine needs to run every collector of one router."""

    host_name: str
    spool: str
    control: str
    collectors: tuple[Collector, ...]
    analyzer_address: str = ""
    analyzer_id: str = ""
    retry: int = 0
    retry_delay: int = 0
    memory_budget: int = 512 * 1024 * 1024
    transfer_log: TransferLog = field(default_factory=TransferLog)
    ftp_minimum_rate: int | None = None         # bits/s an upload must keep (None: the default)
    ftp_deadline_allowance: int | None = None   # seconds on top (connect, login, rename)
    sources: tuple[SourceFile, ...] = ()
    metrics: Endpoint | None = None  # the HTTP listener of /metrics, /healthz, /readyz (off when None)
    version: int = PLAN_VERSION

    def collector(self, interface: str) -> Collector:
        for collector in self.collectors:
            if collector.interface == interface:
                return collector
        raise KeyError(interface)


# ---------------------------------------------------------------- serialisation

def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """A JSON-shaped dict, keys in declaration order (deterministic).

    The version is the lowest that expresses the plan: 1 unless it has a metrics listener,
    so plans without one still run on engines that know only version 1."""
    data = cast(dict[str, Any], _prune(asdict(plan)))
    data["version"] = METRICS_PLAN_VERSION if plan.metrics is not None else PLAN_VERSION
    return data


def dumps_plan(plan: Plan, fmt: Literal["json", "yaml"] = "json") -> str:
    """Deterministic text: same plan, same bytes."""
    data = plan_to_dict(plan)
    if fmt == "json":
        return json.dumps(data, indent=2, sort_keys=False) + "\n"
    return _yaml_dump(data)


def loads_plan(text: str, origin: str = "<plan>") -> Plan:
    """Parse JSON or YAML text, validate it against the schema, build the dataclasses."""
    data = _parse_text(text, origin)
    validate_plan_dict(data, origin)
    return plan_from_dict(data)


def load_plan(path: str | Path) -> Plan:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"{path}: cannot read plan: {exc.strerror or exc}") from None
    return loads_plan(text, str(path))


def plan_schema() -> dict[str, Any]:
    text = resources.files("flowc.runtime.plan").joinpath("plan.schema.json").read_text("utf-8")
    return cast(dict[str, Any], json.loads(text))


def validate_plan_dict(data: Any, origin: str = "<plan>") -> None:
    """Raise PlanError naming the first schema violation and its JSON path."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(plan_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise PlanError(f"{origin}: invalid plan at {where}: {first.message}")


def plan_from_dict(data: dict[str, Any]) -> Plan:
    log = data.get("transfer_log", {})
    return Plan(
        host_name=data["host_name"],
        spool=data["spool"],
        control=data["control"],
        collectors=tuple(_collector(c) for c in data["collectors"]),
        analyzer_address=data.get("analyzer_address", ""),
        analyzer_id=data.get("analyzer_id", ""),
        retry=data.get("retry", 0),
        retry_delay=data.get("retry_delay", 0),
        memory_budget=data.get("memory_budget", 512 * 1024 * 1024),
        ftp_minimum_rate=data.get("ftp_minimum_rate"),
        ftp_deadline_allowance=data.get("ftp_deadline_allowance"),
        transfer_log=TransferLog(
            filename_prefix=log.get("filename_prefix", "flowc"),
            maximum_age=log.get("maximum_age", 120),
            archive_sites=tuple(_target(t) for t in log.get("archive_sites", ())),
            failed_retry=log.get("failed_retry", 1800),
        ),
        sources=tuple(SourceFile(**s) for s in data.get("sources", ())),
        metrics=Endpoint(**data["metrics"]) if data.get("metrics") else None,
        version=data.get("version", PLAN_VERSION),
    )


def _collector(data: dict[str, Any]) -> Collector:
    return Collector(
        interface=data["interface"],
        listen=Endpoint(**data["listen"]),
        inputs=tuple(_input(i) for i in data["inputs"]),
        file_specs=tuple(FileSpec(**f) for f in data["file_specs"]),
        default_file_spec=data["default_file_spec"],
        channels=tuple(Channel(**c) for c in data["channels"]),
        destinations=tuple(
            Destination(role=d["role"], target=_target(d["target"])) for d in data["destinations"]
        ),
        receive_address=data.get("receive_address"),
    )


def _input(data: dict[str, Any]) -> Input:
    listen = data.get("listen")
    values = {k: v for k, v in data.items() if k != "listen"}
    return Input(listen=Endpoint(**listen) if listen else None, **values)


def _target(data: dict[str, Any]) -> FtpTarget:
    if url_password(data["url"]) is not None:  # `show`, logs and setups print the URL
        raise PlanError(f"invalid plan: {mask_url_passwords(data['url'])} has a password in its URL; "
                        "a plan keeps passwords only in `password`, as $9$")
    return FtpTarget(
        url=data["url"],
        connect=Endpoint(**data["connect"]),
        username=data.get("username", ""),
        password=data.get("password", ""),
        path=data.get("path", "/"),
    )


def _prune(value: Any) -> Any:
    """Drop None values so the text stays short; tuples become lists."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_prune(v) for v in value]
    return value


def _parse_text(text: str, origin: str) -> Any:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanError(f"{origin}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return _plain(YAML(typ="safe").load(text))
    except YAMLError as exc:
        raise PlanError(f"{origin}: not valid YAML or JSON: {exc}") from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _yaml_dump(data: dict[str, Any]) -> str:
    import io

    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()
