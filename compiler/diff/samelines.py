"""Set lines that make the same blocks as the other side are left out before parsing.

Stage diff, before the set-form side is parsed. Input: the text of a side written as plain
`set` commands, and the statements of the other side (in any form, parsed first). Output:
the text with the lines of every block that both sides have the same blanked (an empty line
each, so that line numbers stay), and the other side's statements without those blocks.
Two plain set texts are compared line to line the same way (`leave_out_same_lines`).
Blocks are `flowc.compiler.diff.blocks`' (the first words of a statement path); a block is
the same when its lines, in order, are the other side's statements of that block word for
word and none of them is inactive. Above a block only one side has, one left-out block per
level stays on both sides, as there; the keywords of what is left out are recorded.

Only what is certain is left out: a line with a quote, a comment, a bracket, a brace or a
semicolon is not read here, and its block (or every block its first words could belong to)
is parsed. Nothing is left out when the text has other commands than `set` (`deactivate`,
`delete`, `insert`, `edit` … act on other lines), a block comment, or when the `groups`
hierarchy or the `apply-groups` statements differ between the sides; the blocks of `groups`
and those holding an `apply-groups` are always parsed.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from operator import attrgetter

from flowc.compiler.diff.blocks import Block, Hidden, block_key, hide, path_key, representatives
from flowc.compiler.document.groups import APPLY, GROUPS
from flowc.compiler.parse.statements import Statement

_SPECIAL = frozenset('"#[]{};')


@dataclass(frozen=True, slots=True)
class SetLines:
    """A plain set text read line by line: the blocks of the lines read, and what was not."""

    blocks: dict[Block, list[str]]
    line_keys: list[Block | None]   # each line's block (None: blank, or not read)
    unread: frozenset[Block]        # blocks a line that was not read may belong to
    unread_prefixes: frozenset[Block]
    unread_groups: bool             # a line not read is in `groups` or applies groups
    applying: frozenset[Block]      # blocks with an `apply-groups` line


@dataclass(frozen=True, slots=True)
class Statements:
    """The other side's statements as the lines they would be, by block."""

    blocks: dict[Block, list[str]]
    keys: list[Block]               # each statement's block
    odd: set[Block]                 # blocks with a statement no plain line can be (inactive, quoted)
    odd_groups: bool                # one of those is in `groups` or applies groups
    applying: set[Block]            # blocks with an `apply-groups` statement


@dataclass(frozen=True, slots=True)
class _Side:
    """What the comparison needs of one side, read from set lines or from statements."""

    blocks: dict[Block, list[str]]
    present: Set[Block]             # the blocks it has, read or not
    held: Callable[[Block], bool]   # a block that must be parsed whatever the other side has
    doubt: Set[Block]               # levels a line that was not read may be under
    groups_unread: bool             # `groups` or an `apply-groups` among what was not read
    applying: Set[Block]


def leave_out_same(text: str, other: Sequence[Statement], hidden: Hidden | None = None
                   ) -> tuple[str, tuple[Statement, ...]] | None:
    """The set text and the other side's statements without the blocks both have the same,
    or None when nothing can be left out (see the module docstring); the keywords of what
    is left out are added to `hidden`."""
    lines = read_set_lines(text)
    if lines is None:
        return None
    statements = _statement_blocks(other)
    left_out = _left_out(_lines_side(lines), _statements_side(statements))
    if left_out is None:
        return None
    _hide(hidden, lines, left_out)
    kept = tuple(st for st, key in zip(other, statements.keys) if key not in left_out)
    return _kept(text, lines, left_out), kept


def leave_out_same_lines(old: str, new: str, hidden: Hidden | None = None) -> tuple[str, str] | None:
    """Two plain set texts without the lines of the blocks both have the same, or None when
    nothing can be left out; the keywords of what is left out are added to `hidden`."""
    a, b = read_set_lines(old), read_set_lines(new)
    if a is None or b is None:
        return None
    left_out = _left_out(_lines_side(a), _lines_side(b))
    if left_out is None:
        return None
    _hide(hidden, a, left_out)
    return _kept(old, a, left_out), _kept(new, b, left_out)


def _left_out(a: _Side, b: _Side) -> set[Block] | None:
    """The blocks both sides have the same, less those kept for the levels above a block
    only one side has; None when nothing can be left out."""
    if a.groups_unread or b.groups_unread or _inherited(a) != _inherited(b):
        return None
    same = {key for key, rows in b.blocks.items() if a.blocks.get(key) == rows and not a.held(key) and not b.held(key)}
    if len(same) < 2:
        return None
    return same - representatives(same, (a.present ^ b.present) | a.doubt | b.doubt)


