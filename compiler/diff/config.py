"""`flowc diff`: what changed between two configurations (or two plans), said three ways.

Input: two statement lists (`flowc.compiler.parse.statements`), compared as trees
(`flowc.compiler.diff.tree`). Output: a `ConfigDiff` with `[edit …]` sections that read like
Junos `show | compare`, the `set`/`delete`/`insert`/`activate`/`deactivate` commands that
turn OLD into NEW (built by `flowc.compiler.diff.setcommands`), and a JSON form for tools.
Two plans are compared by `flowc.compiler.diff.plan` (re-exported here).
See docs/diff.md for the decisions (sections in NEW's order, moves, inactive tags).
"""
from __future__ import annotations

import difflib
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flowc.compiler.diff.blocks import Hidden, changed_blocks
from flowc.compiler.diff.inputs import plain_form
from flowc.compiler.diff.oneliners import split_oneliners
from flowc.compiler.diff.order import order_class
from flowc.compiler.diff.samelines import leave_out_same, leave_out_same_lines
from flowc.compiler.diff.secrets import conceal
from flowc.compiler.diff.setcommands import command_list
from flowc.compiler.diff.tree import CONTAINERS, NAMED, PAIRED, SECRET_KEYWORDS, Key, Leaf, Node, build
from flowc.compiler.diff.unchanged import blank_unchanged
from flowc.compiler.parse.statements import Statement, Word
from flowc.compiler.source import Source

__all__ = [
    "ConfigDiff", "Line", "LoadedConfig", "Section", "compare_text", "config_diff_json", "diff_files",
    "diff_statements", "effective", "load_config", "quote", "set_text"
]


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
    old_split, new_split = (split_oneliners(side) for side in changed_blocks(old, new, hidden))
    old_tree, new_tree = build(old_split), build(new_split)
    if same_view:
        old_shown, new_shown = old_tree, new_tree
    else:
        shown = changed_blocks(shown_old, shown_new)
        old_shown, new_shown = (build(split_oneliners(side)) for side in shown)
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
    """Entries on both sides whose place in their ordered list changed (those outside the
    longest run of entries kept in order)."""
    moved: set[Key] = set()
    for name in _classes(new):
        before = [k for k, i in old.children.items() if k in new.children and order_class(old, i) == name]
        after = [k for k, i in new.children.items() if k in old.children and order_class(new, i) == name]
        kept: set[Key] = set()
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        for block in matcher.get_matching_blocks():
            kept.update(after[block.b:block.b + block.size])
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
    """Put a removed leaf right before the added leaf of the same keyword (`-` old, `+` new);
    moved entries of ordered lists stay where they are."""
    out = list(lines)
    for line in lines:
        if line.op != "+" or line.text.startswith(" ") or line.text.endswith("{") or line.text in moved:
            continue
        keyword = line.text.split(" ", 1)[0]
        for other in out:
            if (other.op == "-" and not other.text.startswith(" ") and ";" in other.text
                    and other.text not in moved
                    and not other.text.endswith("{") and other.text.split(" ", 1)[0] == keyword):
                out.remove(other)
                out.insert(out.index(line), other)
                break
    return out


def _elided(item: Node | Leaf) -> str:
    if isinstance(item, Leaf):
        return _leaf_text(item)
    flag = _one_line_flag(item)
    if flag is not None:
        return f"{_words(item.words)} {_leaf_text(flag)}"
    return f"{_words(item.words)} {{ ... }}"


def _one_line_flag(node: Node) -> Leaf | None:
    """The flag a `keyword value` level holds alone, which Junos prints on the level's line
    (`server 192.0.2.123 prefer;`, `route 0.0.0.0/0 discard;`); None for a named entry or
    container (`unit 0`, `group ebgp`, `lo0` keep their block)."""
    if len(node.children) != 1 or len(node.level) != 2 or node.level[0] in _BLOCK_KEYWORDS:
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


def compare_text(diff: ConfigDiff) -> str:
    """The Junos `show | compare` form."""
    out = []
    for section in diff.sections:
        out.append(f"[edit {' '.join(section.edit)}]" if section.edit else "[edit]")
        out += [f"{line.op}   {line.text}".rstrip() for line in section.lines]
    return "".join(f"{line}\n" for line in out)


def set_text(diff: ConfigDiff) -> str:
    return "".join(f"{command}\n" for command in diff.commands)


# ------------------------------------------------------------------ json

def config_diff_json(diff: ConfigDiff) -> dict[str, Any]:
    return {
        "identical": diff.identical,
        "sections": [
            {"edit": list(s.edit), "lines": [{"op": ln.op, "text": ln.text} for ln in s.lines]}
            for s in diff.sections
        ],
        "commands": list(diff.commands),
    }


# ------------------------------------------------------------------ files

@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """A configuration as written (`raw`) and as it takes effect (`shown`: groups applied,
    the `groups` hierarchy itself kept so that a change inside a group shows twice)."""

    raw: tuple[Statement, ...]
    shown: tuple[Statement, ...]


def load_config(path: str, source: Source | None = None) -> LoadedConfig:
    """Parse a configuration file (or its `source`, read before); syntax errors raise
    UsageError (diff exits 2)."""
    from flowc.compiler.parse.loader import read_source

    source = source or read_source(path)
    return loaded(parse_config(path, source), source.text)


