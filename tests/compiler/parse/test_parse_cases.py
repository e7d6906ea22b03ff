"""Grammar cases: every file in parse_cases/ parses without findings to the statements in
the snapshot (path, span, inactive/protect/replace depths, list flag, comments)."""
from __future__ import annotations

from pathlib import Path

import pytest

from flowc.compiler.document.junosstatements import display_statements
from flowc.compiler.fmt.printer import to_brace, to_set
from flowc.compiler.parse.blocktree import tree_order
from flowc.compiler.parse.loader import ParsedConfig, parse_file, parse_text

CASES = Path(__file__).parent / "parse_cases"


def describe(parsed: ParsedConfig) -> str:
    """One line per statement: where it is, its flags, its words and its comments."""
    lines = [f"format: {parsed.format}"]
    for st in parsed.statements:
        s = st.span
        flags = f"inactive_at={st.inactive_at} protected_at={st.protected_at} replace_at={st.replace_at}"
        listed = " listed" if st.listed else ""
        lines.append(f"{s.line}:{s.column}-{s.end_line}:{s.end_column} {flags}{listed} | {st}")
        for word in st.words:
            w = word.span
            lines.append(f"    {w.line}:{w.column}-{w.end_line}:{w.end_column} {word.text!r}"
                         + (" quoted" if word.quoted else ""))
        for c in st.comments:
            lines.append(f"    comment depth={c.depth} {c.position}: {c.text!r}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()), ids=str)
def test_case_statements(case: str, snapshot) -> None:
    parsed = parse_file(CASES / case)
    assert parsed.diagnostics == ()
    assert describe(parsed) == snapshot


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()), ids=str)
def test_case_survives_set_and_brace(case: str) -> None:
    parsed = parse_file(CASES / case)
    as_set = parse_text(to_set(parsed.statements), "twin.set")
    assert as_set.format == "set" and as_set.diagnostics == ()
    assert as_set.statements == display_statements(parsed.statements)
    canonical = parse_text(to_brace(parsed.statements), "canonical.conf")
    assert canonical.diagnostics == ()
    assert canonical.statements == tree_order(parsed.statements)
    if parsed.format == "brace":
        assert canonical.statements == parsed.statements
