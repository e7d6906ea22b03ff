"""Blocks written the same in two brace files are blanked out before either is parsed.

Stage diff, before parse. Input: the texts of OLD and NEW. Output: the same texts with every
block statement that is written identically on both sides (same enclosing headers, same text
to its closing brace) turned into blanks: its line ends stay, and its last line becomes as
many spaces as it had characters, so that lines and columns of what is left stay where they
were. Parsing is most of a diff's cost: two whole router configurations that differ in 1% of
their statements are then parsed in a small part of the time (`bench/diff.py`). A block
written twice (reopened) is compared as the sequence of its parts.

What is never blanked, so that the diff of what is left is the diff of the whole:
- of the blocks of a level that are the same, the smallest for the level itself and for
  every level a header of several words opens (`file messages` stands at `file`): a level
  both files have keeps a statement on both sides and cannot show as added or removed;
- the entries of an ordered list of blocks (`term`, zone-pair `policy`, `rule`, entries of a
  homogeneous block such as `destinations`, the hops of an MPLS path): a move among them is
  a change;
- the `groups` hierarchy, and anything at all when the groups or the `apply-groups`
  statements differ between the files (what a block inherits would change with them).
The keywords of what is blanked are recorded (`flowc.compiler.diff.blocks.Hidden`): a leaf
is deleted by its keyword alone only when nothing left out shares it.
A text the outline scanner does not read plainly (an unterminated string or comment, one
over lines, a control character, a brace inside `[ … ]`, a block without a header,
unbalanced braces, old Mac line ends) is left whole, and the parser reports what is wrong
with it. Syntax errors inside a block that is identical on both sides are not reported by
`diff` (they do not make a difference; `lint` reports them).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flowc.compiler.diff.blocks import Hidden, hide
from flowc.compiler.diff.order import ORDERED_ANYWHERE, ORDERED_UNDER, ordered_entries
from flowc.compiler.document.groups import APPLY, GROUPS
from flowc.compiler.parse.tokens import TAGS

# Strings and comments (their braces are text), masked before blocks are looked for. A
# comment starts only where a word could (Junos' lexer reads `a#b` and `a/*b` as one word).
_QUOTED = re.compile(r'''"(?:[^"\\]|\\.)*"|(?<![^\s;{}\[\]"])(?:\#[^\n]*|/\*.*?\*/)''', re.S)
_OPEN = re.compile(r'''"|(?<![^\s;{}\[\]"])/\*''')
_BRACE = re.compile("[{}]")
_LIST_BRACE = re.compile(r"\[[^\]]*[{}]")
_UNREADABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")
_ENTRIES = ORDERED_ANYWHERE | frozenset(ORDERED_UNDER)


@dataclass(slots=True)
class Outline:
    """A block statement as written: its header words, where it starts and ends."""

    header: str
    start: int
    end: int = 0
    children: list[Outline] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Sides:
    """Both texts and the regions to blank in each."""

    old: str
    new: str
    old_blanks: list[tuple[int, int]]
    new_blanks: list[tuple[int, int]]
    hidden: Hidden


class _Unreadable(Exception):
    """A shape the scanner leaves to the parser."""


def blank_unchanged(old: str, new: str, hidden: Hidden | None = None) -> tuple[str, str]:
    """Both texts with the blocks that are the same on both sides blanked (see above); the
    keywords of the blanked blocks, at every level above them, added to `hidden`."""
    if old == new or "{" not in old or "{" not in new or _cr_only(old) or _cr_only(new):
        return old, new  # (old Mac line ends: the parser reads them as lines, blanks would not)
    try:
        old_tree, old_applied = outline(old)
        new_tree, new_applied = outline(new)
    except _Unreadable:
        return old, new
    if old_applied != new_applied or _group_text(old, old_tree) != _group_text(new, new_tree):
        return old, new
    sides = _Sides(old, new, [], [], hidden if hidden is not None else set())
    _match(old_tree, new_tree, sides)
    return _blanked(old, sides.old_blanks), _blanked(new, sides.new_blanks)


Applied = list[tuple[tuple[str, ...], str]]


def outline(text: str) -> tuple[list[Outline], Applied]:
    """The block statements of a brace text, nested, and every `apply-groups` statement with
    the headers above it. Raises _Unreadable for what only the parser should judge."""
    if _UNREADABLE.search(text):
        raise _Unreadable
    masked = _QUOTED.sub(_mask, text)
    if '"' in masked or ("/*" in masked and _OPEN.search(masked)):
        raise _Unreadable  # an unterminated string or comment
    if _LIST_BRACE.search(masked):
        raise _Unreadable  # a brace inside `[ … ]`
    return _Scan(text, masked).blocks()


def _mask(m: re.Match[str]) -> str:
    """A string as a word of its length, a block comment as blanks, a line comment as the
    statement end its line end is (a line end inside a string or comment would end a
    statement that goes on: such a text is left to the parser)."""
    found = m.group()
    if "\n" in found:
        raise _Unreadable
    if found[0] == '"':
        return "x" * len(found)
    return ";" + " " * (len(found) - 1) if found[0] == "#" else " " * len(found)


class _Scan:
    """The outline scanner: it reads the braces of the text with strings and comments
    masked; a block's header is what stands between the statement end before it (`;`, a
    line end, a brace) and its `{`, or the line before when its `{` stands alone."""

    def __init__(self, text: str, masked: str) -> None:
        self.text = text
        self.masked = masked
        self.applies = [m.start() for m in re.finditer(APPLY, text)] if APPLY in text else []

    def blocks(self) -> tuple[list[Outline], Applied]:
        root: list[Outline] = []
        stack: list[Outline] = []
        applied: Applied = []
        applies = self.applies
        last = 0  # just past the previous brace
        for m in _BRACE.finditer(self.masked):
            pos = m.start()
            while applies and applies[0] < pos:
                applied.append((tuple(b.header for b in stack), self._statement_at(applies.pop(0))))
            if m.group() == "{":
                block = self._block(last, pos)
                (stack[-1].children if stack else root).append(block)
                stack.append(block)
            elif stack:
                stack.pop().end = pos + 1
            else:
                raise _Unreadable  # a `}` too many
            last = pos + 1
        if stack:
            raise _Unreadable  # a block left open
        applied += [((), self._statement_at(at)) for at in applies]
        return root, applied

    def _block(self, last: int, pos: int) -> Outline:
        masked = self.masked
        start = max(masked.rfind(";", last, pos), masked.rfind("\n", last, pos)) + 1 or last
        start = max(start, last)
        if masked[start:pos].isspace() or start == pos:
            if start <= last or masked[start - 1] != "\n":
                raise _Unreadable  # a block without a header: the parser's to judge
            end = start - 1  # `header NL {`: the line before
            start = max(masked.rfind(";", last, end), masked.rfind("\n", last, end)) + 1 or last
            start = max(start, last)
            if start == end or masked[start:end].isspace():
                raise _Unreadable
            pos = end
        part = masked[start:pos]
        start += len(part) - len(part.lstrip())  # past blanks and comments
        return Outline(" ".join(self.text[start:pos].split()), start)

    def _statement_at(self, at: int) -> str:
        end = min(self.masked.find(c, at) % (len(self.masked) + 1) for c in ";\n{}")
        line_start = self.text.rfind("\n", 0, at) + 1
        return " ".join(self.text[line_start:end].split())


def _group_text(text: str, tree: list[Outline]) -> list[str]:
    return [text[b.start:b.end] for b in tree if _untagged(b.header) == GROUPS]


Group = list[Outline]  # the blocks of one level written with one header (twice: reopened)


@dataclass(frozen=True, slots=True)
class _Level:
    """One level to match: its blocks on each side, the headers above it, and the blocks
    (on both sides, a reopened one twice) whose children the level's blocks are."""

    old: list[Outline]
    new: list[Outline]
    above: tuple[str, ...]
    parents: tuple[Outline, ...]


