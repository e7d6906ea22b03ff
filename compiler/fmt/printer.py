"""Statements -> text: canonical brace form (`flowc fmt`) and `display set` form.

`to_brace` prints the tree Junos would show, 4 spaces per level, children in the order
first written; statements read from brace text keep the blocks they were written in
(`Statement.blocks`, `.listed`), others are grouped with a small table of Junos
keyword + identifier pairs (`unit 0 {`, `term t1 {`) and the rule that a node with a
single plain value prints as `name value;`. Comments are printed where they were
written. `to_set` prints one `set` line per statement as Junos' `display set` lists them (one-liners
split by Junos' schema, `compiler/document/junosstatements.py`; quotes only where Junos puts
them), `deactivate` / `protect` lines after the statements they mark. Passwords and every
other word are printed as written.
"""
from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Sequence

from flowc.compiler.document.junospath import (
    BLOCK,
    ENTRIES,
    ENTRY,
    SINGLE,
    brace_layout,
    leaf_list_value,
    nameless_value,
    one_line_container,
    read,
    single_statement,
)
from flowc.compiler.document.junosstatements import (
    INACTIVE,
    PROTECTED,
    Split,
    display_statements,
    leaf_head,
    split_leaves,
)
from flowc.compiler.parse.blocktree import (
    KEYED,
    VALUE_BLOCKS,
    BlockNode,
    CommentKey,
    build_tree,
    comment_key,
    node_comments,
)
from flowc.compiler.parse.gcpause import gc_paused
from flowc.compiler.parse.statements import Comment, Statement, Word

INDENT = "    "
MAX_INDENT = 64  # levels; deeper blocks print at this indent
SCHEMA_DEPTH = 32  # levels; deeper inferred blocks are laid out without Junos' schema
_NEEDS_QUOTES = re.compile(r'[\s;{}\[\]"#\ufeff]|^$|^/\*|^(inactive|protect|replace|delete):$')
_BACKSLASH = re.compile(r'\\(?=["\\]|$)')
# Junos quotes a value with a blank, a quote or one of these characters (and the empty value).
_JUNOS_QUOTES = re.compile(r'[\s";&|@\[\]{}#$^\\]|^$|^/\*|^(inactive|protect|replace|delete):$')


def quote(word: Word) -> str:
    """A word as Junos writes it: quoted when it was or when it has to be."""
    text = word.text
    if not word.quoted and not _NEEDS_QUOTES.search(text):
        return text
    return '"' + _BACKSLASH.sub(r"\\\\", text).replace('"', '\\"') + '"'


def set_quote(word: Word) -> str:
    """A word as `display set` prints it: a word written in quotes keeps them only when
    Junos needs them (`"abcv2"` -> `abcv2`, `"$9$…"` stays); others as `quote` prints them."""
    if word.quoted and not _JUNOS_QUOTES.search(word.text):
        return word.text
    return quote(word)


# --- display set --------------------------------------------------------------------------

def to_set(statements: Sequence[Statement], comments: bool = True) -> str:
    """`show configuration | display set` text for the statements, in their order: one-liners
    split and words quoted as Junos prints them (`compiler/fmt/junosform.py`). Comments are
    kept where written unless `comments` is False (Junos' own `display set` shows none)."""
    lines: list[str] = []
    printed: set[CommentKey] = set()
    marks: dict[str, tuple[str, ...] | None] = {"deactivate": None, "protect": None}
    for st in display_statements(statements):
        path = st.path
        _close_marks(lines, marks, path)
        before, after = _set_comments(st, printed) if comments else ([], [])
        lines.extend(before)
        inline = [c.text for c in after if c.position == "after" and "\n" not in c.text]
        words = " ".join(set_quote(w) for w in st.words)
        lines.append(f"set {words}" + "".join(" " + t for t in inline))
        lines.extend(c.text for c in after if c.text not in inline)
        if st.inactive_at:
            marks["deactivate"] = path[: st.inactive_at]
        if st.protected_at or st.protected:
            marks["protect"] = path[: st.protected_at or len(path)]
    _close_marks(lines, marks, None)
    return "".join(line + "\n" for line in lines)


