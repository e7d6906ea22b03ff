"""Syntax errors: exact codes, positions and messages; parsing goes on after an error."""
from __future__ import annotations

import pytest

from flowc.compiler.diagnostics import Severity
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.parse.reporter import MAX_ERRORS


def errors(text: str, fmt: str = "auto") -> list[tuple[str, int, int]]:
    parsed = parse_text(text, "e.conf", fmt)  # type: ignore[arg-type]
    return [(d.code, d.span.line, d.span.column) for d in parsed.diagnostics]


CASES = [
    # (name, text, [(code, line, column)])
    ("the line end ends a statement, as in Junos", "system {\n    host-name r1\n    domain-name x;\n}\n", []),
    ("missing semicolon before a word", "system { host-name r1 [ a ] b; }\n", [("FC002", 1, 29)]),
    ("missing semicolon before brace", "system { host-name r1 }\n", [("FC002", 1, 22)]),
    ("missing semicolon at end of file", "version 1.2", [("FC002", 1, 12)]),
    ("close without open", "system { host-name r1; }\n}\n", [("FC003", 2, 1)]),
    ("unclosed brace names its line", "system {\n  ntp {\n    server 1.2.3.4;\n}\n", [("FC004", 1, 8)]),
    ("unterminated string", 'system {\n    host-name "r1;\n}\n', [("FC005", 2, 15)]),
    ("stray bracket", "system { name-server 1.2.3.4 ]; }\n", [("FC006", 1, 30)]),
    ("unclosed bracket", "system { name-server [ 1.2.3.4; }\n", [("FC006", 1, 22)]),
    ("brace without a name", "{ host-name r1; }\n", [("FC001", 1, 1)]),
    ("tag without a statement", "system { inactive: ; }\n", [("FC008", 1, 10)]),
    ("tag before a closing brace", "system { host-name r1; protect: }\n", [("FC008", 1, 24)]),
    ("unterminated comment", "system { /* no end\n host-name r1; }\n", [("FC010", 1, 10)]),
    ("unknown set command", "set system host-name r1\nfrobnicate system\n", [("FC007", 2, 1)]),
    ("brace in a set line", "set system {\n", [("FC001", 1, 12)]),
    ("nothing after a set list", "set a b [ c d ] e\n", [("FC001", 1, 17)]),
    ("insert without before/after", "set a b c\ninsert a b c d\n", [("FC012", 2, 1)]),
    ("insert of nothing", "set a t x\ninsert a t y before t x\n", [("FC012", 2, 1)]),
    ("unclosed list in set", "set a b [ c d\n", [("FC006", 1, 9)]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_code_and_position(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert errors(text) == expected


def test_unclosed_brace_points_back_at_its_opening_line() -> None:
    parsed = parse_text("interfaces {\n    cp-6/0/0 {\n        unit 0;\n}\n", "u.conf")
    (d,) = parsed.diagnostics
    assert d.code == "FC004" and "line 1" in d.message
    assert d.related and d.related[0].span.line == 5


def test_messages_read_like_a_person_wrote_them() -> None:
    parsed = parse_text("system {\n    host-name r1 }\n", "m.conf")
    (d,) = parsed.diagnostics
    assert d.message == "missing `;` after `r1`"
    assert str(d) == "m.conf:2:17: error FC002 missing `;` after `r1`"
    assert d.message == "missing `;` after `r1`"


def test_parsing_goes_on_after_errors() -> None:
    text = "system {\n    host-name r1 }\n    domain-name example.net;\n}\n}\nsnmp { location x; }\n"
    parsed = parse_text(text, "g.conf")
    assert [d.code for d in parsed.diagnostics] == ["FC002", "FC003", "FC003"]
    assert [str(s) for s in parsed.statements] == [
        "system host-name r1", "domain-name example.net", "snmp location x"]


def test_error_cap_then_one_too_many() -> None:
    text = "}\n" * (MAX_ERRORS + 20)
    parsed = parse_text(text, "cap.conf")
    codes = [d.code for d in parsed.diagnostics]
    assert codes.count("FC003") == MAX_ERRORS and codes.count("FC009") == 1


def test_set_form_warnings_are_not_errors() -> None:
    parsed = parse_text("set a b\ndeactivate x y\n", "w.set")
    (d,) = parsed.diagnostics
    assert (d.code, d.severity, d.span.line) == ("FC011", Severity.WARNING, 2)
    assert parsed.ok


def test_unterminated_string_drops_only_its_statement() -> None:
    parsed = parse_text('a { b "c;\n d e; }\n', "s.conf")
    assert [d.code for d in parsed.diagnostics] == ["FC005"]
    assert [str(s) for s in parsed.statements] == ["a d e"]


def test_unclosed_brace_guesses_where_the_close_is_missing() -> None:
    text = ("interfaces {\n    ge-0/0/0 {\n        unit 0;\n    ge-0/0/1 {\n        unit 1;\n    }\n}\n"
            "system {\n    host-name r1;\n}\n")
    (d,) = parse_text(text, "m.conf").diagnostics
    assert (d.code, d.span.line, d.span.column) == ("FC004", 1, 12)
    guess, end = d.related
    assert guess.span.line == 4 and "block opened at line 2" in guess.message
    assert end.span.line == 11


def test_flat_indentation_is_no_error() -> None:
    assert parse_text("interfaces {\nge-0/0/0 {\nunit 0;\n}\n}\n", "f.conf").diagnostics == ()