def _match(old: list[Outline], new: list[Outline], sides: _Sides) -> None:
    """Blank the blocks of each level that are the same on both sides; look into the others
    that both sides have with the same header (level by level, with a stack of its own: a
    deep text needs no deep recursion)."""
    levels = [_Level(old, new, (), ())]
    while levels:
        level = levels.pop()
        old_by, new_by = _by_header(level.old), _by_header(level.new)
        same: list[tuple[Group, Group]] = []
        for key, after in new_by.items():
            before = old_by.get(key)
            if before is None or (not level.above and key == GROUPS):
                continue
            if _texts(sides.old, before) == _texts(sides.new, after):
                same.append((before, after))
            elif [b.header for b in before] == [b.header for b in after]:
                levels.append(_Level(_children(before), _children(after), (*level.above, key),
                                     (*before, *after)))
        if len(same) >= 2 and not _entries(level.above, list(old_by) + list(new_by)):
            _blank_same(same, _kept(same, level.parents), sides, level.above)


def _kept(same: list[tuple[Group, Group]], parents: tuple[Outline, ...]) -> set[int]:
    """Which of the same blocks of a level stay on both sides, so that every level the
    others stood at keeps a statement on both: the smallest for the level itself and for
    each level a header of several words opens (`file messages` stands at `file`, with
    `file other`); and one in every block written around them that would be left empty (a
    reopened block whose part holds only blanked blocks: an empty block is a statement)."""
    kept: dict[tuple[str, ...], int] = {}
    for number, (before, _) in enumerate(same):
        words = tuple(_untagged(before[0].header).split())
        for prefix in (words[:count] for count in range(len(words))):
            if prefix not in kept or _size(before) < _size(same[kept[prefix]][0]):
                kept[prefix] = number
    keep = set(kept.values())
    pair_of = {id(block): number for number, pair in enumerate(same) for group in pair for block in group}
    for parent in parents:
        numbers = [pair_of.get(id(child)) for child in parent.children]
        if numbers and all(n is not None and n not in keep for n in numbers):
            keep.add(min((n for n in numbers if n is not None), key=lambda n: _size(same[n][0])))
    return keep


