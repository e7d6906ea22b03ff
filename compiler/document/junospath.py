"""A statement path read against Junos' schema: what each word is, and the set statements it holds.

Stage document (used by fmt, diff and `lint --schema`). Input: the words of one statement
path from the top of the configuration. Output: a `Reading` with one `Kind` per word
(container, keyed list keyword and its key, leaf keyword and its values, leaf-list, presence
flag, keyword-less value, unknown), the schema node of each known word, and the `pieces`:
the `display set` statements the path stands for. A brace one-liner may hold several
(`srgb start-label 16000 index-range 80000;` is two set statements, `route 0/0 next-hop A
preference 200;` two), while a list Junos prints on one line (`ntp server A prefer`, `arp A
mac M`, `syslog file f any notice`) stays one.

Words the schema does not know (other Junos versions, typos) are `UNKNOWN` from there on,
and their statement stays whole: the caller keeps its schema-less behaviour for them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from flowc.compiler.document.junosschema import (
    HAS_CHILDREN,
    LEAF,
    LEAF_LIST,
    LIST,
    MANDATORY,
    NO_KEYWORD,
    ONE_LINER,
    PRESENCE,
    TRANSPARENT_KEY,
    JunosSchema,
    schema,
)


class Kind(StrEnum):
    CONTAINER = "container"  # opens a level (`protocols`, `srgb`)
    LIST = "list"            # keyword of a keyed list (`unit`); the entry's key follows
    KEY = "key"              # the key of a list entry (`0`, `ge-0/0/0`)
    LEAF = "leaf"            # keyword of a leaf; its value(s) follow
    LEAF_LIST = "leaf-list"  # keyword of a leaf-list (`members`); one value per set statement
    VALUE = "value"          # a value of a leaf, leaf-list, one-line list entry or keyword-less leaf
    FLAG = "flag"            # a presence flag (`accept`, `vlan-tagging`)
    UNKNOWN = "unknown"      # not in the schema here (and every word after it)


# Statements Junos accepts at every level; the structure tree leaves them out.
_EVERYWHERE = {"apply-groups": Kind.LEAF_LIST, "apply-groups-except": Kind.LEAF_LIST,
               "apply-macro": Kind.LIST, "apply-flags": Kind.LIST}


@dataclass(frozen=True, slots=True)
class Piece:
    """One set statement of a path: `words[:base] + words[start:end]`."""

    base: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Reading:
    """What each word of a path is. `nodes[i]` is word i's schema node: a keyword's own;
    for a leaf's first value, the leaf's (-1 for unknown words and further values).
    `opaque` is True when the unknown words are below a container the schema lists
    without contents (accepted, not checked)."""

    kinds: tuple[Kind, ...]
    nodes: tuple[int, ...]
    pieces: tuple[Piece, ...]
    opaque: bool = False

    @property
    def known(self) -> bool:
        return Kind.UNKNOWN not in self.kinds

    def unknown_at(self) -> int:
        """The index of the first unknown word (the length when all are known)."""
        return self.kinds.index(Kind.UNKNOWN) if Kind.UNKNOWN in self.kinds else len(self.kinds)

    def element_end(self, start: int) -> int:
        """Where the name of the element that starts at `start` ends: after a keyed list's
        key, after a leaf's or flag's keyword (what `deactivate` names)."""
        kinds = self.kinds
        if start >= len(kinds):
            return start
        if kinds[start] == Kind.LIST and start + 1 < len(kinds):
            return start + 2
        return start + 1


def read(words: Sequence[str]) -> Reading | None:
    """The reading of a path, or None when the schema is not available."""
    return _read(tuple(words))


@lru_cache(maxsize=65536)
def _read(words: tuple[str, ...]) -> Reading | None:
    index = schema()
    return None if index is None else _Walk(index, words).run()


class _Walk:
    """One walk down the schema along a path."""

    __slots__ = ("base", "cuts", "index", "kinds", "node", "nodes", "opaque", "whole", "words")

    def __init__(self, index: JunosSchema, words: tuple[str, ...]) -> None:
        self.index = index
        self.words = words
        self.node = index.root
        self.base = 0        # words[:base] name the level `node`
        self.kinds: list[Kind] = []
        self.nodes: list[int] = []
        self.cuts: list[tuple[int, int]] = [(0, 0)]  # (base, start) of each set statement
        self.opaque = False
        self.whole = False  # inside a list entry Junos prints on one line

    def run(self) -> Reading:
        words = self.words
        while len(self.kinds) < len(words):
            if not self._step(words[len(self.kinds)]):
                self._rest(Kind.UNKNOWN)
        ends = [start for _, start in self.cuts[1:]] + [len(words)]
        pieces = tuple(Piece(base, start, end) for (base, start), end in zip(self.cuts, ends))
        return Reading(tuple(self.kinds), tuple(self.nodes), pieces, self.opaque)

    def _push(self, kind: Kind, node: int = -1) -> None:
        self.kinds.append(kind)
        self.nodes.append(node)

    def _rest(self, kind: Kind) -> None:
        while len(self.kinds) < len(self.words):
            self._push(kind)

    def _enter(self, node: int) -> None:
        self.node = node
        self.base = len(self.kinds)

    def _step(self, word: str) -> bool:
        """Read one word at the current level; False when the schema does not know it."""
        index = self.index
        child = index.child(self.node, word)
        if child is None:
            return self._unnamed(word)
        flags = index.flags(child)
        if flags & LIST:
            return self._list(child, flags)
        if flags & LEAF:
            self._push(Kind.LEAF_LIST if flags & LEAF_LIST else Kind.LEAF, child)
            self._values(child)
        elif flags & PRESENCE and not flags & HAS_CHILDREN:
            self._push(Kind.FLAG, child)
            self._done()
        else:
            self._push(Kind.CONTAINER, child)
            self._enter(child)
            if index.opaque(child):
                self.opaque = True
                self._rest(Kind.UNKNOWN)
        return True

    def _unnamed(self, word: str) -> bool:
        """A word that is no keyword here: a statement allowed everywhere, a key of a list
        whose keyword Junos leaves out, or the value of a keyword-less leaf."""
        everywhere = _EVERYWHERE.get(word)
        if everywhere is not None:
            self._push(everywhere)
            self._values(-1) if everywhere == Kind.LEAF_LIST else self._rest(Kind.VALUE)
            return True
        hidden = self.index.transparent(self.node)
        if hidden is None:
            hidden = self._nameless(word, TRANSPARENT_KEY | LIST)
        if hidden is not None:
            self._push(Kind.KEY, hidden)
            self._enter(hidden)
            return True
        nameless = self._nameless(word, NO_KEYWORD | LEAF)
        if nameless is None:
            return False
        self._push(Kind.VALUE, nameless)
        self._done()
        return True

    def _nameless(self, word: str, flags: int) -> int | None:
        """The child with these flags that takes `word` as its value (enums checked)."""
        index = self.index
        for child in index.children[self.node].values():
            if index.flags(child) & flags == flags:
                allowed = index.enum(child)
                if allowed is None or word in allowed:
                    return child
        return None

    def _list(self, child: int, flags: int) -> bool:
        self._push(Kind.LIST, child)
        if len(self.kinds) < len(self.words):
            self._push(Kind.KEY, child)
        if not flags & HAS_CHILDREN:
            self._rest(Kind.VALUE)
            return True
        self._enter(child)
        if flags & ONE_LINER:
            self.whole = True  # Junos prints the entry on one line: no split inside
        return True

    def _values(self, leaf: int) -> None:
        """A leaf's value (its node recorded with it), and more words up to the next
        keyword of this level."""
        words, index = self.words, self.index
        if len(self.kinds) < len(words):
            self._push(Kind.VALUE, leaf)
        while len(self.kinds) < len(words) and index.child(self.node, words[len(self.kinds)]) is None:
            self._push(Kind.VALUE)
        self._done()

    def _done(self) -> None:
        """A statement ended; more words start another at the current level."""
        at = len(self.kinds)
        if not self.whole and at < len(self.words) and self._starts_statement(self.words[at]):
            self.cuts.append((self.base, at))

    def _starts_statement(self, word: str) -> bool:
        index = self.index
        return (index.child(self.node, word) is not None or word in _EVERYWHERE
                or self._nameless(word, NO_KEYWORD | LEAF) is not None)


def one_line_container(path: Sequence[str], names: Sequence[str]) -> bool:
    """The container at `path` holds just its mandatory leaves, `names` (in any order): Junos
    prints it on one line in brace form (`hold-time up 2000 down 0;`)."""
    reading = read(path)
    if reading is None or not reading.kinds or reading.kinds[-1] != Kind.CONTAINER:
        return False
    index = schema()
    node = reading.nodes[-1]
    if index is None or node < 0:
        return False
    mandatory = {name for name, child in index.children[node].items()
                 if index.flags(child) & (LEAF | MANDATORY) == LEAF | MANDATORY}
    return len(mandatory) >= 2 and mandatory == set(names) and len(names) == len(mandatory)
