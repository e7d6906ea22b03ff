"""A tag on a leaf and its values means the same read from brace or set text: `display set`
names the leaf (`deactivate system host-name`), brace prints it on the one-liner (`inactive:
host-name r1;`), a tag on one value of a leaf-list stays on that value, and `deactivate P
[ a b ]` tags each value."""
from __future__ import annotations

import pytest

from flowc.compiler.document.junosstatements import display_statements
from flowc.compiler.fmt.printer import to_brace, to_set
from flowc.compiler.parse.blocktree import tree_order
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.parse.statements import Statement


def parsed(text: str, fmt: str = "set") -> tuple[Statement, ...]:
    result = parse_text(text, "t.set" if fmt == "set" else "t.conf", fmt)
    assert result.diagnostics == ()
    return result.statements


def tags(statements: tuple[Statement, ...]) -> list[tuple[str, int]]:
    return [(" ".join(s.path), s.inactive_at) for s in display_statements(statements)]


def assert_round_trips(set_text: str) -> str:
    """set -> brace -> set -> brace: the display statements and the brace text agree."""
    statements = parsed(set_text)
    brace = to_brace(statements)
    back = parsed(brace, "brace")
    assert tags(back) == tags(tree_order(statements))
    again = parsed(to_set(back))
    assert again == display_statements(back)
    assert to_brace(again) == brace
    return brace


@pytest.mark.parametrize("text", [
    "set system host-name r1\ndeactivate system host-name r1\n",
    "set system host-name r1\ndeactivate system host-name\n",
])
def test_a_tag_on_a_leaf_names_the_leaf(text: str) -> None:
    assert tags(parsed(text)) == [("system host-name r1", 2)]
    assert to_set(parsed(text)).endswith("deactivate system host-name\n")
    assert assert_round_trips(text) == "system {\n    inactive: host-name r1;\n}\n"


def test_brace_one_liner_reads_as_its_set_twin() -> None:
    brace = parsed("system {\n    inactive: host-name r1;\n    protect: domain-name example.net;\n}\n", "brace")
    assert tags(brace) == [("system host-name r1", 2), ("system domain-name example.net", 0)]
    assert [s.protected_at for s in display_statements(brace)] == [0, 2]
    assert to_set(brace) == ("set system host-name r1\ndeactivate system host-name\n"
                             "set system domain-name example.net\nprotect system domain-name\n")


def test_policy_words_of_a_leaf_list_keep_the_tag_on_the_leaf() -> None:
    text = ("set protocols export LOOP\ndeactivate protocols export LOOP\n"
            "set protocols apply-groups ( LOOP )\ndeactivate protocols apply-groups ( LOOP )\n")
    assert ("protocols apply-groups ( LOOP )", 2) in tags(parsed(text))
    assert "    inactive: apply-groups ( LOOP );\n" in assert_round_trips(text)


def test_a_tag_on_one_value_of_a_leaf_list_stays_on_it() -> None:
    text = "set protocols apply-groups a\nset protocols apply-groups b\ndeactivate protocols apply-groups b\n"
    assert tags(parsed(text)) == [("protocols apply-groups a", 0), ("protocols apply-groups b", 3)]
    brace = assert_round_trips(text)
    assert "    apply-groups a;\n    inactive: apply-groups b;\n" in brace
    assert tags(parsed(brace, "brace")) == tags(parsed(text))
    assert "deactivate protocols apply-groups b\n" in to_set(parsed(brace, "brace"))


def test_a_tag_on_every_value_of_a_leaf_list_names_the_list() -> None:
    text = "set system domain-search [ a b ]\ndeactivate system domain-search [ a b ]\n"
    assert tags(parsed(text)) == [("system domain-search a", 2), ("system domain-search b", 2)]
    assert "    inactive: domain-search [ a b ];\n" in assert_round_trips(text)


@pytest.mark.parametrize(("verb", "undo", "attribute"), [("deactivate", "activate", "inactive_at"),
                                                         ("protect", "unprotect", "protected_at")])
def test_a_set_list_after_a_tag_command_tags_each_value(verb: str, undo: str, attribute: str) -> None:
    statements = parsed(f"set protocols apply-groups [ LOOP X ]\n{verb} protocols apply-groups [ LOOP X ]\n")
    assert [getattr(s, attribute) for s in statements] == [3, 3]
    undone = parsed(f"set protocols apply-groups [ LOOP X ]\n{verb} protocols apply-groups [ LOOP X ]\n"
                    f"{undo} protocols apply-groups [ X ]\n")
    assert [getattr(s, attribute) for s in undone] == [3, 0]
