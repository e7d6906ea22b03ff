"""The one line layout: the lines both hot paths make are exactly its 16 fields, in order."""
from __future__ import annotations

import random

import pytest

from flowc.runtime.files.layout import FIELD_COUNT, FIELDS, split_line
from flowc.runtime.ingest import decoder
from flowc.runtime.testbed.generator import random_record, v5_packet

try:
    from flowc.runtime.ingest import _hotpath
    FACES = [decoder.LineFormat, _hotpath.LineFormat]
except ImportError:  # pragma: no cover - a bare install
    FACES = [decoder.LineFormat]


def test_sixteen_fields_in_the_seeds_order() -> None:
    assert FIELD_COUNT == 16 and [f.position for f in FIELDS] == list(range(16))
    assert [f.seed_name for f in FIELDS][:4] == ["linkDir", "analyzer-address", "analyzer-ID", "ifAlias"]
    assert len({f.name for f in FIELDS}) == 16


@pytest.mark.parametrize("face", FACES, ids=lambda f: f.__module__)
def test_the_hot_paths_lines_are_the_declared_fields(face: type) -> None:
    rng = random.Random(5)
    records = [random_record(rng, 90_000_000) for _ in range(30)]
    data = v5_packet(records, sys_uptime=90_000_000, unix_secs=1_765_000_000, seq=1)
    packet = decoder.decode_packet(data)
    lines = face("192.0.2.1", "server1", "ge_0_0_0", random.Random(1)).lines(data, len(records)).decode()
    for line, record in zip(lines.splitlines(), packet.records):
        values = split_line(line)
        assert (values["analyzer"], values["analyzer_id"], values["if_alias"]) == ("192.0.2.1", "server1", "ge_0_0_0")
        assert (values["src"], values["dst"]) == (record.srcaddr, record.dstaddr)
        assert (int(values["packets"]), int(values["bytes"])) == (record.packets, record.octets)
        assert (int(values["src_port"]), int(values["dst_port"])) == (record.srcport, record.dstport)
        assert (int(values["tcp_flags"]), int(values["protocol"])) == (record.tcp_flags, record.protocol)
        assert (int(values["src_as"]), int(values["dst_as"])) == (record.src_as, record.dst_as)
        assert int(values["start"]) <= int(values["end"]) and 0 <= int(values["link_dir"]) < 2**64


def test_a_line_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="15 fields, not 16"):
        split_line("|".join(["1"] * 15))
