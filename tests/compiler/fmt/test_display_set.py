"""`fmt --to set` as Junos' `display set`: one-liners split by the schema, tags on the element
Junos names, quotes only where Junos puts them; `fmt --to brace` joins what Junos joins."""
from __future__ import annotations

from flowc.compiler.fmt.printer import set_quote, to_brace, to_set
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.parse.statements import Word


def test_one_liners_split_as_junos_splits_them() -> None:
    text = """\
protocols { isis { source-packet-routing { srgb start-label 16000 index-range 80000; } } }
routing-options { static { route 0.0.0.0/0 next-hop 192.0.2.1 preference 200; } }
system { ntp { server 192.0.2.123 prefer; } }
"""
    assert to_set(parse_text(text, "o.conf").statements) == """\
set protocols isis source-packet-routing srgb start-label 16000
set protocols isis source-packet-routing srgb index-range 80000
set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1
set routing-options static route 0.0.0.0/0 preference 200
set system ntp server 192.0.2.123 prefer
"""


def test_a_tag_on_a_one_liner_names_its_element() -> None:
    text = "system { inactive: host-name r1; }\nrouting-options { static { protect: route 0/0 next-hop 192.0.2.1; } }\n"
    out = to_set(parse_text(text, "t.conf").statements)
    assert "deactivate system host-name\n" in out
    assert "protect routing-options static route 0/0\n" in out


def test_quotes_only_where_junos_puts_them() -> None:
    assert set_quote(Word("abcv2", quoted=True)) == "abcv2"
    assert set_quote(Word("$9$abc", quoted=True)) == '"$9$abc"'
    assert set_quote(Word("two words", quoted=True)) == '"two words"'
    assert set_quote(Word("", quoted=True)) == '""'
    assert set_quote(Word("*", quoted=False)) == "*"


def test_comments_can_be_left_out_as_display_set_does() -> None:
    text = "/* the name */\nsystem { host-name r1; } # here\n"
    statements = parse_text(text, "c.conf").statements
    assert to_set(statements, comments=False) == "set system host-name r1\n"
    assert "/* the name */" in to_set(statements)


def test_set_lines_of_a_one_line_container_print_as_junos_brace() -> None:
    text = "set interfaces ge-0/0/0 hold-time up 2000\nset interfaces ge-0/0/0 hold-time down 0\n"
    assert to_brace(parse_text(text, "h.set").statements) == """\
interfaces {
    ge-0/0/0 {
        hold-time up 2000 down 0;
    }
}
"""
