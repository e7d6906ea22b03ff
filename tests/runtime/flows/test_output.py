"""Every output format read back: CSV and JSON (stdout and files), Parquet typed, the table."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from flowc.runtime.flows.engine import Reader
from flowc.runtime.flows.output import flags_text, human, render_table, write_csv, write_json
from flowc.runtime.flows.query import Query

from .conftest import FlowSet

TOP = Query(by=("src", "protocol"), top=5, order="packets")


@pytest.fixture(scope="module")
def top(flow_set: FlowSet) -> list[tuple[object, ...]]:
    with Reader(flow_set.files) as reader:
        return list(reader.answer(TOP).rows)


def test_csv_on_stdout_and_in_a_file(flow_set: FlowSet, top: list[tuple[object, ...]], tmp_path: Path) -> None:
    with Reader(flow_set.files) as reader:
        out = io.StringIO()
        write_csv(reader.answer(TOP), out)
        assert reader.copy(TOP, tmp_path / "top.csv", "csv") == 5
    for text in (out.getvalue(), (tmp_path / "top.csv").read_text("utf-8")):
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["src", "protocol", "flows", "packets", "bytes"]
        assert [(r[0], *map(int, r[1:])) for r in rows[1:]] == top


def test_json_on_stdout_and_in_a_file(flow_set: FlowSet, top: list[tuple[object, ...]], tmp_path: Path) -> None:
    with Reader(flow_set.files) as reader:
        out = io.StringIO()
        write_json(reader.answer(TOP), out)
        reader.copy(TOP, tmp_path / "top.json", "json")
    for text in (out.getvalue(), (tmp_path / "top.json").read_text("utf-8")):
        items = json.loads(text)
        assert [tuple(i.values()) for i in items] == top
        assert list(items[0]) == ["src", "protocol", "flows", "packets", "bytes"]


def test_parquet_has_typed_columns(flow_set: FlowSet, tmp_path: Path) -> None:
    target = tmp_path / "flows.parquet"
    with Reader(flow_set.files) as reader:
        assert reader.copy(Query(filter="proto tcp"), target, "parquet") == sum(
            r["protocol"] == 6 for r in flow_set.rows)
    con = duckdb.connect()
    types = dict(con.execute(f"SELECT name, type FROM parquet_schema('{target}')").fetchall())
    assert types["src"] == "BYTE_ARRAY" and types["src_int"] == "INT32"
    described = dict((r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM '{target}'").fetchall())
    assert described["start"] == "TIMESTAMP WITH TIME ZONE" and described["bytes"] == "UBIGINT"
    first = con.execute(f"SELECT src, src_int, start FROM '{target}' LIMIT 1").fetchone()
    assert first is not None
    a, b, c, d = (int(x) for x in str(first[0]).split("."))
    assert first[1] == (a << 24) + (b << 16) + (c << 8) + d
    assert isinstance(first[2], datetime)
    truth = {(r["src"], datetime.fromtimestamp(int(r["start"]), UTC)) for r in flow_set.rows}
    assert (first[0], first[2].astimezone(UTC)) in truth


def test_a_series_in_parquet_has_timestamps(flow_set: FlowSet, tmp_path: Path) -> None:
    target = tmp_path / "series.parquet"
    with Reader(flow_set.files) as reader:
        expected = reader.answer(Query(every=60))
        reader.copy(Query(every=60), target, "parquet")
    rows = duckdb.connect().execute(f"SELECT epoch(bucket)::BIGINT, flows, packets, bytes FROM '{target}'").fetchall()
    assert rows == list(expected.rows)


def test_the_table_is_aligned_with_human_units(flow_set: FlowSet) -> None:
    with Reader(flow_set.files) as reader:
        text = render_table(reader.answer(TOP))
    lines = text.splitlines()
    assert lines[0].split() == ["src", "protocol", "flows", "packets", "bytes", "share"]
    assert len({len(line) for line in lines[:-1]}) == 1  # right-aligned numbers: one width
    assert lines[-1].startswith("Summary: ") and f"in {len(flow_set.files)} files" in lines[-1]
    assert any(p in text for p in ("TCP", "UDP", "ICMP", "GRE"))


def test_a_record_listing_says_how_many_are_shown(flow_set: FlowSet) -> None:
    with Reader(flow_set.files) as reader:
        text = render_table(reader.answer(Query(limit=3)))
    assert len(text.splitlines()) == 5
    assert "(3 shown; --limit N for more)" in text


def test_human_units() -> None:
    assert human(999) == "999" and human(1500) == "1.5 k" and human(2_500_000, "B") == "2.5 MB"
    assert human(3e9, "B") == "3.0 GB" and human(0, "B") == "0 B"
    assert flags_text(0x12) == ".A..S." and flags_text(0x3F) == "UAPRSF"
