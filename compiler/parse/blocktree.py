"""The block tree of configuration statements: the levels the brace form prints them at.

Stage parse (shared with fmt). Input: statements with spans. Output: `BlockNode` trees, one
node per printed line or block, children in the order first written; `tree_order` gives the
statements in that order (a block written twice merges into its first occurrence, as
`load merge` does). `KEYED` lists the keywords Junos prints on one line with their name,
`LEAF_LISTS` / `LEAF_LISTS_UNDER` the multi-valued leaves it prints as `[ … ]`, `VALUE_BLOCKS`
the containers it prints as a block of bare values (`name-server { 10.0.0.1; 10.0.0.2; }`);
see docs/parse.md for how they were chosen. A `( … )` policy expression is one leaf.
"""
from __future__ import annotations

from collections.abc import Sequence

from flowc.compiler.parse.gcpause import gc_paused
from flowc.compiler.parse.statements import Comment, Statement, Word
from flowc.compiler.source import Span

# Keywords that Junos prints on one line with the name that follows them (`unit 0 {`).
KEYED = frozenset([
    "unit", "fpc", "pic", "port", "filter", "term", "group", "neighbor", "variant", "policy-statement",
    "scheduler-map", "scheduler", "monitoring", "interface", "family", "address", "route",
    "prefix-list", "community", "as-path", "user", "class", "routing-instance", "instance", "area",
    "policer", "forwarding-class", "rib-group", "rule", "rule-set", "service-set", "zone", "policy",
    "application", "application-set", "profile", "server", "host", "vlan", "bridge-domain",
    "security-zone", "template", "peer", "client", "destination-class", "source-class", "import-policy",
    "community-name", "trap-group", "prefix-list-filter", "host-name", "file", "interface-range",
    "gateway", "vpn", "ids-option", "proposal", "pool", "label-switched-path", "session",
    "server-group", "ca-profile", "address-set", "drop-profile", "vni"
])

# Leaf-lists: leaves that take several values, printed `export [ LOOP LAN ];` (wherever they are).
LEAF_LISTS = frozenset([
    "export", "import", "members", "apply-groups", "apply-groups-except", "vlan-id-list",
    "vrf-import", "vrf-export", "authentication-order", "import-rib", "permissions", "next-hop",
    "ciphers", "macs", "key-exchange", "hostkey-algorithm", "protocol", "interface-routes",
])

# Leaf-lists only below one statement (elsewhere the same word names a container or a keyed
# list): `from community [ c1 c2 ]` but `policy-options community c1 { … }`; `match
# source-address [ a b ]` in a security policy but `from source-address { 10.0.0.0/8; }` in a
# firewall filter.
LEAF_LISTS_UNDER: dict[str, frozenset[str]] = {
    "from": frozenset(["community", "policy", "destination-port", "source-port", "port", "icmp-type",
                       "dscp", "forwarding-class", "interface-group", "neighbor"]),
    "to": frozenset(["community", "policy"]),
    "match": frozenset(["source-address", "destination-address", "application", "source-identity",
                        "dynamic-application", "url-category"]),
}

# Containers (or keyed lists) that Junos prints as a block of bare values: with several values
# they stay a block (`name-server { 10.0.0.1; 10.0.0.2; }`); other inferred blocks of bare
# values, where flowc cannot know which of the two Junos means, print one value per line.
VALUE_BLOCKS = frozenset([
    "name-server", "system-services", "protocols", "services", "interfaces", "vlans", "traceoptions",
    "syslog", "archive", "then", "from", "to", "match",
])


def leaf_list(words: Sequence[Word]) -> bool:
    """The last word is a value of a leaf-list (`… group g export LAN`)."""
    if len(words) < 2:
        return False
    head = words[-2].text
    if head in LEAF_LISTS:
        return True
    return len(words) >= 3 and head in LEAF_LISTS_UNDER.get(words[-3].text, frozenset())


def expression_start(words: Sequence[Word]) -> int:
    """Where a `( … )` policy expression's statement starts (the word before `(`), else -1:
    `… from policy ( A && B )` is the leaf `policy ( A && B );`."""
    if len(words) < 3 or words[-1].text != ")" or words[-1].quoted:
        return -1
    for i, w in enumerate(words):
        if w.text == "(" and not w.quoted:
            return max(i - 1, 0)
    return -1


# A node's key among its siblings: its words, kind, tags and whether the tags are the list's.
NodeKey = tuple[tuple[str, ...], str, str, bool]
CommentKey = tuple[str, Span, str]


def comment_key(c: Comment) -> CommentKey:
    return (c.text, c.span, c.position)


class BlockNode:
    """One printed line (or block) of the brace text."""

    __slots__ = ("children", "comments", "kind", "list_tagged", "listed", "seg", "tags", "terminal")

    def __init__(self, seg: tuple[Word, ...], kind: str, tags: str, listed: bool) -> None:
        self.seg = seg
        self.kind = kind          # "B" block as written, "b" block inferred, "t" leaf
        self.tags = tags
        self.listed = listed
        self.list_tagged = False  # `tags` belong to the list (`inactive: members [ a b ];`)
        self.children: dict[NodeKey, BlockNode] = {}
        self.terminal: Statement | None = None   # the statement that ends here
        self.comments: dict[str, list[Comment]] = {}


