"""Plots of an `Answer`: a time series (flows, packets, bytes per bucket) or a top-N bar chart.

matplotlib with its Agg backend (no display needed), PNG or SVG by the file's suffix, a
fixed size (`WIDTH` x `HEIGHT` pixels at `DPI`), a title, units on the axes and the query
in the caption. matplotlib is imported only when a plot is asked for.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flowc.runtime.flows.engine import Answer
from flowc.runtime.flows.output import PROTOCOL_NAMES, human
from flowc.runtime.flows.query import format_step

WIDTH, HEIGHT, DPI = 1000, 560, 100
FORMATS = (".png", ".svg")
UNITS = {"flows": "flows", "packets": "packets", "bytes": "bytes"}
SYMBOL = {"flows": "", "packets": "", "bytes": "B"}


def plot(answer: Answer, path: Path, title: str = "") -> None:
    """Draw the answer into `path` (.png or .svg)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure = pyplot.figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    try:
        axes = figure.add_subplot(1, 1, 1)
        if answer.query.mode == "series":
            _series(axes, answer)
        else:
            _bars(axes, answer)
        axes.set_title(title or _title(answer))
        figure.text(0.01, 0.01, f"flowc flows: {answer.query.describe()}", fontsize=8, color="dimgray")
        figure.subplots_adjust(left=0.22 if answer.query.mode == "top" else 0.1, bottom=0.2, right=0.97)
        figure.savefig(path, dpi=DPI, format=path.suffix.lstrip(".").lower())
    finally:
        pyplot.close(figure)


def _title(answer: Answer) -> str:
    q = answer.query
    if q.mode == "series":
        return f"{q.order.capitalize()} per {format_step(q.every or 60)} (by flow start time, UTC)"
    return f"Top {len(answer.rows)} {'/'.join(q.keys)} by {q.order}"


def _series(axes: Any, answer: Answer) -> None:
    index = answer.columns.index(answer.query.order)
    times = [datetime.fromtimestamp(int(row[0] or 0), UTC) for row in answer.rows]
    values = [int(row[index] or 0) for row in answer.rows]
    axes.plot(times, values, marker="o", markersize=3, linewidth=1.5)
    axes.set_xlabel("time (UTC)")
    axes.set_ylabel(f"{UNITS[answer.query.order]} per {format_step(answer.query.every or 60)}")
    axes.yaxis.set_major_formatter(_units(answer.query.order))
    axes.grid(True, alpha=0.3)
    axes.set_ylim(bottom=0)


def _bars(axes: Any, answer: Answer) -> None:
    keys = answer.query.keys
    index = answer.columns.index(answer.query.order)
    labels = [" ".join(_label(k, row[answer.columns.index(k)]) for k in keys) for row in answer.rows]
    values = [int(row[index] or 0) for row in answer.rows]
    axes.barh(labels[::-1], values[::-1], color="tab:blue")
    axes.set_xlabel(UNITS[answer.query.order])
    axes.xaxis.set_major_formatter(_units(answer.query.order))
    axes.grid(True, axis="x", alpha=0.3)


def _units(order: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: human(value, SYMBOL[order]))


def _label(key: str, value: object) -> str:
    if key == "protocol" and isinstance(value, int):
        return PROTOCOL_NAMES.get(value, str(value))
    return str(value)
