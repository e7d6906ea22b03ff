"""File specification rules (FC250..FC254): their YAML cases, the name-format macro reader,
and the checks on hand-built IR."""
from __future__ import annotations

import pytest

from flowc.compiler.ir.model import FileSpec, FlowCollector, FlowCollectorConfig, InterfaceMap, MapEntry
from flowc.compiler.rules.files import macros, no_name_format, not_unique, unknown_macro, unsafe_macro, unused
from flowc.compiler.source import Span

from .casetests import test_fails, test_passes  # noqa: F401 (collected here, with this module's cases)

RULE_CASES = ("files",)


SPEC_AT = Span("t.conf", 5, 1, 5, 2)
FORMAT_AT = Span("t.conf", 6, 9, 6, 20)


def with_formats(*formats: str | None, imap: InterfaceMap | None = None) -> FlowCollectorConfig:
    specs = tuple(FileSpec(str(n), name_format=f, span=SPEC_AT, name_format_span=FORMAT_AT if f else None)
                  for n, f in enumerate(formats, 1))
    return FlowCollectorConfig(collector=FlowCollector(file_specs=specs, interface_map=imap))


def messages(rule, config: FlowCollectorConfig) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.message for f in rule.check(config)]


def test_macros_in_order_with_braced_percent_as_percent() -> None:
    assert macros("cFlowd-{%D}_%T-{ifalias}-{generation number}%%.gz") == [
        "%D", "%T", "{ifalias}", "{generation number}", "%%"]
    assert macros("plain.gz") == []


@pytest.mark.parametrize("name_format", ["f-%N.gz", "f-%T.gz", "f-{time}.gz", "f-{generation number}.gz",
                                         "f-{%N}.gz", "f-%s.gz"])
def test_a_unique_macro_makes_names_unique(name_format: str) -> None:
    assert messages(not_unique, with_formats(name_format)) == []


@pytest.mark.parametrize("name_format", ["f-%D.gz", "f-{date}-{ifalias}.gz", "f.gz"])
def test_without_a_unique_macro_names_repeat(name_format: str) -> None:
    found = list(not_unique.check(with_formats(name_format)))
    assert [(f.span, f.message) for f in found] == [
        (FORMAT_AT, "name-format of file-specification 1 cannot produce unique names")]


@pytest.mark.parametrize(("name_format", "problem"), [
    ("a/b-%N", "`/` in a file name"),
    ("..%N", "`..` in a file name"),
    ("a\tb-%N", "a control character in a file name"),
    ("a\x7fb-%N", "a control character in a file name"),
    ("f-%x-%N", "macro %x expands to '01/02/05'"),
    ("f-{%D}-%N", ""),  # %D is the collector's own macro, not strftime's month/day/year
    ("f-%Y%m%d-%N", ""),
])
def test_unsafe_macro(name_format: str, problem: str) -> None:
    expected = [f"name-format of file-specification 1: {problem}"] if problem else []
    assert messages(unsafe_macro, with_formats(name_format)) == expected


def test_unknown_and_unsupported_brace_macros() -> None:
    found = messages(unknown_macro, with_formats("{date}{time_zone}{colour}{%D}%Q-%N"))
    assert found == ["name-format of file-specification 1: {time_zone} is documented as not supported",
                     "name-format of file-specification 1: {colour} is not a known macro"]


def test_unused_file_specs_against_default_and_entries() -> None:
    imap = InterfaceMap(file_spec="1", entries=(MapEntry("mo-7/1/0.0", file_spec="3"),))
    assert messages(unused, with_formats("a-%N", "b-%N", "c-%N", imap=imap)) == [
        "file-specification 2 is not used by interface-map"]
    assert len(messages(unused, with_formats("a-%N", "b-%N"))) == 2  # no interface-map: nothing is used


def test_no_name_format_points_at_the_spec() -> None:
    found = list(no_name_format.check(with_formats(None, "x-%N")))
    assert [(f.span, f.message) for f in found] == [(SPEC_AT, "file-specification 1 has no name-format")]
