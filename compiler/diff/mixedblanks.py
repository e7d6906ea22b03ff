"""Brace blocks that a set side writes the same are blanked before the brace side is parsed.

Stage diff, before parse, for a brace side against a plain set side. Input: both texts.
Output: the brace text with every plain block (no strings, comments, brackets, tags or
empty blocks inside) whose statements, in order, are word for word the set side's lines
under its path blanked (`flowc.compiler.diff.unchanged`'s blanks: lines and columns stay),
and the set text with those lines blanked (an empty line each). The outline scan reads the
brace text without the parser; the statements of a plain block are its words between
braces and semicolons. As in `unchanged`, one block of each level (and of each level a
header of several words opens) stays, the entries of ordered lists, `groups` and texts
with `apply-groups` are never blanked, and a set line not read plainly keeps every block
it may belong to. `verified` tells whether the statements parsed from what is left still
have none under a blanked path (a header of several words elsewhere could write one):
when they do, the caller parses the whole texts instead.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from flowc.compiler.diff.blocks import Hidden, hide
from flowc.compiler.diff.unchanged import Outline, _blanked, _entries, _Unreadable, outline
from flowc.compiler.document.groups import APPLY, GROUPS
from flowc.compiler.parse.statements import Statement
from flowc.compiler.parse.tokens import TAGS

# A string is read only when it holds no escape, line end or character special elsewhere.
_STRING = r'"[^"\\#;{}\[\]\n]*"'
_TOKEN = re.compile(_STRING + r'|[{};]|[^\s{};"]+')
_WORD = re.compile(_STRING + r'|[^\s"]+')
_NOT_PLAIN = re.compile(r'[#\[\]\\]|/\*')
_SPECIAL = frozenset('"#[]{};')
_LINE_SPECIAL = frozenset('#[]{};\\')


@dataclass(frozen=True, slots=True)
class Blanked:
    """Both texts with the same blocks blanked, and the paths blanked (to verify)."""

    brace: str
    set_text: str
    paths: frozenset[tuple[str, ...]]


@dataclass(slots=True)
class _SetIndex:
    """The set side's lines under each path asked for, and the paths a line not read plainly
    may be under."""

    lines: list[str]
    under: dict[str, list[int]]
    doubt: set[str]           # the plain starts of the lines not read
    doubt_within: set[str]    # and every start of those ("" for the top)


def blank_mixed(brace: str, set_text: str, hidden: Hidden | None = None) -> Blanked | None:
    """The brace and set texts without the blocks both write the same (see above), or None
    when nothing is left out."""
    if APPLY in brace or APPLY in set_text or "/*" in set_text or "{" not in brace:
        return None
    try:
        tree, _ = outline(brace)
    except _Unreadable:
        return None
    paths = _candidate_paths(tree, ())
    index = _index(set_text, paths)
    if index is None:
        return None
    brace_blanks: list[tuple[int, int]] = []
    set_blanks: set[int] = set()
    done: set[tuple[str, ...]] = set()
    _match(brace, tree, (), index, (brace_blanks, set_blanks, done))
    if not done:
        return None
    if hidden is not None:
        for path in done:
            hide(hidden, [path], len(path))
    kept = "".join("\n" if n in set_blanks else line
                   for n, line in enumerate(set_text.splitlines(keepends=True)))
    return Blanked(_blanked(brace, brace_blanks), kept, frozenset(done))


def verified(blanked: Blanked, statements: Sequence[Statement]) -> bool:
    """No statement left on the brace side is under a blanked path."""
    paths = blanked.paths
    depth = max((len(p) for p in paths), default=0)
    for st in statements:
        words = tuple(w.text for w in st.words)
        if any(words[:size] in paths for size in range(1, min(depth, len(words)) + 1)):
            return False
    return True


def _path_words(above: tuple[str, ...], header: str) -> tuple[str, ...] | None:
    words = header.split()
    if not words or any(w in TAGS or not _SPECIAL.isdisjoint(w) for w in words):
        return None
    return (*above, *words)


def _candidate_paths(tree: list[Outline], above: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    stack = [(tree, above)]
    while stack:
        blocks, here = stack.pop()
        for block in blocks:
            path = _path_words(here, block.header)
            if path is not None and path[0] != GROUPS:
                found.add(" ".join(path))
                stack.append((block.children, path))
    return found


def _index(text: str, paths: set[str]) -> _SetIndex | None:
    lines: list[str] = []
    under: dict[str, list[int]] = {}
    doubt: set[str] = set()
    depth = max((p.count(" ") + 1 for p in paths), default=0)
    for number, raw in enumerate(text.splitlines()):
        words = raw.split()
        lines.append("")
        if not words or words[0].startswith("#"):
            continue
        if words[0] != "set" or len(words) < 2:
            return None
        path = _words(raw) if _LINE_SPECIAL.isdisjoint(raw) else None
        if path is None:
            doubt.add(" ".join(_plain_start(words[1:])))
            continue
        lines[number] = " ".join(path)
        key = path[0]
        for word in path[1:depth + 1]:
            if key in paths:
                under.setdefault(key, []).append(number)
            key += " " + word
    within = {" ".join(d.split()[:size]) for d in doubt for size in range(len(d.split()) + 1)}
    return _SetIndex(lines, under, doubt, within)


def _words(line: str) -> list[str] | None:
    """The words of a set line after `set` (strings whole), or None when one is not plain."""
    if '"' not in line:
        return line.split()[1:]
    words = _WORD.findall(line)
    if line.count('"') != 2 * sum(w[0] == '"' for w in words):
        return None
    return words[1:]


def _plain_start(words: list[str]) -> list[str]:
    plain = []
    for word in words:
        if not _SPECIAL.isdisjoint(word):
            break
        plain.append(word)
    return plain


def _statements(region: str, prefix: str) -> Iterator[str | None]:
    """The statements of a plain block's text (from its `{`), as set lines, in order; a
    None where the text is not plain (the statements after it are not read)."""
    if _NOT_PLAIN.search(region):
        yield None
        return
    stack: list[list[str]] = []
    words: list[str] = []
    opened = False
    tokens = _TOKEN.findall(region)
    if '"' in region and region.count('"') != 2 * sum(t[0] == '"' for t in tokens):
        yield None
        return
    if not TAGS.isdisjoint(tokens):
        yield None
        return
    above = prefix
    for token in tokens:
        if token == ";":
            if not words:
                yield None  # a statement without words: the parser's to judge
                return
            yield above + " " + " ".join(words)
            words, opened = [], False
        elif token == "{":
            stack.append(words)
            above = " ".join([prefix, *(w for s in stack[1:] for w in s)])
            words, opened = [], True
        elif token != "}":
            words.append(token)
        elif opened or words:
            yield None  # an empty block, or words before a `}`
            return
        else:
            stack.pop()
            above = " ".join([prefix, *(w for s in stack[1:] for w in s)])


_Found = tuple[list[tuple[int, int]], set[int], set[tuple[str, ...]]]


def _match(text: str, tree: list[Outline], above: tuple[str, ...], index: _SetIndex, found: _Found) -> None:
    """Level by level: the plain blocks the set side writes the same are blanked (one kept
    per level, and one in each block written around them that would be left empty), the
    others looked into (a block written twice as one level of the parts' children)."""
    levels: list[tuple[list[Outline], tuple[str, ...], list[Outline]]] = [(tree, above, [])]
    while levels:
        blocks, here, parents = levels.pop()
        by_header: dict[str, list[Outline]] = {}
        for block in blocks:
            by_header.setdefault(block.header, []).append(block)
        same: list[tuple[Outline, tuple[str, ...], list[int]]] = []
        for header, parts in by_header.items():
            path = _path_words(here, header)
            if path is None or path[0] == GROUPS:
                continue
            numbers = _same(text, parts[0], path, index) if len(parts) == 1 else None
            if numbers is not None:
                same.append((parts[0], path, numbers))
            else:
                levels.append(([c for part in parts for c in part.children], path, parts))
        if len(same) >= 2 and not _entries(here, list(by_header)):
            _blank(same, parents, found)


def _same(text: str, block: Outline, path: tuple[str, ...], index: _SetIndex) -> list[int] | None:
    key = " ".join(path)
    if key in index.doubt_within or any(" ".join(path[:size]) in index.doubt for size in range(len(path))):
        return None
    numbers = index.under.get(key)
    if not numbers:
        return None
    region = text[text.index("{", block.start):block.end]
    if region.count(";") != len(numbers):
        return None
    lines = index.lines
    rows = iter(lines[n] for n in numbers)
    for row in _statements(region, key):
        if row is None or row != next(rows):
            return None
    return numbers


def _blank(same: list[tuple[Outline, tuple[str, ...], list[int]]], parents: list[Outline],
           found: _Found) -> None:
    """Blank all but the smallest block of the level, of each header's word prefix and of
    each part of a block written twice that would be left without blocks."""
    kept: dict[tuple[str, ...], int] = {}
    for number, (block, _, _) in enumerate(same):
        words = tuple(block.header.split())
        for prefix in (words[:count] for count in range(len(words))):
            if prefix not in kept or _size(block) < _size(same[kept[prefix]][0]):
                kept[prefix] = number
    keep = set(kept.values())
    number_of = {id(block): number for number, (block, _, _) in enumerate(same)}
    for parent in parents:
        inside = [number_of.get(id(child)) for child in parent.children]
        if inside and all(n is not None and n not in keep for n in inside):
            keep.add(min((n for n in inside if n is not None), key=lambda n: _size(same[n][0])))
    brace_blanks, set_blanks, done = found
    for number, (block, path, numbers) in enumerate(same):
        if number not in keep:
            brace_blanks.append((block.start, block.end))
            set_blanks.update(numbers)
            done.add(path)


def _size(block: Outline) -> int:
    return block.end - block.start
