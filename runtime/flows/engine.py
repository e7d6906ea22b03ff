"""The reader's engine: DuckDB, in-process, over the flow files (gzip CSV) and their sidecars.

`Reader(files)` answers `Query`s: `answer()` fetches the rows (a top-N, a time series, or
records up to a limit) with the totals of what matched; `copy()` writes the result straight
to a CSV, JSON or Parquet file. Files with a fresh Parquet sidecar are read from it;
`write_sidecars()` makes the missing ones. Damage never ends a read: skipped lines are
counted per file, a gzip stream cut short is read up to its last complete line and a file
that cannot be read at all is left out (`flowc.runtime.flows.damage`); every such file is
in `Reader.skipped`, said once.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from flowc.runtime.flows.damage import Skipped, failed_file, rejected, salvage
from flowc.runtime.flows.filter import Param
from flowc.runtime.flows.progress import Progress
from flowc.runtime.flows.query import Query
from flowc.runtime.flows.sources import fresh_sidecar, in_spool, sidecar_of
from flowc.runtime.flows.statement import COLUMNS, IP4_MACRO, METRICS, empty_source, output_columns, statement, typed

Cell = int | str | float | None
Row = tuple[Cell, ...]
FileFormat = Literal["csv", "json", "parquet"]
SidecarMode = Literal["auto", "write", "off"]

CSV_OPTIONS = "delim='|', header=false, quote='', escape='', auto_detect=false, ignore_errors=true, store_rejects=true"
COPY_OPTIONS: dict[FileFormat, str] = {"csv": "FORMAT csv, HEADER true", "json": "FORMAT json, ARRAY true",
                                       "parquet": "FORMAT parquet"}


class FlowsError(Exception):
    """The files could not be read (a message for the user)."""


@dataclass(frozen=True, slots=True)
class Totals:
    flows: int = 0
    packets: int = 0
    bytes: int = 0


@dataclass(frozen=True, slots=True)
class Answer:
    """The rows of a query, their column names and the totals of every matching flow."""

    query: Query
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    totals: Totals
    files: int


class Reader:
    """One DuckDB connection over a list of flow files."""

    def __init__(self, files: Sequence[Path], *, sidecars: SidecarMode = "auto",
                 progress: Progress | None = None) -> None:
        self.files = list(files)
        self.sidecars = sidecars
        self.progress = progress or Progress(enabled=False)
        self.con = duckdb.connect()
        self.con.execute(IP4_MACRO)
        self.progress.attach(self.con)
        self.skipped: list[Skipped] = []
        self.substitutes: dict[Path, Path] = {}   # a cut-short gzip -> its complete lines
        self.dropped: set[Path] = set()
        self._scratch = tempfile.TemporaryDirectory(prefix="flowc-flows-")

    def close(self) -> None:
        self.con.close()
        self._scratch.cleanup()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ queries
    def answer(self, query: Query) -> Answer:
        """The rows of `query` and the totals of what matched."""
        if query.mode == "records":
            return self._records(query)
        rows = self._run(lambda source: statement(query, source), "fetch")
        columns = output_columns(query)
        if query.mode == "top":
            totals = Totals(*(int(v or 0) for v in rows[0][len(columns):])) if rows else Totals()
            return Answer(query, columns, tuple(r[: len(columns)] for r in rows), totals, len(self.files))
        totals = Totals(*(sum(int(r[i + 1] or 0) for r in rows) for i in range(len(METRICS))))
        return Answer(query, columns, tuple(rows), totals, len(self.files))

    def _records(self, query: Query) -> Answer:
        everything = Query(query.filter, query.window, query.analyzers, query.if_aliases)
        self._run(lambda source: _into_table(statement(everything, source)), "none")
        limit = f" LIMIT {int(query.limit)}" if query.limit is not None else ""
        head = self.con.execute(f"SELECT * FROM picked{limit}").fetchall()
        sums = self.con.execute("SELECT count(*), sum(packets), sum(bytes) FROM picked").fetchall()[0]
        self.con.execute("DROP TABLE picked")
        return Answer(query, tuple(COLUMNS), tuple(head), Totals(*(int(v or 0) for v in sums)), len(self.files))

    def copy(self, query: Query, path: Path, fmt: FileFormat) -> int:
        """Write the result to `path`; the number of rows written."""
        columns = output_columns(query)

        def build(source: str) -> tuple[str, tuple[Param, ...]]:
            sql, params = statement(query, source)
            if query.mode == "top":
                sql = f"SELECT {_names(columns)} FROM ({sql})"
            if fmt == "parquet":
                sql = typed(sql, columns)
            return _copy_to(sql, path, COPY_OPTIONS[fmt]), params

        rows = self._run(build, "fetch")
        return int(rows[0][0] or 0) if rows else 0

    def write_sidecars(self) -> int:
        """A Parquet sidecar for each file without a fresh one (none in a spool, whose files
        leave once exported); how many were written."""
        written = 0
        for path in self.files:
            if fresh_sidecar(path) is None and not in_spool(path) and self._write_sidecar(path):
                written += 1
        return written

    def _write_sidecar(self, path: Path) -> bool:
        target = sidecar_of(path)
        try:
            target.parent.mkdir(exist_ok=True)
        except OSError:
            return False  # a folder we may not write: the gzip is read each time
        tmp = target.with_suffix(".tmp")
        with Reader([path], sidecars="off") as one:  # the columns as read, not `typed`
            one._run(lambda source: (_copy_to(f"SELECT * FROM ({source})", tmp, "FORMAT parquet"), ()), "fetch")
            self.skipped += one.skipped
        os.replace(tmp, target)
        return True

    # ------------------------------------------------------------------ reading
    def _run(self, build: Callable[[str], tuple[str, tuple[Param, ...]]],
             result: Literal["fetch", "none"]) -> list[Row]:
        """Run a statement over the current sources; repair and retry when a file fails."""
        for _ in range(len(self.files) + 1):
            source, params = self._source()
            sql, more = build(source)
            try:
                with self.progress.watch(self._read_list()):
                    cursor = self.con.execute(sql, [*params, *more])
                    rows: list[Row] = cursor.fetchall() if result == "fetch" else []
            except duckdb.Error as exc:
                self._repair(exc)
                continue
            names = {str(v): str(k) for k, v in self.substitutes.items()}
            self.skipped += rejected(self.con, names)
            return rows
        raise FlowsError("reading the flow files failed on every attempt")

    def _read_list(self) -> list[Path]:
        return [self.substitutes.get(f, f) for f in self.files if f not in self.dropped]

    def _source(self) -> tuple[str, list[object]]:
        """The union of the files to read: gzip and plain CSV (told apart by their first
        bytes, not their names) and fresh sidecars."""
        kinds: dict[str, list[str]] = {"gzip": [], "none": [], "parquet": []}
        for path in self._read_list():
            sidecar = fresh_sidecar(path) if self.sidecars != "off" else None
            kind = "parquet" if sidecar else "gzip" if _is_gzip(path) else "none"
            kinds[kind].append(str(sidecar or path))
        parts: list[str] = []
        params: list[object] = []
        for compression in ("gzip", "none"):
            if kinds[compression]:
                parts.append(f"SELECT * FROM read_csv(?, columns=?, compression='{compression}', {CSV_OPTIONS})")
                params += [kinds[compression], COLUMNS]
        if kinds["parquet"]:
            parts.append(f"SELECT {_names(tuple(COLUMNS))} FROM read_parquet(?)")
            params.append(kinds["parquet"])
        return " UNION ALL ".join(parts) or empty_source(), params

    def _repair(self, exc: duckdb.Error) -> None:
        originals = {v: k for k, v in self.substitutes.items()}
        failed = failed_file(exc, self._read_list())
        if failed is None:
            raise FlowsError(f"the flow files could not be read: {exc}") from None
        original = originals.get(failed, failed)
        if failed in originals:  # even its readable part failed: leave it out
            self.dropped.add(original)
            self.skipped.append(Skipped(str(original), note=f"left out ({exc})"))
            return
        try:
            copy, note = salvage(original, Path(self._scratch.name))
        except OSError as error:  # gone (exported from a spool meanwhile) or not readable
            copy, note = None, f"not readable ({error.strerror or error}); file left out"
        if copy is None:
            self.dropped.add(original)
        else:
            self.substitutes[original] = copy
        self.skipped.append(Skipped(str(original), note=note))


def _into_table(built: tuple[str, tuple[Param, ...]]) -> tuple[str, tuple[Param, ...]]:
    sql, params = built
    return f"CREATE OR REPLACE TEMP TABLE picked AS {sql}", params


def _copy_to(sql: str, path: Path, options: str) -> str:
    return f"COPY ({sql}) TO '{str(path).replace(chr(39), chr(39) * 2)}' ({options})"


def _is_gzip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(2) == b"\x1f\x8b"
    except OSError:
        return False


def _names(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{c}"' for c in columns)
