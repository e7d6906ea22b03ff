"""`flowc diff --format set`: the set/delete/insert/activate/deactivate commands that turn
OLD into NEW, computed on the two statement trees (`flowc.compiler.diff.tree`).

Order: deletes, sets (NEW's order: new entries of ordered lists are appended), inserts
(each ordered list gets NEW's order), then activation changes. Loading OLD's `display set`
followed by these commands with flowc's set-form loader gives NEW's statements exactly.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flowc.compiler.diff.blocks import Hidden
from flowc.compiler.diff.levels import element, read_known
from flowc.compiler.diff.moves import moves
from flowc.compiler.diff.order import anchor, ident_text, identifier, order_class
from flowc.compiler.diff.tree import Leaf, Node
from flowc.compiler.parse.statements import Statement, Word


def command_list(old: Sequence[Statement], new: Sequence[Statement], old_tree: Node,
                 new_tree: Node, hidden: Hidden | None = None) -> tuple[str, ...]:
    """The commands for two statement lists and their trees (`hidden`: the keywords of the
    statements left out of them, see `flowc.compiler.diff.blocks`)."""
    plan = _CommandPlan(hidden=hidden or set(), old_paths=[s.path for s in old],
                        new_paths=[s.path for s in new])
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
    old_paths: Sequence[tuple[str, ...]] = ()
    new_paths: Sequence[tuple[str, ...]] = ()
    _both: list[tuple[str, ...]] | None = None
    _new: list[tuple[str, ...]] | None = None

    def kept_under(self, prefix: tuple[str, ...]) -> bool:
        """A statement both sides have is at or under `prefix`: a delete there would remove
        it, and no `set` would bring it back."""
        if self._both is None:  # built on the first delete: the paths under a prefix are a range
            old = set(self.old_paths)
            self._both = sorted(p for p in self.new_paths if p in old)
        return _under(self._both, prefix)

    def stays(self, prefix: tuple[str, ...]) -> bool:
        """NEW has a statement at or under `prefix`: the level stays (emptied, or written
        differently), so what goes under it is deleted item by item."""
        if self._new is None:
            self._new = sorted(self.new_paths)
        return _under(self._new, prefix)

    def result(self) -> tuple[str, ...]:
        return tuple(self.deletes + self.sets + self.inserts + self.flags)


def _under(paths: list[tuple[str, ...]], prefix: tuple[str, ...]) -> bool:
    at = bisect_left(paths, prefix)
    return at < len(paths) and paths[at][:len(prefix)] == prefix


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
    """A `delete` for each item of OLD's level that NEW's level does not have: a level only
    when NEW keeps nothing under it (else what under it goes, item by item), a leaf by the
    name of its element where that removes nothing NEW has."""
    stack: list[tuple[Node, Node | Leaf]] = [
        (old, item) for key, item in reversed(old.children.items()) if key not in new.children]
    while stack:
        parent, item = stack.pop()
        if isinstance(item, Node):
            texts = tuple(w.text for w in item.path)
            if plan.stays(texts) or (texts[:-1], texts[-1]) in plan.hidden:
                stack.extend((item, child) for child in reversed(item.children.values()))
                continue
            path = item.path
        else:
            path = _deleted_path(parent, item, plan)
        plan.deleted.append(tuple(w.text for w in path))
        plan.deletes.append(f"delete {_words(path)}")


def _deleted_path(parent: Node, item: Leaf, plan: _CommandPlan) -> tuple[Word, ...]:
    """A leaf is deleted by the name of its element, as Junos users write it: a leaf's
    keyword (`delete … retry`, `… then local-preference`), a one-line entry's key (`… ndp A`),
    where Junos' schema knows the statement; elsewhere a single-valued leaf by its keyword.
    Anything else, and an element with a sibling of its name (here or left out before the
    trees were built), or whose name would remove a statement NEW has, by its full path."""
    full = item.path
    if len(item.words) < 2 or order_class(parent, item):
        return full
    start = len(full) - len(item.words)
    end = element(item.line_path, start)
    if end is None:
        if read_known(item.line_path):
            return full
        end = start + 1
    if end >= len(full):
        return full
    name = item.line_path[start:end]
    same = [c for c in parent.children.values() if tuple(w.text for w in c.words[:len(name)]) == name]
    if len(same) != 1 or (tuple(w.text for w in parent.path), name[0]) in plan.hidden \
            or plan.kept_under(item.line_path[:end]):
        return full
    return full[:end]


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
    (which leave kept entries in the order of their first statement kept, and append new
    ones in NEW's order): the fewest there are (`flowc.compiler.diff.moves`)."""
    commands = []
    names = {c for c in (order_class(new, item) for item in new.children.values()) if c is not None}
    for name in sorted(names):
        target = _entries(new, name)
        kept = _kept_entries(old, new, name)
        current = sorted(kept, key=kept.__getitem__) + [k for k in target if k not in kept]
        for entry, where, reference in moves(current, list(target)):
            words = new.path + identifier(target[entry]) + (Word(where),) + anchor(target[reference])
            commands.append(f"insert {_words(words)}")
    return commands


def _kept_entries(old: Node, new: Node, name: str) -> dict[Any, int]:
    """Entries of OLD that keep at least one statement untouched, with where the first of
    those stands in OLD's statement list (where the entry stands once the deletes are
    done): the others vanish from the statement list when deleted and come back at its
    end when set again."""
    new_leaves = {leaf.line_path for item in new.children.values() for leaf in _leaves(item)}
    kept: dict[Any, int] = {}
    for item in old.children.values():
        if order_class(old, item) == name:
            first = min((leaf.seq for leaf in _leaves(item) if leaf.line_path in new_leaves), default=-1)
            if first >= 0:
                kept.setdefault(ident_text(item), first)
    return kept


def _entries(node: Node, name: str) -> dict[Any, Node | Leaf]:
    entries: dict[Any, Node | Leaf] = {}
    for item in node.children.values():
        if order_class(node, item) == name:
            entries.setdefault(ident_text(item), item)
    return entries
