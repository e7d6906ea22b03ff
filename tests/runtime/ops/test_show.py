"""Junos-style text of the operational commands, from fixed snapshots (the seed's numbers)."""
from __future__ import annotations

import pytest

from flowc.runtime.ops.show import render

SEED_FILE = "cFlowd-py69Ni69-0-20031112_014301-so_3_0_0_0.bcp.bi.gz"


def counters(**values: tuple[int, int, int]) -> dict:
    names = ["packets", "bytes", "flows", "blocks_allocated", "blocks_freed", "blocks_unavailable", "files_created", "files_exported", "files_destroyed", "uncompressed_bytes", "compressed_bytes", "ftp_bytes", "ftp_files"]
    return {n: dict(zip(("total", "per_second", "peak"), values.get(n, (0, 0, 0)))) for n in names}


CP6 = {
    "interface": "cp-6/0/0", "state": "Collecting flows",
    "memory": {"used": 19593212, "free": 479528656},
    "counters": counters(packets=(6658, 0, 0), bytes=(9647752, 12655, 14311), flows=(193782, 252, 287),
                         blocks_allocated=(174, 0, 0), files_created=(1, 0, 0),
                         uncompressed_bytes=(21075152, 52032, 156172),
                         compressed_bytes=(3079713, 7618, 22999)),
    "ftp_failures": 0,
    "drops": {k: 0 for k in ("no_memory", "not_ip", "not_ipv4", "too_small", "fragments", "icmp",
                             "tcp", "unknown", "not_jflow", "kernel_drops")},
    "faults": {"records_not_written": 4410, "write_error_episodes": 1, "translog_write_failures": 2,
               "translog_lines_pending": 1, "ftp_deadline_failures": 3, "name_conflicts": 1,
               "export_errors": 0, "files_closed_open_files": 2, "sequence_missed": 0, "sequence_resets": 0},
    "channels": [{"index": i, "current_server": "Secondary", "primary_state": "OK",
                  "secondary_state": "OK"} for i in (0, 1)],
    "inputs": [{"interface": "mo-7/1/0.0", "packets": 6260, "bytes": 9074096}],
    "files": [{"name": SEED_FILE, "flows": 188365, "uncompressed_bytes": 21267756,
               "compressed_bytes": 2965643, "state": "Active", "transfer_attempts": 0,
               "compressed_blocks": 156, "block_count": 156,
               "rates": {"flows": {"per_second": 238, "peak": 287},
                         "uncompressed_bytes": {"per_second": 27007, "peak": 32526},
                         "compressed_bytes": {"per_second": 0, "peak": 22999}}}],
}
CP7 = {**CP6, "interface": "cp-7/0/0", "memory": {"used": 0, "free": 499122368},
       "counters": counters(), "ftp_failures": 2,
       "drops": {**CP6["drops"], "not_jflow": 3, "too_small": 1, "kernel_drops": 252},
       "faults": {**CP6["faults"], "sequence_missed": 7560, "sequence_resets": 1},
       "exporters": [{"exporter": "192.0.2.9", "engine_type": 0, "engine_id": 0, "sequence_missed": 7560,
                      "sequence_resets": 1}],
       "channels": [{"index": i, "current_server": "Primary", "primary_state": "Failed",
                     "secondary_state": "Not configured"} for i in (0, 1)],
       "inputs": [{"interface": "mo-7/2/0.0", "packets": 0, "bytes": 0},
                  {"interface": "192_0_2_9", "packets": 12, "bytes": 17376}],
       "files": [{"name": "f-1.gz", "flows": 20000, "uncompressed_bytes": 2100000,
                  "compressed_bytes": 310000, "state": "Exporting primary", "transfer_attempts": 3},
                 {"name": "f-2.gz", "flows": 500, "uncompressed_bytes": 52000,
                  "compressed_bytes": 8000, "state": "Waiting", "transfer_attempts": 0}]}


def show(*collectors: dict) -> dict:
    return {"ok": True, "collectors": list(collectors)}


@pytest.mark.parametrize("level", ["terse", "detail", "extensive"])
def test_interface_one(level, snapshot):
    assert render("interface", level, show(CP6)) == snapshot


@pytest.mark.parametrize("level", ["terse", "extensive"])
def test_interface_all(level, snapshot):
    assert render("interface", level, show(CP6, CP7)) == snapshot


def test_input(snapshot):
    assert render("input", "extensive", show(CP6)) == snapshot
    assert render("input", "terse", show(CP6, CP7)) == snapshot


@pytest.mark.parametrize("level", ["terse", "detail", "extensive"])
def test_file(level, snapshot):
    assert render("file", level, show(CP6)) == snapshot


def test_file_all_collectors(snapshot):
    assert render("file", "detail", show(CP6, CP7)) == snapshot


def test_clear(snapshot):
    reply = {"ok": True, "collectors": [{"interface": "cp-5/0/0", "state": "Collecting flows"}]}
    assert render("clear", "", reply) == snapshot


def test_requests(snapshot):
    ok = {"ok": True, "interface": "cp-6/0/0", "state": "Collecting flows"}
    assert render("change-destination", "", {**ok, "message": "Destination change successful"}) == snapshot
    assert render("change-destination", "", {**ok, "ok": False, "message": "Destination not configured"}) \
        == snapshot
    assert render("test-file-transfer", "",
                  {**ok, "message": "Test file transfer successfully scheduled"}) == snapshot


def test_seed_lines_appear_verbatim():
    text = render("interface", "extensive", show(CP6))
    for line in ("Flow collector interface: cp-6/0/0", "  Used: 19593212, Free: 479528656",
                 "  Bytes: 9647752, per second: 12655, peak per second: 14311",
                 "  Flow records processed: 193782, per second: 252, peak per second: 287",
                 "  Blocks allocated: 174, per second: 0, peak per second: 0",
                 "  Compressed bytes: 3079713, per second: 7618, peak per second: 22999",
                 "  No memory: 0, Not IP: 0", "  Not JUNOS flow: 0", "  FTP failure: 0",
                 "Export channel: 1", "  Current server: Secondary",
                 "  Primary server state: OK, Secondary server state: OK"):
        assert line in text.splitlines()


def test_terse_columns_line_up_under_their_headers():
    top, second, values = render("interface", "terse", show(CP6)).splitlines()[2:5]
    assert top.split() == ["Packets", "Bytes", "Flows", "Uncompressed", "Compressed", "FTP", "bytes",
                           "FTP", "files"]
    assert second.split() == ["Bytes", "Bytes"]
    assert top.index("Uncompressed") + len("Uncompressed") == second.index("Bytes") + len("Bytes")
    assert top.index("Compressed ") + len("Compressed") == second.rindex("Bytes") + len("Bytes")
    assert top.index("Uncompressed") + len("Uncompressed") == values.index("21075152") + len("21075152")
    assert len(values) == len(top)


def test_error_replies_render_as_an_error_line():
    assert render("interface", "terse", {"ok": False, "error": "no collector cp-9/9/9"}) == \
        "error: no collector cp-9/9/9\n"


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        render("bogus", "terse", show(CP6))
