"""The typed IR of a flow-collector configuration (what `flowc.compiler.ir.build` produces).

Frozen slotted dataclasses; every node has a `span` (where it was written) that takes no
part in equality, so a brace file and its `display set` twin give equal IR. Defaults from
the reference are applied (retry 0, retry-delay 0, record-level 500000, timeout 600,
maximum-age 120, data-format flow-compressed). Passwords are kept as written (`$9$…` or
plain text); use `flowc.runtime.plan.secret.reveal` to get the secret, never print it.
Lowering (IR -> runtime plan) and the semantic rules (FC2xx) read this IR.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from flowc.compiler.source import NO_SPAN, Span

DEFAULT_RETRY = 0
DEFAULT_RETRY_DELAY = 0
DEFAULT_RECORD_LEVEL = 500_000
DEFAULT_TIMEOUT = 600
DEFAULT_MAXIMUM_AGE = 120
DEFAULT_DATA_FORMAT = "flow-compressed"


def _span() -> Span:
    return field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class FtpSite:
    """A destination or archive site: URL as written, password as written (`$9$…`, plain
    text, or None when missing), user name (`username` statement, else from the URL)."""

    url: str
    password: str | None = None
    username: str = ""
    span: Span = _span()
    password_span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class FileSpec:
    """`file-specification NAME {…}` or `file-specification { variant N {…} }` (`variant`)."""

    name: str
    variant: bool = False
    name_format: str | None = None
    data_format: str = DEFAULT_DATA_FORMAT
    record_level: int = DEFAULT_RECORD_LEVEL
    timeout: int = DEFAULT_TIMEOUT
    span: Span = _span()
    name_format_span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class MapEntry:
    """One input interface under `interface-map`, with its own collector / file-spec."""

    input: str
    collector: str | None = None
    file_spec: str | None = None
    span: Span = _span()
    collector_span: Span | None = field(default=None, compare=False)
    file_spec_span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class InterfaceMap:
    """Default collector and file specification, and per-input entries in order."""

    collector: str | None = None
    file_spec: str | None = None
    entries: tuple[MapEntry, ...] = ()
    span: Span = _span()
    collector_span: Span | None = field(default=None, compare=False)
    file_spec_span: Span | None = field(default=None, compare=False)

    def collector_of(self, entry: MapEntry) -> str | None:
        return entry.collector or self.collector

    def file_spec_of(self, entry: MapEntry) -> str | None:
        return entry.file_spec or self.file_spec


@dataclass(frozen=True, slots=True)
class TransferLogArchive:
    filename_prefix: str | None = None
    maximum_age: int = DEFAULT_MAXIMUM_AGE
    sites: tuple[FtpSite, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class FlowCollector:
    """`services flow-collector`. Destinations in order: first primary, second secondary."""

    analyzer_address: str | None = None
    analyzer_id: str | None = None
    retry: int = DEFAULT_RETRY
    retry_delay: int = DEFAULT_RETRY_DELAY
    destinations: tuple[FtpSite, ...] = ()
    file_specs: tuple[FileSpec, ...] = ()
    interface_map: InterfaceMap | None = None
    transfer_log_archive: TransferLogArchive | None = None
    span: Span = _span()

    def file_spec(self, name: str) -> FileSpec | None:
        return next((spec for spec in self.file_specs if spec.name == name), None)


@dataclass(frozen=True, slots=True)
class Address:
    """`family inet address A { destination D; }` (on cp- units: A = Routing Engine side,
    D = the collector PIC side)."""

    address: str
    destination: str | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class LogicalUnit:
    """A logical unit `cp-6/0/0.0`: `name` is the full unit name, `number` the unit."""

    name: str
    number: int
    description: str | None = None
    addresses: tuple[Address, ...] = ()
    filter_input: str | None = None
    filter_output: str | None = None
    filter_output_list: tuple[str, ...] = ()
    span: Span = _span()
    filter_output_span: Span | None = field(default=None, compare=False)
    filter_output_list_span: Span | None = field(default=None, compare=False)

    @property
    def output_filters(self) -> tuple[str, ...]:
        """The output filters in the order Junos runs them (`output`, then `output-list`)."""
        return ((self.filter_output,) if self.filter_output else ()) + self.filter_output_list


@dataclass(frozen=True, slots=True)
class Interface:
    """A cp- or mo- physical interface and its units (other interfaces are not kept)."""

    name: str
    description: str | None = None
    units: tuple[LogicalUnit, ...] = ()
    span: Span = _span()

    def unit(self, number: int) -> LogicalUnit | None:
        return next((unit for unit in self.units if unit.number == number), None)


@dataclass(frozen=True, slots=True)
class MonitoringOutput:
    """`forwarding-options monitoring G family inet output interface mo-… {…}`."""

    name: str
    engine_id: int | None = None
    engine_type: int | None = None
    source_address: str | None = None
    input_interface_index: int | None = None
    output_interface_index: int | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class CflowdHost:
    host: str
    port: int | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class MonitoringGroup:
    name: str
    flow_export_destination: str | None = None
    cflowd: tuple[CflowdHost, ...] = ()
    interfaces: tuple[MonitoringOutput, ...] = ()
    span: Span = _span()
    destination_span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Pic:
    """`chassis fpc F pic P monitoring-services application A`."""

    fpc: int
    pic: int
    application: str | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Chassis:
    pics: tuple[Pic, ...] = ()
    graceful_switchover: bool = False
    span: Span = _span()
    graceful_switchover_span: Span | None = field(default=None, compare=False)

    def pic(self, fpc: int, pic: int) -> Pic | None:
        return next((p for p in self.pics if p.fpc == fpc and p.pic == pic), None)


@dataclass(frozen=True, slots=True)
class FilterTerm:
    """A firewall filter term: its `from` conditions as written (one tuple of words per
    statement, `("destination-address", "10.0.0.0/8")`), the forwarding class it sets and
    whether it goes on to the next term (`then next term`)."""

    name: str
    conditions: tuple[tuple[str, ...], ...] = ()
    forwarding_class: str | None = None
    next_term: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class FirewallFilter:
    """A firewall filter name and the forwarding classes its terms set (in order)."""

    name: str
    forwarding_classes: tuple[str, ...] = ()
    span: Span = _span()
    terms: tuple[FilterTerm, ...] = ()


@dataclass(frozen=True, slots=True)
class ForwardingClass:
    name: str
    queue: int | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Scheduler:
    """`transmit-rate` as bits per second or as a percentage (one of them, or neither);
    `transmit_rate` keeps the words as written (`remainder`, `10m exact`)."""

    name: str
    transmit_rate_bps: int | None = None
    transmit_rate_percent: int | None = None
    span: Span = _span()
    transmit_rate: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SchedulerMapEntry:
    forwarding_class: str
    scheduler: str | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SchedulerMap:
    name: str
    entries: tuple[SchedulerMapEntry, ...] = ()
    span: Span = _span()

    def entry(self, forwarding_class: str) -> SchedulerMapEntry | None:
        return next((e for e in self.entries if e.forwarding_class == forwarding_class), None)


@dataclass(frozen=True, slots=True)
class RewriteRule:
    """`rewrite-rules dscp NAME forwarding-class FC loss-priority LP code-point CP`:
    the code point per forwarding class (first loss priority wins)."""

    name: str
    code_points: tuple[tuple[str, str], ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class CosUnit:
    """`class-of-service interfaces cp-… unit N` (scheduler-map may come from the
    physical interface's `scheduler-map`)."""

    interface: str
    number: int
    scheduler_map: str | None = None
    forwarding_class: str | None = None
    rewrite_rule: str | None = None
    span: Span = _span()
    scheduler_map_span: Span | None = field(default=None, compare=False)
    forwarding_class_span: Span | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return f"{self.interface}.{self.number}"


@dataclass(frozen=True, slots=True)
class ClassOfService:
    forwarding_classes: tuple[ForwardingClass, ...] = ()
    schedulers: tuple[Scheduler, ...] = ()
    scheduler_maps: tuple[SchedulerMap, ...] = ()
    rewrite_rules: tuple[RewriteRule, ...] = ()
    code_point_aliases: tuple[tuple[str, str], ...] = ()
    units: tuple[CosUnit, ...] = ()
    span: Span = _span()

    def scheduler_map(self, name: str) -> SchedulerMap | None:
        return next((m for m in self.scheduler_maps if m.name == name), None)

    def scheduler(self, name: str) -> Scheduler | None:
        return next((s for s in self.schedulers if s.name == name), None)

    def unit(self, name: str) -> CosUnit | None:
        """The CoS of a logical unit (`cp-6/0/0.0`), also through a wildcard interface
        name such as `cp-*` (an exact name wins)."""
        exact = next((unit for unit in self.units if unit.name == name), None)
        if exact is not None:
            return exact
        physical, _, number = name.partition(".")
        return next((unit for unit in self.units if "*" in unit.interface and str(unit.number) == number
                     and fnmatchcase(physical, unit.interface)), None)


@dataclass(frozen=True, slots=True)
class ExportCos:
    """The resolved class of service of one export channel (cp-… unit 0 or 1):
    forwarding class (from CoS or from the output filter's `then forwarding-class`),
    its scheduler through the scheduler-map, the rate, and the DSCP code point from the
    rewrite rule (`code_point` as written, `dscp` as a number 0..63)."""

    unit: str
    forwarding_class: str | None = None
    scheduler_map: str | None = None
    scheduler: str | None = None
    transmit_rate_bps: int | None = None
    transmit_rate_percent: int | None = None
    code_point: str | None = None
    dscp: int | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class FlowCollectorConfig:
    """Everything flowc validates in one router configuration."""

    host_name: str | None = None
    collector: FlowCollector | None = None
    interfaces: tuple[Interface, ...] = ()
    monitoring: tuple[MonitoringGroup, ...] = ()
    chassis: Chassis = Chassis()
    filters: tuple[FirewallFilter, ...] = ()
    cos: ClassOfService = ClassOfService()
    export_cos: tuple[ExportCos, ...] = ()
    span: Span = _span()
    host_name_span: Span | None = field(default=None, compare=False)

    def interface(self, name: str) -> Interface | None:
        return next((i for i in self.interfaces if i.name == name), None)

    def unit(self, name: str) -> LogicalUnit | None:
        """A logical unit by full name (`mo-7/1/0.0`; a bare name means unit 0)."""
        physical, _, number = name.partition(".")
        interface = self.interface(physical)
        if interface is None or (number and not number.isdigit()):
            return None
        return interface.unit(int(number or 0))

    def filter(self, name: str) -> FirewallFilter | None:
        return next((f for f in self.filters if f.name == name), None)

    def channel_cos(self, unit: str) -> ExportCos | None:
        return next((c for c in self.export_cos if c.unit == unit), None)
