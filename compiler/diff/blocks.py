"""Only the changed parts of two large configurations go into the diff trees.

Statements are grouped into blocks by their first words (up to three, never the whole
statement, and never past the keyword of an ordered list, so that a list and the
same-keyword leaves of a level stay in one block). A block whose statements are equal,
in the same order and with the same inactive marks, on both sides has no lines and no
commands: it is left out before the trees are built. A whole router configuration that
differs in 1% of its statements is thus compared in little more than the time to read it.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter

from flowc.compiler.diff.order import ORDERED_WORDS
from flowc.compiler.parse.statements import Statement

Block = tuple[str, ...]
Row = tuple[tuple[str, ...], int]  # a statement as compared: its path and inactive mark
# The keywords of statements left out, by the level they stand at: (level path, keyword).
# A leaf deleted by its keyword alone (`delete … retry`) must have no sibling of that keyword,
# left out or not (`setcommands`). A statement's block holds all its siblings of one keyword
# below the second level, so two words of each statement left out tell all.
Hidden = set[tuple[tuple[str, ...], str]]
_DEPTH = 3


def changed_blocks(old: Sequence[Statement], new: Sequence[Statement], hidden: Hidden | None = None
                   ) -> tuple[tuple[Statement, ...], tuple[Statement, ...]]:
    """Both statement lists without the blocks that are the same on both sides (the
    keywords of what is left out added to `hidden`)."""
    old_rows, new_rows = _rows(old), _rows(new)
    old_blocks, new_blocks = _blocks(old_rows), _blocks(new_rows)
    same = {key for key, rows in new_blocks.items() if old_blocks.get(key) == rows}
    if not same:
        return tuple(old), tuple(new)
    kept = representatives(same, set(old_blocks) ^ set(new_blocks))
    if hidden is not None:
        for key in same:  # a kept block keeps one statement of its own
            hide(hidden, [key] if len(key) >= 2 else (path for path, _ in old_blocks[key]))
    return (_without(old, [k for k, _ in old_rows], same, kept),
            _without(new, [k for k, _ in new_rows], same, kept))


def hide(hidden: Hidden, paths: Iterable[tuple[str, ...]], depth: int = 2) -> None:
    """Record the keywords of left-out statements, at their first `depth` levels."""
    for path in paths:
        for size in range(min(depth, len(path))):
            hidden.add((path[:size], path[size]))


def block_key(path: tuple[str, ...]) -> Block:
    """The first words of a statement path that name its block."""
    depth = min(_DEPTH, len(path) - 1)
    for index in range(min(depth, 2)):
        if path[index] in ORDERED_WORDS:
            depth = index + 1
            break
    return path[:max(depth, 0)]


def path_key(path: tuple[str, ...]) -> Block:
    """`block_key`, the common case first (a long path of unordered words)."""
    if len(path) > _DEPTH and path[0] not in ORDERED_WORDS and path[1] not in ORDERED_WORDS:
        return path[:_DEPTH]
    return block_key(path)


def _rows(statements: Sequence[Statement]) -> list[tuple[Block, Row]]:
    rows = []
    text = attrgetter("text")
    for statement in statements:
        path = tuple(map(text, statement.words))
        rows.append((path_key(path), (path, statement.inactive_at)))
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


def representatives(same: set[Block], one_sided: Iterable[Block]) -> set[Block]:
    """The left-out blocks to keep after all: for every level above a block that only one
    side has, one left-out block under it stays on both sides (the least), so that the level
    still exists on both sides where it did (an unchanged level must not show as added or
    removed; a block both sides have keeps the levels above it itself)."""
    needed = {key[:size] for key in one_sided for size in range(len(key) + 1)}
    kept: dict[Block, Block] = {}
    for key in same:
        for size in range(len(key) + 1):  # a block's statements stand under its key too
            level = key[:size]
            if level in needed and (level not in kept or key < kept[level]):
                kept[level] = key
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
