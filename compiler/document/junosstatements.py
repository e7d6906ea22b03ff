"""Statements as Junos' `display set` has them: one-liners split, tags on the element they name.

Stage document (used by `fmt --to set`, and by diff and tests that compare a brace file with
its set twin). Input: statements with spans. Output: the same statements where the schema
(`compiler/document/junospath.py`) reads a brace one-liner as several set statements
(`srgb start-label 16000 index-range 80000;` -> `srgb start-label 16000`, `srgb index-range
80000`; `route 0/0 next-hop A preference 200;` likewise), each piece keeping the statement's
span and comments and printed once (`backup-router A destination [ B C ];` holds `backup-router
A` twice); and a tag written on a whole one-liner (`inactive: host-name x;`, `inactive: route
0/0 next-hop A;`) moved to the element Junos' own `deactivate` names (`host-name`, `route
0/0`). Statements the schema does not know pass unchanged.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from flowc.compiler.document.junospath import Kind, Reading, read
from flowc.compiler.parse.statements import Statement


def display_statements(statements: Iterable[Statement]) -> tuple[Statement, ...]:
    """The statements as `display set` lists them (see the module docstring)."""
    out: list[Statement] = []
    seen: set[tuple[str, ...]] = set()
    for st in statements:
        pieces = (st,) if len(st.words) < 3 and not st.blocks else _display(st)
        if len(pieces) == 1:
            out.append(pieces[0])
            seen.add(pieces[0].path)
            continue
        for piece in pieces:  # `backup-router A destination [ B C ]`: `backup-router A` once
            if piece.path not in seen:
                seen.add(piece.path)
                out.append(piece)
    return tuple(out)


def _display(st: Statement) -> Sequence[Statement]:
    reading = read(st.path)
    if reading is None or not reading.known:
        return (st,)
    inactive_at = _tag_depth(st, st.inactive_at, reading)
    protected_at = _tag_depth(st, st.protected_at, reading)
    if len(reading.pieces) == 1:
        if (inactive_at, protected_at) == (st.inactive_at, st.protected_at):
            return (st,)
        return (dataclasses.replace(st, inactive_at=inactive_at, protected_at=protected_at),)
    pieces = []
    for piece in reading.pieces:
        words = st.words[: piece.base] + st.words[piece.start: piece.end]
        first = piece.start == 0
        pieces.append(dataclasses.replace(
            st, words=words, inactive_at=inactive_at if first or inactive_at <= piece.base else 0,
            protected_at=protected_at if first or protected_at <= piece.base else 0,
            replace_at=st.replace_at if st.replace_at <= len(words) else 0))
    return pieces


def _tag_depth(st: Statement, depth: int, reading: Reading) -> int:
    """The depth of a tag: a tag on a whole brace one-liner names its element, where the
    one-liner starts in its block: a container Junos prints on one line (`srgb …`), else the
    first list entry, leaf or flag (`snmp location "rack 4"` -> `location`)."""
    n = len(st.words)
    if depth != n or not st.blocks:
        return depth
    start = min(st.blocks[-1], n - 1)
    kinds = reading.kinds
    if kinds[start] == Kind.CONTAINER and len(reading.pieces) > 1:
        return start + 1
    while start < n - 1 and kinds[start] == Kind.CONTAINER:
        start += 1
    return reading.element_end(start)
