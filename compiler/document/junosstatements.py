"""Statements as Junos' `display set` has them: one-liners split, tags on the element they name.

Stage document (used by `fmt --to set`, and by diff and tests that compare a brace file with
its set twin). Input: statements with spans. Output: the same statements where the schema
(`compiler/document/junospath.py`) reads a brace one-liner as several set statements
(`srgb start-label 16000 index-range 80000;` -> `srgb start-label 16000`, `srgb index-range
80000`; `route 0/0 next-hop A preference 200;` likewise), each piece keeping the statement's
span and comments and printed once (`backup-router A destination [ B C ];` holds `backup-router
A` twice); and a tag written on a whole one-liner (`inactive: host-name x;`, `inactive: route
0/0 next-hop A;`) moved to the element Junos' own `deactivate` names (`host-name`, `route
0/0`). A tag on a leaf's values names the leaf whichever form it was read from (`deactivate
system host-name r1` and brace `inactive: host-name r1;` both tag `host-name`), except on one
value of a leaf-list whose other values are not tagged (`apply-groups a; inactive:
apply-groups b;`: it stays on `b`). Statements the schema does not know pass unchanged.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from flowc.compiler.document.junospath import Kind, Reading, read
from flowc.compiler.parse.gcpause import gc_paused
from flowc.compiler.parse.statements import Statement

INACTIVE, PROTECTED = "inactive", "protect"
Split = frozenset[tuple[tuple[str, ...], str]]  # (a leaf-list's path, tag) tagged on some values only


def display_statements(statements: Iterable[Statement]) -> tuple[Statement, ...]:
    """The statements as `display set` lists them (see the module docstring)."""
    with gc_paused():  # many small objects beside a large heap: no collection passes meanwhile
        return _display_all(statements)


def _display_all(statements: Iterable[Statement]) -> tuple[Statement, ...]:
    statements = tuple(statements)
    split = split_leaves(statements)
    out: list[Statement] = []
    seen: set[tuple[str, ...]] = set()
    for st in statements:
        plain = len(st.words) < 3 and not st.blocks and not (st.inactive_at or st.protected_at)
        pieces = (st,) if plain else _display(st, split)
        if len(pieces) == 1:
            out.append(pieces[0])
            seen.add(pieces[0].path)
            continue
        for piece in pieces:  # `backup-router A destination [ B C ]`: `backup-router A` once
            if piece.path not in seen:
                seen.add(piece.path)
                out.append(piece)
    return tuple(out)


def _display(st: Statement, split: Split) -> Sequence[Statement]:
    reading = read(st.path)
    if reading is None or not reading.known:
        return (st,)
    inactive_at = _leaf_tag(st, _tag_depth(st, st.inactive_at, reading), reading, split, INACTIVE)
    protected_at = _leaf_tag(st, _tag_depth(st, st.protected_at, reading), reading, split, PROTECTED)
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


def leaf_head(kinds: Sequence[Kind]) -> int:
    """Where the keyword of the leaf or leaf-list whose values end a path ends (`system
    host-name r1` -> 2, `protocols apply-groups ( LOOP )` -> 2), or 0 when the path does
    not end in a leaf's values."""
    j = len(kinds) - 1
    while j > 0 and kinds[j] == Kind.VALUE:
        j -= 1
    return j + 1 if j < len(kinds) - 1 and kinds[j] in (Kind.LEAF, Kind.LEAF_LIST) else 0


def _leaf_tag(st: Statement, depth: int, reading: Reading, split: Split, tag: str) -> int:
    """A tag on a leaf's values names the leaf (`deactivate system host-name`), whichever
    form it was read from; on one value of a leaf-list whose other values are not tagged,
    it stays on that value (the statement's whole path)."""
    head = leaf_head(reading.kinds)
    if not head or depth < head:
        return depth
    return len(st.words) if (st.path[:head], tag) in split else head


def _tag_of(st: Statement, tag: str) -> int:
    return st.inactive_at if tag == INACTIVE else st.protected_at


def split_leaves(statements: Sequence[Statement]) -> Split:
    """The leaf-lists (and tags) some of whose values carry the tag on the value and some
    not at all: `apply-groups a; inactive: apply-groups b;`."""
    heads: set[tuple[tuple[str, ...], str]] = set()
    for st in statements:
        for tag in (INACTIVE, PROTECTED):
            depth = _tag_of(st, tag)
            reading = read(st.path) if depth else None
            head = leaf_head(reading.kinds) if reading is not None and reading.known else 0
            if head and depth >= head:
                heads.add((st.path[:head], tag))
    if not heads:
        return frozenset()
    lengths = {len(path) for path, _ in heads}
    return frozenset((st.path[:n], tag) for st in statements for n in lengths for tag in (INACTIVE, PROTECTED)
                     if (st.path[:n], tag) in heads and not _tag_of(st, tag))
