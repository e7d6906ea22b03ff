"""An `Answer` as text: an aligned table with human units, CSV or JSON (stdout).

The table is for people: times in UTC, protocol names, counts as `1.2 M` and byte counts
as `1.2 MB` (powers of 1000), a share column for a top-N, bits per second for a time
series, and a summary line. CSV and JSON keep the raw values (times in Unix seconds, as in
the files) for programs; files in CSV, JSON or Parquet are written by the engine itself
(`Reader.copy`).
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import TextIO

from flowc.runtime.flows.engine import Answer, Cell, Row
from flowc.runtime.flows.filter import PROTOCOLS
from flowc.runtime.flows.query import format_time

PROTOCOL_NAMES = {number: name.upper() for name, number in PROTOCOLS.items()}
COUNT_UNITS = (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3))
LISTED = ("start", "duration", "protocol", "source", "destination", "tcp_flags", "packets", "bytes",
          "if_alias", "analyzer")
NUMERIC = {"flows", "packets", "bytes", "share", "bps", "duration", "src_port", "dst_port", "src_as",
           "dst_as", "tcp_flags"}


def human(value: float, unit: str = "") -> str:
    """`1234567` -> `1.2 M` (with `unit`: `1.2 MB`); small values as they are."""
    for prefix, size in COUNT_UNITS:
        if abs(value) >= size:
            return f"{value / size:.1f} {prefix}{unit}"
    return f"{value:.0f}{' ' + unit if unit else ''}"


def flags_text(value: int) -> str:
    letters = "CEUAPRSF"
    return "".join(c if value & (1 << (7 - i)) else "." for i, c in enumerate(letters))[2:]


def render_table(answer: Answer) -> str:
    """The answer as an aligned table followed by a summary line."""
    headers, rows = _cells(answer)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if h in NUMERIC else c.ljust(w)
                         for c, w, h in zip(cells, widths, headers)).rstrip()

    out = [line(headers)] + [line(r) for r in rows]
    return "\n".join(out + [summary(answer)]) + "\n"


def summary(answer: Answer) -> str:
    t = answer.totals
    shown = ""
    if answer.query.mode == "records" and len(answer.rows) < t.flows:
        shown = f" ({len(answer.rows)} shown; --limit N for more)"
    return (f"Summary: {human(t.flows)} flows, {human(t.packets)} packets, {human(t.bytes, 'B')} "
            f"in {answer.files} file{'s' * (answer.files != 1)}{shown}")


def _cells(answer: Answer) -> tuple[list[str], list[list[str]]]:
    index = {c: i for i, c in enumerate(answer.columns)}
    if answer.query.mode == "records":
        return list(LISTED), [[_listed(name, row, index) for name in LISTED] for row in answer.rows]
    headers = [("time" if c == "bucket" else c) for c in answer.columns]
    rows = [[_value(c, row[index[c]]) for c in answer.columns] for row in answer.rows]
    if answer.query.mode == "top":
        total = getattr(answer.totals, answer.query.order) or 1
        headers.append("share")
        for cells, row in zip(rows, answer.rows):
            cells.append(f"{100 * int(row[index[answer.query.order]] or 0) / total:.1f}%")
    else:
        headers.append("bps")
        for cells, row in zip(rows, answer.rows):
            cells.append(human(8 * int(row[index["bytes"]] or 0) / (answer.query.every or 60), "bit/s"))
    return headers, rows


def _value(column: str, value: Cell) -> str:
    if value is None:
        return "-"
    if column in ("bucket", "start", "end"):
        return format_time(int(value))
    if column == "protocol":
        return PROTOCOL_NAMES.get(int(value), str(value))
    if column == "tcp_flags":
        return flags_text(int(value))
    if column in ("flows", "packets"):
        return human(float(value))
    if column == "bytes":
        return human(float(value), "B")
    return str(value)


LISTING: dict[str, Callable[[Row, dict[str, int]], str]] = {
    "duration": lambda r, i: str(int(r[i["end"]] or 0) - int(r[i["start"]] or 0)),
    "source": lambda r, i: f"{r[i['src']]}:{r[i['src_port']]}",
    "destination": lambda r, i: f"{r[i['dst']]}:{r[i['dst_port']]}",
}


def _listed(name: str, row: Row, index: dict[str, int]) -> str:
    make = LISTING.get(name)
    return make(row, index) if make else _value(name, row[index[name]])


def write_csv(answer: Answer, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(answer.columns)
    writer.writerows(answer.rows)


def write_json(answer: Answer, out: TextIO) -> None:
    json.dump([dict(zip(answer.columns, row)) for row in answer.rows], out, indent=1)
    out.write("\n")
