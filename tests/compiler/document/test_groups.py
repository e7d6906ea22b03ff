"""Configuration groups: expansion, wildcards, precedence, -except, inherited origins."""
from __future__ import annotations

from pathlib import Path

from flowc.compiler.document.groups import apply_groups
from flowc.compiler.document.junosstatements import display_statements
from flowc.compiler.parse.loader import parse_file, parse_text

EXAMPLES = Path(__file__).parents[3] / "examples"

CONFIG = """\
groups {
    common {
        system { host-name from-group; ntp server 192.0.2.1; }
        interfaces { <ge-*> { mtu 9000; unit 0 { family iso; } } }
    }
    sonet {
        interfaces { "<so-[01]/*>" { description "sonet input"; } }
    }
    second { system { ntp server 192.0.2.2; host-name second; location lab; } }
}
apply-groups [ common second ];
system { host-name r1; }
interfaces {
    ge-0/0/0 { mtu 1500; unit 0 { family inet; } }
    ge-0/0/1 { apply-groups-except common; unit 1; }
    so-0/1/0 { apply-groups sonet; unit 0; }
    so-3/0/0 { apply-groups sonet; unit 0; }
    xe-0/0/0 { unit 0; }
}
"""


def effective(text: str = CONFIG):
    parsed = parse_text(text, "g.conf")
    assert parsed.diagnostics == ()
    return apply_groups(parsed.statements)


def test_groups_and_apply_statements_are_removed() -> None:
    statements, diagnostics = effective()
    assert diagnostics == ()
    assert not any(s.path[0] == "groups" or "apply-groups" in s.path or "apply-groups-except" in s.path
                   for s in statements)


def test_local_wins_then_first_listed_group() -> None:
    statements, _ = effective()
    paths = [str(s) for s in statements]
    assert "system host-name r1" in paths
    assert "system host-name from-group" not in paths and "system host-name second" not in paths
    assert "system ntp server 192.0.2.1" in paths and "system ntp server 192.0.2.2" in paths
    assert "system location lab" in paths
    assert "interfaces ge-0/0/0 mtu 1500" in paths and "interfaces ge-0/0/0 mtu 9000" not in paths


def test_wildcards_match_only_what_the_configuration_has() -> None:
    paths = [str(s) for s in effective()[0]]
    assert "interfaces ge-0/0/0 unit 0 family iso" in paths
    assert not any(p.startswith("interfaces xe-0/0/0 mtu") for p in paths)
    assert "interfaces so-0/1/0 description sonet input" in paths
    assert "interfaces so-3/0/0 description sonet input" not in paths  # [01] does not match 3


def test_apply_groups_except_stops_inheritance_below_it() -> None:
    paths = [str(s) for s in effective()[0]]
    assert not any(p.startswith("interfaces ge-0/0/1 mtu") for p in paths)
    assert "interfaces ge-0/0/1 unit 1" in paths


def test_inherited_statements_point_at_the_group() -> None:
    statements, _ = effective()
    (iso,) = [s for s in statements if str(s) == "interfaces ge-0/0/0 unit 0 family iso"]
    assert iso.group == "common"
    assert iso.origin is not None and (iso.origin.line, iso.span.line) == (4, 4)
    assert iso.words[1].text == "ge-0/0/0" and iso.words[1].span.line == 4  # the <ge-*> word
    assert iso.words[-1].span.column == iso.span.column + len("family ")
    local = next(s for s in statements if str(s) == "interfaces ge-0/0/0 unit 0 family inet")
    assert local.group is None and local.origin is None


def test_inherited_statements_sit_next_to_their_local_relatives() -> None:
    paths = [str(s) for s in effective()[0]]
    assert paths.index("interfaces ge-0/0/0 unit 0 family iso") == \
        paths.index("interfaces ge-0/0/0 unit 0 family inet") + 1


def test_unknown_group_is_reported() -> None:
    parsed = parse_text("system { apply-groups nothing; host-name r1; }\n", "u.conf")
    statements, diagnostics = apply_groups(parsed.statements)
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("FC013", 1, 23)]
    assert [str(s) for s in statements] == ["system host-name r1"]


def test_apply_groups_at_a_deeper_level_beats_one_above() -> None:
    text = """\
groups { top { interfaces { <*> { description top; } } } low { interfaces { <*> { description low; } } } }
apply-groups top;
interfaces { ge-0/0/0 { apply-groups low; unit 0; } }
"""
    paths = [str(s) for s in effective(text)[0]]
    assert "interfaces ge-0/0/0 description low" in paths
    assert "interfaces ge-0/0/0 description top" not in paths