def tree_order(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements in the order `to_brace` prints them: a block written twice is
    merged into its first occurrence, as `load merge` does."""
    with gc_paused():
        return _tree_order(statements)


def _tree_order(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    root = build_tree(statements)
    out: list[Statement] = []
    stack = [iter(root.children.values())]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        if node.terminal is not None:
            out.append(node.terminal)
        stack.append(iter(node.children.values()))
    return tuple(out) if len(out) == len(statements) else tuple(statements)


def _add(root: BlockNode, st: Statement, seen: set[tuple[int, CommentKey]]) -> None:
    node = root
    ends: dict[int, BlockNode] = {0: root}
    first_new: BlockNode | None = None
    for start, end, kind in _segments(st):
        seg = st.words[start:end]
        tags = _tags(st, end)
        listed = _listed(st) and kind == "t" and end - start >= 2 and end == len(st.words)
        list_tagged = False
        if listed:
            if tags:
                listed = False  # a tag on one value cannot be written inside `[ … ]`
            else:
                tags = _tags(st, end - 1)  # `inactive: members [ a b ];` tags the list
                list_tagged = bool(tags)
        key = (tuple(w.text for w in seg), kind, tags, list_tagged)
        child = node.children.get(key)
        if child is None:
            child = node.children[key] = BlockNode(seg, kind, tags, listed)
            child.list_tagged = list_tagged
            first_new = first_new or child
        node = child
        ends[end] = node
    if node.terminal is None:
        node.terminal = st
    for c in st.comments:
        target = ends.get(c.depth)
        if target is None:  # inside a printed piece (a list's head): the piece holding it
            deeper = [d for d in ends if d >= c.depth]
            target = ends[min(deeper) if deeper else max(ends)]
        if not st.blocks and c.position == "before" and first_new is not None:
            target = first_new  # a comment line of set text goes where this statement starts
        placed = (id(target), comment_key(c))
        if placed not in seen:
            seen.add(placed)
            target.comments.setdefault(c.position, []).append(c)


def _tags(st: Statement, end: int) -> str:
    tags = ""
    if st.inactive_at == end:
        tags += "inactive: "
    if st.protected_at == end:
        tags += "protect: "
    if st.replace_at == end:
        tags += "replace: "
    return tags


def _listed(st: Statement) -> bool:
    """The statement is one value of a list: written in `[ … ]`, or set text of a leaf-list."""
    return st.listed or (not st.blocks and leaf_list(st.words))


def _segments(st: Statement) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each printed piece of the statement's words."""
    n = len(st.words)
    listed = _listed(st)
    forced = {d for d in (st.inactive_at, st.protected_at, st.replace_at) if 0 < d < n}
    forced |= {c.depth for c in st.comments if 0 < c.depth < n}
    if listed:
        forced.discard(n - 1)  # tags and comments of a list stay on its line
    if st.blocks:
        return _written_segments(st, forced)
    leaf = expression_start(st.words)
    if leaf < 0 or any(leaf < d < n for d in forced):
        leaf = n - 2 if listed else n
    return _inferred_segments(st, forced, leaf)


def _written_segments(st: Statement, forced: set[int]) -> list[tuple[int, int, str]]:
    """Brace text: the blocks as written, then the leaf."""
    n = len(st.words)
    bounds = sorted((set(st.blocks) | forced) - {0})
    segs = [(a, b, "B") for a, b in zip([0] + bounds[:-1], bounds)]
    start = bounds[-1] if bounds else 0
    if start < n:
        segs.append((start, n, "t"))
    return segs


def _inferred_segments(st: Statement, forced: set[int], leaf: int) -> list[tuple[int, int, str]]:
    """Set text: keyword pairs (`unit 0`) and single words down to `leaf`, where the words
    that print as one leaf start (a list's head and value, a policy expression)."""
    n = len(st.words)
    segs: list[tuple[int, int, str]] = []
    i = 0
    while i < leaf:
        step = 1
        if (st.words[i].text in KEYED and i + 1 < leaf and i + 1 not in forced
                and st.words[i + 1].text not in KEYED):
            step = 2
        segs.append((i, i + step, "t" if i + step == n else "b"))
        i += step
    if i < n:
        segs.append((i, n, "t"))
    return segs


def node_comments(node: BlockNode, position: str) -> list[Comment]:
    return node.comments.get(position, [])


def build_tree(statements: Sequence[Statement]) -> BlockNode:
    """The root of the block tree of the statements (comments attached where written)."""
    root = BlockNode((), "B", "", False)
    seen: set[tuple[int, CommentKey]] = set()
    for st in statements:
        _add(root, st, seen)
    return root