def _lines_side(lines: SetLines) -> _Side:
    doubt = {(*key, "") for key in lines.unread_prefixes}  # count as levels of a one-sided block
    return _Side(lines.blocks, set(lines.blocks) | lines.unread, lambda key: _held(lines, key), doubt,
                 lines.unread_groups, lines.applying)


def _statements_side(statements: Statements) -> _Side:
    odd = statements.odd
    return _Side(statements.blocks, set(statements.blocks), odd.__contains__, set(), statements.odd_groups,
                 statements.applying)


def _hide(hidden: Hidden | None, lines: SetLines, left_out: set[Block]) -> None:
    """The blocks left out are the same on both sides: one side's lines name their keywords
    (a key of two words or more names them for all its lines)."""
    if hidden is not None:
        for key in left_out:
            hide(hidden, [key] if len(key) >= 2 else (tuple(row.split(" ")) for row in lines.blocks[key]))


def _kept(text: str, lines: SetLines, left_out: set[Block]) -> str:
    return "".join("\n" if key in left_out else line
                   for key, line in zip(lines.line_keys, text.splitlines(keepends=True)))


def read_set_lines(text: str) -> SetLines | None:
    """Every plain `set` line by its block; None when the text is not plain set commands."""
    if "/*" in text:
        return None
    blocks: dict[Block, list[str]] = {}
    keys: list[Block | None] = []
    unread: set[Block] = set()
    prefixes: set[Block] = set()
    groups = False
    applying: set[Block] = set()
    grouped = APPLY in text
    for raw in text.splitlines():
        words = raw.split()
        if not words or words[0].startswith("#"):
            keys.append(None)
            continue
        if words[0] != "set" or len(words) < 2:
            return None
        if _SPECIAL.isdisjoint(raw):
            path = tuple(words[1:])
            key = path_key(path)
            blocks.setdefault(key, []).append(" ".join(path))
            keys.append(key)
            if grouped and APPLY in path:
                applying.add(key)
            continue
        keys.append(None)
        _unread(words[1:], unread, prefixes)
        groups = groups or words[1] == GROUPS or APPLY in raw
    return SetLines(blocks, keys, frozenset(unread), frozenset(prefixes), groups, frozenset(applying))


def _unread(words: list[str], unread: set[Block], prefixes: set[Block]) -> None:
    """A line not read: the words before its first special character are the start of its
    path; with three of them its block is certain (a block is named by three words at most),
    else every block under them, and above them, is in doubt."""
    plain: list[str] = []
    for word in words:
        if not _SPECIAL.isdisjoint(word):
            break
        plain.append(word)
    known = tuple(plain)
    if len(known) >= 3:
        unread.add(block_key((*known, "")))
        return
    unread.add(known)
    prefixes.update(known[:size] for size in range(len(known) + 1))


def _held(lines: SetLines, key: Block) -> bool:
    """A block that must be parsed: in doubt, in `groups`, or holding an `apply-groups`."""
    if key in lines.unread or key in lines.unread_prefixes:
        return True
    if any(key[:size] in lines.unread for size in range(len(key))):
        return True
    return (bool(key) and key[0] == GROUPS) or key in lines.applying


def _statement_blocks(statements: Sequence[Statement]) -> Statements:
    blocks: dict[Block, list[str]] = {}
    keys: list[Block] = []
    odd: set[Block] = set()
    groups = False
    applying: set[Block] = set()
    text = attrgetter("text")
    for st in statements:
        path = tuple(map(text, st.words))
        key = path_key(path)
        keys.append(key)
        line = " ".join(path)
        if APPLY in line and APPLY in path:
            applying.add(key)
        if st.inactive_at or not path or line.count(" ") != len(path) - 1 or not _SPECIAL.isdisjoint(line) \
                or "" in path:
            odd.add(key)
            groups = groups or (bool(path) and path[0] == GROUPS) or APPLY in path
        blocks.setdefault(key, []).append(line)
    return Statements(blocks, keys, odd, groups, applying)


def _inherited(side: _Side) -> list[tuple[Block, list[str]]]:
    """What inheritance depends on: the `groups` blocks and the blocks that apply groups."""
    return sorted((key, rows) for key, rows in side.blocks.items()
                  if (key and key[0] == GROUPS) or key in side.applying)
