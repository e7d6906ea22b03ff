"""Shared rule queries (which interfaces are collectors and inputs), the rule decorator,
the `at` span fallback and the registry lookup."""
from __future__ import annotations

from flowc.compiler.diagnostics import Severity
from flowc.compiler.ir.model import FlowCollector, FlowCollectorConfig, Interface, InterfaceMap, MapEntry
from flowc.compiler.rules.queries import collector_interfaces, collector_refs, collectors, entries, span_or
from flowc.compiler.rules.registry import BY_NAME, LINT, REGISTRY, SEMANTIC, STRUCTURE, lookup
from flowc.compiler.rules.rule import Finding, at, rule
from flowc.compiler.source import NO_SPAN, Span


def at_line(line: int) -> Span:
    return Span("t.conf", line, 1, line, 2)


IMAP = InterfaceMap(collector="cp-6/0/0", span=at_line(1), collector_span=at_line(2), entries=(
    MapEntry("mo-7/1/0.0", collector="cp-7/0/0", span=at_line(3)),            # no word span: the entry's
    MapEntry("mo-7/2/0.0", span=at_line(5)),                                   # default collector
    MapEntry("mo-7/3/0.0", collector="cp-6/0/0", span=at_line(6), collector_span=at_line(7)),
))
CONFIG = FlowCollectorConfig(collector=FlowCollector(interface_map=IMAP),
                             interfaces=(Interface("cp-9/0/0"), Interface("mo-7/1/0"), Interface("cp-8/0/0")))


def test_collector_refs_default_first_then_entries_with_their_spans() -> None:
    assert [(name, span.line) for name, span in collector_refs(CONFIG)] == [
        ("cp-6/0/0", 2), ("cp-7/0/0", 3), ("cp-6/0/0", 7)]


def test_collectors_keep_the_first_reference() -> None:
    assert {name: span.line for name, span in collectors(CONFIG).items()} == {"cp-6/0/0": 2, "cp-7/0/0": 3}


def test_collector_interfaces_are_referenced_cp_names_else_every_configured_cp() -> None:
    assert collector_interfaces(CONFIG) == ["cp-6/0/0", "cp-7/0/0"]
    unreferenced = FlowCollectorConfig(collector=FlowCollector(interface_map=InterfaceMap(collector="mo-1/0/0")),
                                       interfaces=CONFIG.interfaces)
    assert collector_interfaces(unreferenced) == ["cp-9/0/0", "cp-8/0/0"]


def test_no_flow_collector_means_no_references_or_entries() -> None:
    empty = FlowCollectorConfig()
    assert list(collector_refs(empty)) == [] and entries(empty) == ()
    assert entries(CONFIG) == IMAP.entries


def test_span_fallbacks() -> None:
    assert span_or(None, at_line(9)) == at_line(9)
    assert span_or(NO_SPAN, at_line(9)) == at_line(9)
    assert span_or(at_line(1), at_line(9)) == at_line(1)
    assert at(None) == NO_SPAN and at(NO_SPAN, at_line(4)) == at_line(4) and at(at_line(2), at_line(4)) == at_line(2)


def test_rule_decorator_keeps_the_docstring_as_documentation() -> None:
    @rule("FC999", "test.example", Severity.INFO)
    def example(config: FlowCollectorConfig):  # type: ignore[no-untyped-def]
        """Summary line.

        Bad:
            x;
        Good:
            y;
        """
        yield Finding(NO_SPAN, "found")

    assert (example.code, example.name, example.severity, example.always) == ("FC999", "test.example", Severity.INFO, False)
    assert example.summary == "Summary line."
    assert example.documentation.splitlines()[2:] == ["Bad:", "    x;", "Good:", "    y;"]
    assert example.check is not None and [f.message for f in example.check(CONFIG)] == ["found"]


def test_lookup_by_code_in_any_case_or_by_name() -> None:
    assert lookup("fc201") is REGISTRY["FC201"]
    assert lookup("interface-map.unknown-file-spec") is REGISTRY["FC201"]
    assert lookup("FC999") is None and lookup("no.such-rule") is None


def test_registry_is_structure_then_semantic_then_lint_without_duplicates() -> None:
    codes = [r.code for r in (*STRUCTURE, *SEMANTIC, *LINT)]
    assert list(REGISTRY) == codes and len(set(codes)) == len(codes)
    assert len(BY_NAME) == len(REGISTRY)
    assert all(r.check is not None for r in SEMANTIC) and all(r.check is None for r in LINT)
