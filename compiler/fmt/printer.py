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

import re
from collections.abc import Sequence

from flowc.compiler.parse.blocktree import KEYED, BlockNode, build_tree, comment_key, gc_paused, node_comments
from flowc.compiler.parse.statements import Statement, Word

INDENT = "    "
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
    printed: set[tuple] = set()
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
    _print_children(root, 0, lines)
    for c in node_comments(root, "tail") + node_comments(root, "end"):
        lines.append(c.text)
    return "".join(line + "\n" for line in lines)


def _print_children(node: BlockNode, level: int, lines: list[str]) -> None:
    children = list(node.children.values())
    i = 0
    while i < len(children):
        child = children[i]
        run = _list_run(children, i)
        if len(run) > 1 or child.list_tagged:
            _print_list(run, level, lines)
            i += len(run)
            continue
        _print_node(child, level, lines)
        i += 1


def _list_run(children: list[BlockNode], i: int) -> list[BlockNode]:
    first = children[i]
    if not (first.listed and first.kind == "t" and len(first.seg) >= 2 and not first.children):
        return [first]
    head = tuple(w.text for w in first.seg[:-1])
    run = [first]
    for other in children[i + 1:]:
        if (other.listed and other.kind == "t" and not other.children and other.tags == first.tags
                and other.list_tagged == first.list_tagged and len(other.seg) == len(first.seg)
                and tuple(w.text for w in other.seg[:-1]) == head
                and not other.comments):
            run.append(other)
        else:
            break
    return run


def _print_list(run: list[BlockNode], level: int, lines: list[str]) -> None:
    pad = INDENT * level
    first = run[0]
    for c in node_comments(first, "before"):
        lines.append(_indent(c.text, pad))
    head = " ".join(quote(w) for w in first.seg[:-1])
    values = " ".join(quote(n.seg[-1]) for n in run)
    lines.append(f"{pad}{first.tags}{head} [ {values} ];" + _after(first))


def _print_node(node: BlockNode, level: int, lines: list[str]) -> None:
    pad = INDENT * level
    for c in node_comments(node, "before"):
        lines.append(_indent(c.text, pad))
    words = " ".join(quote(w) for w in node.seg)
    if not node.children:
        lines.append(f"{pad}{node.tags}{words};" + _after(node) + _end(node))
        _tail_as_lines(node, pad, lines)
        return
    if node.terminal:
        lines.append(f"{pad}{node.tags}{words};")
    if node.kind == "b" and not node.terminal and not node.tags and (
            _one_line(node, pad, words, lines) or _value_chain(node, pad, words, lines)):
        return
    lines.append(f"{pad}{node.tags}{words} {{" + _after(node))
    _print_children(node, level + 1, lines)
    for c in node_comments(node, "tail"):
        lines.append(_indent(c.text, pad + INDENT))
    lines.append(f"{pad}}}" + _end(node))


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
    for c in node_comments(only, "before"):  # the node's own were printed by _print_node
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
