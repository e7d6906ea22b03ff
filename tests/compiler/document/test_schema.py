"""Schemas, folding and the mapping of schema errors to the exact words."""
from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from flowc.compiler.document.fold import fold
from flowc.compiler.document.schema import roots, schema_documents
from flowc.compiler.ir import model as ir
from flowc.compiler.lint.check import check_text
from flowc.compiler.parse.loader import parse_text

KINDS = {"container", "named", "leaf", "flag", "leaf-list", "words"}


def _nodes(schema: Any) -> list[dict[str, Any]]:
    out = []
    if isinstance(schema, dict):
        if "x-flowc-kind" in schema:
            out.append(schema)
        for value in schema.values():
            out.extend(_nodes(value))
    elif isinstance(schema, list):
        for value in schema:
            out.extend(_nodes(value))
    return out


def _codes(text: str, name: str = "t.conf") -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in check_text(text, name).diagnostics]


def test_schema_files_are_valid_draft_2020_12_with_known_kinds() -> None:
    documents = schema_documents()
    assert set(documents) == {"services", "system", "chassis", "interfaces", "forwarding-options",
                              "firewall", "class-of-service"}
    for document in documents.values():
        Draft202012Validator.check_schema(document)
        assert document["$schema"].endswith("2020-12/schema")
        for node in _nodes(document):
            assert node["x-flowc-kind"] in KINDS


def test_schema_defaults_match_the_ir_defaults() -> None:
    fc = schema_documents()["services"]["properties"]["flow-collector"]["properties"]
    spec = fc["file-specification"]["additionalProperties"]["properties"]["transfer"]["properties"]
    assert fc["retry"]["default"] == ir.DEFAULT_RETRY == 0
    assert fc["retry-delay"]["default"] == ir.DEFAULT_RETRY_DELAY == 0
    assert spec["record-level"]["default"] == ir.DEFAULT_RECORD_LEVEL == 500_000
    assert spec["timeout"]["default"] == ir.DEFAULT_TIMEOUT == 600
    assert fc["transfer-log-archive"]["properties"]["maximum-age"]["default"] == ir.DEFAULT_MAXIMUM_AGE == 120


def test_validators_are_compiled_once() -> None:
    assert roots() is roots()


def _ir(text: str) -> ir.FlowCollectorConfig:
    result = check_text(text)
    assert result.files[0].ir is not None
    return result.files[0].ir


def test_transfer_block_and_one_liner_fold_alike() -> None:
    block = _ir('services { flow-collector { file-specification { variant 1 { transfer { record-level 20000; timeout 120; } } } } }')
    line = _ir('services { flow-collector { file-specification { variant 1 { transfer timeout 120 record-level 20000; } } } }')
    assert block.collector == line.collector
    spec = line.collector.file_specs[0] if line.collector else None
    assert spec is not None and (spec.record_level, spec.timeout, spec.variant) == (20000, 120, True)


def test_variant_and_named_file_specifications() -> None:
    named = _ir('services { flow-collector { file-specification { daily { name-format "d-%N"; } } '
                'interface-map { file-specification daily; } } }')
    variant = _ir('services { flow-collector { file-specification { variant 7 { name-format "d-%N"; } } '
                  'interface-map { file-specification { variant 7; } } } }')
    assert named.collector and variant.collector
    assert named.collector.file_specs[0].name == "daily" and not named.collector.file_specs[0].variant
    assert variant.collector.file_specs[0].name == "7" and variant.collector.file_specs[0].variant
    assert variant.collector.interface_map and variant.collector.interface_map.file_spec == "7"


def test_defaults_applied_in_the_ir() -> None:
    config = _ir('services { flow-collector { file-specification { a { name-format "x-%N"; } } '
                 'transfer-log-archive { filename-prefix p; } } }')
    fc = config.collector
    assert fc is not None and fc.transfer_log_archive is not None
    assert (fc.retry, fc.retry_delay) == (0, 0)
    assert (fc.file_specs[0].record_level, fc.file_specs[0].timeout) == (500_000, 600)
    assert fc.file_specs[0].data_format == "flow-compressed"
    assert fc.transfer_log_archive.maximum_age == 120