def parse_config(path: str, source: Source | None = None) -> tuple[Statement, ...]:
    """The statements of a configuration file as written (blocks written twice not merged:
    the diff trees merge them); syntax errors raise UsageError."""
    from flowc.compiler.diagnostics import Severity, UsageError
    from flowc.compiler.parse.loader import parse_source, read_source

    parsed = parse_source(source or read_source(path), merged=False)
    errors = [d for d in parsed.diagnostics if d.severity >= Severity.ERROR]
    if errors:
        shown = "\n".join(str(d) for d in errors[:10])
        raise UsageError(f"{path}: cannot compare a configuration with syntax errors:\n{shown}")
    return parsed.statements


def loaded(statements: tuple[Statement, ...], text: str) -> LoadedConfig:
    """The statements as written and as they take effect (`text`: what they were read from,
    or part of; without `groups` in it they are the same)."""
    if "groups" not in text:  # no `groups`, no `apply-groups`: as written
        return LoadedConfig(statements, statements)
    return LoadedConfig(statements, effective(statements))


def effective(statements: tuple[Statement, ...]) -> tuple[Statement, ...]:
    """Groups applied, with the `groups` and `apply-groups` text kept where it was written
    (it is configuration too): a change inside a group shows under the group and under
    every hierarchy that inherits it."""
    from flowc.compiler.document.groups import APPLY, EXCEPT, GROUPS, apply_groups

    def group_text(statement: Statement) -> bool:
        return bool(statement.words) and (statement.words[0].text == GROUPS or any(
            w.text == APPLY or w.text == EXCEPT for w in statement.words))

    if not any(group_text(s) for s in statements):
        return statements
    applied, _ = apply_groups(statements)
    index: dict[Statement, int] = {}
    for number, statement in enumerate(statements):
        index.setdefault(statement, number)
    pending = [(n, s) for n, s in enumerate(statements) if group_text(s)]
    out: list[Statement] = []
    for statement in applied:
        here = index.get(statement) if statement.group is None else None
        while pending and here is not None and pending[0][0] < here:
            out.append(pending.pop(0)[1])
        out.append(statement)
    return tuple(out + [s for _, s in pending])


def diff_files(old: str, new: str, *, unchanged_blanked: bool = True) -> ConfigDiff:
    """Compare two configuration files. What both write the same is left out before
    parsing unless `unchanged_blanked` is false: blocks of two brace files
    (`flowc.compiler.diff.unchanged`), set lines of a plain set file that the other side has
    the same (`flowc.compiler.diff.samelines`)."""
    from flowc.compiler.parse.loader import read_source

    sources = read_source(old), read_source(new)
    hidden: Hidden = set()
    if unchanged_blanked:
        a, b = _load_pair(old, new, *sources, hidden)
    else:
        a, b = load_config(old, sources[0]), load_config(new, sources[1])
    with _gc_paused():
        return diff_statements(a.raw, b.raw, shown_old=a.shown, shown_new=b.shown, left_out=hidden)


def _load_pair(old: str, new: str, old_source: Source, new_source: Source,
               hidden: Hidden) -> tuple[LoadedConfig, LoadedConfig]:
    """Both sides loaded, what they write the same left out (its keywords in `hidden`):
    blocks of two brace texts; the lines of plain set texts that make blocks the other side
    has the same (a set side is read after a side in another form)."""
    forms = plain_form(old_source.text), plain_form(new_source.text)
    if forms == ("brace", "brace"):
        old_text, new_text = blank_unchanged(old_source.text, new_source.text, hidden)
        return _loaded_texts(old, new, old_source, new_source, (old_text, new_text))
    if forms == ("set", "set"):
        texts = leave_out_same_lines(old_source.text, new_source.text, hidden)
        return _loaded_texts(old, new, old_source, new_source, texts)
    if forms[1] == "set":
        return _set_side_last((old, old_source), (new, new_source), hidden)
    if forms[0] == "set":
        new_loaded, old_loaded = _set_side_last((new, new_source), (old, old_source), hidden)
        return old_loaded, new_loaded
    return load_config(old, old_source), load_config(new, new_source)


def _set_side_last(first: tuple[str, Source], set_side: tuple[str, Source],
                   hidden: Hidden) -> tuple[LoadedConfig, LoadedConfig]:
    """The side in another form parsed first, then the plain set side without its lines
    that make the blocks the first has the same (both are left without those blocks)."""
    (first_path, first_source), (set_path, set_source) = first, set_side
    statements = parse_config(first_path, first_source)
    cut = leave_out_same(set_source.text, statements, hidden)
    if cut is None:
        return loaded(statements, first_source.text), load_config(set_path, set_source)
    return (loaded(cut[1], first_source.text),
            load_config(set_path, Source(set_source.name, cut[0])))


def _loaded_texts(old: str, new: str, old_source: Source, new_source: Source,
                  texts: tuple[str, str] | None) -> tuple[LoadedConfig, LoadedConfig]:
    if texts is None:
        return load_config(old, old_source), load_config(new, new_source)
    return (load_config(old, Source(old_source.name, texts[0])),
            load_config(new, Source(new_source.name, texts[1])))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The trees are millions of small acyclic objects: the cyclic collector, run by
    allocation counts, would rescan them over and over (as in the parser, pause it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
