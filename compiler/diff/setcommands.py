"""`flowc diff --format set`: the set/delete/insert/activate/deactivate commands that turn
OLD into NEW, computed on the two statement trees (`flowc.compiler.diff.tree`).

Order: deletes, sets (NEW's order: new entries of ordered lists are appended), inserts
(each ordered list gets NEW's order), then activation changes. Loading OLD's `display set`
followed by these commands with flowc's set-form loader gives NEW's statements exactly.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flowc.compiler.diff.blocks import Hidden
from flowc.compiler.diff.order import anchor, ident_text, identifier, order_class
from flowc.compiler.diff.tree import Leaf, Node
from flowc.compiler.parse.statements import Statement, Word


def command_list(old: Sequence[Statement], new: Sequence[Statement], old_tree: Node,
                 new_tree: Node, hidden: Hidden | None = None) -> tuple[str, ...]:
    """The commands for two statement lists and their trees (`hidden`: the keywords of the
    statements left out of them, see `flowc.compiler.diff.blocks`)."""
    plan = _CommandPlan(hidden=hidden or set())
    _commands(old_tree, new_tree, plan)
    _activation(old, new, plan)
    return plan.result()


def _words(words: tuple[Word, ...]) -> str:
    from flowc.compiler.fmt.printer import quote

    return " ".join(quote(w) for w in words)


@dataclass(slots=True)
class _CommandPlan:
    deletes: list[str] = field(default_factory=list)
    deleted: list[tuple[str, ...]] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    inserts: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    hidden: Hidden = field(default_factory=set)

    def result(self) -> tuple[str, ...]:
        return tuple(self.deletes + self.sets + self.inserts + self.flags)


def _commands(old: Node, new: Node, plan: _CommandPlan) -> None:
    """Deletes and sets level by level, NEW's order, parents first; a level's inserts after
    those of the levels under it (an explicit stack: no deep recursion)."""
    stack: list[tuple[str, Node | Leaf, Node | Leaf]] = [("level", old, new)]
    while stack:
        step, before_level, level = stack.pop()
        if step == "set":
            plan.sets += [f"set {_words(leaf.path)}" for leaf in _leaves(level)]
            continue
        assert isinstance(before_level, Node) and isinstance(level, Node)
        if step == "inserts":
            plan.inserts += _inserts(before_level, level)
            continue
        _deletes(before_level, level, plan)
        work: list[tuple[str, Node | Leaf, Node | Leaf]] = []
        for key, item in level.children.items():
            before = before_level.children.get(key)
            if before is None:
                work.append(("set", item, item))
            elif isinstance(item, Node) and isinstance(before, Node):
                work.append(("level", before, item))
        stack.append(("inserts", before_level, level))
        stack.extend(reversed(work))


def _deletes(old: Node, new: Node, plan: _CommandPlan) -> None:
    for key, item in old.children.items():
        if key not in new.children:
            path = _deleted_path(old, item, plan.hidden)
            plan.deleted.append(tuple(w.text for w in path))
            plan.deletes.append(f"delete {_words(path)}")


def _deleted_path(parent: Node, item: Node | Leaf, hidden: Hidden) -> tuple[Word, ...]:
    """A single-valued leaf is deleted by its keyword (`delete … retry`), as Junos users
    write it; anything else, and a leaf with a sibling of its keyword (here or left out
    before the trees were built), by its full path."""
    if not isinstance(item, Leaf) or len(item.words) < 2 or order_class(parent, item):
        return item.path
    keyword = item.words[0].text
    same = [c for c in parent.children.values() if c.words and c.words[0].text == keyword]
    if len(same) != 1 or (tuple(w.text for w in parent.path), keyword) in hidden:
        return item.path
    return item.path[: len(item.path) - len(item.words) + 1]


def _activation(old: Sequence[Statement], new: Sequence[Statement], plan: _CommandPlan) -> None:
    """`deactivate`/`activate` from the deactivated paths of both sides. A deactivated path
    holds for what is set under it later, and a `delete` at or above it removes it."""
    before, after = _marks(old), _marks(new)

    def deleted(mark: tuple[str, ...]) -> bool:
        return any(mark[: len(d)] == d for d in plan.deleted)

    for mark, words in before.items():
        if mark not in after and not deleted(mark) and any(s.path[: len(mark)] == mark for s in new):
            plan.flags.append(f"activate {_words(words)}")
    for mark, words in after.items():
        if mark not in before or deleted(mark):
            plan.flags.append(f"deactivate {_words(words)}")


def _marks(statements: Sequence[Statement]) -> dict[tuple[str, ...], tuple[Word, ...]]:
    marks: dict[tuple[str, ...], tuple[Word, ...]] = {}
    for statement in statements:
        if statement.inactive_at:
            marks.setdefault(statement.path[: statement.inactive_at], statement.words[: statement.inactive_at])
    return marks


def _leaves(item: Node | Leaf) -> list[Leaf]:
    """The leaves under an item, in order (an explicit stack)."""
    leaves: list[Leaf] = []
    stack = [item]
    while stack:
        entry = stack.pop()
        if isinstance(entry, Leaf):
            leaves.append(entry)
        else:
            stack.extend(reversed(entry.children.values()))
    return leaves


def _inserts(old: Node, new: Node) -> list[str]:
    """`insert` commands that give each ordered list NEW's order, after deletes and sets
    (which leave kept entries in OLD's order and append new ones in NEW's order)."""
    commands = []
    names = {c for c in (order_class(new, item) for item in new.children.values()) if c is not None}
    for name in sorted(names):
        target = _entries(new, name)
        kept = _kept_entries(old, new, name)
        current = [k for k in _entries(old, name) if k in kept] + [k for k in target if k not in kept]
        for index, entry in enumerate(target):
            if current[index] == entry:
                continue
            reference = current[index]
            current.remove(entry)
            current.insert(index, entry)
            words = new.path + identifier(target[entry]) + (Word("before"),) + anchor(target[reference])
            commands.append(f"insert {_words(words)}")
    return commands


def _kept_entries(old: Node, new: Node, name: str) -> set[Any]:
    """Entries of OLD that keep at least one statement untouched: the others vanish from
    the statement list when deleted and come back at its end when set again."""
    new_leaves = {leaf.line_path for item in new.children.values() for leaf in _leaves(item)}
    kept = set()
    for item in old.children.values():
        if order_class(old, item) == name and any(
                leaf.line_path in new_leaves for leaf in _leaves(item)):
            kept.add(ident_text(item))
    return kept


def _entries(node: Node, name: str) -> dict[Any, Node | Leaf]:
    entries: dict[Any, Node | Leaf] = {}
    for item in node.children.values():
        if order_class(node, item) == name:
            entries.setdefault(ident_text(item), item)
    return entries
