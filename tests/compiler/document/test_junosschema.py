"""Junos' schema as data: the cached index, what each word of a path is, the set statements a
path holds, and statements as `display set` lists them."""
from __future__ import annotations

import marshal
import tempfile
from pathlib import Path

import pytest

from flowc.compiler.document import junosschema
from flowc.compiler.document.junospath import Kind, one_line_container, read
from flowc.compiler.document.junosschema import LEAF, LIST, PRESENCE, schema
from flowc.compiler.document.junosstatements import display_statements
from flowc.compiler.parse.loader import parse_text


def kinds(path: str) -> list[str]:
    reading = read(path.split())
    assert reading is not None
    return [k.value for k in reading.kinds]


def pieces(path: str) -> list[str]:
    words = path.split()
    reading = read(words)
    assert reading is not None
    return [" ".join(words[: p.base] + words[p.start: p.end]) for p in reading.pieces]


def test_the_index_knows_containers_lists_leaves_and_flags() -> None:
    index = schema()
    assert index is not None and index.version
    interfaces = index.child(index.root, "interfaces")
    assert interfaces is not None and index.transparent(interfaces) is not None
    static = index.child(index.child(index.root, "routing-options") or 0, "static")
    route = index.child(static or 0, "route")
    assert route is not None and index.has(route, LIST)
    assert index.has(index.child(route, "next-hop") or 0, LEAF)
    assert index.has(index.child(route, "discard") or 0, PRESENCE)
    assert len(index.nodes) < 50_000  # identical subtrees are stored once


def test_each_word_of_a_path_is_named() -> None:
    assert kinds("interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24") == [
        "container", "key", "list", "key", "container", "container", "list", "key"]
    assert kinds("policy-options policy-statement p term t then accept") == [
        "container", "list", "key", "list", "key", "container", "flag"]
    assert kinds("policy-options community c members 65000:1") == [
        "container", "list", "key", "leaf-list", "value"]
    assert kinds("system host-name r1") == ["container", "leaf", "value"]
    assert kinds("interfaces ge-0/0/0 apply-groups g") == ["container", "key", "leaf-list", "value"]
    assert kinds("groups g interfaces <*> mtu 9000") == ["container", "key", "container", "key", "leaf", "value"]


def test_words_the_schema_does_not_know_are_unknown_from_there_on() -> None:
    reading = read(["system", "no-such-thing", "at", "all"])
    assert reading is not None and not reading.known and reading.unknown_at() == 1
    assert reading.kinds[1:] == (Kind.UNKNOWN,) * 3
    assert pieces("system no-such-thing at all") == ["system no-such-thing at all"]


@pytest.mark.parametrize(("path", "expected"), [
    ("protocols isis source-packet-routing srgb start-label 16000 index-range 80000",
     ["protocols isis source-packet-routing srgb start-label 16000",
      "protocols isis source-packet-routing srgb index-range 80000"]),
    ("routing-options static route 0/0 next-hop 192.0.2.1 preference 200",
     ["routing-options static route 0/0 next-hop 192.0.2.1", "routing-options static route 0/0 preference 200"]),
    ("protocols bgp group g multihop ttl 2 no-nexthop-change",
     ["protocols bgp group g multihop ttl 2", "protocols bgp group g multihop no-nexthop-change"]),
    ("firewall family inet filter f term t then count c discard",
     ["firewall family inet filter f term t then count c", "firewall family inet filter f term t then discard"]),
    # lists Junos prints on one line stay whole
    ("system ntp server 192.0.2.1 prefer", ["system ntp server 192.0.2.1 prefer"]),
    ("interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24 arp 10.0.0.2 mac 00:11:22:33:44:55",
     ["interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24 arp 10.0.0.2 mac 00:11:22:33:44:55"]),
    ("system syslog file messages any notice", ["system syslog file messages any notice"]),
])
def test_a_one_liner_holds_the_set_statements_junos_prints(path: str, expected: list[str]) -> None:
    assert pieces(path) == expected


def test_containers_of_mandatory_leaves_print_on_one_line() -> None:
    assert one_line_container(["interfaces", "ge-0/0/0", "hold-time"], ["up", "down"])
    assert one_line_container(["protocols", "isis", "source-packet-routing", "srgb"], ["index-range", "start-label"])
    assert not one_line_container(["interfaces", "ge-0/0/0", "hold-time"], ["up"])
    assert not one_line_container(["system", "services"], ["ssh", "netconf"])


def test_display_statements_split_dedupe_and_move_tags() -> None:
    text = """\
system {
    inactive: host-name r1;
    backup-router 192.0.2.1 destination [ 10.0.0.0/8 172.16.0.0/12 ];
}
routing-options { static { inactive: route 0/0 next-hop 192.0.2.1 preference 200; } }
"""
    shown = [(str(s), s.inactive_at) for s in display_statements(parse_text(text, "d.conf").statements)]
    assert shown == [
        ("system host-name r1", 2),
        ("system backup-router 192.0.2.1", 0),
        ("system backup-router destination 10.0.0.0/8", 0),
        ("system backup-router destination 172.16.0.0/12", 0),
        ("routing-options static route 0/0 next-hop 192.0.2.1", 4),
        ("routing-options static route 0/0 preference 200", 4),
    ]


def test_statements_the_schema_does_not_know_pass_unchanged() -> None:
    statements = parse_text("foo { bar baz 1 qux 2; }\n", "u.conf").statements
    assert display_statements(statements) == statements


def test_the_cache_round_trips_and_a_broken_one_is_ignored(tmp_path: Path) -> None:
    stored = (0, ((0, -1, -1, "", (), ()),), (), ())
    path = tmp_path / "index.marshal"
    junosschema._write_cache(path, stored)
    assert junosschema._read_cache(path) == stored
    assert not list(tmp_path.glob("*.tmp"))
    path.write_bytes(b"not marshal data")
    assert junosschema._read_cache(path) is None
    path.write_bytes(marshal.dumps((5, (), (), ())))  # root out of range
    assert junosschema._read_cache(path) is None
    assert junosschema._read_cache(tmp_path / "absent") is None


def test_the_cache_is_named_by_junoscfg_version_beside_the_lark_cache() -> None:
    index = schema()
    assert index is not None
    path = junosschema.cache_path(index.version)
    assert index.version in path.name and path.is_file()
    assert path.parent == Path(tempfile.gettempdir())