def _set_comments(st: Statement, printed: set[CommentKey]) -> tuple[list[str], list[Comment]]:
    """The statement's comments not printed yet: lines before it, and those after it
    (without the `## SECRET-DATA` trailers of brace text, which `display set` leaves out)."""
    before: list[str] = []
    after: list[Comment] = []
    for c in st.comments:
        key = comment_key(c)
        if key in printed:
            continue
        printed.add(key)
        if c.position == "before":
            before.append(c.text)
        elif not _secret_data(c.text):
            after.append(c)
    return before, after


def _secret_data(text: str) -> bool:
    return text.lstrip("#").strip() == "SECRET-DATA" and text.startswith("##")


def _close_marks(lines: list[str], marks: dict[str, tuple[str, ...] | None], path: tuple[str, ...] | None) -> None:
    for verb, open_path in marks.items():
        if open_path is not None and (path is None or path[: len(open_path)] != open_path):
            lines.append(f"{verb} " + " ".join(quote(Word(t)) for t in open_path))
            marks[verb] = None


# --- brace form --------------------------------------------------------------------------

def to_brace(statements: Sequence[Statement]) -> str:
    """Canonical brace text: 4-space indent, statements in the order first written."""
    with gc_paused():
        return _to_brace(statements)


def _to_brace(statements: Sequence[Statement]) -> str:
    split = split_leaves(statements)
    root = build_tree([_leaf_tagged(_schema_listed(st), split) for st in statements])
    lines: list[str] = []
    _print_tree(root, lines)
    for c in node_comments(root, "tail") + node_comments(root, "end"):
        lines.append(c.text)
    return "".join(line + "\n" for line in lines)


def _schema_listed(st: Statement) -> Statement:
    """A statement of set text whose last word is a value of a leaf-list in Junos' schema
    (`… domain-search juniper.net`), marked so that its values print as one `[ … ]`."""
    if st.blocks or st.listed or len(st.words) < 3 or not leaf_list_value(st.path):
        return st
    return dataclasses.replace(st, listed=True)


def _leaf_tagged(st: Statement, split: Split) -> Statement:
    """A statement whose tag names a leaf with its values after it (`deactivate system
    host-name`), marked on its whole line so that it prints `inactive: host-name r1;` as
    Junos does, not as a block of values; a tag on a value of a leaf-list all of whose
    values carry it, on the list (`inactive: apply-groups [ a ];`)."""
    if not (st.inactive_at or st.protected_at):
        return st
    reading = read(st.path)
    head = leaf_head(reading.kinds) if reading is not None and reading.known else 0
    if not head or any(b >= head for b in st.blocks):
        return st
    inactive_at = _print_depth(st, st.inactive_at, head, split, INACTIVE)
    protected_at = _print_depth(st, st.protected_at, head, split, PROTECTED)
    if (inactive_at, protected_at) == (st.inactive_at, st.protected_at):
        return st
    return dataclasses.replace(st, inactive_at=inactive_at, protected_at=protected_at)


def _print_depth(st: Statement, depth: int, head: int, split: Split, tag: str) -> int:
    n = len(st.words)
    if st.listed and head == n - 1:  # a value in `[ … ]`: the list's tag is printed before it
        return head if depth == n and (st.path[:head], tag) not in split else depth
    return n if depth == head else depth


def _pad(level: int) -> str:
    """The indent of a level; past `MAX_INDENT` levels it stays the same, so that 20,000
    nested blocks print in linear size (Junos reads the braces, not the indent)."""
    return INDENT * min(level, MAX_INDENT)


class _Frame:
    """A block being printed: its children, the next one to print, its level."""

    __slots__ = ("children", "level", "next", "owner", "up")

    def __init__(self, owner: BlockNode | None, level: int, up: _Frame | None = None) -> None:
        self.owner = owner
        self.up = up  # the enclosing block's frame
        self.children = list(owner.children.values()) if owner is not None else []
        self.level = level
        self.next = 0

    def path(self) -> tuple[str, ...]:
        """The words of the blocks down to here (walked up only when asked: deep trees)."""
        segs = []
        frame: _Frame | None = self
        while frame is not None and frame.owner is not None:
            segs.append(frame.owner.seg)
            frame = frame.up
        return tuple(w.text for seg in reversed(segs) for w in seg)


