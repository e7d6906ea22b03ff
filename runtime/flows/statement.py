"""A `Query` as DuckDB SQL over a `flows` relation typed from the shared line layout.

`COLUMNS` gives each field of `flowc.runtime.files.layout` its SQL type; `statement()` turns
a query into SQL and parameters (the filter's values are parameters; numbers the `Query`
already checked, such as a bucket width or a limit, are written as literals). `typed()`
wraps a statement for Parquet: addresses as text and as integers (`src`, `src_int`), times
as timestamps (UTC).
"""
from __future__ import annotations

from flowc.runtime.files.layout import FIELDS, FieldKind
from flowc.runtime.flows.filter import Param, Predicate, parse_filter
from flowc.runtime.flows.query import Query

SQL_TYPES: dict[FieldKind, str] = {
    "uint64": "UBIGINT", "ipv4": "VARCHAR", "text": "VARCHAR", "count": "UBIGINT",
    "seconds": "BIGINT", "port": "USMALLINT", "uint8": "UTINYINT", "asn": "UINTEGER",
}
COLUMNS: dict[str, str] = {f.name: SQL_TYPES[f.kind] for f in FIELDS}
ADDRESSES = tuple(f.name for f in FIELDS if f.kind == "ipv4")
TIMES = tuple(f.name for f in FIELDS if f.kind == "seconds") + ("bucket",)
METRICS = ("flows", "packets", "bytes")

IP4_MACRO = ("CREATE OR REPLACE MACRO ip4(a) AS "
             + " + ".join(f"(TRY_CAST(split_part(a, '.', {i + 1}) AS UBIGINT) << {24 - 8 * i})" for i in range(4)))


def q(name: str) -> str:
    return f'"{name}"'


def conditions(query: Query) -> Predicate:
    """The filter, the time window, analyzers and ifAliases, and-ed."""
    parts = [parse_filter(query.filter)]
    if query.window.since is not None:
        parts.append(Predicate('"start" >= ?', (query.window.since,)))
    if query.window.until is not None:
        parts.append(Predicate('"end" < ?', (query.window.until,)))
    for column, values in (("analyzer", query.analyzers), ("if_alias", query.if_aliases)):
        if values:
            parts.append(Predicate(f"{q(column)} IN ({', '.join('?' * len(values))})", tuple(values)))
    return Predicate(" AND ".join(p.sql for p in parts), tuple(v for p in parts for v in p.params))


def statement(query: Query, source: str) -> tuple[str, tuple[Param, ...]]:
    """The SQL of a query over `source` (a SELECT with the layout's columns), and its
    parameters after the source's own."""
    where = conditions(query)
    head = f"WITH flows AS ({source}) "
    if query.mode == "records":
        limit = f" LIMIT {int(query.limit)}" if query.limit is not None else ""
        return head + f"SELECT * FROM flows WHERE {where.sql}{limit}", where.params
    sums = "count(*)::UBIGINT AS flows, sum(packets)::UBIGINT AS packets, sum(bytes)::UBIGINT AS bytes"
    if query.mode == "series":
        step = int(query.every or 60)
        return head + (f'SELECT ("start" // {step}) * {step} AS bucket, {sums} FROM flows '
                       f"WHERE {where.sql} GROUP BY bucket ORDER BY bucket"), where.params
    keys = ", ".join(q(k) for k in query.keys)
    totals = ", ".join(f"sum({m}) OVER ()::UBIGINT AS total_{m}" for m in METRICS)
    return head + (f"SELECT *, {totals} FROM (SELECT {keys}, {sums} FROM flows WHERE {where.sql} "
                   f"GROUP BY {keys}) ORDER BY {q(query.order)} DESC, {keys} "
                   f"LIMIT {int(query.top or 10)}"), where.params


def output_columns(query: Query) -> tuple[str, ...]:
    if query.mode == "records":
        return tuple(COLUMNS)
    if query.mode == "series":
        return ("bucket", *METRICS)
    return (*query.keys, *METRICS)


def typed(sql: str, columns: tuple[str, ...]) -> str:
    """Parquet's projection: addresses also as integers, times as timestamps."""
    out = []
    for column in columns:
        if column in ADDRESSES:
            out += [q(column), f"ip4({q(column)})::UINTEGER AS {q(column + '_int')}"]
        elif column in TIMES:
            out.append(f"to_timestamp({q(column)}) AS {q(column)}")
        else:
            out.append(q(column))
    return f"SELECT {', '.join(out)} FROM ({sql})"


def empty_source() -> str:
    """A typed relation with no row (no file to read)."""
    return "SELECT " + ", ".join(f"NULL::{t} AS {q(n)}" for n, t in COLUMNS.items()) + " WHERE FALSE"
