"""Set form: commands applied in order, as `load set` does."""
from __future__ import annotations

from flowc.compiler.parse.loader import parse_text


def apply(*lines: str):
    parsed = parse_text("".join(line + "\n" for line in lines), "c.set", "set")
    return parsed


def paths(*lines: str) -> list[str]:
    return [str(s) for s in apply(*lines).statements]


def test_set_keeps_first_occurrence_order_and_drops_duplicates() -> None:
    assert paths("set b x", "set a y", "set b x", "set a z") == ["b x", "a y", "a z"]


def test_a_later_set_of_a_leaf_keeps_both_lines() -> None:
    assert paths("set system host-name r1", "set system host-name r2") == \
        ["system host-name r1", "system host-name r2"]


def test_delete_removes_everything_at_or_under_the_path() -> None:
    assert paths("set i a unit 0", "set i a unit 1", "set i b unit 0", "delete i a", "set i a mtu 1") == \
        ["i b unit 0", "i a mtu 1"]
    assert paths("set a b", "set c d", "delete") == []
    assert apply("delete x y").diagnostics == ()  # deleting what is not there is silent


def test_deactivate_marks_the_path_and_what_comes_later_under_it() -> None:
    parsed = apply("set i a unit 0", "deactivate i a", "set i a unit 1", "set i b unit 0")
    assert [(str(s), s.inactive_at) for s in parsed.statements] == \
        [("i a unit 0", 2), ("i a unit 1", 2), ("i b unit 0", 0)]


def test_outermost_deactivation_wins_and_activate_restores_the_inner_one() -> None:
    parsed = apply("set i a unit 0 family inet", "deactivate i a unit 0", "deactivate i a")
    assert parsed.statements[0].inactive_at == 2
    parsed = apply("set i a unit 0 family inet", "deactivate i a unit 0", "deactivate i a", "activate i a")
    assert parsed.statements[0].inactive_at == 4


def test_protect_and_unprotect() -> None:
    parsed = apply("set system host-name r1", "protect system", "set system location x")
    assert [(s.protected, s.protected_at) for s in parsed.statements] == [(True, 1), (True, 1)]
    parsed = apply("set system host-name r1", "protect system", "unprotect system")
    assert not parsed.statements[0].protected


def test_annotate_attaches_a_comment_and_replaces_an_older_one() -> None:
    parsed = apply("set interfaces a unit 0", 'annotate interfaces "first"', 'annotate interfaces "inputs"')
    (st,) = parsed.statements
    assert [(c.text, c.depth, c.body) for c in st.comments] == [("/* inputs */", 1, "inputs")]


def test_insert_moves_entries_before_or_after_another() -> None:
    lines = ["set p s term a then accept", "set p s term b then reject", "set p s term c from x",
             "set p s term c then accept"]
    assert paths(*lines, "insert p s term c before term a")[:2] == ["p s term c from x", "p s term c then accept"]
    assert paths(*lines, "insert p s term a after term b") == [
        "p s term b then reject", "p s term a then accept", "p s term c from x", "p s term c then accept"]
    assert paths("set g import [ p1 p2 p3 ]", "insert g import p3 before p1") == \
        ["g import p3", "g import p1", "g import p2"]


def test_lists_expand_to_one_statement_per_value() -> None:
    parsed = apply("set policy-options community c members [ 1:1 2:2 ]")
    assert [(str(s), s.listed) for s in parsed.statements] == [
        ("policy-options community c members 1:1", True), ("policy-options community c members 2:2", True)]


def test_comments_attach_to_the_next_statement_or_trail_their_line() -> None:
    parsed = apply("# before", "set a b # after", "/* block */", "set c d")
    first, second = parsed.statements
    assert [(c.text, c.position) for c in first.comments] == [("# before", "before"), ("# after", "after")]
    assert [(c.text, c.position) for c in second.comments] == [("/* block */", "before")]


def test_statement_span_is_its_own_line_even_when_words_are_shared() -> None:
    first, second = apply("set interfaces cp-6/0/0 unit 0", "set interfaces cp-6/0/0 unit 1").statements
    assert second.words[1] is first.words[1]            # shared prefix, first written on line 1
    assert (second.span.line, second.span.column, second.span.end_column) == (2, 5, 31)
    assert second.words[-1].span.line == 2


def test_edit_top_up_and_exit_move_the_level() -> None:
    parsed = apply("edit interfaces cp-6/0/0", "set unit 0 family inet", "edit unit 2", "set family inet",
                   "up", "set unit 1", "top", "edit services flow-collector", "set retry 3", "deactivate retry",
                   "top set system host-name r1", "set retry-delay 30", "exit", "set snmp location x")
    assert parsed.format == "set" and parsed.diagnostics == ()
    assert [(str(s), s.inactive_at) for s in parsed.statements] == [
        ("interfaces cp-6/0/0 unit 0 family inet", 0), ("interfaces cp-6/0/0 unit 2 family inet", 0),
        ("interfaces cp-6/0/0 unit 1", 0), ("services flow-collector retry 3", 3), ("system host-name r1", 0),
        ("services flow-collector retry-delay 30", 0), ("snmp location x", 0)]
    assert parsed.statements[1].span.line == 4  # the set line, not the edit line