def _print_tree(root: BlockNode, lines: list[str]) -> None:
    """Every node below `root`, depth first with an explicit stack (no recursion)."""
    top = _Frame(None, 0)
    top.children = list(root.children.values())
    stack = [top]
    while stack:
        frame = stack[-1]
        if frame.next >= len(frame.children):
            stack.pop()
            if frame.owner is not None:
                _close_block(frame.owner, frame.level - 1, lines)
            continue
        child = frame.children[frame.next]
        run = _list_run(frame.children, frame.next)
        frame.next += len(run)
        if len(run) > 1 or child.list_tagged:
            _print_list(run, frame.level, lines)
        elif _open_node(child, frame, lines):
            stack.append(_Frame(child, frame.level + 1, frame))


def _list_run(children: list[BlockNode], i: int) -> list[BlockNode]:
    """The values of one list that follow each other from `children[i]` (one node else)."""
    first = children[i]
    if not (first.listed and first.kind == "t" and len(first.seg) >= 2 and not first.children):
        return [first]
    head = tuple(w.text for w in first.seg[:-1])
    run = [first]
    for other in itertools.islice(children, i + 1, None):
        if (other.listed and other.kind == "t" and not other.children and other.tags == first.tags
                and other.list_tagged == first.list_tagged and len(other.seg) == len(first.seg)
                and tuple(w.text for w in other.seg[:-1]) == head
                and (not other.comments or _comment_keys(other) == _comment_keys(first))):
            run.append(other)
        else:
            break
    return run


def _comment_keys(node: BlockNode) -> dict[str, list[CommentKey]]:
    """The comments of a node, compared: each value of a commented `[ … ]` list carries the
    list's comments (it is the statement), printed once with the list."""
    return {position: [comment_key(c) for c in found] for position, found in node.comments.items()}


def _print_list(run: list[BlockNode], level: int, lines: list[str]) -> None:
    pad = _pad(level)
    first = run[0]
    for c in node_comments(first, "before"):
        lines.append(_indent(c.text, pad))
    head = " ".join(quote(w) for w in first.seg[:-1])
    values = " ".join(quote(n.seg[-1]) for n in run)
    lines.append(f"{pad}{first.tags}{head} [ {values} ];" + _after(first))


def _open_node(node: BlockNode, frame: _Frame, lines: list[str]) -> bool:
    """Print a node's line(s) in `frame`'s block; True when it opened a block whose
    children come next."""
    pad = _pad(frame.level)
    for c in node_comments(node, "before"):
        lines.append(_indent(c.text, pad))
    words = " ".join(quote(w) for w in node.seg)
    if not node.children:
        lines.append(f"{pad}{node.tags}{words};" + _after(node) + _end(node))
        _tail_as_lines(node, pad, lines)
        return False
    if node.terminal:
        lines.append(f"{pad}{node.tags}{words};")
    if node.kind == "b" and not node.terminal and not node.tags and _inferred_line(node, frame, pad, words, lines):
        return False
    lines.append(f"{pad}{node.tags}{words} {{" + _after(node))
    return True


def _inferred_line(node: BlockNode, frame: _Frame, pad: str, words: str, lines: list[str]) -> bool:
    """An inferred block (set text) printed on one line, where Junos prints it so: as Junos'
    schema says (`brace_layout`), else by flowc's rules for what it does not know. Deeper
    than any Junos statement (`SCHEMA_DEPTH` levels), the schema is not asked."""
    layout: str | None = None
    path: tuple[str, ...] = ()
    if frame.level <= SCHEMA_DEPTH:
        if _leaves_line(node, frame, pad, words, lines):
            return True
        path = frame.path() + tuple(w.text for w in node.seg)
        layout = brace_layout(path)
    if layout == BLOCK:
        only = next(iter(node.children.values()))
        return (len(node.children) == 1 and len(only.seg) == 1 and nameless_value(path + (only.seg[0].text,))
                and _one_line(node, pad, words, lines))
    if layout == ENTRY:
        return _entry_line(node, pad, words, lines)
    if layout == ENTRIES and node.seg[-1].text not in VALUE_BLOCKS:  # `name-server { A; B; }`
        return _entry_lines(node, pad, words, lines)
    if layout == SINGLE:
        return _one_line(node, pad, words, lines) or _single_line(node, path, pad, lines)
    return (_one_line(node, pad, words, lines) or _value_chain(node, pad, words, lines)
            or _value_per_line(node, pad, words, lines))


