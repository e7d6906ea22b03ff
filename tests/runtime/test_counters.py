"""The counter declaration: every counter the code adds to is declared, and each is shown and exported."""
from __future__ import annotations

import re
from pathlib import Path

from flowc.runtime.counters import COUNTERS, TOTALS, Group, Section, of
from flowc.runtime.ops.metrics import SnapshotCollector
from flowc.runtime.ops.show import render
from flowc.runtime.processes.supervisor import empty_snapshot

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"
ADDED = re.compile(r"""(?:stats\.add|_count)\(\s*["'](\w+)["']""")


def test_every_counter_the_runtime_adds_to_is_declared() -> None:
    added = {name for path in RUNTIME.rglob("*.py") for name in ADDED.findall(path.read_text("utf-8"))}
    assert added, "the pattern no longer finds the increments"
    assert added <= set(TOTALS), f"not declared in flowc.runtime.counters: {sorted(added - set(TOTALS))}"


def test_names_and_metrics_are_unique() -> None:
    assert len({c.name for c in COUNTERS}) == len(COUNTERS)
    metrics = [c.metric for c in COUNTERS if c.metric]
    assert len(set(metrics)) == len(metrics)
    assert all(c.metric for c in COUNTERS if not c.group.value.family), "a counter without a metric name"


def test_every_shown_counter_prints_in_its_section() -> None:
    snap = empty_snapshot("cp-6/0/0", "Collecting flows", 100)
    text = render("interface", "extensive", {"ok": True, "collectors": [snap]})
    for counter in COUNTERS:
        if counter.section is not Section.NONE:
            assert f"{counter.label}: 0" in text, counter.name
    detail = render("interface", "detail", {"ok": True, "collectors": [snap]})
    assert all(f"{c.label}: " not in detail for c in COUNTERS if c.extensive)


def test_every_counter_is_a_metric() -> None:
    snap = empty_snapshot("cp-6/0/0", "Collecting flows", 100)
    families = {f.name: f for f in SnapshotCollector(lambda: [snap]).collect()}
    for group in Group:
        part = group.value
        for counter in of(group):
            name = f"flowc_{part.family or counter.metric}"
            assert name in families, counter.name
            assert families[name].type == ("gauge" if counter.gauge else "counter")