def test_inactive_group_parts_and_targets_stay_inactive() -> None:
    text = """\
groups { g { interfaces { <*> { inactive: mtu 9000; unit 0 { family iso; } } } } }
apply-groups g;
interfaces { inactive: ge-0/0/0 { unit 0; } }
"""
    by_path = {str(s): s for s in effective(text)[0]}
    assert by_path["interfaces ge-0/0/0 unit 0 family iso"].inactive_at == 2
    assert by_path["interfaces ge-0/0/0 mtu 9000"].inactive_at == 2


def test_schema_decides_single_valued_leaves_when_given() -> None:
    parsed = parse_text(CONFIG, "g.conf")
    statements, _ = apply_groups(parsed.statements, single_valued=lambda path: False)
    paths = [str(s) for s in statements]
    assert "system host-name r1" in paths and "system host-name from-group" in paths


def test_example_groups_twins_expand_identically() -> None:
    for folder in ("router1", "groups"):
        brace = apply_groups(display_statements(parse_file(EXAMPLES / folder / "router.conf").statements))
        twin = apply_groups(display_statements(parse_file(EXAMPLES / folder / "router.set").statements))
        assert brace == twin
        assert any(s.group for s in brace[0])


def test_no_groups_is_identity() -> None:
    parsed = parse_text("system { host-name r1; }\n", "n.conf")
    assert apply_groups(parsed.statements) == (parsed.statements, ())


def test_an_inactive_group_exists_but_gives_nothing() -> None:
    text = "groups { inactive: g { system { location lab; } } }\napply-groups g;\nsystem { host-name r1; }\n"
    statements, diagnostics = effective(text)
    assert diagnostics == ()
    assert [str(s) for s in statements] == ["system host-name r1"]


def test_node_variable_reads_as_node0() -> None:
    text = ('groups { node0 { system { host-name r1-node0; } } node1 { system { host-name r1-node1; } } }\n'
            'apply-groups "${node}";\n')
    statements, diagnostics = effective(text)
    assert diagnostics == ()
    assert [str(s) for s in statements] == ["system host-name r1-node0"]
    assert statements[0].group == "node0"


def test_node_variable_without_node_groups_gives_nothing_and_no_finding() -> None:
    statements, diagnostics = effective('apply-groups "${node}";\nsystem { host-name r1; }\n')
    assert diagnostics == () and [str(s) for s in statements] == ["system host-name r1"]


def test_a_group_applied_at_a_level_gives_only_what_lies_below_that_level() -> None:
    text = """\
groups { g { system { location lab; } interfaces { <*> { mtu 9000; } } } }
interfaces { ge-0/0/0 { apply-groups g; unit 0; } ge-0/0/1 { unit 0; } }
"""
    assert [str(s) for s in effective(text)[0]] == [
        "interfaces ge-0/0/0 unit 0", "interfaces ge-0/0/0 mtu 9000", "interfaces ge-0/0/1 unit 0"]


def test_wildcards_expand_to_every_matching_name_in_order() -> None:
    text = """\
groups { g { interfaces { <ge-*> { unit <*> { family inet; } } } } }
apply-groups g;
interfaces { ge-0/0/0 { unit 0; unit 5; } ge-0/0/1 { unit 1; } xe-0/0/0 { unit 0; } }
"""
    inherited = [str(s) for s in effective(text)[0] if s.group == "g"]
    assert inherited == ["interfaces ge-0/0/0 unit 0 family inet", "interfaces ge-0/0/0 unit 5 family inet",
                         "interfaces ge-0/0/1 unit 1 family inet"]


def test_single_valued_table_spares_match_conditions() -> None:
    from flowc.compiler.document.groups import well_known_single

    assert well_known_single(("system", "host-name"))
    assert well_known_single(("interfaces", "ge-0/0/0", "mtu"))
    assert not well_known_single(("firewall", "filter", "f", "term", "t", "from", "source-address"))
    assert not well_known_single(("system", "ntp", "server"))
    assert not well_known_single(())


def test_an_inherited_list_value_joins_the_local_ones() -> None:
    text = """\
groups { g { firewall { filter f { term t { from { source-address 192.0.2.0/24; } } } } } }
apply-groups g;
firewall { filter f { term t { from { source-address 198.51.100.0/24; } then accept; } } }
"""
    paths = [str(s) for s in effective(text)[0]]
    assert "firewall filter f term t from source-address 198.51.100.0/24" in paths
    assert "firewall filter f term t from source-address 192.0.2.0/24" in paths
