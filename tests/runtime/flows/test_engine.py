"""The reader's answers against a truth computed in Python over the same generated lines."""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from flowc.runtime.files.layout import FIELDS
from flowc.runtime.flows.engine import Reader
from flowc.runtime.flows.query import GROUPABLE, Query, Window
from flowc.runtime.flows.sources import sidecar_of
from flowc.runtime.testbed.generator import FlowRecord

from .conftest import BASE, UPTIME, FlowSet, Row, datagram_lines, typed, write_flow_file

METRIC = {"flows": 0, "packets": 1, "bytes": 2}


def in_net(address: object, net: str) -> bool:
    return ipaddress.IPv4Address(str(address)) in ipaddress.IPv4Network(net)


def as_tuple(row: Row) -> tuple[object, ...]:
    return tuple(row[f.name] for f in FIELDS)


FILTERS: list[tuple[str, Callable[[Row], bool]]] = [
    ("src ip 10.0.0.1", lambda r: r["src"] == "10.0.0.1"),
    ("dst host 10.0.0.1", lambda r: r["dst"] == "10.0.0.1"),
    ("ip 10.0.0.1", lambda r: "10.0.0.1" in (r["src"], r["dst"])),
    ("any ip 192.168.1.10", lambda r: "192.168.1.10" in (r["src"], r["dst"])),
    ("src net 10.0.0.0/8", lambda r: in_net(r["src"], "10.0.0.0/8")),
    ("dst net 192.168.0.0/16", lambda r: in_net(r["dst"], "192.168.0.0/16")),
    ("src net 172.16.0.0/12", lambda r: in_net(r["src"], "172.16.0.0/12")),
    ("net 10.0.0.0/24", lambda r: in_net(r["src"], "10.0.0.0/24") or in_net(r["dst"], "10.0.0.0/24")),
    ("src net 192.168.1.20/32", lambda r: r["src"] == "192.168.1.20"),
    ("src net 0.0.0.0/0", lambda r: True),
    ("dst port 443", lambda r: r["dst_port"] == 443),
    ("port 53", lambda r: 53 in (r["src_port"], r["dst_port"])),
    ("src port > 1024", lambda r: int(r["src_port"]) > 1024),
    ("dst port <= 80", lambda r: int(r["dst_port"]) <= 80),
    ("dst port != 22", lambda r: r["dst_port"] != 22),
    ("src as 65000", lambda r: r["src_as"] == 65000),
    ("as 3356", lambda r: 3356 in (r["src_as"], r["dst_as"])),
    ("proto tcp", lambda r: r["protocol"] == 6),
    ("proto 47", lambda r: r["protocol"] == 47),
    ("flags S", lambda r: int(r["tcp_flags"]) & 0x02 == 0x02),
    ("flags SA", lambda r: int(r["tcp_flags"]) & 0x12 == 0x12),
    ("packets > 100", lambda r: int(r["packets"]) > 100),
    ("bytes >= 1m", lambda r: int(r["bytes"]) >= 1_000_000),
    ("bytes < 5k", lambda r: int(r["bytes"]) < 5000),
    ("dst port 443 and proto tcp", lambda r: r["dst_port"] == 443 and r["protocol"] == 6),
    ("not proto udp", lambda r: r["protocol"] != 17),
    ("src net 10.0.0.0/8 and (dst port 443 or dst port 80)",
     lambda r: in_net(r["src"], "10.0.0.0/8") and r["dst_port"] in (443, 80)),
    ("proto tcp or proto udp and dst port 53", lambda r: r["protocol"] == 6 or (r["protocol"] == 17 and r["dst_port"] == 53)),
    ("not (src ip 10.0.0.1 or dst ip 10.0.0.1)", lambda r: "10.0.0.1" not in (r["src"], r["dst"])),
    ("SRC IP 10.0.0.1 AND NOT DST PORT 22", lambda r: r["src"] == "10.0.0.1" and r["dst_port"] != 22),
]


@pytest.mark.parametrize(("expression", "keep"), FILTERS, ids=[f[0] for f in FILTERS])
def test_a_filter_keeps_exactly_the_matching_records(flow_set: FlowSet, expression: str,
                                                     keep: Callable[[Row], bool]) -> None:
    truth = [r for r in flow_set.rows if keep(r)]
    with Reader(flow_set.files) as reader:
        answer = reader.answer(Query(filter=expression))
    assert sorted(answer.rows) == sorted(as_tuple(r) for r in truth)
    assert answer.totals.flows == len(truth)
    assert answer.totals.bytes == sum(int(r["bytes"]) for r in truth)
    assert len(truth) > 0 or expression.startswith("src net 192.168.1.20")


def top_truth(rows: Sequence[Row], keys: tuple[str, ...], order: str, n: int) -> list[tuple[object, ...]]:
    groups: dict[tuple[object, ...], list[int]] = {}
    for r in rows:
        sums = groups.setdefault(tuple(r[k] for k in keys), [0, 0, 0])
        sums[0] += 1
        sums[1] += int(r["packets"])
        sums[2] += int(r["bytes"])
    ranked = sorted(groups.items(), key=lambda kv: (-kv[1][METRIC[order]], kv[0]))
    return [(*key, *sums) for key, sums in ranked[:n]]


@pytest.mark.parametrize("key", GROUPABLE)
@pytest.mark.parametrize("order", ["flows", "packets", "bytes"])
def test_top_n_by_each_field_and_order(flow_set: FlowSet, key: str, order: str) -> None:
    with Reader(flow_set.files) as reader:
        answer = reader.answer(Query(by=(key,), top=4, order=order))
    assert list(answer.rows) == top_truth(flow_set.rows, (key,), order, 4)
    assert answer.columns == (key, "flows", "packets", "bytes")
    assert answer.totals.flows == len(flow_set.rows)