def _single_line(node: BlockNode, path: tuple[str, ...], pad: str, lines: list[str]) -> bool:
    """A level Junos prints on one line when it holds a single leaf or flag (`from protocol
    bgp;`, `then accept;`, `radius-server A secret S;`), a block otherwise (`from {
    route-filter …; }`)."""
    chain: list[BlockNode] = []
    current = node
    while current.children:
        if len(current.children) != 1:
            return False
        current = next(iter(current.children.values()))
        chain.append(current)
    words = [w.text for part in chain for w in part.seg]
    if not chain or not single_statement(path, words) or any(part.tags or part.comments for part in chain):
        return False
    text = " ".join(quote(w) for part in [node, *chain] for w in part.seg)
    lines.append(f"{pad}{text};" + _after(node))
    return True


def _entry_lines(node: BlockNode, pad: str, words: str, lines: list[str]) -> bool:
    """A keyed list whose entries Junos prints one per line with the keyword
    (`license-type juniper deployment-scope commercial;`)."""
    entries = [_entry_words(child) for child in node.children.values()]
    if node.comments.keys() - {"before"} or any(entry is None or child.tags or child.comments
                                                 for entry, child in zip(entries, node.children.values())):
        return False
    for entry in entries:
        lines.append(f"{pad}{words} {' '.join(entry or ())};")
    return True


def _entry_line(node: BlockNode, pad: str, words: str, lines: list[str]) -> bool:
    """A list entry Junos prints on one line: every word below it, in order
    (`192.168.69.162 secret "$9$…";`, `server 192.0.2.1 prefer version 4;`)."""
    entry = _entry_words(node)
    if entry is None or node.comments.keys() - {"before", "after"}:
        return False
    lines.append(f"{pad}{' '.join(entry)};" + _after(node))
    return True


def _entry_words(node: BlockNode) -> list[str] | None:
    """The words of a node and the one statement below it, quoted (a list of values as
    `[ … ]`); None when it holds more than one statement or a part of it has tags or
    comments (then it prints as blocks, which read back as the same statements)."""
    words = [quote(w) for w in node.seg]
    current = node
    while current.children:
        children = list(current.children.values())
        child = children[0]
        if any(c.tags or c.comments or (c.terminal and c.children) for c in children):
            return None
        if child.listed and len(_list_run(children, 0)) == len(children):
            words.extend(quote(w) for w in child.seg[:-1])
            values = " ".join(quote(c.seg[-1]) for c in children)
            words.append(f"[ {values} ]" if len(children) > 1 else values)
            return words
        if len(children) != 1 or child.listed:
            return None
        words.extend(quote(w) for w in child.seg)
        current = child
    return words


def _close_block(node: BlockNode, level: int, lines: list[str]) -> None:
    pad = _pad(level)
    for c in node_comments(node, "tail"):
        lines.append(_indent(c.text, pad + INDENT))
    lines.append(f"{pad}}}" + _end(node))


def _value_per_line(node: BlockNode, pad: str, words: str, lines: list[str]) -> bool:
    """An inferred block of bare values (`export LOOP`, `export LAN` in set text, the word
    not known as a leaf-list or a container) prints one `name value;` per line, which Junos
    reads the same whether `name` is a leaf-list or a container of the values. A keyword
    pair (`prefix-list collectors`) names an entry, always a container: it stays a block."""
    children = list(node.children.values())
    if len(node.seg) != 1 or node.seg[0].text in VALUE_BLOCKS or node.comments.keys() - {"before"}:
        return False
    if any(c.children or c.kind != "t" or len(c.seg) != 1 or c.listed for c in children):
        return False
    for child in children:
        for c in node_comments(child, "before"):
            lines.append(_indent(c.text, pad))
        lines.append(f"{pad}{child.tags}{words} {quote(child.seg[0])};" + _after(child) + _end(child))
        _tail_as_lines(child, pad, lines)
    return True


