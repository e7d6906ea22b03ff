"""Every counter of a collector, declared once: name, unit, help, where `show` and metrics put it.

`flowc.runtime.stats` keeps a total per counter (`stats.add(name)`), the control replies
carry them in the snapshot part named by the counter's `Group`, `flowc.runtime.ops.show`
prints each in its `Section` at its level, and `flowc.runtime.ops.metrics` exports each
as a Prometheus counter (or gauge): all derived from `COUNTERS` below, in its order. A new
counter is one line here plus the `stats.add(name)` that counts it (docs/engine.md,
"Messages and counters").
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the snapshot: its JSON key ("" = the snapshot's own field) and how it is exported."""

    key: str
    rated: bool = False                # each counter also has a 10-second rate and a peak
    family: str = ""                   # one labelled Prometheus family for the part (`family{label=key}`)
    family_help: str = ""
    label: str = ""


class Group(Enum):
    """Which part of a snapshot a counter sits in; metrics follow this order."""

    RATES = Part("counters", rated=True)
    DROPS = Part("drops", family="input_packet_drops", family_help="Packets dropped, by reason "
                 "(show … extensive: Packet drops).", label="reason")
    TOTALS = Part("")
    TRANSFER_LOG = Part("transfer_log")
    FAULTS = Part("faults")


class Section(Enum):
    """The sections of `show … interface detail|extensive`, in the order they print."""

    NONE = ""
    INPUT = "Input"
    ALLOCATION = "Allocation"
    FILES = "Files"
    THROUGHPUT = "Throughput"
    DROPS = "Packet drops"
    RECEIVE = "Receive losses"
    FAULTS = "Faults"
    TRANSFER = "File Transfer"


@dataclass(frozen=True, slots=True)
class Counter:
    """One counter: `name` is what the code adds to; `key` its key in the snapshot part."""

    name: str
    group: Group
    unit: str
    help: str                          # Prometheus help text (also what the counter means)
    label: str = ""                    # its words in `show` ("" = not printed)
    section: Section = Section.NONE
    extensive: bool = False            # printed by `show … extensive` only
    metric: str = ""                   # Prometheus name without `flowc_` and `_total`
    terse: tuple[str, str] | None = None   # its column's two header lines in `show … terse`
    key: str = ""                      # default: name
    gauge: bool = False                # a value read at snapshot time (not added to)

    @property
    def field(self) -> str:
        return self.key or self.name


R, D, T, L, F = Group.RATES, Group.DROPS, Group.TOTALS, Group.TRANSFER_LOG, Group.FAULTS
S = Section
X = True  # extensive only