UNMODELLED = """
system { host-name r1; login { user a { class super-user; } } ntp { server 192.0.2.1; } }
chassis { aggregated-devices { ethernet { device-count 4; } } fpc 0 { pic 0 { tunnel-services; } } }
interfaces {
    ge-0/0/0 { unit 0 { family inet { address 192.0.2.1/24; } family iso; } }
    cp-6/0/0 { traceoptions { flag all; } unit 0 { family inet { sampling { input; } } } }
    mo-7/1/0 { multiservice-options { syslog; } unit 0 { family inet { filter { group 3; } } } }
}
class-of-service {
    classifiers { dscp c1 { forwarding-class best-effort { loss-priority low code-points 000000; } } }
    interfaces { ge-0/0/0 { unit 0 { classifiers { dscp c1; } } } cp-6/0/0 { unit 0 { shaping-rate 10m; } } }
    schedulers { s1 { buffer-size percent 10; priority high; } }
}
protocols { bgp { group ibgp { neighbor 192.0.2.2; } } ospf { area 0 { interface ge-0/0/0.0; } } }
policy-options { policy-statement p { then accept; } }
routing-instances { fbf { instance-type forwarding; } }
firewall { family inet { filter f { term t { from { protocol tcp; } then { count c; accept; } } } } }
forwarding-options { sampling { input { rate 100; } } monitoring g { family inet { input { rate 1; } } } }
snmp { community public { authorization read-only; } }
"""


def test_unmodelled_statements_are_never_findings() -> None:
    assert _codes(UNMODELLED) == []


def test_a_config_without_flow_collector_has_no_findings_in_either_form() -> None:
    set_text = "\n".join(f"set {s}" for s in parse_text(UNMODELLED, "u.conf").statements)
    assert _codes(set_text, "u.set") == []


def test_inactive_statements_are_not_validated() -> None:
    assert _codes("services { flow-collector { inactive: retry 11; retry 2; } }\n") \
        == [("FC204", 1, 12), ("FC265", 1, 12), ("FC266", 1, 12)]
    assert _codes("set services flow-collector retry 11\ndeactivate services flow-collector retry\n", "a.set") == []
    assert _codes("set services flow-collector analyzer-id a\nset services flow-collector retry 11\n"
                  "deactivate services flow-collector retry\n", "a.set") \
        == [("FC204", 1, 14), ("FC265", 1, 14), ("FC266", 1, 14)]


def test_unknown_statement_points_at_the_word_with_a_suggestion() -> None:
    result = check_text("services {\n    flow-collector {\n        transfer-log-archive {\n"
                        "            maximum-ages 30;\n        }\n    }\n}\n")
    (finding,) = [d for d in result.diagnostics if d.code == "FC101"]
    assert (finding.span.line, finding.span.column, finding.span.end_column) == (4, 13, 25)
    assert finding.hint == "did you mean maximum-age?"
    assert "[edit services flow-collector transfer-log-archive]" in finding.message


def test_misspelt_keyword_inside_interface_map_is_not_an_input() -> None:
    result = check_text("services { flow-collector { interface-map { colector cp-6/0/0; } } }")
    unknown = [d for d in result.diagnostics if d.code == "FC101"]
    assert [d.hint for d in unknown] == ["did you mean collector?"]
    assert result.files[0].ir and result.files[0].ir.collector and result.files[0].ir.collector.interface_map
    assert result.files[0].ir.collector.interface_map.entries == ()


def test_non_numeric_fpc_is_a_type_error_at_the_key() -> None:
    result = check_text("chassis {\n    fpc six {\n        pic 0 { monitoring-services { application monitor; } }\n    }\n}\n")
    assert [(d.code, d.span.line, d.span.column) for d in result.diagnostics] == [("FC102", 2, 9)]


@pytest.mark.parametrize(
    ("statement", "code", "word"),
    [
        ("set services flow-collector retry-delay 61", "FC103", "61"),
        ("set services flow-collector analyzer-address 300.1.1.1", "FC102", "300.1.1.1"),
        ("set services flow-collector transfer-log-archive filename-prefix a/b", "FC102", "a/b"),
        ("set services flow-collector file-specification x data-format raw", "FC104", "raw"),
        ("set forwarding-options monitoring g family inet output interface mo-1/0/0.0 engine-type x", "FC102", " x"),
        ("set chassis fpc 1 pic 0 monitoring-services application collector", "FC104", "collector"),
        ("set services flow-collector retry", "FC106", "retry"),
        ("set services flow-collector destinations ftp://h/ passwd x", "FC101", "passwd"),
    ],
)
def test_set_form_errors_point_at_the_exact_word(statement: str, code: str, word: str) -> None:
    column = statement.rindex(word.strip()) + 1
    found = [(d.code, d.span.line, d.span.column) for d in check_text(statement + "\n", "x.set").diagnostics
             if d.code.startswith("FC1")]
    assert found == [(code, 1, column)]


def test_span_index_covers_keys_and_values() -> None:
    parsed = parse_text('set services flow-collector destinations "ftp://u@h/" password "$9$ReqcyKY2aHqf"\n',
                        "s.set")
    document = fold(parsed.statements)
    key = ("services", "flow-collector", "destinations", "ftp://u@h/")
    assert document.spans[key].column == 42
    assert document.spans[(*key, "password")].column == 64
    assert document.keywords[(*key, "password")].column == 55
