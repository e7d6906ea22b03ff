"""The line layout of a flow file, declared once: the seed's 16 fields (Table 2), in order.

A line is the 16 fields separated by `|`, ending in `\\n`, no header. The writer stage
compresses lines made by the hot path (`flowc.runtime.ingest`: `LineFormat` and its compiled
twin); the reader (`flowc.runtime.flows`) types its columns from this table, and
`tests/runtime/files/test_layout.py` checks that the lines both hot paths make parse into
exactly these fields, so the two sides cannot drift.

Kinds: `uint64` (linkDir), `ipv4` (dotted quad), `text`, `count` (packets, bytes),
`seconds` (Unix seconds, UTC), `port`, `uint8` (TCP flags, protocol), `asn`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["uint64", "ipv4", "text", "count", "seconds", "port", "uint8", "asn"]

SEPARATOR = "|"


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a line: its name (snake case, the reader's column), kind and position."""

    name: str
    kind: FieldKind
    position: int
    seed_name: str  # as the seed's Table 2 writes it


FIELDS: tuple[Field, ...] = (
    Field("link_dir", "uint64", 0, "linkDir"),
    Field("analyzer", "ipv4", 1, "analyzer-address"),
    Field("analyzer_id", "text", 2, "analyzer-ID"),
    Field("if_alias", "text", 3, "ifAlias"),
    Field("src", "ipv4", 4, "source-address"),
    Field("dst", "ipv4", 5, "destination-address"),
    Field("packets", "count", 6, "packets"),
    Field("bytes", "count", 7, "bytes"),
    Field("start", "seconds", 8, "start-time"),
    Field("end", "seconds", 9, "end-time"),
    Field("src_port", "port", 10, "source-port"),
    Field("dst_port", "port", 11, "destination-port"),
    Field("tcp_flags", "uint8", 12, "tcp_flag"),
    Field("protocol", "uint8", 13, "protocol"),
    Field("src_as", "asn", 14, "src_AS_number"),
    Field("dst_as", "asn", 15, "dst_AS_number"),
)

FIELD_COUNT = len(FIELDS)
BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


def split_line(line: str) -> dict[str, str]:
    """The fields of one line by name (as text); ValueError when the count is wrong."""
    values = line.rstrip("\n").split(SEPARATOR)
    if len(values) != FIELD_COUNT:
        raise ValueError(f"{len(values)} fields, not {FIELD_COUNT}")
    return {f.name: values[f.position] for f in FIELDS}