COUNTERS: tuple[Counter, ...] = (
    Counter("packets", R, "packets", "Packets received (show: Input Packets).", "Packets", S.INPUT,
            metric="input_packets", terse=("Packets", "")),
    Counter("bytes", R, "bytes", "Bytes of the packets received (show: Input Bytes).", "Bytes", S.INPUT,
            metric="input_bytes", terse=("Bytes", "")),
    Counter("flows", R, "records", "Flow records processed (show: Flow records processed).",
            "Flow records processed", S.INPUT, metric="input_flow_records", terse=("Flows", "")),
    Counter("blocks_allocated", R, "blocks", "Memory blocks allocated (show: Blocks allocated).",
            "Blocks allocated", S.ALLOCATION, X, "memory_blocks_allocated"),
    Counter("blocks_freed", R, "blocks", "Memory blocks freed (show: Blocks freed).",
            "Blocks freed", S.ALLOCATION, X, "memory_blocks_freed"),
    Counter("blocks_unavailable", R, "blocks", "Memory blocks asked for when none was free "
            "(show: Blocks unavailable).", "Blocks unavailable", S.ALLOCATION, X, "memory_blocks_unavailable"),
    Counter("files_created", R, "files", "Flow files created (show: Files created).",
            "Files created", S.FILES, metric="files_created"),
    Counter("files_exported", R, "files", "Flow files exported to a server (show: Files exported).",
            "Files exported", S.FILES, metric="files_exported"),
    Counter("files_destroyed", R, "files", "Flow files destroyed (show: Files destroyed).",
            "Files destroyed", S.FILES, X, "files_destroyed"),
    Counter("uncompressed_bytes", R, "bytes", "Bytes written before compression (show: Uncompressed bytes).",
            "Uncompressed bytes", S.THROUGHPUT, metric="files_uncompressed_bytes",
            terse=("Uncompressed", "Bytes")),
    Counter("compressed_bytes", R, "bytes", "Compressed bytes written (show: Compressed bytes).",
            "Compressed bytes", S.THROUGHPUT, metric="files_compressed_bytes", terse=("Compressed", "Bytes")),
    Counter("ftp_bytes", R, "bytes", "Bytes sent to FTP servers (show: FTP bytes).", "FTP bytes",
            S.TRANSFER, metric="ftp_bytes", terse=("FTP bytes", "")),
    Counter("ftp_files", R, "files", "Files sent to FTP servers (show: FTP files).", "FTP files",
            S.TRANSFER, metric="ftp_files", terse=("FTP files", "")),
    # the seed's packet drops, by reason: one labelled metric family (Group.DROPS)
    Counter("no_memory", D, "packets", "No memory block was free for the records.", "No memory", S.DROPS, X),
    Counter("not_ip", D, "packets", "The frame did not carry IP.", "Not IP", S.DROPS, X),
    Counter("not_ipv4", D, "packets", "The packet was not IPv4.", "Not IPv4", S.DROPS, X),
    Counter("too_small", D, "packets", "Too short for its headers.", "Too small", S.DROPS, X),
    Counter("fragments", D, "packets", "An IP fragment.", "Fragments", S.DROPS, X),
    Counter("icmp", D, "packets", "ICMP, not UDP.", "ICMP", S.DROPS, X),
    Counter("tcp", D, "packets", "TCP, not UDP.", "TCP", S.DROPS, X),
    Counter("unknown", D, "packets", "Another IP protocol.", "Unknown", S.DROPS, X),
    Counter("not_jflow", D, "packets", "Not a cflowd v5 datagram.", "Not JUNOS flow", S.DROPS, X),
    Counter("kernel_drops", D, "packets", "Datagrams the kernel dropped because the socket's receive buffer "
            "was full (its drops in /proc/net/udp).", "Kernel drops", S.RECEIVE, X),
    Counter("ftp_failures", T, "transfers", "Failed FTP transfers (show: FTP failure).", "FTP failure",
            S.TRANSFER, metric="ftp_failures"),
    Counter("translog_lines", L, "lines", "Lines written to the transfer log.",
            metric="transfer_log_lines", key="lines"),
    Counter("archive_attempts", L, "files", "Transfer-log files offered to an archive site.",
            metric="transfer_log_archive_attempts"),
    Counter("archive_failures", L, "files", "Archive attempts an archive site refused.",
            metric="transfer_log_archive_failures"),
    # faults the engine survives (issue 10), printed two a line by `show … extensive`
    Counter("records_not_written", F, "records", "Records lost because the spool could not be written, e.g. "
            "a full disk (show … extensive: Records not written).", "Records not written", S.FAULTS, X,
            "spool_records_not_written"),
    Counter("write_error_episodes", F, "episodes", "Times the spool started failing to be written "
            "(show … extensive: Write error episodes).", "Write error episodes", S.FAULTS, X,
            "spool_write_error_episodes"),
    Counter("translog_write_failures", F, "lines", "Transfer-log lines that could not be written at once, "
            "kept and retried (show … extensive: Transfer log write failures).", "Transfer log write failures",
            S.FAULTS, X, "transfer_log_write_failures"),
    Counter("translog_lines_pending", F, "lines", "Transfer-log lines kept in memory, to be written when the "
            "log can be (show … extensive: Transfer log lines pending).", "Transfer log lines pending",
            S.FAULTS, X, "transfer_log_lines_pending", gauge=True),
    Counter("ftp_deadline_failures", F, "transfers", "Uploads ended by the whole-transfer deadline "
            "(show … extensive: FTP deadline failures).", "FTP deadline failures", S.FAULTS, X,
            "ftp_deadline_failures"),
    Counter("name_conflicts", F, "files", "Uploads stored under a new name because the server had the name "
            "already (show … extensive: Name conflicts).", "Name conflicts", S.FAULTS, X, "ftp_name_conflicts"),
    Counter("export_errors", F, "errors", "Unexpected errors an export thread survived "
            "(show … extensive: Export errors).", "Export errors", S.FAULTS, X, "export_errors"),
    Counter("files_closed_open_files", F, "files", "Flow files closed early because too many were open "
            "(rotation reason open-files; show … extensive: Files closed early).", "Files closed early",
            S.FAULTS, X, "files_closed_open_files"),
    # losses before the collector (issue 18): cflowd v5 flow_sequence gaps, per exporter and engine
    Counter("sequence_missed", F, "records", "Records an exporter sent that never arrived, from gaps in "
            "its cflowd v5 flow_sequence (show … extensive: Sequence records missed).",
            "Sequence records missed", S.RECEIVE, X, "input_sequence_records_missed"),
    Counter("sequence_resets", F, "resets", "Times an exporter's flow_sequence went back or jumped "
            "(a restart, a datagram out of order; show … extensive: Sequence resets).",
            "Sequence resets", S.RECEIVE, X, "input_sequence_resets"),
)


def of(group: Group) -> tuple[Counter, ...]:
    """The counters of one group, counters before gauges (the order of the JSON part and of metrics)."""
    found = [c for c in COUNTERS if c.group is group]
    return tuple([c for c in found if not c.gauge] + [c for c in found if c.gauge])


def names(group: Group) -> tuple[str, ...]:
    """The names the code adds to, of one group (gauges left out)."""
    return tuple(c.name for c in of(group) if not c.gauge)


RATE_COUNTERS = names(Group.RATES)
DROPS = names(Group.DROPS)
FAULTS = names(Group.FAULTS)
TRANSFER_LOG = names(Group.TRANSFER_LOG)
TOTALS = tuple(c.name for c in COUNTERS if not c.gauge)   # every total `CollectorStats` keeps
