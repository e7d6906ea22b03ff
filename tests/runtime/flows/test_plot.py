"""Plots: a valid PNG of the expected size, an SVG, for a time series and a top-N."""
from __future__ import annotations

import struct
from pathlib import Path

from flowc.runtime.flows.engine import Reader
from flowc.runtime.flows.plot import HEIGHT, WIDTH, plot
from flowc.runtime.flows.query import Query

from .conftest import FlowSet

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR" and data[-8:-4] == b"IEND"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_a_time_series_png(flow_set: FlowSet, tmp_path: Path) -> None:
    with Reader(flow_set.files) as reader:
        plot(reader.answer(Query(every=60, order="packets")), tmp_path / "series.png")
    assert png_size(tmp_path / "series.png") == (WIDTH, HEIGHT)


def test_a_top_n_bar_chart_png_and_svg(flow_set: FlowSet, tmp_path: Path) -> None:
    with Reader(flow_set.files) as reader:
        answer = reader.answer(Query(by=("src", "protocol"), top=5))
    plot(answer, tmp_path / "top.png")
    plot(answer, tmp_path / "top.svg")
    assert png_size(tmp_path / "top.png") == (WIDTH, HEIGHT)
    svg = (tmp_path / "top.svg").read_text("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
