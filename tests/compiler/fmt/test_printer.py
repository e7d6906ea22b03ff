"""to_brace / to_set: canonical text, display set, idempotence, quoting, set -> brace layout."""
from __future__ import annotations

from pathlib import Path

import pytest

from flowc.compiler.document.junosstatements import display_statements
from flowc.compiler.fmt.printer import quote, to_brace, to_set
from flowc.compiler.parse.loader import parse_file, parse_text
from flowc.compiler.parse.statements import Word

EXAMPLES = Path(__file__).parents[3] / "examples"
ROUTER1 = EXAMPLES / "router1"
FOLDERS = sorted(p.name for p in EXAMPLES.iterdir() if (p / "router.conf").exists())


def test_router1_brace_file_is_canonical() -> None:
    text = (ROUTER1 / "router.conf").read_text(encoding="utf-8")
    assert to_brace(parse_text(text, "r.conf").statements) == text


def test_router1_set_file_is_its_display_set() -> None:
    parsed = parse_file(ROUTER1 / "router.conf")
    assert to_set(parsed.statements) == (ROUTER1 / "router.set").read_text(encoding="utf-8")


EXAMPLE_FILES = [EXAMPLES / f / name for f in FOLDERS for name in ("router.conf", "router.set")
                 if (EXAMPLES / f / name).exists()]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_formatting_twice_changes_nothing(path: Path) -> None:
    parsed = parse_file(path)
    once = to_brace(parsed.statements)
    assert to_brace(parse_text(once, "once.conf").statements) == once
    as_set = to_set(parsed.statements)
    assert to_set(parse_text(as_set, "once.set").statements) == as_set
    assert display_statements(parse_text(once, "once.conf").statements) == display_statements(parsed.statements)


def test_set_to_brace_layout_snapshot(snapshot) -> None:
    assert to_brace(parse_file(ROUTER1 / "router.set").statements) == snapshot


def test_display_set_of_inactive_protected_and_lists(snapshot) -> None:
    text = """\
interfaces {
    inactive: so-0/1/0 { unit 0 { family iso; } unit 1; }
    ge-0/0/0 { unit 0 { inactive: family inet; } }
}
protect: system { host-name r1; name-server [ 10.0.0.1 10.0.0.2 ]; }
policy-options { community c members [ 1:1 2:2 ]; }
"""
    out = to_set(parse_text(text, "d.conf").statements)
    assert out == snapshot
    assert "deactivate interfaces so-0/1/0\n" in out and "protect system\n" in out


def test_brace_output_keeps_tags_lists_and_comments(snapshot) -> None:
    text = """\
/* top */
interfaces {
    inactive: so-0/1/0 { unit 0 { family iso; } } # end of so
    protect: ge-0/0/0 { mtu 1500; }
}
policy-options { community c members [ 1:1 2:2 ]; } # trailing
replace: snmp { location "rack 4"; }
"""
    out = to_brace(parse_text(text, "t.conf").statements)
    assert out == snapshot
    assert "inactive: so-0/1/0 {" in out and "members [ 1:1 2:2 ];" in out
    assert "protect: ge-0/0/0 {" in out and "replace: snmp {" in out


@pytest.mark.parametrize(("text", "quoted", "shown"), [
    ("plain", False, "plain"),
    ("two words", False, '"two words"'),
    ("", False, '""'),
    ('say "hi"', False, '"say \\"hi\\""'),
    ("ends\\", False, "ends\\"),
    ("a b\\", False, '"a b\\\\"'),
    ("a\\nb", False, "a\\nb"),
    ("a\\nb c", False, '"a\\nb c"'),
    ("$9$abc", True, '"$9$abc"'),
    ("inactive:", False, '"inactive:"'),
    ("x;y", False, '"x;y"'),
    ("#x", False, '"#x"'),
    ("a#x", False, '"a#x"'),
])
def test_quote(text: str, quoted: bool, shown: str) -> None:
    assert quote(Word(text, quoted=quoted)) == shown
    (st,) = parse_text(f"a {shown};\n").statements
    assert st.words[-1].text == text


def test_secrets_are_printed_as_written() -> None:
    out = to_brace(parse_file(ROUTER1 / "router.conf").statements)
    assert 'password "$9$.5T3EhrM87BIyK8LVbP5QF9AyreKWx36lMXxsY"; ## SECRET-DATA' in out


def test_set_statements_group_by_keyword_pairs() -> None:
    text = "set interfaces cp-6/0/0 unit 0 family inet filter output cp-ftp\n" \
           "set interfaces cp-6/0/0 unit 2\nset system name-server 10.0.0.1\nset system name-server 10.0.0.2\n"
    out = to_brace(parse_text(text, "k.set").statements)
    assert "    cp-6/0/0 {\n        unit 0 {\n            family inet {\n" in out
    assert "        unit 2;\n" in out
    assert "    name-server {\n        10.0.0.1;\n        10.0.0.2;\n    }\n" in out


def test_tags_and_comments_of_a_list_stay_on_its_line() -> None:
    text = ("policy-options {\n    community c {\n        inactive: members [ 1:1 2:2 ];\n    }\n"
            "    /* one prefix */\n    protect: prefix-list p [ 10.0.0.0/8 ];\n}\n")
    parsed = parse_text(text, "l.conf")
    assert to_brace(parsed.statements) == text
    assert [s.inactive_at for s in parsed.statements[:2]] == [4, 4]


def test_a_tag_on_one_list_value_leaves_the_list() -> None:
    parsed = parse_text("set a c members [ x y ]\ndeactivate a c members y\n", "v.set")
    out = to_brace(parsed.statements)
    assert "        members x;\n        inactive: members y;\n" in out
    assert [(s.path, s.inactive_at) for s in parse_text(out, "v.conf").statements] == \
        [(s.path, s.inactive_at) for s in parsed.statements]
