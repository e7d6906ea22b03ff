"""One `flowc flows` run: the options as given (text), checked into a `Query`, answered.

`Options` holds what the command line said, untyped words included; `build_query()` checks
them (`QueryError`, or `FilterError` with the column of the mistake); `run()` finds the
files, asks the `Reader`, writes the table, CSV, JSON, Parquet and plot, and reports every
damaged file once on the error stream. `summary_for_demo()` is the end of `flowc demo`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from flowc.runtime.flows.engine import Answer, FileFormat, Reader, SidecarMode
from flowc.runtime.flows.filter import parse_filter
from flowc.runtime.flows.output import render_table, write_csv, write_json
from flowc.runtime.flows.progress import Progress
from flowc.runtime.flows.query import Order, Query, QueryError, Window, parse_every, parse_keys, parse_time
from flowc.runtime.flows.sources import NOT_FLOWS, find_files

TABLE_LIMIT = 20
OutputFormat = Literal["table", "csv", "json", "parquet"]


@dataclass(frozen=True, slots=True)
class Options:
    """The options of `flowc flows`, as words."""

    paths: tuple[Path, ...] = ()
    spool: Path | None = None            # read `<spool>/*/ready/*` too (--site)
    filter: str = ""
    since: str | None = None
    until: str | None = None
    analyzers: tuple[str, ...] = ()
    if_aliases: tuple[str, ...] = ()
    top: int | None = None
    by: str | None = None
    order: Order = "bytes"
    every: str | None = None
    limit: int | None = None
    format: OutputFormat = "table"
    output: Path | None = None
    plot: Path | None = None
    glob: str = "*.gz"
    sidecars: SidecarMode = "auto"


def build_query(o: Options) -> Query:
    """The typed query; QueryError or FilterError when an option is wrong."""
    parse_filter(o.filter)
    window = Window(parse_time(o.since, "--since") if o.since else None,
                    parse_time(o.until, "--until") if o.until else None)
    by = parse_keys(o.by) if o.by else ()
    every = parse_every(o.every) if o.every else None
    if every is not None and (by or o.top is not None):
        raise QueryError("--every makes a time series; it does not combine with --top/--by")
    if (o.top is not None and o.top < 1) or (o.limit is not None and o.limit < 0):
        raise QueryError("--top and --limit take a positive number")
    limit = o.limit if o.limit is not None or o.format != "table" else TABLE_LIMIT
    query = Query(o.filter, window, o.analyzers, o.if_aliases, by, o.top, o.order, every, limit)
    _check_outputs(o, query)
    return query


def _check_outputs(o: Options, query: Query) -> None:
    if o.format == "parquet" and o.output is None:
        raise QueryError("--format parquet writes a file: give -o FILE.parquet")
    if o.output is not None and o.format == "table":
        raise QueryError("-o FILE goes with --format csv, json or parquet")
    if o.plot is not None:
        if query.mode == "records":
            raise QueryError("--plot draws a time series (--every) or a top-N (--top/--by)")
        if o.plot.suffix.lower() not in (".png", ".svg"):
            raise QueryError(f"--plot {o.plot}: a .png or .svg file")
    if not o.paths and o.spool is None:
        raise QueryError("give flow files or folders (or --site SITE for the spool's ready files)")


def flow_files(o: Options, err: TextIO) -> list[Path]:
    found = list(find_files(list(o.paths), o.glob).files) if o.paths else []
    if o.spool is not None:
        found += sorted(p for p in o.spool.glob("*/ready/*") if p.is_file() and not p.name.endswith(NOT_FLOWS))
    if not found:
        err.write("flowc: no flow files found\n")
    return list(dict.fromkeys(found))


def run(o: Options, out: TextIO, err: TextIO) -> int:
    """Answer the options' query; 0 (damaged files are reported on `err`, not an error)."""
    query = build_query(o)
    with Reader(flow_files(o, err), sidecars=o.sidecars, progress=Progress.on_terminal()) as reader:
        if o.sidecars == "write":
            err.write(f"flowc: {reader.write_sidecars()} Parquet sidecar(s) written\n")
        answer = None
        if o.output is not None and o.format != "table":
            fmt: FileFormat = o.format
            err.write(f"flowc: {reader.copy(query, o.output, fmt)} row(s) written to {o.output}\n")
        else:
            answer = reader.answer(query)
            _write(answer, o.format, out)
        if o.plot is not None:
            _plot(answer or reader.answer(query), o.plot, err)
        report_skipped(reader, err)
    return 0


def _write(answer: Answer, fmt: OutputFormat, out: TextIO) -> None:
    if fmt == "csv":
        write_csv(answer, out)
    elif fmt == "json":
        write_json(answer, out)
    else:
        out.write(render_table(answer))


def _plot(answer: Answer, path: Path, err: TextIO) -> None:
    from flowc.runtime.flows.plot import plot

    plot(answer, path)
    err.write(f"flowc: plot written to {path}\n")


def report_skipped(reader: Reader, err: TextIO) -> None:
    """Each damaged file once."""
    for text in dict.fromkeys(s.message() for s in reader.skipped):
        err.write(f"flowc: {text}\n")


def summary_for_demo(folder: Path, plot_file: Path, out: TextIO) -> None:
    """The top-5 talkers of the flow files under `folder`, and a PNG of bytes per second."""
    from flowc.runtime.flows.plot import plot

    with Reader(list(find_files([folder]).files)) as reader:
        out.write(render_table(reader.answer(Query(by=("src",), top=5))))
        plot(reader.answer(Query(every=1)), plot_file)
        report_skipped(reader, out)
