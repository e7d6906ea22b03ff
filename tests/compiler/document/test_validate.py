"""Validating folded documents against the schemas: each kind of schema error becomes its
FC102..FC105 diagnostic, with the message and the word it is located at."""
from __future__ import annotations

import re
from typing import Any

import pytest

from flowc.compiler.document.fold import fold
from flowc.compiler.document.schema import ALWAYS_IGNORED, SCHEMA_FILES, Node, roots, validate
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.source import NO_SPAN, Span

FC = ("services", "flow-collector")


def errors(text: str) -> list[tuple[str, int, int, str, str]]:
    document = fold(parse_text(text, "v.conf").statements)
    assert document.diagnostics == []
    found = [d for name, data in document.data.items()
             for d in validate(roots()[name], data, document.spans, document.keywords)]
    return [(d.code, d.span.line, d.span.column, d.message, d.hint) for d in found]


def fc(body: str) -> str:
    return "services {\n    flow-collector {\n        " + body + "\n    }\n}\n"


@pytest.mark.parametrize(("body", "expected"), [
    ("retry 11;", ("FC103", 3, 15, "retry 11 is out of range 0..10", "use a value from 0 to 10")),
    ("retry-delay 61;", ("FC103", 3, 21, "retry-delay 61 is out of range 0..60 seconds", "use a value from 0 to 60")),
    ("retry many;", ("FC102", 3, 15, "retry many is not a number", "")),
    ("analyzer-id \"\";", ("FC103", 3, 21, "analyzer-id must be 1..64 characters long (it has 0)", "")),
    ("analyzer-address 10.10.10;", ("FC102", 3, 26, "analyzer-address 10.10.10 is not an IPv4 address",
                                    "an IPv4 address such as 10.10.10.1")),
    ("transfer-log-archive { filename-prefix a/b; }",
     ("FC102", 3, 48, "filename-prefix 'a/b' is not valid: Filename prefix is a string consisting of up to 32 "
                      "letters, numbers, dashes, points and underscores", "")),
    ("file-specification { f { data-format flow-compresed; } }",
     ("FC104", 3, 46, "data-format flow-compresed is not one of: flow-compressed; did you mean flow-compressed?",
      "use one of: flow-compressed")),
])
def test_schema_errors_become_located_diagnostics(body: str, expected: tuple[Any, ...]) -> None:
    assert errors(fc(body)) == [expected]


def test_too_many_entries_point_at_the_first_one_too_many() -> None:
    body = ('destinations {\n'
            '            "ftp://a@192.0.2.1/" { password "$9$ReqcyKY2aHqf"; }\n'
            '            "ftp://b@192.0.2.2/" { password "$9$ReqcyKY2aHqf"; }\n'
            '            "ftp://c@192.0.2.3/" { password "$9$ReqcyKY2aHqf"; }\n'
            '        }')
    assert errors(fc(body)) == [(
        "FC105", 6, 13, "destinations has 3 entries; at most 2 destinations: the first is primary, the second secondary",
        "remove destinations ftp://c@192.0.2.3/ (and any after it)")]


def test_a_non_numeric_key_is_located_at_the_key() -> None:
    assert [e[:3] + (e[3],) for e in errors("chassis {\n    fpc six { pic 0; }\n}\n")] == [
        ("FC102", 2, 9, "fpc six is not a number")]


def test_valid_documents_give_nothing() -> None:
    assert errors(fc("retry 10; retry-delay 0; analyzer-address 192.0.2.1; analyzer-id x;")) == []


def test_an_error_without_an_indexed_path_falls_back_to_the_nearest_ancestor() -> None:
    root = roots()["services"]
    here = Span("v.conf", 2, 5, 2, 19)
    (found,) = validate(root, {"flow-collector": {"retry": 11}}, {FC: here}, {})
    assert (found.code, found.span) == ("FC103", here)
    (nowhere,) = validate(root, {"flow-collector": {"retry": 11}}, {}, {})
    assert nowhere.span == NO_SPAN


def test_roots_are_the_schema_files_first_words() -> None:
    assert len(roots()) == len(SCHEMA_FILES)
    assert set(roots()) == {"services", "system", "chassis", "interfaces", "forwarding-options", "firewall",
                            "class-of-service"}
    assert "apply-groups" in ALWAYS_IGNORED


def test_a_word_selects_a_keyword_first_then_a_pattern_then_any_entry() -> None:
    keyword, entry, pattern = Node("leaf", {}), Node("container", {}), Node("container", {})
    node = Node("container", {}, properties={"unit": keyword}, patterns=[(re.compile("^cp-"), pattern)], entry=entry)
    assert node.child("unit") == (keyword, True)
    assert node.child("cp-6/0/0") == (pattern, False)
    assert node.child("ge-0/0/0") == (entry, False)
    assert Node("container", {}).child("x") is None


def test_interfaces_fold_cp_and_mo_through_the_pattern() -> None:
    interfaces = roots()["interfaces"].node
    assert interfaces.open
    assert interfaces.child("cp-6/0/0") is not None and interfaces.child("mo-7/1/0") is not None
    assert interfaces.child("ge-0/0/0") is None
