"""Which lists of a configuration are ordered: where Junos keeps the order it was given and
acts on it (policy chains, inheritance, rules and terms evaluated first match first, servers
tried in turn). Everything else is order-blind: Junos sorts it itself or uses it as a set.

An ordered list is a *class* of siblings under one node: the entries of a homogeneous block
(`destinations`, `archive-sites`), the values of an ordered leaf list (`import p1`,
`import p2`), or named entries whose keyword is ordered where it stands (`term t1`,
`policy p1` of a zone pair, `rule r1` of a rule set). docs/diff.md lists them and why.
"""
from __future__ import annotations

from flowc.compiler.diff.tree import HOMOGENEOUS, Leaf, Level, Node, mpls_path
from flowc.compiler.parse.statements import Word

# Leaf lists whose values are used in the order written.
ORDERED_LEAVES = frozenset({
    "import", "export",            # routing policy chains (protocols, groups, neighbors)
    "vrf-import", "vrf-export",    # VRF policy chains
    "apply-groups",                # inheritance: the first group that sets a statement wins
    "authentication-order",        # methods tried in turn
    "input-list", "output-list",   # interface filter chains
    "name-server",                 # resolvers queried in turn
    "import-rib",                  # rib-groups: the first table listed is the primary one
    "proposals",                   # IKE/IPsec policies: proposals offered in the order listed
})
# Named entries evaluated first match first, wherever they appear.
ORDERED_ANYWHERE = frozenset({"term"})
# Named entries ordered under a parent level starting with one of these words.
ORDERED_UNDER = {
    "policy": frozenset({"from-zone", "global"}),              # security policies of a zone pair
    "rule": frozenset({"rule-set"}),                           # NAT rules of a rule set
    "radius-server": frozenset({"system"}),                    # tried in turn
    "tacplus-server": frozenset({"system"}),
}


def ordered_entries(words: tuple[str, ...]) -> str | None:
    """The ordered list the entries of the level at `words` make, if they make one: a
    homogeneous block (`destinations`), or the hops of an MPLS path (`mpls path p1`,
    followed in order)."""
    if words and words[-1] in HOMOGENEOUS:
        return words[-1]
    if mpls_path(words):
        return "path"
    return None


def order_class(parent: Node, item: Node | Leaf) -> str | None:
    """The ordered list an item belongs to (None: order does not matter)."""
    level = parent.level
    if level and (level[-1] in HOMOGENEOUS or (len(level) == 2 and level[0] == "path")):
        entries = ordered_entries(tuple(w.text for w in parent.path))
        if entries is not None:
            return entries
    if not item.words:
        return None
    first = item.words[0].text
    if isinstance(item, Leaf):
        return first if first in ORDERED_LEAVES and len(item.words) == 2 else None
    if len(item.words) != 2:
        return None
    if first in ORDERED_ANYWHERE:
        return first
    parents = ORDERED_UNDER.get(first)
    if parents is not None and parent.level and parent.level[0] in parents:
        return first
    return None


def identifier(item: Node | Leaf) -> tuple[Word, ...]:
    """How an `insert` command names the entry it moves: `"ftp://…"`, `term t1`, `import p2`."""
    if isinstance(item, Node):
        return item.words
    if item.words and item.words[0].text in ORDERED_LEAVES and len(item.words) == 2:
        return item.words
    return item.words[:1]


def anchor(item: Node | Leaf) -> tuple[Word, ...]:
    """How an `insert` command names its reference entry: a named entry with its keyword
    (`before term t1`), a leaf-list value without it (`import p2 before p1`)."""
    words = identifier(item)
    return words[1:] if isinstance(item, Leaf) and len(words) == 2 else words


def ident_text(item: Node | Leaf) -> Level:
    return tuple(w.text for w in identifier(item))


# Every word that names an ordered list (used to keep a list in one block, see blocks.py).
ORDERED_WORDS = HOMOGENEOUS | ORDERED_LEAVES | ORDERED_ANYWHERE | frozenset(ORDERED_UNDER)
