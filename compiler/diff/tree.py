"""The configuration tree that `flowc diff` compares: statements folded into display levels.

Input: statement paths (`flowc.compiler.parse.statements`). Each statement splits into display
levels (`services`, `flow-collector`, `unit 0`, `destinations`, `"ftp://…"`) and a leaf
line (`retry 3`, `password "$9$…"`, `transfer timeout 600 record-level 500000`), guided by
the JSON Schemas where a hierarchy is validated, then by Junos' own schema
(`flowc.compiler.diff.levels`), and by a small Junos-shaped rule for what neither knows (a
`keyword value` pair ends a statement; `unit N`, `term T`, `family F` print on one line).
The tree keeps first-appearance order; entries of ordered lists (`destinations`,
`archive-sites`, `term`) keep it meaningfully, the rest only for display.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flowc.compiler.diff.levels import schema_levels
from flowc.compiler.parse.statements import Statement, Word

Level = tuple[str, ...]
Key = tuple[str, Level]  # ("n", level) for a node, ("l", line) for a leaf

# Lists whose entries sit in a block of their own and whose order means something.
HOMOGENEOUS = frozenset({"destinations", "archive-sites"})
# Keywords that print together with the word after them (`unit 0 {`, `term t1 {`).
PAIRED = frozenset({"unit", "term", "family", "filter", "fpc", "pic", "policy-statement",
                    "scheduler-map", "forwarding-class", "monitoring", "class", "variant"})
# Containers that never pair with the word after them (their entries get blocks of their own).
CONTAINERS = frozenset({"groups", "interfaces", "routing-instances", "logical-systems", "protocols",
                        "policy-options", "security", "snmp", "system", "services", "firewall",
                        "class-of-service", "chassis", "forwarding-options", "routing-options"})
# Named lists outside the schemas: the keyword prints with the entry's name (`group ebgp {`,
# `prefix-list p1 {`, `policy p1 {`), even when the name looks like a keyword.
NAMED = frozenset({"group", "neighbor", "policy", "rule", "rule-set", "prefix-list", "community",
                   "as-path", "as-path-group", "policy-statement", "term", "security-zone",
                   "address-set", "application", "application-set", "instance", "pool",
                   "proposal", "gateway", "vpn", "routing-instance", "interface-range",
                   "lsp", "path", "area", "level", "bridge-domain", "firewall-filter",
                   "profile", "user", "class", "template-name"})
# Containers whose entries are names (`interfaces lo0`, `routing-instances blue`): an entry
# name opens a level of its own even when it reads like a keyword (`lo0 { disable; }`,
# never `lo0 disable;` at `[edit interfaces]`). The words below are their keyword children.
NAME_LISTS = frozenset({"interfaces", "routing-instances", "logical-systems", "groups", "vlans",
                        "bridge-domains", "tenants"})
NAME_LIST_KEYWORDS = frozenset({"apply-groups", "apply-groups-except", "apply-macro", "traceoptions",
                                "interface-range", "interface-set"})
# Words that are keywords though they start with a digit (`802.3ad ae0;`).
DIGIT_KEYWORDS = frozenset({"802.3ad", "802.1p", "802.1ad", "802.1x"})
_KEYWORD = re.compile(r"[a-z][a-z0-9-]*")
SECRET_KEYWORDS = frozenset({"password", "secret", "authentication-key", "encrypted-password"})


@dataclass(slots=True)
class Leaf:
    """A leaf line under a node: the statement's last words, e.g. `retry 3`."""

    words: tuple[Word, ...]
    path: tuple[Word, ...]
    line: Level
    inactive_at: int = 0
    group: str | None = None
    seq: int = 0  # the statement's place in its list (where an entry stands in set form)

    @property
    def key(self) -> Key:
        return ("l", self.line)

    @property
    def line_path(self) -> Level:
        """The whole statement's words (what identifies it in a flat statement list)."""
        return tuple(w.text for w in self.path)


@dataclass(slots=True)
class Node:
    """A container level (`unit 0`) with its children in first-appearance order."""

    words: tuple[Word, ...]
    path: tuple[Word, ...]
    level: Level
    inactive_at: int = 0
    children: dict[Key, Node | Leaf] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return ("n", self.level)


def build(statements: list[Statement] | tuple[Statement, ...]) -> Node:
    """The tree of a statement list (root node has no words)."""
    root = Node((), (), ())
    for seq, statement in enumerate(statements):
        if statement.words:
            _insert(root, statement, seq)
    return root


def _insert(root: Node, statement: Statement, seq: int) -> None:
    texts = statement.path
    levels, leaf_start = split(texts)
    words = statement.words
    inactive_at = statement.inactive_at
    node, start = root, 0
    for level in levels:
        end = start + len(level)
        key: Key = ("n", level)
        child = node.children.get(key)
        if not isinstance(child, Node):
            child = Node(words[start:end], words[:end], level)
            node.children[key] = child
        if start < inactive_at <= end:
            child.inactive_at = inactive_at
        node, start = child, end
    line = texts[leaf_start:]
    leaf = Leaf(words[leaf_start:], words, line, inactive_at if inactive_at > leaf_start else 0,
                statement.group, seq)
    leaf_key: Key = ("l", line)
    existing = node.children.get(leaf_key)
    if not isinstance(existing, Leaf) or leaf.inactive_at:
        node.children[leaf_key] = leaf


def split(path: tuple[str, ...]) -> tuple[list[Level], int]:
    """Display levels of a statement and the index where its leaf line starts."""
    from flowc.compiler.document.schema import roots

    root = roots().get(path[0]) if path else None
    if root is None or len(path) < 2:
        return _junos(path, 0, [])
    return _schema_walk(path, root.node)


