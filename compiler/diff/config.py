"""`flowc diff`, the comparison: two statement lists in, a `ConfigDiff` out.

Input: two statement lists (`flowc.compiler.parse.statements`), compared as trees
(`flowc.compiler.diff.tree`). Output: a `ConfigDiff` with `[edit …]` sections that read like
Junos `show | compare` and the `set`/`delete`/`insert`/`activate`/`deactivate` commands that
turn OLD into NEW (built by `flowc.compiler.diff.setcommands`). Loading files is
`flowc.compiler.diff.files`; the three output forms are `flowc.compiler.diff.output`; two plans
are compared by `flowc.compiler.diff.plan`. See docs/diff.md for the decisions (sections in
NEW's order, moves, inactive tags).
"""
from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass

from flowc.compiler.diff.blocks import Hidden, changed_blocks
from flowc.compiler.diff.moves import staying
from flowc.compiler.diff.oneliners import displayed
from flowc.compiler.diff.order import order_class
from flowc.compiler.diff.secrets import conceal
from flowc.compiler.diff.setcommands import command_list
from flowc.compiler.diff.tree import CONTAINERS, NAMED, PAIRED, SECRET_KEYWORDS, Key, Leaf, Node, build
from flowc.compiler.parse.statements import Statement, Word

__all__ = ["ConfigDiff", "Line", "Section", "diff_statements", "quote"]


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a compare section: op is '+', '-', ' ' (context) or '!' (activation)."""

    op: str
    text: str


@dataclass(frozen=True, slots=True)
class Section:
    """`[edit …]` and its lines."""

    edit: tuple[str, ...]
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    sections: tuple[Section, ...]
    commands: tuple[str, ...]

    @property
    def identical(self) -> bool:
        return not self.sections and not self.commands


_BLOCK_KEYWORDS = PAIRED | NAMED | CONTAINERS  # their entries always print as blocks
_ACTION_LEVELS = frozenset({"then"})  # `then accept;`: a term's single action on its line

# ------------------------------------------------------------------ quoting

def quote(word: Word) -> str:
    """A word as Junos writes it (the emitter's rule, so that set text round-trips)."""
    from flowc.compiler.fmt.printer import quote as emit_quote

    return emit_quote(word)


def _words(words: tuple[Word, ...]) -> str:
    return " ".join(quote(w) for w in words)


# ------------------------------------------------------------------ entry point

def diff_statements(old: list[Statement] | tuple[Statement, ...],
                    new: list[Statement] | tuple[Statement, ...],
                    *, shown_old: list[Statement] | tuple[Statement, ...] | None = None,
                    shown_new: list[Statement] | tuple[Statement, ...] | None = None,
                    left_out: Hidden | None = None) -> ConfigDiff:
    """Compare two configurations. Commands come from `old`/`new` as written; the compare
    sections from `shown_old`/`shown_new` when given (the effective, groups-applied view);
    `left_out`: the keywords of what was left out of both before they were parsed.
    Both sides are compared as Junos' set form has them: one-liners split into their leaves
    (`flowc.compiler.diff.oneliners`)."""
    same_old, same_new = shown_old is None or shown_old is old, shown_new is None or shown_new is new
    old, new = conceal(old), conceal(new)
    shown_old = old if same_old else conceal(shown_old or ())
    shown_new = new if same_new else conceal(shown_new or ())
    same_view = same_old and same_new
    hidden = set(left_out or ())
    old_split, new_split = (displayed(side) for side in changed_blocks(old, new, hidden))
    old_tree, new_tree = build(old_split), build(new_split)
    if same_view:
        old_shown, new_shown = old_tree, new_tree
    else:
        shown = changed_blocks(shown_old, shown_new)
        old_shown, new_shown = (build(displayed(side)) for side in shown)
    sections: list[Section] = []
    _compare(old_shown, new_shown, sections)
    return ConfigDiff(tuple(sections), command_list(old_split, new_split, old_tree, new_tree, hidden))


# ------------------------------------------------------------------ compare text

def _compare(old: Node, new: Node, sections: list[Section]) -> None:
    """The sections of every level both sides have, NEW's order, parents first (an explicit
    stack: a deeply nested configuration needs no deep recursion)."""
    stack = [(old, new)]
    while stack:
        before_level, level = stack.pop()
        lines = _section_lines(before_level, level)
        if lines:
            sections.append(Section(tuple(quote(w) for w in level.path), tuple(lines)))
        below = [(before, item) for key, item in level.children.items()
                 if isinstance(item, Node) and isinstance(before := before_level.children.get(key), Node)]
        stack.extend(reversed(below))


def _section_lines(old: Node, new: Node) -> list[Line]:
    """A level's lines in NEW's order: gone and added children, moved entries of ordered
    lists (`-` at the old place, `+` at the new one) and activation changes. Only order
    within an ordered list counts: a child that changed place among unordered siblings
    has not moved."""
    if len(old.children) == len(new.children) and list(old.children) == list(new.children):
        return [line for key in new.children for line in _common_lines(old, new, key, set())]
    moved = _moved(old, new)
    old_view, new_view = _views(old, new, moved)
    context = _context_classes(old, new)
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(None, old_view, new_view, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for _, key in new_view[j1:j2]:
                lines += _common_lines(old, new, key, context)
            continue
        for _, key in old_view[i1:i2]:
            lines += _gone_lines(old, new, key)
        for _, key in new_view[j1:j2]:
            lines += _come_lines(old, new, key, context)
    return _pair_changes(lines, {_elided(new.children[k]) for k in moved})


def _moved(old: Node, new: Node) -> set[Key]:
    """Entries on both sides whose place in their ordered list changed (those outside a
    longest run of entries kept in order, `flowc.compiler.diff.moves`)."""
    moved: set[Key] = set()
    for name in _classes(new):
        before = [k for k, i in old.children.items() if k in new.children and order_class(old, i) == name]
        after = [k for k, i in new.children.items() if k in old.children and order_class(new, i) == name]
        kept = staying(before, after)
        moved.update(k for k in after if k not in kept)
    return moved


def _classes(node: Node) -> set[str]:
    return {c for c in (order_class(node, item) for item in node.children.values()) if c is not None}


def _views(old: Node, new: Node, moved: set[Key]) -> tuple[list[tuple[str, Key]], list[tuple[str, Key]]]:
    """Both sides' children for the line matcher: children kept in place are in NEW's
    relative order on both sides (so they all match), moved ones never match."""
    steady = [k for k in new.children if k in old.children and k not in moved]
    slots = iter(steady)
    old_view = [("m", k) if k in moved else ("k", next(slots)) if k in new.children else ("k", k)
                for k in old.children]
    new_view = [("n", k) if k in moved else ("k", k) for k in new.children]
    return old_view, new_view


def _context_classes(old: Node, new: Node) -> set[str]:
    """Ordered lists whose entries moved or gained an entry before their end: their
    unchanged entries are shown as context so that the new order can be read."""
    classes: set[str] = set()
    for name in {order_class(new, item) for item in new.children.values()} - {None}:
        before = [k for k, i in old.children.items() if order_class(old, i) == name]
        after = [k for k, i in new.children.items() if order_class(new, i) == name]
        common_before = [k for k in before if k in new.children]
        common_after = [k for k in after if k in old.children]
        tail_added = after[len(common_after):] == [k for k in after if k not in old.children]
        if common_before != common_after or not tail_added or after[:len(common_after)] != common_after:
            classes.add(str(name))
    return classes


def _common_lines(old: Node, new: Node, key: Key, context: set[str]) -> list[Line]:
    item, before = new.children[key], old.children[key]
    lines = []
    if order_class(new, item) in context:
        lines.append(Line(" ", _elided(item)))
    if item.inactive_at != before.inactive_at:
        tag = "inactive: " if item.inactive_at else "active: "
        lines.append(Line("!", tag + _elided(item)))
    return lines


def _gone_lines(old: Node, new: Node, key: Key) -> list[Line]:
    item = old.children[key]
    if key in new.children:
        return [Line("-", _elided(item))] if order_class(old, item) else []
    return [Line("-", text) for text in _brace(item, 0)]


def _come_lines(old: Node, new: Node, key: Key, context: set[str]) -> list[Line]:
    item = new.children[key]
    if key not in old.children:
        return [Line("+", text) for text in _brace(item, 0)]
    if order_class(new, item):
        lines = [Line("+", _elided(item))]
        before = old.children[key]
        if item.inactive_at != before.inactive_at:
            tag = "inactive: " if item.inactive_at else "active: "
            lines.append(Line("!", tag + _elided(item)))
        return lines
    return _common_lines(old, new, key, set())


def _pair_changes(lines: list[Line], moved: set[str]) -> list[Line]:
    """Put a removed leaf right before the added leaf of the same keyword (`-` old, `+` new),
    each added leaf taking the first removed one not taken; moved entries of ordered lists
    stay where they are (one pass: a section of 20,000 changed leaves costs no more)."""
    removed: dict[str, deque[int]] = {}
    for number, line in enumerate(lines):
        if line.op == "-" and ";" in line.text and _pairable(line, moved):
            removed.setdefault(line.text.split(" ", 1)[0], deque()).append(number)
    taken: dict[int, int] = {}  # the `+` line's number -> the `-` line's
    for number, line in enumerate(lines):
        if line.op == "+" and _pairable(line, moved):
            queue = removed.get(line.text.split(" ", 1)[0])
            if queue:
                taken[number] = queue.popleft()
    claimed = set(taken.values())
    out: list[Line] = []
    for number, line in enumerate(lines):
        if number in claimed:
            continue
        if number in taken:
            out.append(lines[taken[number]])
        out.append(line)
    return out


def _pairable(line: Line, moved: set[str]) -> bool:
    return not line.text.startswith(" ") and not line.text.endswith("{") and line.text not in moved


def _elided(item: Node | Leaf) -> str:
    if isinstance(item, Leaf):
        return _leaf_text(item)
    flag = _one_line_flag(item)
    if flag is not None:
        return f"{_words(item.words)} {_leaf_text(flag)}"
    return f"{_words(item.words)} {{ ... }}"


def _one_line_flag(node: Node) -> Leaf | None:
    """The flag a `keyword value` level holds alone, which Junos prints on the level's line
    (`server 192.0.2.123 prefer;`, `route 0.0.0.0/0 discard;`, a term's `then accept;`); None for a named entry or
    container (`unit 0`, `group ebgp`, `lo0` keep their block)."""
    if len(node.children) != 1 or len(node.level) not in (1, 2) or node.level[0] in _BLOCK_KEYWORDS:
        return None
    if len(node.level) == 1 and node.level[0] not in _ACTION_LEVELS:
        return None
    child = next(iter(node.children.values()))
    if not isinstance(child, Leaf) or len(child.words) != 1 or child.inactive_at:
        return None
    return child


def _leaf_text(leaf: Leaf) -> str:
    text = _words(leaf.words) + ";"
    if any(w.text in SECRET_KEYWORDS for w in leaf.words[:-1]):
        text += " ## SECRET-DATA"
    if leaf.group:
        text += f" ## inherited from group {leaf.group}"
    return text


def _brace(item: Node | Leaf, depth: int) -> list[str]:
    """An added or removed subtree in brace form (an explicit stack, as `_compare`)."""
    lines: list[str] = []
    stack: list[tuple[Node | Leaf | None, int]] = [(item, depth)]  # None: close a block
    while stack:
        entry, level = stack.pop()
        pad = "    " * level
        if entry is None:
            lines.append(pad + "}")
            continue
        tag = "inactive: " if entry.inactive_at else ""
        if isinstance(entry, Leaf):
            lines.append(pad + tag + _leaf_text(entry))
            continue
        flag = _one_line_flag(entry)
        if flag is not None:
            lines.append(f"{pad}{tag}{_words(entry.words)} {_leaf_text(flag)}")
            continue
        lines.append(f"{pad}{tag}{_words(entry.words)} {{")
        stack.append((None, level))
        stack.extend((child, level + 1) for child in reversed(entry.children.values()))
    return lines
