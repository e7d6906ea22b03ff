"""Display levels of a statement from Junos' own schema: which words open a level, where the
leaf line starts, and what a `delete` of a removed leaf line names.

Stage diff. Input: a statement path (words as text). Output, where Junos' schema
(`flowc.compiler.document.junospath`) knows the words: the levels `show | compare` prints
(`policy-options`, `policy-statement from-cust`, `term prefer`, `then`) and the index where the
leaf line starts (`local-preference 200`, `accept`, `ndp 2001:db8::2 l2-interface ae1.100 mac
…`, a list entry Junos prints on one line). A container, keyed list entry or hidden-keyword
entry (`interfaces ae1`) with more below opens a level; a leaf, leaf-list value, presence flag,
keyword-less value, a container holding only its value (`local-preference 200`) or a one-line
list entry is the leaf line. From the first word the schema does not know, the caller's
hand-written tables decide (`flowc.compiler.diff.tree`).
"""
from __future__ import annotations

from flowc.compiler.document.junospath import Kind, Reading, read
from flowc.compiler.document.junosschema import HAS_CHILDREN, ONE_LINER, schema

Level = tuple[str, ...]
_LINE_KINDS = frozenset({Kind.LEAF, Kind.LEAF_LIST, Kind.FLAG, Kind.VALUE})


def schema_levels(path: tuple[str, ...], index: int, levels: list[Level]) -> tuple[list[Level], int, bool]:
    """Levels from `path[index]` on, appended to `levels`: (levels, where the leaf line or
    the first unknown word starts, whether the schema placed the leaf line)."""
    reading = read(path)
    if reading is None:
        return levels, index, False
    kinds, n = reading.kinds, len(path)
    while index < n:
        kind = kinds[index]
        if kind == Kind.UNKNOWN or kind in _LINE_KINDS:
            return levels, index, kind != Kind.UNKNOWN
        size = _level_size(reading, index)
        if size == 0:
            return levels, index, True
        levels.append(path[index:index + size])
        index += size
    return levels, index, True


def _level_size(reading: Reading, index: int) -> int:
    """How many words the level at `index` takes (0: the leaf line starts here)."""
    kinds, n = reading.kinds, len(reading.kinds)
    kind = kinds[index]
    if kind == Kind.CONTAINER:
        rest = kinds[index + 1:]
        return 0 if not rest or all(k == Kind.VALUE for k in rest) else 1
    size = 2 if kind == Kind.LIST else 1  # a list's keyword and key, or a hidden keyword's key
    if index + size >= n:
        return 0
    if kinds[index + size] == Kind.UNKNOWN:
        return size
    return 0 if _one_line(reading.nodes[index]) else size


def _one_line(node: int) -> bool:
    """A list whose entries Junos prints on one line (`any notice;` of a syslog file,
    `server A prefer;`, `arp A mac M;`: a statement that gives several leaves of one is
    compared leaf by leaf, `entry_pieces`), or whose entries hold values, not statements
    (`apply-macro m a b`)."""
    index = schema()
    return index is not None and node >= 0 and (index.has(node, ONE_LINER) or not index.has(node, HAS_CHILDREN))


def entry_pieces(path: tuple[str, ...]) -> list[tuple[int, int]] | None:
    """A statement that gives an entry of a list Junos prints on one line several leaves at
    once (`ntp server A version 4 prefer`, `arp A l2-interface X mac M`): the (start, end) of
    each leaf after the entry's key, compared one by one as a set text may give them; None
    for any other statement."""
    reading = read(path)
    if reading is None or not reading.known:
        return None
    kinds, nodes, index = reading.kinds, reading.nodes, schema()
    for at, kind in enumerate(kinds):
        if kind in (Kind.LIST, Kind.KEY) and index is not None and nodes[at] >= 0 \
                and index.has(nodes[at], ONE_LINER):
            start = at + (2 if kind == Kind.LIST else 1)
            cuts = [i for i in range(start, len(kinds)) if kinds[i] != Kind.VALUE]
            if len(cuts) < 2 or cuts[0] != start:
                return None
            return list(zip(cuts, cuts[1:] + [len(kinds)]))
    return None


def element(path: tuple[str, ...], start: int) -> int | None:
    """Where the name of the element whose line starts at `path[start]` ends, for a `delete`
    that removes just it: after a keyed entry's key (`ndp A`), after a leaf's keyword
    (`local-preference`); None when the schema does not know the line, or the line is a
    flag, a leaf-list value or a keyword-less value (named by its whole path)."""
    reading = read(path)
    if reading is None or not reading.known or start >= len(path):
        return None
    kind = reading.kinds[start]
    if kind == Kind.LIST or (kind == Kind.KEY and start + 1 < len(path)):
        return start + (2 if kind == Kind.LIST else 1)
    if kind == Kind.LEAF or (kind == Kind.CONTAINER and start + 1 < len(path)):
        return start + 1
    return None


def read_known(path: tuple[str, ...]) -> bool:
    """Junos' schema knows every word of the path."""
    reading = read(path)
    return reading is not None and reading.known