def _blank_same(same: list[tuple[Group, Group]], keep: set[int], sides: _Sides,
                above: tuple[str, ...]) -> None:
    """Blank the same blocks not kept, and record their keywords."""
    for number, (before, after) in enumerate(same):
        if number not in keep:
            sides.old_blanks.extend((b.start, b.end) for b in before)
            sides.new_blanks.extend((b.start, b.end) for b in after)
            path = tuple(_unquoted(w) for header in (*above, _untagged(before[0].header)) for w in header.split())
            hide(sides.hidden, [path], len(path))


def _size(group: Group) -> int:
    return sum(b.end - b.start for b in group)


def _by_header(blocks: list[Outline]) -> dict[str, Group]:
    """A level's blocks by header, tags (`inactive:` …) left out: one statement each."""
    found: dict[str, Group] = {}
    for block in blocks:
        found.setdefault(_untagged(block.header), []).append(block)
    return found


def _texts(text: str, group: Group) -> list[str]:
    return [text[b.start:b.end] for b in group]


def _children(group: Group) -> list[Outline]:
    return [child for block in group for child in block.children]


def _entries(above: tuple[str, ...], keys: list[str]) -> bool:
    """The blocks of this level may be entries of an ordered list."""
    if ordered_entries(tuple(_unquoted(w) for header in above for w in header.split())) is not None:
        return True
    return any(key.split(" ", 1)[0] in _ENTRIES for key in keys)


def _cr_only(text: str) -> bool:
    return "\r" in text and "\n" not in text


def _unquoted(word: str) -> str:
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] == '"' else word


def _untagged(header: str) -> str:
    if ":" not in header:
        return header
    words = header.split(" ")
    while words and words[0] in TAGS:
        words.pop(0)
    return " ".join(words)


def _blank(region: str) -> str:
    """Its line ends, and blanks as wide as its last line (what follows keeps its column)."""
    lines = region.count("\n")
    return "\n" * lines + " " * (len(region) - region.rfind("\n") - 1 if lines else len(region))


def _blanked(text: str, regions: list[tuple[int, int]]) -> str:
    if not regions:
        return text
    out, last = [], 0
    for start, end in sorted(regions):
        out.append(text[last:start])
        out.append(_blank(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)