def _junos(path: tuple[str, ...], index: int, levels: list[Level]) -> tuple[list[Level], int]:
    """Levels from Junos' schema (`flowc.compiler.diff.levels`); from the first word it does
    not know, the hand-written guesses of `_generic`."""
    levels, index, placed = schema_levels(path, index, levels)
    return (levels, index) if placed else _generic(path, index, levels)


def _schema_walk(path: tuple[str, ...], node: object) -> tuple[list[Level], int]:
    levels: list[Level] = [(path[0],)]
    index = 1
    while index < len(path):
        selected = node.child(path[index])  # type: ignore[attr-defined]
        if selected is None:
            return _junos(path, index, levels)
        child, is_keyword = selected
        word = path[index]
        if child.kind == "words":  # kept as written: displayed as if not modelled
            return _junos(path, index, levels)
        if is_keyword and child.kind in ("leaf", "leaf-list", "flag"):
            return levels, index
        if not is_keyword:
            if child.kind in ("leaf", "leaf-list") or index + 1 >= len(path):
                return levels, index
            levels.append((word,))
            node, index = child, index + 1
            continue
        if child.kind == "named":
            index = _named(path, index, child, levels)
            if index < 0:
                return levels, -index
            node = child.entry or child
            continue
        inner = child.child(path[index + 1]) if word in PAIRED and index + 2 < len(path) else None
        if inner is not None and inner[0].kind not in ("leaf", "leaf-list", "flag"):
            levels.append((word, path[index + 1]))
            node, index = inner[0], index + 2
            continue
        if index + 1 >= len(path):
            return levels, index
        if _oneliner(child, path, index + 1):
            return levels, index
        levels.append((word,))
        node, index = child, index + 1
    last = levels.pop()
    return levels, len(path) - len(last)


def _named(path: tuple[str, ...], index: int, child: object, levels: list[Level]) -> int:
    """Enter a named list at path[index]; the next index, or -(leaf start) to stop."""
    word = path[index]
    key_at = index + 1
    if key_at + 1 < len(path) and path[key_at] in child.skip:  # type: ignore[attr-defined]
        key_at += 1
    if key_at >= len(path):
        return -index
    entry: Any = child.entry or child  # type: ignore[attr-defined]
    if word in HOMOGENEOUS:
        levels.append((word,))
        if key_at + 1 >= len(path) or entry.kind in ("leaf", "leaf-list"):
            return -key_at
        levels.append((path[key_at],))
        return key_at + 1
    if key_at + 1 >= len(path) or entry.kind in ("leaf", "leaf-list"):
        return -index
    levels.append(tuple(path[index:key_at + 1]))
    return key_at + 1


def _oneliner(container: object, path: tuple[str, ...], index: int) -> bool:
    """`transfer timeout 600 record-level 500000`: several leaves of one container on a line."""
    leaves = 0
    while index < len(path):
        selected = container.child(path[index])  # type: ignore[attr-defined]
        if selected is None or not selected[1] or selected[0].kind != "leaf":
            return False
        leaves += 1
        index += 2
    return leaves > 1 and index == len(path)


def _generic(path: tuple[str, ...], index: int, levels: list[Level]) -> tuple[list[Level], int]:
    """Outside the schemas, Junos-shaped guesses: the statement ends with `keyword value`
    (`next-hop 192.0.2.1`) or with a flag after a value (`192.0.2.123 prefer`); a keyword
    followed by a value opens a level together with it (`route 0.0.0.0/0 {`), as do
    PAIRED words (`family inet {`)."""
    end = index
    if len(path) - index >= 2:
        end = len(path) - 1 if _value(path[-2]) and not _value(path[-1]) else len(path) - 2
    if 0 < end < len(path) - 1 and path[end - 1] in NAME_LISTS and path[end] not in NAME_LIST_KEYWORDS:
        end += 1  # `interfaces lo0 disable`: the entry `lo0` is a level, `disable` its leaf
    if end + 1 < len(path) and path[end] in HOMOGENEOUS:
        end += 1
    while index < end:
        if index >= 3 and path[index - 2] == "path" and levels[-1] == path[index - 2:index] \
                and mpls_path(path[:index]):
            return levels, index  # the hops of an MPLS path: `192.0.2.1 strict;`, one line each
        word = path[index]
        if word == "from-zone" and index + 4 < len(path) and path[index + 2] == "to-zone":
            levels.append(path[index:index + 4])  # `from-zone trust to-zone untrust {`
            index += 4
            end = max(end, index)
            continue
        if word in NAMED and index + 2 < len(path) and levels[-1:] not in ([("then",)], [("from",)], [("to",)]):
            levels.append((word, path[index + 1]))
            index += 2
            end = max(end, index)
            continue
        pairs = word in PAIRED or (word not in CONTAINERS and not _value(word) and _value(path[index + 1]))
        if index + 1 < end and pairs:
            levels.append((word, path[index + 1]))
            index += 2
        else:
            levels.append((word,))
            index += 1
    return levels, end


def mpls_path(words: tuple[str, ...]) -> bool:
    """`… mpls path NAME`: the level whose entries are the hops of an MPLS path."""
    return len(words) >= 3 and words[-3] == "mpls" and words[-2] == "path"


def _value(word: str) -> bool:
    """A value (address, number, name with capitals, quoted text) rather than a keyword."""
    return not _KEYWORD.fullmatch(word) and word not in DIGIT_KEYWORDS
