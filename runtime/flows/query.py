"""The typed query of `flowc flows`: what to read, keep, group and how to order it.

A `Query` is built by the CLI handler from its options (`parse_every`, `parse_time`,
`parse_keys` check the words and raise `QueryError` with a message) and handed to the
engine; it holds no SQL. Field names are the reader's columns (`flowc.runtime.files.layout`);
`KEYS` adds the nfdump spellings (`srcip`, `dstport`, `proto` …) for `--by`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from flowc.runtime.files.layout import BY_NAME

Order = Literal["flows", "packets", "bytes"]
ORDERS: tuple[Order, ...] = ("flows", "packets", "bytes")

# nfdump's statistic names (`-s srcip`) and a few short forms -> the reader's column.
KEYS: dict[str, str] = {
    "srcip": "src", "dstip": "dst", "srcport": "src_port", "dstport": "dst_port",
    "srcas": "src_as", "dstas": "dst_as", "proto": "protocol", "ifalias": "if_alias",
    "analyzer": "analyzer", "analyzerid": "analyzer_id", "flags": "tcp_flags",
}
GROUPABLE = ("analyzer", "analyzer_id", "if_alias", "src", "dst", "src_port", "dst_port",
             "tcp_flags", "protocol", "src_as", "dst_as")
STEPS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class QueryError(ValueError):
    """A query option that does not make sense (the CLI's exit 2)."""


@dataclass(frozen=True, slots=True)
class Window:
    """Keep flows that start at or after `since` and end before `until` (Unix seconds)."""

    since: int | None = None
    until: int | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """One question asked of the flow files."""

    filter: str = ""
    window: Window = Window()
    analyzers: tuple[str, ...] = ()
    if_aliases: tuple[str, ...] = ()
    by: tuple[str, ...] = ()          # columns; with `top` or alone: grouped
    top: int | None = None
    order: Order = "bytes"
    every: int | None = None          # seconds per bucket: a time series
    limit: int | None = None          # records listed (no grouping)

    @property
    def keys(self) -> tuple[str, ...]:
        """The grouping columns of a top-N (source address when none is given)."""
        return self.by or ("src",)

    @property
    def mode(self) -> Literal["records", "top", "series"]:
        if self.every is not None:
            return "series"
        return "top" if self.by or self.top is not None else "records"

    def describe(self) -> str:
        """The query in a line, for captions and titles."""
        words = []
        if self.mode == "top":
            words.append(f"top {self.top or 10} by {','.join(self.keys)} ordered by {self.order}")
        elif self.mode == "series":
            words.append(f"{self.order} every {format_step(self.every or 60)}")
        words += [f"filter '{self.filter}'"] if self.filter.strip() else []
        words += [f"analyzer {','.join(self.analyzers)}"] if self.analyzers else []
        words += [f"ifAlias {','.join(self.if_aliases)}"] if self.if_aliases else []
        words += [f"since {format_time(self.window.since)}"] if self.window.since is not None else []
        words += [f"until {format_time(self.window.until)}"] if self.window.until is not None else []
        return "; ".join(words) or "all flows"


def parse_keys(text: str) -> tuple[str, ...]:
    """`srcip,dstport` -> ("src", "dst_port"); nfdump names or the reader's column names."""
    keys = []
    for word in (w.strip().lower() for w in text.split(",")):
        column = KEYS.get(word.replace("_", "").replace("-", ""), word)
        if column not in GROUPABLE:
            raise QueryError(f"--by {word!r}: not a field to group by (one of {', '.join(sorted(KEYS))}, "
                             f"or a column: {', '.join(GROUPABLE)})")
        keys.append(column)
    if len(set(keys)) != len(keys):
        raise QueryError(f"--by {text!r}: a field named twice")
    return tuple(keys)


def parse_every(text: str) -> int:
    """`1m`, `5m`, `1h`, `30s`, `1d` (or plain seconds) -> seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text.lower())
    if not match or int(match.group(1)) == 0:
        raise QueryError(f"--every {text!r}: expected a duration such as 1m, 5m or 1h")
    return int(match.group(1)) * STEPS[match.group(2) or "s"]


def parse_time(text: str, option: str) -> int:
    """Unix seconds, or an ISO 8601 date and time (UTC unless an offset is given)."""
    if re.fullmatch(r"\d+", text.strip()):
        return int(text)
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(f"{option} {text!r}: expected Unix seconds or a date such as 2026-12-07T10:00") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp())


def format_time(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def format_step(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % STEPS[unit] == 0:
            return f"{seconds // STEPS[unit]}{unit}"
    return f"{seconds}s"


def column_kind(column: str) -> str:
    return BY_NAME[column].kind
