"""interface-map rules (FC201..FC204): their YAML cases, and the checks on hand-built IR."""
from __future__ import annotations

from flowc.compiler.ir.model import FileSpec, FlowCollector, FlowCollectorConfig, InterfaceMap, MapEntry
from flowc.compiler.rules.interface_map import missing, no_collector, no_file_spec, unknown_file_spec
from flowc.compiler.source import Span

from .casetests import test_fails, test_passes  # noqa: F401 (collected here, with this module's cases)

RULE_CASES = ("interface_map",)


def at(line: int) -> Span:
    return Span("t.conf", line, 1, line, 2)


def config(imap: InterfaceMap | None, *specs: str) -> FlowCollectorConfig:
    collector = FlowCollector(file_specs=tuple(FileSpec(name) for name in specs), interface_map=imap, span=at(1))
    return FlowCollectorConfig(collector=collector)


def test_unknown_file_spec_names_the_owner_and_the_defined_ones() -> None:
    imap = InterfaceMap(collector="cp-6/0/0", file_spec="9", file_spec_span=at(2), entries=(
        MapEntry("mo-7/1/0.0", file_spec="1", span=at(3)),
        MapEntry("mo-7/2/0.0", file_spec="3", span=at(4), file_spec_span=at(5)),
    ))
    found = list(unknown_file_spec.check(config(imap, "2", "1")))
    assert [(f.span.line, f.message, f.hint) for f in found] == [
        (2, "file-specification 9 (the default) is not defined", "defined file specifications: 1, 2"),
        (5, "file-specification 3 (mo-7/2/0.0) is not defined", "defined file specifications: 1, 2"),
    ]


def test_unknown_file_spec_with_none_defined_says_none() -> None:
    found = list(unknown_file_spec.check(config(InterfaceMap(file_spec="1", span=at(2)))))
    assert [(f.span.line, f.hint) for f in found] == [(2, "defined file specifications: none")]


def test_no_collector_without_default_reports_each_bare_entry() -> None:
    imap = InterfaceMap(file_spec="1", entries=(
        MapEntry("mo-7/1/0.0", span=at(3)), MapEntry("mo-7/2/0.0", collector="cp-6/0/0", span=at(4)),
    ))
    found = list(no_collector.check(config(imap, "1")))
    assert [(f.span.line, f.message) for f in found] == [
        (3, "input mo-7/1/0.0 has no collector and there is no default")]


def test_a_default_collector_covers_every_entry() -> None:
    imap = InterfaceMap(collector="cp-6/0/0", entries=(MapEntry("mo-7/1/0.0", span=at(3)),))
    assert list(no_collector.check(config(imap))) == []


def test_an_empty_map_names_no_file_specification() -> None:
    found = list(no_file_spec.check(config(InterfaceMap(collector="cp-6/0/0", span=at(2)))))
    assert [(f.span.line, f.message) for f in found] == [(2, "interface-map names no file specification")]


def test_missing_interface_map_only_under_a_flow_collector() -> None:
    assert [f.message for f in missing.check(config(None))] == ["services flow-collector has no interface-map"]
    assert list(missing.check(FlowCollectorConfig())) == []
    assert list(missing.check(config(InterfaceMap()))) == []