def test_top_n_of_pairs_with_a_filter(flow_set: FlowSet) -> None:
    keep = [r for r in flow_set.rows if r["protocol"] == 6]
    with Reader(flow_set.files) as reader:
        answer = reader.answer(Query(filter="proto tcp", by=("src", "dst"), top=7, order="packets"))
    assert list(answer.rows) == top_truth(keep, ("src", "dst"), "packets", 7)
    assert answer.totals.packets == sum(int(r["packets"]) for r in keep)


def test_the_default_top_is_ten_source_addresses_by_bytes(flow_set: FlowSet) -> None:
    with Reader(flow_set.files) as reader:
        answer = reader.answer(Query(top=None, by=("src",)))
    assert list(answer.rows) == top_truth(flow_set.rows, ("src",), "bytes", 10)


def test_analyzer_and_if_alias_select_their_files_records(flow_set: FlowSet) -> None:
    with Reader(flow_set.files) as reader:
        by_analyzer = reader.answer(Query(analyzers=("10.10.10.2",)))
        by_alias = reader.answer(Query(if_aliases=("at_4_0_0_4", "nothing")))
    assert by_analyzer.totals.flows == sum(r["analyzer"] == "10.10.10.2" for r in flow_set.rows) > 0
    assert by_alias.totals.flows == sum(r["if_alias"] == "at_4_0_0_4" for r in flow_set.rows) > 0


def test_the_time_window_keeps_flows_starting_at_since_and_ending_before_until(flow_set: FlowSet) -> None:
    since, until = BASE + 300, BASE + 900
    truth = [r for r in flow_set.rows if int(r["start"]) >= since and int(r["end"]) < until]
    with Reader(flow_set.files) as reader:
        answer = reader.answer(Query(window=Window(since, until)))
    assert 0 < answer.totals.flows == len(truth) < len(flow_set.rows)


def one_flow_file(path: Path, starts: Sequence[int], octets: int = 100) -> list[Row]:
    """A file with one record per start second (end = start), each in its own datagram."""
    blocks = [datagram_lines([FlowRecord("10.0.0.1", "10.0.0.2", 1, octets, UPTIME, UPTIME)], s, "10.10.10.1", "x")
              for s in starts]
    write_flow_file(path, blocks)
    return [typed(line) for block in blocks for line in block.decode().splitlines()]


def test_time_buckets_at_their_boundaries(tmp_path: Path) -> None:
    starts = [BASE - 1, BASE, BASE + 59, BASE + 60, BASE + 3599, BASE + 3600]
    rows = one_flow_file(tmp_path / "edges.gz", starts)
    assert [r["start"] for r in rows] == starts
    with Reader([tmp_path / "edges.gz"]) as reader:
        minutes = reader.answer(Query(every=60))
        hours = reader.answer(Query(every=3600))
    assert [(r[0], r[1]) for r in minutes.rows] == [(BASE - 60, 1), (BASE, 2), (BASE + 60, 1),
                                                    (BASE + 3540, 1), (BASE + 3600, 1)]
    assert [(r[0], r[1], r[3]) for r in hours.rows] == [(BASE - 3600, 1, 100), (BASE, 4, 400), (BASE + 3600, 1, 100)]
    assert hours.totals.flows == 6


def test_series_sum_to_the_totals(flow_set: FlowSet) -> None:
    with Reader(flow_set.files) as reader:
        answer = reader.answer(Query(every=300, filter="proto udp"))
    udp = [r for r in flow_set.rows if r["protocol"] == 17]
    assert sum(int(r[1] or 0) for r in answer.rows) == len(udp)
    truth: dict[int, int] = {}
    for r in udp:
        truth[int(r["start"]) // 300 * 300] = truth.get(int(r["start"]) // 300 * 300, 0) + int(r["bytes"])
    assert [(r[0], r[3]) for r in answer.rows] == sorted(truth.items())


def test_no_file_is_an_empty_answer() -> None:
    with Reader([]) as reader:
        assert reader.answer(Query(by=("src",))).rows == ()
        assert reader.answer(Query()).totals.flows == 0


def test_sidecars_give_the_same_answers_and_go_stale_with_their_file(tmp_path: Path, flow_set: FlowSet) -> None:
    files = []
    for path in flow_set.files:
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        files.append(copy)
    query = Query(by=("src", "dst_port"), top=20, filter="not proto icmp")
    with Reader(files, sidecars="off") as reader:
        expected = reader.answer(query)
    with Reader(files) as reader:
        assert reader.write_sidecars() == len(files)
        assert reader.write_sidecars() == 0  # written once
        assert reader.answer(query) == expected
    assert all(sidecar_of(f).is_file() for f in files)
    one_flow_file(files[0], [BASE], octets=10**9)  # the file changed after its sidecar
    later = sidecar_of(files[0]).stat().st_mtime_ns + 10**9
    os.utime(files[0], ns=(later, later))
    with Reader(files) as reader:
        assert reader.answer(Query(by=("src",), top=1)).rows[0][3] >= 10**9


def test_no_sidecar_for_a_spools_ready_file(tmp_path: Path) -> None:
    one_flow_file(tmp_path / "ready.gz", [BASE])
    (tmp_path / "ready.gz.meta.json").write_text('{"records": 1}', "utf-8")
    with Reader([tmp_path / "ready.gz"]) as reader:
        assert reader.write_sidecars() == 0
        assert reader.answer(Query()).totals.flows == 1
    assert not sidecar_of(tmp_path / "ready.gz").exists()
