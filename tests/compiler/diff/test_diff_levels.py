"""`flowc diff` knows levels from Junos' schema: removing one statement from a level that
keeps others deletes that statement, never the level (issue 19's examples, each a real
shape: a flag beside a `keyword value` statement); the text shows only levels Junos has."""
from __future__ import annotations

from collections import Counter

import pytest

from flowc.compiler.diff.config import diff_statements
from flowc.compiler.diff.oneliners import displayed
from flowc.compiler.diff.output import compare_text, set_text
from flowc.compiler.fmt.printer import to_set
from flowc.compiler.parse.loader import parse_text

# (OLD's block, the line removed in NEW, the one delete expected)
CASES = [
    ("policy-options { policy-statement from-cust { term prefer { from community cust; "
     "then { local-preference 200; accept; } } } }", "local-preference 200;",
     "delete policy-options policy-statement from-cust term prefer then local-preference"),
    ("firewall { filter f { term t { then { count c; discard; } } } }", "count c;",
     "delete firewall filter f term t then count"),
    ("firewall { family inet6 { filter f6 { interface-specific; term a { then accept; } } } }",
     "interface-specific;", "delete firewall family inet6 filter f6 interface-specific"),
    ("protocols { rstp { bridge-priority 4k; bpdu-block-on-edge; } }", "bridge-priority 4k;",
     "delete protocols rstp bridge-priority"),
    ("protocols { bgp { group g { multihop { ttl 2; no-nexthop-change; } } } }", "ttl 2;",
     "delete protocols bgp group g multihop ttl"),
    ("routing-options { forwarding-table { export lb; ecmp-fast-reroute; } }", "export lb;",
     "delete routing-options forwarding-table export lb"),
    ("routing-options { forwarding-table { export lb; ecmp-fast-reroute; } }", "ecmp-fast-reroute;",
     "delete routing-options forwarding-table ecmp-fast-reroute"),
]



@pytest.mark.parametrize("old_text,removed,delete", CASES, ids=[c[2].split()[-1] for c in CASES])
def test_removing_one_statement_deletes_just_it(old_text: str, removed: str, delete: str) -> None:
    old = parse_text(old_text, "old.conf").statements
    new = parse_text(old_text.replace(removed, ""), "new.conf").statements
    result = diff_statements(old, new)
    assert result.commands == (delete,)
    applied = parse_text(to_set(displayed(old)) + set_text(result), "applied", fmt="set")
    assert applied.ok, applied.diagnostics
    assert Counter(applied.statements) == Counter(displayed(new))


def test_a_level_goes_only_when_everything_under_it_goes() -> None:
    old = parse_text("protocols { rstp { bridge-priority 4k; bpdu-block-on-edge; } }", "o.conf").statements
    new = parse_text("protocols { lldp { interface all; } }", "n.conf").statements
    assert diff_statements(old, new).commands == ("delete protocols rstp", "set protocols lldp interface all")


def test_the_text_shows_only_levels_junos_has() -> None:
    """A one-line entry's keywords are no levels: `ndp A l2-interface X mac M` changes at its
    address (leaf by leaf, as a set file may give it), never under `[edit … ndp A
    l2-interface X]`."""
    head = "interfaces { ae1 { unit 100 { family inet6 { address 2001:db8::1/64 { ndp 2001:db8::2 "
    old = parse_text(head + "l2-interface ae1.100 mac 00:11:22:33:44:55; } } } } }", "o.conf").statements
    new = parse_text(head + "l2-interface ae1.100 mac 00:11:22:33:44:57; } } } } }", "n.conf").statements
    result = diff_statements(old, new)
    text = compare_text(result)
    assert "l2-interface ae1.100]" not in text
    assert "+   ndp 2001:db8::2 mac 00:11:22:33:44:57;" in text
    applied = parse_text(to_set(displayed(old)) + set_text(result), "applied", fmt="set")
    assert Counter(applied.statements) == Counter(displayed(new))


def test_a_set_never_removes_a_statement_new_has_outside_the_schema() -> None:
    """Where the schema knows nothing (SRX policies), the hand-written tables shape the
    levels; a delete still never takes a statement NEW keeps with it."""
    base = "security { policies { from-zone a to-zone b { policy p { match { application any; } then { %s } } } } }"
    old = parse_text(base % "permit; count;", "o.conf").statements
    new = parse_text(base % "permit;", "n.conf").statements
    result = diff_statements(old, new)
    applied = parse_text(to_set(displayed(old)) + set_text(result), "applied", fmt="set")
    assert Counter(applied.statements) == Counter(displayed(new))
    assert all(c.split()[-1] != "then" for c in result.commands), result.commands


def _filter(terms: list[str]) -> str:
    return "firewall { filter f { " + " ".join(f"term {t} {{ then accept; }}" for t in terms) + " } }"


def test_moving_the_first_of_2000_terms_to_the_end_is_one_insert() -> None:
    terms = [f"t{n}" for n in range(2000)]
    old = parse_text(_filter(terms), "o.conf").statements
    new = parse_text(_filter(terms[1:] + terms[:1]), "n.conf").statements
    result = diff_statements(old, new)
    assert result.commands == ("insert firewall filter f term t0 after term t1999",)
    applied = parse_text(to_set(displayed(old)) + set_text(result), "applied", fmt="set")
    assert [s.path for s in applied.statements] == [s.path for s in displayed(new)]


def test_moves_are_the_fewest_inserts() -> None:
    """Each entry outside a longest run kept in order moves once."""
    old_terms = ["a", "b", "c", "d", "e", "f"]
    new_terms = ["b", "a", "d", "c", "f", "e"]  # three swaps: three moves
    old = parse_text(_filter(old_terms), "o.conf").statements
    new = parse_text(_filter(new_terms), "n.conf").statements
    result = diff_statements(old, new)
    assert len(result.commands) == 3 and all(c.startswith("insert ") for c in result.commands)
    applied = parse_text(to_set(displayed(old)) + set_text(result), "applied", fmt="set")
    assert [s.path for s in applied.statements] == [s.path for s in displayed(new)]
