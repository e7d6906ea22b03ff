"""Only the changed parts of two large configurations go into the diff trees.

Statements are grouped into blocks by their first words (up to three, never the whole
statement, and never past the keyword of an ordered list, so that a list and the
same-keyword leaves of a level stay in one block). A block whose statements are equal,
in the same order and with the same inactive marks, on both sides has no lines and no
commands: it is left out before the trees are built. A whole router configuration that
differs in 1% of its statements is thus compared in little more than the time to read it.
"""
from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

from flowc.compiler.diff.order import ORDERED_WORDS
from flowc.compiler.parse.statements import Statement

Block = tuple[str, ...]
Row = tuple[tuple[str, ...], int]  # a statement as compared: its path and inactive mark
_DEPTH = 3


def changed_blocks(old: Sequence[Statement], new: Sequence[Statement]
                   ) -> tuple[tuple[Statement, ...], tuple[Statement, ...]]:
    """Both statement lists without the blocks that are the same on both sides."""
    old_rows, new_rows = _rows(old), _rows(new)
    old_blocks, new_blocks = _blocks(old_rows), _blocks(new_rows)
    same = {key for key, rows in new_blocks.items() if old_blocks.get(key) == rows}
    if not same:
        return tuple(old), tuple(new)
    kept = _representatives(same)
    return (_without(old, [k for k, _ in old_rows], same, kept),
            _without(new, [k for k, _ in new_rows], same, kept))


def block_key(path: tuple[str, ...]) -> Block:
    """The first words of a statement path that name its block."""
    depth = min(_DEPTH, len(path) - 1)
    for index in range(min(depth, 2)):
        if path[index] in ORDERED_WORDS:
            depth = index + 1
            break
    return path[:max(depth, 0)]


def _rows(statements: Sequence[Statement]) -> list[tuple[Block, Row]]:
    rows = []
    ordered = ORDERED_WORDS
    text = attrgetter("text")
    for statement in statements:
        path = tuple(map(text, statement.words))
        if len(path) > _DEPTH and path[0] not in ordered and path[1] not in ordered:
            key = path[:_DEPTH]  # the common case, without the call
        else:
            key = block_key(path)
        rows.append((key, (path, statement.inactive_at)))
    return rows


def _blocks(rows: list[tuple[Block, Row]]) -> dict[Block, list[Row]]:
    blocks: dict[Block, list[Row]] = {}
    for key, row in rows:
        found = blocks.get(key)
        if found is None:
            blocks[key] = [row]
        else:
            found.append(row)
    return blocks


def _representatives(same: set[Block]) -> set[Block]:
    """One left-out block per level above the blocks: its first statement stays on both
    sides, so that every level a changed block shares with a left-out one still exists
    on both sides (an unchanged level must not show as added or removed)."""
    kept: dict[Block, Block] = {}
    for key in same:
        if key and (key[:-1] not in kept or key < kept[key[:-1]]):
            kept[key[:-1]] = key
    return set(kept.values())


def _without(statements: Sequence[Statement], keys: list[Block], same: set[Block],
             kept: set[Block]) -> tuple[Statement, ...]:
    out: list[Statement] = []
    seen: set[Block] = set()
    for statement, key in zip(statements, keys):
        if key not in same:
            out.append(statement)
        elif key in kept and key not in seen:
            seen.add(key)
            out.append(statement)
    return tuple(out)
