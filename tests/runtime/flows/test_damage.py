"""Damaged files are read as far as they are readable, and every skip is counted and said."""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from flowc.runtime.flows.engine import Reader
from flowc.runtime.flows.query import Query

from .conftest import FlowSet

GOOD = "11799241612374557782|10.10.10.1|server1|at_4_0_0_4|192.168.10.100|10.0.0.1|8| 3136|1077926402|1077926402|8224|12336|27|6|0|0\n"


def test_bad_lines_are_skipped_counted_and_located(tmp_path: Path) -> None:
    lines = [GOOD, GOOD.replace("| 3136|", "|abc|"), GOOD, "1|2|3\n", GOOD.replace("|0|0\n", "|0|0|9\n"),
             GOOD.replace("|8224|", "|99999999|"), GOOD]
    path = tmp_path / "damaged.bcp.bi.gz"
    path.write_bytes(gzip.compress("".join(lines).encode()))
    with Reader([path]) as reader:
        answer = reader.answer(Query())
    assert answer.totals.flows == 3 and answer.totals.bytes == 3 * 3136  # the seed's " 3136" is a number
    (skipped,) = reader.skipped
    assert skipped.lines == (2, 4, 5, 6)
    assert skipped.message().startswith(f"4 lines skipped in {path}:2, 4, 5, 6 (")
    assert "not a number" in skipped.message() and "too few fields" in skipped.message()
    assert "too many fields" in skipped.message()


def test_a_cut_short_gzip_is_read_up_to_its_last_complete_line(tmp_path: Path, flow_set: FlowSet) -> None:
    whole = flow_set.files[0].read_bytes()
    lines = gzip.decompress(whole).decode().splitlines(keepends=True)
    cut = tmp_path / "partial.gz"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    decoder = zlib.decompressobj(31)
    readable = decoder.decompress(cut.read_bytes())  # what a stream decoder gets from the cut file
    with Reader([cut, flow_set.files[1]]) as reader:
        answer = reader.answer(Query(by=("src",)))
    (note,) = reader.skipped
    assert note.file == str(cut) and "gzip stream cut short: read its first" in note.message()
    kept = int(note.note.split("read its first ")[1].split()[0])
    assert 0 < kept == readable.count(b"\n") < len(lines)
    second = len(gzip.decompress(flow_set.files[1].read_bytes()).splitlines())
    assert answer.totals.flows == kept + second


def test_a_file_that_is_not_gzip_despite_its_name_is_read_as_text(tmp_path: Path, flow_set: FlowSet) -> None:
    bogus = tmp_path / "bogus.gz"
    bogus.write_bytes(b"this is not gzip at all\n" * 10)
    with Reader([bogus, flow_set.files[0]]) as reader:
        answer = reader.answer(Query(top=3))
    assert answer.totals.flows == len(gzip.decompress(flow_set.files[0].read_bytes()).splitlines())
    assert [s.file for s in reader.skipped] == [str(bogus)]
    assert reader.skipped[0].message() == f"10 lines skipped in {bogus}:1, 2, 3, 4, 5 (+5 more) (too few fields)"


def test_a_gzip_cut_before_its_first_line_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "stub.gz"
    path.write_bytes(gzip.compress(GOOD.encode() * 100)[:12])
    with Reader([path]) as reader:
        assert reader.answer(Query()).totals.flows == 0
    assert "left out" in reader.skipped[0].message()


def test_plain_files_named_explicitly_are_read(tmp_path: Path) -> None:
    path = tmp_path / "flows.txt"
    path.write_text(GOOD * 4, "utf-8")
    with Reader([path]) as reader:
        assert reader.answer(Query()).totals.packets == 32
    assert reader.skipped == []


def test_a_file_gone_before_the_read_is_left_out_and_said(tmp_path: Path, flow_set: FlowSet) -> None:
    gone = tmp_path / "exported.gz"
    gone.write_bytes(flow_set.files[0].read_bytes())
    with Reader([gone, flow_set.files[1]]) as reader:
        gone.unlink()  # exported from the spool between the listing and the read
        answer = reader.answer(Query(top=1))
    assert answer.totals.flows == len(gzip.decompress(flow_set.files[1].read_bytes()).splitlines())
    assert reader.skipped[0].message() == f"{gone}: not readable (No such file or directory); file left out"
