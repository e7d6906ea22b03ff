"""Brace text Junos loads: set text printed as brace keeps `( … )` policy expressions as one
statement, leaf-lists in `[ … ]`, bare values of an unknown word one per line; every set file
goes to brace and back unchanged; 20,000 nested levels print without recursion."""
from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowc.compiler.document.junosstatements import display_statements
from flowc.compiler.fmt.printer import MAX_INDENT, quote, to_brace, to_set
from flowc.compiler.parse.blocktree import KEYED, VALUE_BLOCKS, expression_start, leaf_list, tree_order
from flowc.compiler.parse.loader import parse_file, parse_text
from flowc.compiler.parse.statements import Statement, Word

ROOT = Path(__file__).parents[3]
SET_FILES = sorted({*ROOT.glob("examples/*/router.set"), *(ROOT / "tests").rglob("*.set")})


def junos_shape_problems(statements: Sequence[Statement]) -> list[str]:
    """Where brace statements are not written as Junos writes them: a block opened inside a
    `( … )` expression, a leaf-list value inside `name { … }`, or bare values in a block of a
    word that is not known to be a container (wrong if the word is a leaf-list)."""
    problems = []
    containers = {stmt.path[:b] for stmt in statements for b in stmt.blocks if b < len(stmt.words) - 1}
    for stmt in statements:
        n, last = len(stmt.words), max(stmt.blocks, default=0)
        start = expression_start(stmt.words)
        if start >= 0 and last > start:
            problems.append(f"block inside a policy expression: {stmt}")
        elif leaf_list(stmt.words) and last > n - 2:
            problems.append(f"leaf-list value in a block: {stmt}")
        elif last == n - 1 and n >= 2 and stmt.path[:last] not in containers:
            header = stmt.path[: last]
            keyed = len(header) >= 2 and header[-2] in KEYED
            if header[-1] not in VALUE_BLOCKS and not keyed:
                problems.append(f"bare value in a block of an unknown word: {stmt}")
    return problems


def brace_twin(set_text: str, name: str = "x.set") -> tuple[list[Statement], str]:
    parsed = parse_text(set_text, name, "set")
    assert parsed.diagnostics == ()
    return list(parsed.statements), to_brace(parsed.statements)


def test_policy_expression_is_one_statement() -> None:
    _, out = brace_twin("set policy-options policy-statement X term t from policy ( RoutesFromExt && A )\n"
                        "set protocols bgp group g import ( RoutesFromExt && A )\n")
    assert "    policy ( RoutesFromExt && A );\n" in out
    assert "            import ( RoutesFromExt && A );\n" in out
    assert "( {" not in out and "&& {" not in out


def test_leaf_lists_print_in_brackets() -> None:
    _, out = brace_twin("set protocols bgp group g export LOOP\nset protocols bgp group g export LAN\n"
                        "set protocols bgp group g neighbor 192.0.2.1\n"
                        "set vlans v10 vlan-id 10\nset interfaces ae0 unit 0 family ethernet-switching vlan members v10\n"
                        "set interfaces ae0 unit 0 family ethernet-switching vlan members v20\n"
                        "set policy-options policy-statement p term t from community [ c1 c2 ]\n"
                        "set apply-groups [ g1 g2 ]\n")
    assert "export [ LOOP LAN ];" in out and "vlan members [ v10 v20 ];" in out
    assert "from community [ c1 c2 ];" in out and "apply-groups [ g1 g2 ];" in out
    assert "export {" not in out and "members {" not in out


def test_community_is_a_leaf_list_only_under_from() -> None:
    _, out = brace_twin("set snmp community public authorization read-only\nset snmp community private\n")
    assert "community public {" in out and "community private;" in out and "[" not in out


def test_a_single_value_of_a_leaf_list_prints_plain() -> None:
    _, out = brace_twin("set routing-instances r vrf-target import target:65000:1\n")
    assert "            import target:65000:1;\n" in out and "[" not in out


def test_bare_values_of_an_unknown_word_print_one_per_line() -> None:
    statements, out = brace_twin("set protocols bgp group g local-thing LOOP\nset protocols bgp group g local-thing LAN\n")
    assert "            local-thing LOOP;\n            local-thing LAN;\n" in out
    back = parse_text(out, "x.conf", "brace")
    assert back.statements == tuple(statements) and junos_shape_problems(back.statements) == []