def _leaves_line(node: BlockNode, frame: _Frame, pad: str, words: str, lines: list[str]) -> bool:
    """An inferred block Junos prints on one line: a container holding just its mandatory
    leaves, one value each (`hold-time up 2000 down 0;`, `srgb start-label 16000
    index-range 80000;`), as Junos' schema tells (`one_line_container`)."""
    pairs: list[tuple[Word, Word]] = []
    for child in node.children.values():
        pair = _leaf_pair(child)
        if pair is None:
            return False
        pairs.append(pair)
    names = [key.text for key, _ in pairs]
    if len(pairs) < 2 or not one_line_container(frame.path() + tuple(w.text for w in node.seg), names):
        return False
    text = " ".join(f"{quote(key)} {quote(value)}" for key, value in pairs)
    lines.append(f"{pad}{words} {text};" + _after(node))
    return True


def _leaf_pair(child: BlockNode) -> tuple[Word, Word] | None:
    """A child that is `keyword value` and nothing else (no tags, comments or more)."""
    if child.tags or child.comments or child.listed:
        return None
    if child.kind == "t" and len(child.seg) == 2 and not child.children:
        return child.seg[0], child.seg[1]
    if child.kind != "b" or len(child.seg) != 1 or child.terminal or len(child.children) != 1:
        return None
    (value,) = child.children.values()
    if value.kind != "t" or len(value.seg) != 1 or value.children or value.tags or value.comments:
        return None
    return child.seg[0], value.seg[0]


def _one_line(node: BlockNode, pad: str, words: str, lines: list[str]) -> bool:
    """An inferred block holding one plain value (or one list) prints as `name value;`."""
    children = list(node.children.values())
    only = children[0]
    if any(c.children or c.kind != "t" for c in children):
        return False
    if len(children) == 1 and len(only.seg) == 1:
        text = f"{only.tags}{words} {quote(only.seg[0])};"
        parts = [node, only]
    elif len(children) > 1 and len(_list_run(children, 0)) == len(children):
        head = " ".join(quote(w) for w in only.seg[:-1])
        values = " ".join(quote(c.seg[-1]) for c in children)
        text = f"{only.tags}{words} {head} [ {values} ];"
        parts = [node, only]
    else:
        return False
    for c in node_comments(only, "before"):  # the node's own were printed by _open_node
        lines.append(_indent(c.text, pad))
    lines.append(pad + text + "".join(_after(p) + _end(p) for p in parts))
    for part in parts:
        _tail_as_lines(part, pad, lines)
    return True


def _value_chain(node: BlockNode, pad: str, words: str, lines: list[str]) -> bool:
    """An inferred block over a short single chain of plain words that holds a number
    prints on one line: the chain reads as the statement's values (`hold-time up 2000
    down 0`, `transmit-rate percent 20`, `queue 0 best-effort`). Keyword pairs (`unit 0`)
    never join."""
    chain: list[Word] = []
    parts = [node]
    current = node
    while current.children:
        if len(current.children) != 1:
            return False
        current = next(iter(current.children.values()))
        if current.tags or current.comments.keys() - {"before", "after"} or (current.terminal and current.children):
            return False
        chain.extend(current.seg)
        parts.append(current)
        if len(chain) > 4:
            return False
    if any(w.text in KEYED for w in chain):
        return False
    if len(chain) > 4 or not any(w.text.isdigit() for w in chain):
        return False
    for part in parts[1:]:
        for c in node_comments(part, "before"):
            lines.append(_indent(c.text, pad))
    text = " ".join(quote(w) for w in chain)
    lines.append(f"{pad}{words} {text};" + "".join(_after(p) for p in parts))
    return True


def _after(node: BlockNode) -> str:
    return "".join(" " + c.text for c in node_comments(node, "after"))


def _end(node: BlockNode) -> str:
    return "".join(" " + c.text for c in node_comments(node, "end") if "\n" not in c.text)


def _tail_as_lines(node: BlockNode, pad: str, lines: list[str]) -> None:
    for c in node_comments(node, "tail"):
        lines.append(_indent(c.text, pad))
    for c in node_comments(node, "end"):
        if "\n" in c.text:
            lines.append(_indent(c.text, pad))


def _indent(text: str, pad: str) -> str:
    return pad + text
