"""Blocks written the same in both brace files are blanked before parsing: the outline
scanner reads what the parser reads, and the diff of what is left is the diff of the whole
(compare text and set commands), for the examples and generated pairs (the diff cases:
test_diff_cases.py)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowc.compiler.diff.config import ConfigDiff
from flowc.compiler.diff.files import diff_files
from flowc.compiler.diff.output import compare_text, set_text
from flowc.compiler.diff.unchanged import blank_unchanged, outline
from flowc.compiler.fmt.printer import to_brace
from flowc.compiler.parse.loader import parse_text

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*/router.conf"))


def both_ways(old: Path, new: Path) -> tuple[ConfigDiff, ConfigDiff]:
    return diff_files(str(old), str(new)), diff_files(str(old), str(new), unchanged_blanked=False)


def assert_same(fast: ConfigDiff, whole: ConfigDiff) -> None:
    assert compare_text(fast) == compare_text(whole)
    assert set_text(fast) == set_text(whole)


def write(tmp: Path, old: str, new: str) -> tuple[Path, Path]:
    (tmp / "old.conf").write_text(old, "utf-8")
    (tmp / "new.conf").write_text(new, "utf-8")
    return tmp / "old.conf", tmp / "new.conf"


@pytest.mark.parametrize("old,new", [(a, b) for a in EXAMPLES for b in EXAMPLES if a != b],
                         ids=lambda p: p.parent.name)
def test_examples_diff_the_same_blanked(old: Path, new: Path) -> None:
    assert_same(*both_ways(old, new))


# ------------------------------------------------------------------ the outline scanner

def headers(text: str) -> list[tuple[str, list[str]]]:
    tree, _ = outline(text)
    return [(b.header, [c.header for c in b.children]) for b in tree]


def test_outline_reads_blocks_as_the_parser_does() -> None:
    text = ('system {\n    host-name "r{1}";  # a } in a comment\n    /* { */ services { ssh; }\n}\n'
            'interfaces\n{\n    inactive: ge-0/0/0 { description "a } b"; unit 0 { family inet; } }\n'
            '    ge-0/0/1 {\n        apply-groups [ g1 g2 ];\n    }\n}\n')
    assert headers(text) == [("system", ["services"]), ("interfaces", ["inactive: ge-0/0/0", "ge-0/0/1"])]
    tree, applied = outline(text)
    block = tree[1].children[0]
    assert text[block.start:block.end] == 'inactive: ge-0/0/0 { description "a } b"; unit 0 { family inet; } }'
    assert applied == [(("interfaces", "ge-0/0/1"), "apply-groups [ g1 g2 ]")]


@pytest.mark.parametrize("text", [
    'system { host-name "open\n}\n',            # a string over lines
    "system { /* open\n}\n",                    # a comment over lines
    "system { a [ b { ] }\n",                   # a brace inside a list
    "system { { a; } }\n",                      # a block without a header
    "system { a; }\n}\n",                       # a brace too many
    "system { a {\n",                           # a block left open
    "system { a\x01b; }\n",                     # a control character
])
def test_texts_the_scanner_leaves_to_the_parser(text: str) -> None:
    other = text.replace("a", "c", 1)
    assert blank_unchanged(text, other) == (text, other)


def test_blanked_keeps_lines_and_columns(tmp_path: Path) -> None:
    body = "".join(f"    ge-0/0/{n} {{\n        mtu 9192;\n    }}\n" for n in range(6))
    old = f"interfaces {{\n{body}}}\n"
    new = old.replace("ge-0/0/3 {\n        mtu 9192;", "ge-0/0/3 {\n        mtu 1500;")
    a, b = blank_unchanged(old, new)
    assert a.count("\n") == old.count("\n") and len(a.splitlines()) == len(old.splitlines())
    assert "ge-0/0/3" in a and "ge-0/0/3" in b and "mtu 1500" in b
    assert sum("ge-0/0/" in line for line in b.splitlines()) == 2  # the change and one kept
    assert_same(*both_ways(*write(tmp_path, old, new)))


def test_no_blanking_when_groups_or_their_use_differ() -> None:
    body = "".join(f"    ge-0/0/{n} {{\n        mtu 9192;\n    }}\n" for n in range(4))
    old = f"groups {{\n    g {{ interfaces {{ <*> {{ mtu 1; }} }} }}\n}}\napply-groups g;\ninterfaces {{\n{body}}}\n"
    assert blank_unchanged(old, old.replace("mtu 1;", "mtu 2;")) == (old, old.replace("mtu 1;", "mtu 2;"))
    assert blank_unchanged(old, old.replace("apply-groups g;\n", "")) == (old, old.replace("apply-groups g;\n", ""))
    new = old.replace("ge-0/0/2 {\n        mtu 9192", "ge-0/0/2 {\n        mtu 9000")
    a, _ = blank_unchanged(old, new)
    assert a != old and "groups {" in a  # the groups are never blanked


def test_ordered_entries_are_never_blanked() -> None:
    terms = "".join(f"            term t{n} {{\n                then accept;\n            }}\n" for n in range(4))
    old = f"firewall {{\n    family inet {{\n        filter f {{\n{terms}        }}\n    }}\n}}\n"
    moved = terms.replace("term t1", "term tX").replace("term t2", "term t1").replace("term tX", "term t2")
    new = old.replace(terms, moved)
    assert blank_unchanged(old, new) == (old, new)


# ------------------------------------------------------------------ generated pairs

NAMES = ["ge-0/0/0", "ge-0/0/1", "xe-1/0/0", "ae0", "lo0"]
DESCRIPTIONS = ['"uplink"', '"a { b"', '"c } d"', "core", '"say \\"hi\\""']
LEAVES = ["mtu 1500;", "mtu 9192;", "vlan-tagging;", "disable;", "mtu 9192; # a } comment",
          "/* a { note */ mtu 1500;"]


@st.composite
def interface(draw: st.DrawFn, name: str) -> str:
    lines = [f"        description {draw(st.sampled_from(DESCRIPTIONS))};"]
    lines += [f"        {leaf}" for leaf in draw(st.lists(st.sampled_from(LEAVES), unique=True, max_size=2))]
    for unit in draw(st.lists(st.sampled_from("0123"), unique=True, max_size=2)):
        family = draw(st.sampled_from(["family inet;", "family inet { filter { input f; } }",
                                       "family inet6;"]))
        lines.append(f"        unit {unit} {{ {family} }}")
    tag = draw(st.sampled_from(["", "", "inactive: "]))
    open_line = draw(st.sampled_from([f"    {tag}{name} {{", f"    {tag}{name}\n    {{"]))
    return "\n".join([open_line, *lines, "    }"])


@st.composite
def config(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, min_size=1))
    blocks = [draw(interface(n)) for n in names]
    reopen = draw(st.integers(0, len(blocks)))  # a second `interfaces {` from here on
    text = "system {\n    host-name r1;\n}\ninterfaces {\n" + "\n".join(blocks[:reopen]) + "\n}\n"
    if reopen < len(blocks):
        text += "interfaces {\n" + "\n".join(blocks[reopen:]) + "\n}\n"
    terms = draw(st.lists(st.sampled_from(["t1", "t2", "t3"]), unique=True))
    if terms:
        text += "policy-options {\n    policy-statement p {\n" + "".join(
            f"        term {t} {{ then accept; }}\n" for t in terms) + "    }\n}\n"
    if draw(st.booleans()):
        text += "protocols { bgp { group g { import [ p1 p2 ]; } } }\n"
    return text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config(), config())
def test_generated_pairs_diff_the_same_blanked(tmp_path: Path, old: str, new: str) -> None:
    assert parse_text(old, "old.conf").ok and parse_text(new, "new.conf").ok
    assert_same(*both_ways(*write(tmp_path, old, new)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config(), st.integers(0, 40), st.sampled_from(["mtu 1501;", "disable;", "}\n    lo1 {"]))
def test_generated_near_pairs_diff_the_same_blanked(tmp_path: Path, old: str, at: int, edit: str) -> None:
    """NEW is OLD with one line edited: most blocks are the same and get blanked."""
    lines = old.split("\n")
    index = at % len(lines)
    if not lines[index].strip().endswith(";"):
        return
    lines[index] = "        " + edit
    new = "\n".join(lines)
    if not parse_text(new, "new.conf").ok:
        return
    assert_same(*both_ways(*write(tmp_path, old, new)))


def test_brace_printer_output_round_trips_blanked(tmp_path: Path) -> None:
    """What flowc's own printer writes (and Junos' `show configuration` looks like)."""
    for example in EXAMPLES:
        statements = parse_text(example.read_text("utf-8"), str(example)).statements
        old = to_brace(statements)
        new = old.replace("retry 3;", "retry 4;", 1) if "retry 3;" in old else old + "system { ntp; }\n"
        assert_same(*both_ways(*write(tmp_path, old, new)))


# ------------------------------------------------------------------ set lines left out

SET_VOCABULARY = [
    "set system host-name r1", "set system host-name r2", 'set system login message "a b"',
    "set interfaces ge-0/0/0 mtu 1500", "set interfaces ge-0/0/0 mtu 9192",
    'set interfaces ge-0/0/0 description "to core"', "set interfaces ge-0/0/0 unit 0 family inet",
    "set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/30", "set interfaces ge-0/0/1 disable",
    "set interfaces ge-0/0/1 apply-groups g1", "set apply-groups g1",
    "set groups g1 interfaces <*> mtu 9000", "set groups g2 system host-name g",
    "set policy-options policy-statement p term t1 then accept",
    "set policy-options policy-statement p term t2 then reject",
    "set policy-options prefix-list pl 10.0.0.0/8", "set policy-options prefix-list pl 172.16.0.0/12",
    "set protocols bgp group ebgp import p1", "set protocols bgp group ebgp import p2",
    "set protocols bgp group ebgp neighbor 192.0.2.1", "set protocols bgp group ebgp export [ p1 p2 ]",
    "set firewall family inet filter f term a then accept", "set firewall family inet filter f term b then discard",
    "set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1", "set snmp community public",
    "set system ntp server 192.0.2.123", "# a comment line", "deactivate interfaces ge-0/0/1",
]


@st.composite
def set_config(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.sampled_from(SET_VOCABULARY[:-1]), unique=True, min_size=1))
    if draw(st.integers(0, 9)) == 0 and any(line.startswith("set interfaces ge-0/0/1") for line in lines):
        lines.append(SET_VOCABULARY[-1])
    return "".join(f"{line}\n" for line in lines)


def set_twin(text: str) -> str:
    parsed = parse_text(text, "x.conf")
    assert parsed.ok, parsed.diagnostics
    from flowc.compiler.fmt.printer import to_set
    return to_set(parsed.statements)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(set_config(), st.lists(st.sampled_from(SET_VOCABULARY), max_size=3), st.randoms(use_true_random=False))
def test_set_sides_diff_the_same_left_out(tmp_path: Path, old: str, extra: list[str], rnd: random.Random) -> None:
    """Set/set, set/brace and brace/set pairs: NEW is OLD with lines added, and maybe two swapped."""
    lines = old.splitlines() + [line for line in extra if line not in old]
    if len(lines) > 2 and rnd.random() < 0.5:
        lines[0], lines[-1] = lines[-1], lines[0]
    new = "".join(f"{line}\n" for line in lines)
    if not (parse_text(old, "o.set").ok and parse_text(new, "n.set").ok):
        return
    brace_old = to_brace(parse_text(old, "o.set").statements)
    for a, b in ((old, new), (brace_old, new), (new, brace_old), (old, set_twin(brace_old))):
        assert_same(*both_ways(*write(tmp_path, a, b)))


def test_set_lines_left_out_of_a_big_pair(tmp_path: Path) -> None:
    """Most lines of a set twin are left out; the diff is the diff of the whole."""
    from flowc.compiler.diff.samelines import leave_out_same
    body = "".join(f"    ge-0/0/{n} {{\n        mtu 9192;\n        description \"port {n}\";\n    }}\n"
                   for n in range(40))
    old = f"interfaces {{\n{body}}}\n"
    new = set_twin(old).replace("ge-0/0/7 mtu 9192", "ge-0/0/7 mtu 1500")
    cut = leave_out_same(new, parse_text(old, "old.conf").statements)
    assert cut is not None
    kept_lines = [line for line in cut[0].splitlines() if line]
    assert len(cut[0].splitlines()) == len(new.splitlines())
    assert len(kept_lines) < 50 and "set interfaces ge-0/0/7 mtu 1500" in kept_lines
    assert all("description" in line or "ge-0/0/7" in line or "ge-0/0/0 " in line for line in kept_lines)
    assert_same(*both_ways(*write(tmp_path, old, new)))
    assert_same(*both_ways(*write(tmp_path, new, old)))


def test_set_lines_left_out_of_both_set_files(tmp_path: Path) -> None:
    from flowc.compiler.diff.samelines import leave_out_same_lines
    old = "".join(f"set interfaces ge-0/0/{n} mtu 9192\nset interfaces ge-0/0/{n} description \"port {n}\"\n"
                  for n in range(40))
    new = old.replace("ge-0/0/7 mtu 9192", "ge-0/0/7 mtu 1500") + "set interfaces ge-1/0/0 disable\n"
    texts = leave_out_same_lines(old, new)
    assert texts is not None
    for text, before in zip(texts, (old, new)):
        kept = [line for line in text.splitlines() if line]
        assert len(text.splitlines()) == len(before.splitlines()) and len(kept) < 50
        assert all("description" in line or "ge-0/0/7" in line or "ge-1/0/0" in line
                   or line.startswith("set interfaces ge-0/0/0 ") for line in kept)
    assert_same(*both_ways(*write(tmp_path, old, new)))
    assert leave_out_same_lines(old, "deactivate interfaces ge-0/0/1\n" + new) is None


@pytest.mark.parametrize("blanked", [True, False])
def test_deeply_nested_pair(tmp_path: Path, blanked: bool) -> None:
    """3,000 levels: every walk of the diff uses a stack of its own, none recursion."""
    depth = 3000
    old = "a {\n" * depth + "x 1;\nb { c; }\nd { e; }\n" + "}\n" * depth
    new = old.replace("x 1;", "x 2;").replace("d { e; }", "d { e; }\nf { g { h; } }")
    result = diff_files(*map(str, write(tmp_path, old, new)), unchanged_blanked=blanked)
    text = compare_text(result)
    assert text.endswith("]\n-   x 1;\n+   x 2;\n+   f {\n+       g h;\n+   }\n")
    assert set_text(result).splitlines() == [f"delete {'a ' * depth}x", f"set {'a ' * depth}x 2",
                                             f"set {'a ' * depth}f g h"]


def _edits(lines: list[str]) -> list[tuple[int, str]]:
    """One-line edits of a brace text: a leaf's value changed or the leaf removed, a leaf
    added to a block or the block deactivated."""
    edits: list[tuple[int, str]] = []
    for number, line in enumerate(lines):
        text = line.strip()
        if text.endswith(";"):
            edits += [(number, line[:-1] + "7;"), (number, "")]
        elif text.endswith("{") and not text.startswith("inactive:"):
            edits += [(number, line.replace("{", "{ added-leaf 1;")), (number, "inactive: " + line.lstrip())]
    return edits


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_edits_diff_the_same_left_out(config: Path, tmp_path: Path) -> None:
    """A sweep of one-line edits over every example, brace/brace, brace/set and set/set:
    the diff with what is the same left out is the diff of the whole texts."""
    from flowc.compiler.fmt.printer import to_set
    text = config.read_text("utf-8")
    lines = text.split("\n")
    old_set = to_set(parse_text(text, "old.conf").statements)
    for number, edit in _edits(lines)[::8]:
        new = "\n".join([*lines[:number], edit, *lines[number + 1:]])
        parsed = parse_text(new, "new.conf")
        if not parsed.ok:
            continue
        new_set = to_set(parsed.statements)
        for old_text, new_text in ((text, new), (text, new_set), (old_set, new_set)):
            assert_same(*both_ways(*write(tmp_path, old_text, new_text)))


def test_a_level_a_header_of_several_words_opens_stays(tmp_path: Path) -> None:
    """`file messages` stands at `file`: with the other files blanked, `file` must still
    be on both sides (the emptied `file interactive-commands` is a leaf there)."""
    old = ("system {\n    syslog {\n        user * {\n            any emergency;\n        }\n"
           "        file messages {\n            any notice;\n        }\n"
           "        file interactive-commands {\n            interactive-commands any;\n        }\n"
           "        file flow-collector {\n            daemon info;\n        }\n    }\n}\n")
    new = old.replace("            interactive-commands any;\n", "")
    fast, whole = both_ways(*write(tmp_path, old, new))
    assert_same(fast, whole)
    # the statement removed is deleted, not its level (issue 19); the emptied level is set
    assert set_text(fast) == ("delete system syslog file interactive-commands interactive-commands\n"
                              "set system syslog file interactive-commands\n")


def test_no_delete_by_keyword_over_a_blanked_sibling(tmp_path: Path) -> None:
    """`family inet;` deleted next to `family inet6 { … }` (blanked, the same on both
    sides): deleting by the keyword alone would delete inet6 too."""
    old = ("interfaces {\n    ge-0/0/0 {\n        unit 0 {\n            family inet;\n"
           "            family inet6 {\n                address ::1/128;\n            }\n"
           "            family mpls {\n                maximum-labels 5;\n            }\n"
           "            filter {\n                input f;\n            }\n        }\n    }\n}\n")
    new = old.replace("            family inet;\n", "")
    assert blank_unchanged(old, new)[0] != old  # something was blanked
    fast, whole = both_ways(*write(tmp_path, old, new))
    assert_same(fast, whole)
    assert set_text(fast) == "delete interfaces ge-0/0/0 unit 0 family inet\n"


def test_a_reopened_part_is_never_emptied(tmp_path: Path) -> None:
    """`interfaces` written twice on NEW: blanking the only block of one part would leave
    `interfaces { }`, an empty block, a statement of its own (found by hypothesis)."""
    old = ('system {\n    host-name r1;\n}\ninterfaces {\n\n}\ninterfaces {\n    ge-0/0/1\n    {\n'
           '        description "uplink";\n    }\n    ge-0/0/0 {\n        description "uplink";\n    }\n}\n')
    new = ('system {\n    host-name r1;\n}\ninterfaces {\n    ge-0/0/1\n    {\n        description "uplink";\n'
           '    }\n}\ninterfaces {\n    ge-0/0/0 {\n        description "uplink";\n    }\n'
           '    xe-1/0/0 {\n        description "uplink";\n    }\n}\n')
    assert_same(*both_ways(*write(tmp_path, old, new)))
