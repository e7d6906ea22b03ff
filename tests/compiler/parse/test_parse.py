"""parse_text / parse_file: formats, twins, spans, shared prefix words, awkward text."""
from __future__ import annotations

from pathlib import Path

import pytest

from flowc.compiler.document.junosstatements import display_statements
from flowc.compiler.parse.loader import detect_format, parse_file, parse_text

EXAMPLES = Path(__file__).parents[3] / "examples"


@pytest.mark.parametrize("folder", sorted(p.name for p in EXAMPLES.iterdir() if (p / "router.set").exists()))
def test_every_example_brace_and_set_twin_give_equal_statements(folder: str) -> None:
    brace = parse_file(EXAMPLES / folder / "router.conf")
    twin = parse_file(EXAMPLES / folder / "router.set")
    assert (brace.format, twin.format) == ("brace", "set")
    assert brace.ok and twin.ok
    # equal as `display set` lists them (a brace one-liner may be several set statements)
    assert display_statements(brace.statements) == display_statements(twin.statements)
    assert [s.inactive_at for s in display_statements(brace.statements)] == [
        s.inactive_at for s in display_statements(twin.statements)]


def test_router1_has_what_the_seed_example_has() -> None:
    parsed = parse_file(EXAMPLES / "router1" / "router.conf")
    paths = {str(s) for s in parsed.statements}
    assert "chassis fpc 6 pic 0 monitoring-services application flow-collector" in paths
    assert "interfaces cp-6/0/0 unit 0 family inet filter output cp-ftp" in paths
    assert "interfaces cp-6/0/0 unit 0 family inet address 10.0.0.1/32 destination 10.0.0.2" in paths
    assert ("forwarding-options monitoring group1 family inet output interface mo-7/1/0.0 "
            "source-address 10.60.2.2") in paths
    assert "services flow-collector interface-map mo-7/2/0.0 collector cp-7/0/0" in paths
    assert len(parsed.statements) > 150
    assert sum(1 for s in parsed.statements if s.inactive) == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("set system host-name r1\n", "set"),
    ("## Last changed\n\n# c\nset a b\n", "set"),
    ("/* one\n two */\ndeactivate a b\n", "set"),
    ("system { host-name r1; }\n", "brace"),
    ("version 20.4R3;\nsystem { }\n", "brace"),
    ("# only comments\n", "brace"),
    ("", "brace"),
])
def test_format_detection(text: str, expected: str) -> None:
    assert detect_format(text) == expected
    assert parse_text(text).format == expected


def test_parse_file_lets_os_errors_through(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        parse_file(tmp_path / "missing.conf")


def test_block_words_are_shared_by_the_statements_of_a_block() -> None:
    first, second = parse_text("interfaces { cp-6/0/0 { unit 0; unit 1; } }\n").statements
    assert first.words[0] is second.words[0] and first.words[1] is second.words[1]
    assert first.words[2] is not second.words[2]


def test_word_and_statement_spans() -> None:
    (st,) = parse_text('services {\n    flow-collector { retry 3; }\n}\n', "s.conf").statements
    assert [(w.text, w.span.line, w.span.column, w.span.end_column) for w in st.words] == [
        ("services", 1, 1, 9), ("flow-collector", 2, 5, 19), ("retry", 2, 22, 27), ("3", 2, 28, 29)]
    assert (st.span.file, st.span.line, st.span.column, st.span.end_line, st.span.end_column) == \
        ("s.conf", 2, 22, 2, 30)


def test_crlf_and_lf_give_the_same_statements_and_columns() -> None:
    lf = "system {\n\thost-name r1; # c\n}\n"
    crlf = parse_text(lf.replace("\n", "\r\n")).statements
    assert crlf == parse_text(lf).statements
    assert crlf[0].words[-1].span.column == 12
    assert crlf[0].comments[0].text == "# c"


def test_non_ascii_columns_count_characters() -> None:
    (st,) = parse_text('system { location "Zürich 東京"; contact x; }\n').statements[:1]
    assert st.words[-1].text == "Zürich 東京"
    contact = parse_text('system { location "Zürich 東京"; contact x; }\n').statements[1]
    assert contact.words[-1].span.column == len('system { location "Zürich 東京"; contact ') + 1


def test_very_long_lines() -> None:
    values = " ".join(f"10.{i // 250}.{i % 250}.0/24" for i in range(3000))
    text = f"policy-options {{ prefix-list big {{ {values.replace(' ', '; ')}; }} }}\n" + \
        f"policy-options community huge members [ {' '.join(f'65000:{i}' for i in range(3000))} ];\n" + \
        f'system {{ login message "{"x" * 20000}"; }}\n'
    parsed = parse_text(text)
    assert parsed.ok and len(parsed.statements) == 6001
    assert len(parsed.statements[-1].words[-1].text) == 20000
    assert parsed.statements[-2].words[-1].span.column > 30000


def test_same_block_twice_merges_and_duplicates_drop() -> None:
    parsed = parse_text("system { host-name r1; }\nsnmp { location x; }\nsystem { host-name r1; ntp; }\n")
    assert [str(s) for s in parsed.statements] == ["system host-name r1", "system ntp", "snmp location x"]


def test_comment_between_words_and_at_line_ends_do_not_split_statements() -> None:
    parsed = parse_text("a /* one */ b /* two */ c; # end\n d /* three */ { e; } # four\n")
    assert [str(s) for s in parsed.statements] == ["a b c", "d e"]
    assert parsed.diagnostics == ()


def test_a_statement_ends_at_the_end_of_its_line_as_in_junos() -> None:
    parsed = parse_text("a b # two\n  c;\n")
    assert parsed.diagnostics == ()
    assert [str(s) for s in parsed.statements] == ["a b", "c"]
    assert parsed.statements[0].comments[0].text == "# two"


def test_brace_on_its_own_line_is_fine() -> None:
    parsed = parse_text("system\n{\n    host-name r1\n    ;\n}\n")
    assert parsed.ok and [str(s) for s in parsed.statements] == ["system host-name r1"]


@pytest.mark.parametrize("text", ["\ufeffset system host-name r1\n", "\ufeffsystem { host-name r1; }\r\n"])
def test_a_byte_order_mark_is_ignored(text: str) -> None:
    parsed = parse_text(text)
    assert parsed.ok and [str(s) for s in parsed.statements] == ["system host-name r1"]


def test_what_delete_removed_can_be_written_again() -> None:
    parsed = parse_text("a { b; c; }\ndelete: a b;\na { b; }\n")
    assert [str(s) for s in parsed.statements] == ["a c", "a b"]
