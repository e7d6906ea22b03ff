"""Folding statements into the JSON-shaped document: what each schema kind folds to, where
each path was written, and the FC101/FC106/FC107 findings folding itself reports."""
from __future__ import annotations

import pytest

from flowc.compiler.document.fold import Document, fold, single_valued
from flowc.compiler.parse.loader import parse_text


def folded(text: str, name: str = "t.conf") -> Document:
    parsed = parse_text(text, name)
    assert parsed.diagnostics == (), [str(d) for d in parsed.diagnostics]
    return fold(parsed.statements)


def findings(document: Document) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.span.line, d.span.column, d.message) for d in document.diagnostics]


def test_only_validated_hierarchies_and_modelled_parts_are_folded() -> None:
    document = folded("protocols { ospf { area 0; } }\nsystem { host-name r1; }\n"
                      "interfaces { ge-0/0/0 { mtu 9000; } cp-6/0/0 { unit 0 { family inet; } } }\n")
    assert document.data == {"system": {"host-name": "r1"}, "interfaces": {"cp-6/0/0": {"unit": {"0": {"family": {"inet": {}}}}}}}
    assert document.diagnostics == []


def test_kinds_fold_to_values() -> None:
    document = folded("""\
chassis { redundancy { graceful-switchover; } fpc 6 { pic 0 { monitoring-services { application flow-collector; } } } }
class-of-service { schedulers { s1 { transmit-rate percent 10; } } }
services { flow-collector { retry 3; analyzer-id "7"; } }
""")
    assert document.get("chassis", "redundancy", "graceful-switchover") is True            # flag
    assert document.get("chassis", "fpc", "6", "pic", "0", "monitoring-services") == {"application": "flow-collector"}
    assert document.get("class-of-service", "schedulers", "s1", "transmit-rate") == ["percent", "10"]  # leaf-list
    assert document.get("services", "flow-collector", "retry") == 3                        # integer leaf
    assert document.get("services", "flow-collector", "analyzer-id") == "7"                # string leaf stays text


def test_several_leaves_on_one_line_and_the_optional_variant_word() -> None:
    document = folded("services { flow-collector { file-specification { variant 2 { transfer timeout 120 record-level 20000; } } "
                      "interface-map { file-specification { variant 2; } } } }\n")
    spec = ("services", "flow-collector", "file-specification", "2")
    assert document.get(*spec) == {"transfer": {"timeout": 120, "record-level": 20000}}
    assert document.variant_keys == {spec}
    assert document.get("services", "flow-collector", "interface-map", "file-specification") == "2"


def test_inactive_statements_are_left_out() -> None:
    document = folded("services { flow-collector { inactive: retry 3; retry-delay 5; } }\n")
    assert document.get("services", "flow-collector") == {"retry-delay": 5}


def test_get_and_span_of_absent_paths() -> None:
    document = folded("system { host-name r1; }\n")
    assert document.get("system", "host-name", "deeper") is None and document.get("nothing") is None
    assert document.span("system", "location") is None
    assert document.get() == document.data


def test_spans_keywords_and_values() -> None:
    document = folded("system {\n    host-name r1;\n}\nservices { flow-collector { retry 3; } }\n")
    assert [(s.line, s.column) for s in (document.span("system"), document.span("system", "host-name"))] == [(1, 1), (2, 15)]
    assert (document.keywords[("system", "host-name")].line, document.keywords[("system", "host-name")].column) == (2, 5)
    assert document.span("services", "flow-collector").column == 12


def test_a_missing_value_is_fc106_at_the_keyword() -> None:
    document = folded("services { flow-collector { transfer-log-archive { filename-prefix; } } }\n")
    assert findings(document) == [("FC106", 1, 52, "filename-prefix needs a value")]
    assert document.get("services", "flow-collector", "transfer-log-archive") == {}


def test_a_conflicting_value_is_fc107_and_the_last_one_wins() -> None:
    document = folded("services { flow-collector {\n    retry 3;\n    retry 5;\n    retry 5;\n} }\n")
    assert findings(document) == [("FC107", 3, 11, "retry is set twice (3 and 5); the last one wins")]
    assert document.get("services", "flow-collector", "retry") == 5
    assert document.span("services", "flow-collector", "retry").line == 3


def test_a_conflicting_secret_is_not_shown() -> None:
    document = folded('services { flow-collector { destinations { "ftp://u@h/" { password "hunter2"; password "swordfish"; } } } }\n')
    (message,) = [m for _, _, _, m in findings(document)]
    assert message == "password is set twice (******** and ********); the last one wins"
    assert "hunter2" not in message and "swordfish" not in message


@pytest.mark.parametrize(("text", "message", "hint"), [
    ("services { flow-collector { rety 3; } }", "unknown statement rety in [edit services flow-collector]",
     "did you mean retry?"),
    ("services { flow-collector { frobnicate 1; } }", "unknown statement frobnicate in [edit services flow-collector]",
     "statements allowed here: analyzer-address, analyzer-id, destinations, file-specification, interface-map, "
     "retry, retry-delay, transfer-log-archive"),
])
def test_unknown_statement_in_a_closed_block(text: str, message: str, hint: str) -> None:
    (diagnostic,) = folded(text + "\n").diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.hint) == ("FC101", message, hint)
    assert diagnostic.span.column == 29


def test_open_blocks_ignore_unmodelled_statements() -> None:
    document = folded("interfaces { cp-6/0/0 { mtu 9000; unit 0 { family inet { mtu 1500; } } } }\n")
    assert document.diagnostics == []
    assert document.get("interfaces", "cp-6/0/0") == {"unit": {"0": {"family": {"inet": {}}}}}


def test_a_misspelt_keyword_in_interface_map_is_not_an_input_but_an_interface_name_is() -> None:
    document = folded("services { flow-collector { interface-map { colector cp-6/0/0; mo-7/1/0.0 { collector cp-6/0/0; } } } }\n")
    assert [d.code for d in document.diagnostics] == ["FC101"]
    assert document.get("services", "flow-collector", "interface-map") == {"mo-7/1/0.0": {"collector": "cp-6/0/0"}}


@pytest.mark.parametrize(("path", "single"), [
    (("services", "flow-collector", "retry"), True),
    (("services", "flow-collector", "destinations", "ftp://h/", "password"), True),
    (("services", "flow-collector", "file-specification", "variant", "1", "name-format"), True),
    (("services", "flow-collector", "file-specification", "1", "transfer", "timeout"), True),
    (("chassis", "redundancy", "graceful-switchover"), False),      # a flag
    (("class-of-service", "schedulers", "s1", "transmit-rate"), False),  # a leaf-list
    (("services", "flow-collector"), False),                       # a container
    (("services", "flow-collector", "retry", "3", "retry-delay"), True),  # a second leaf on the line
    (("protocols", "ospf", "area"), None),                         # not a validated hierarchy
    (("services", "flow-collector", "nonsense"), None),
    ((), None),
])
def test_single_valued(path: tuple[str, ...], single: bool | None) -> None:
    assert single_valued(path) is single
