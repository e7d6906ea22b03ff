"""Statements -> text: canonical brace form (`flowc fmt`) and `display set` form.

`to_brace` prints the tree Junos would show, 4 spaces per level, children in the order
first written; statements read from brace text keep the blocks they were written in
(`Statement.blocks`, `.listed`), others are grouped with a small table of Junos
keyword + identifier pairs (`unit 0 {`, `term t1 {`) and the rule that a node with a
single plain value prints as `name value;`. Comments are printed where they were
written. `to_set` prints one `set` line per statement, `deactivate` / `protect` lines after
the statements they mark. Passwords and every other word are printed as written.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

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
from flowc.compiler.parse.statements import Statement, Word

INDENT = "    "
MAX_INDENT = 64  # levels; deeper blocks print at this indent
_NEEDS_QUOTES = re.compile(r'[\s;{}\[\]"#\ufeff]|^$|^/\*|^(inactive|protect|replace|delete):$')
_BACKSLASH = re.compile(r'\\(?=["\\]|$)')


def quote(word: Word) -> str:
    """A word as Junos writes it: quoted when it was or when it has to be."""
    text = word.text
    if not word.quoted and not _NEEDS_QUOTES.search(text):
        return text
    return '"' + _BACKSLASH.sub(r"\\\\", text).replace('"', '\\"') + '"'


# --- display set --------------------------------------------------------------------------

def to_set(statements: Sequence[Statement]) -> str:
    """`show configuration | display set` text for the statements, in their order."""
    lines: list[str] = []
    printed: set[CommentKey] = set()
    marks: dict[str, tuple[str, ...] | None] = {"deactivate": None, "protect": None}
    for st in statements:
        path = st.path
        _close_marks(lines, marks, path)
        after = []
        for c in st.comments:
            key = comment_key(c)
            if key in printed:
                continue
            printed.add(key)
            if c.position in ("before",):
                lines.append(c.text)
            else:
                after.append(c)
        words = " ".join(quote(w) for w in st.words)
        # Junos' own `display set` does not print the `## SECRET-DATA` trailers of brace text
        after = [c for c in after if not _secret_data(c.text)]
        inline = [c.text for c in after if c.position == "after" and "\n" not in c.text]
        lines.append(f"set {words}" + ("".join(" " + t for t in inline)))
        lines.extend(c.text for c in after if c.text not in inline)
        if st.inactive_at:
            marks["deactivate"] = path[: st.inactive_at]
        if st.protected_at or st.protected:
            marks["protect"] = path[: st.protected_at or len(path)]
    _close_marks(lines, marks, None)
    return "".join(line + "\n" for line in lines)


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
    root = build_tree(statements)
    lines: list[str] = []
    _print_tree(root, lines)
    for c in node_comments(root, "tail") + node_comments(root, "end"):
        lines.append(c.text)
    return "".join(line + "\n" for line in lines)


def _pad(level: int) -> str:
    """The indent of a level; past `MAX_INDENT` levels it stays the same, so that 20,000
    nested blocks print in linear size (Junos reads the braces, not the indent)."""
    return INDENT * min(level, MAX_INDENT)


class _Frame:
    """A block being printed: its children, the next one to print, its level."""

    __slots__ = ("children", "level", "next", "owner")

    def __init__(self, owner: BlockNode | None, level: int) -> None:
        self.owner = owner
        self.children = list(owner.children.values()) if owner is not None else []
        self.level = level
        self.next = 0


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
        elif _open_node(child, frame.level, lines):
            stack.append(_Frame(child, frame.level + 1))


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


def _open_node(node: BlockNode, level: int, lines: list[str]) -> bool:
    """Print a node's line(s); True when it opened a block whose children come next."""
    pad = _pad(level)
    for c in node_comments(node, "before"):
        lines.append(_indent(c.text, pad))
    words = " ".join(quote(w) for w in node.seg)
    if not node.children:
        lines.append(f"{pad}{node.tags}{words};" + _after(node) + _end(node))
        _tail_as_lines(node, pad, lines)
        return False
    if node.terminal:
        lines.append(f"{pad}{node.tags}{words};")
    if node.kind == "b" and not node.terminal and not node.tags and (
            _one_line(node, pad, words, lines) or _value_chain(node, pad, words, lines)
            or _value_per_line(node, pad, words, lines)):
        return False
    lines.append(f"{pad}{node.tags}{words} {{" + _after(node))
    return True


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