def test_known_containers_of_values_stay_blocks() -> None:
    _, out = brace_twin("set system name-server 10.0.0.1\nset system name-server 10.0.0.2\n"
                        "set policy-options prefix-list pl 10.0.0.0/8\nset policy-options prefix-list pl 10.1.0.0/16\n")
    assert "    name-server {\n        10.0.0.1;\n        10.0.0.2;\n    }\n" in out
    assert "    prefix-list pl {\n        10.0.0.0/8;\n        10.1.0.0/16;\n    }\n" in out


def test_a_tag_on_one_leaf_list_value_keeps_its_meaning() -> None:
    statements, out = brace_twin("set a export x\nset a export y\ndeactivate a export y\n")
    assert "inactive: export y;" in out
    back = parse_text(out, "v.conf", "brace").statements
    assert [(s.path, s.inactive_at) for s in back] == [(s.path, s.inactive_at) for s in statements]


@pytest.mark.parametrize("path", SET_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_set_file_goes_to_brace_and_back(path: Path) -> None:
    parsed = parse_file(path)
    assert parsed.format == "set"
    brace = to_brace(parsed.statements)
    back = parse_text(brace, "twin.conf", "brace")
    assert back.diagnostics == ()
    assert display_statements(back.statements) == display_statements(tree_order(parsed.statements))
    assert junos_shape_problems(back.statements) == []
    assert to_brace(back.statements) == brace


def test_twenty_thousand_levels_print_without_recursion() -> None:
    depth = 20_000
    text = "set " + " ".join(f"n{i % 7}x" for i in range(depth)) + " leaf\n"
    started = time.perf_counter()
    parsed = parse_text(text, "deep.set", "set")
    out = to_brace(parsed.statements)
    assert time.perf_counter() - started < 10
    lines = out.splitlines()
    assert len(lines) == 2 * depth - 1 and lines[-1] == "}"
    assert max(len(line) - len(line.lstrip(" ")) for line in lines) == 4 * MAX_INDENT
    assert out.count("{") == out.count("}") == depth - 1


def test_deep_brace_text_prints_without_recursion() -> None:
    depth = 3_000  # the brace parser's own 20,000-level test lives with the parser
    parsed = parse_text("a {\n" * depth + "b;\n" + "}\n" * depth, "deep.conf", "brace")
    out = to_brace(parsed.statements)
    assert out.count("{") == depth and out.splitlines()[depth] == " " * 4 * MAX_INDENT + "b;"


# --- property: generated set text -> brace -> set -> brace ---------------------------------

NAMES = ["LOOP", "LAN", "a", "b-c", "10.0.0.1", "65000:1", "Zürich", "x y", "ge-0/0/0"]
HEADS = ["export", "import", "members", "apply-groups", "vrf-import", "description", "local-thing",
         "name-server", "services", "filter", "unit", "term", "community", "policy"]
PARENTS = ["protocols", "bgp", "group", "g", "from", "match", "then", "term", "t1", "system"]


@st.composite
def set_line(draw: st.DrawFn) -> str:
    prefix = draw(st.lists(st.sampled_from(PARENTS), min_size=1, max_size=4))
    head = draw(st.sampled_from(HEADS))
    if draw(st.integers(0, 4)) == 0:
        names = draw(st.lists(st.sampled_from(NAMES[:4]), min_size=1, max_size=3))
        tail = ["(", " && ".join(names), ")"]
        if draw(st.booleans()):
            tail = ["(", "!", names[0], ")"]
    else:
        tail = [quote(Word(draw(st.sampled_from(NAMES))))]
    path = f"{' '.join(prefix)} {head} {' '.join(tail)}"
    if draw(st.integers(0, 6)) == 0:
        return f"set {path}\ndeactivate {path}"
    return f"set {path}"


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(set_line(), min_size=1, max_size=12))
def test_generated_set_text_survives_brace_set_brace(lines: list[str]) -> None:
    parsed = parse_text("".join(line + "\n" for line in lines), "gen.set", "set")
    assert parsed.diagnostics == ()
    brace = to_brace(parsed.statements)
    back = parse_text(brace, "gen.conf", "brace")
    assert back.diagnostics == ()
    assert display_statements(back.statements) == display_statements(tree_order(parsed.statements))
    assert junos_shape_problems(back.statements) == []
    assert to_brace(back.statements) == brace  # fmt is idempotent
    as_set = parse_text(to_set(back.statements), "again.set", "set")
    assert as_set.statements == display_statements(back.statements)
    assert to_brace(as_set.statements) == brace
