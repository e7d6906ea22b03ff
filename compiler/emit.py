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

import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from flowc.compiler.statements import Comment, Statement, Word

INDENT = "    "
# Keywords that Junos prints on one line with the name that follows them (`unit 0 {`).
KEYED = frozenset("""
    unit fpc pic port filter term group neighbor variant policy-statement scheduler-map scheduler
    monitoring interface family address route prefix-list community as-path user class
    routing-instance instance area policer forwarding-class rib-group rule rule-set service-set
    zone policy application application-set profile server host vlan bridge-domain
    security-zone template peer client destination-class source-class import-policy
    community-name trap-group prefix-list-filter host-name file interface-range
    gateway vpn ids-option proposal pool label-switched-path session server-group ca-profile
    address-set drop-profile vni
""".split())
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
            key = _comment_key(c)
            if key in printed:
                continue
            printed.add(key)
            if c.position in ("before",):
                lines.append(c.text)
            else:
                after.append(c)
        words = " ".join(quote(w) for w in st.words)
        inline = [c.text for c in after if c.position == "after" and "\n" not in c.text]
        lines.append(f"set {words}" + ("".join(" " + t for t in inline)))
        lines.extend(c.text for c in after if c.text not in inline)
        if st.inactive_at:
            marks["deactivate"] = path[: st.inactive_at]
        if st.protected_at or st.protected:
            marks["protect"] = path[: st.protected_at or len(path)]
    _close_marks(lines, marks, None)
    return "".join(line + "\n" for line in lines)


def _close_marks(lines: list[str], marks: dict[str, tuple[str, ...] | None], path: tuple[str, ...] | None) -> None:
    for verb, open_path in marks.items():
        if open_path is not None and (path is None or path[: len(open_path)] != open_path):
            lines.append(f"{verb} " + " ".join(quote(Word(t)) for t in open_path))
            marks[verb] = None


def _comment_key(c: Comment) -> tuple:
    return (c.text, c.span, c.position)


# --- brace form --------------------------------------------------------------------------

class _Node:
    """One printed line (or block) of the brace text."""

    __slots__ = ("seg", "kind", "tags", "listed", "list_tagged", "children", "terminal", "comments")

    def __init__(self, seg: tuple[Word, ...], kind: str, tags: str, listed: bool) -> None:
        self.seg = seg
        self.kind = kind          # "B" block as written, "b" block inferred, "t" leaf
        self.tags = tags
        self.listed = listed
        self.list_tagged = False  # `tags` belong to the list (`inactive: members [ a b ];`)
        self.children: dict[tuple, _Node] = {}
        self.terminal: Statement | None = None   # the statement that ends here
        self.comments: dict[str, list[Comment]] = {}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The tree is many small acyclic objects: spare them the cyclic collector's rescans."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def to_brace(statements: Sequence[Statement]) -> str:
    """Canonical brace text: 4-space indent, statements in the order first written."""
    with _gc_paused():
        return _to_brace(statements)


def _to_brace(statements: Sequence[Statement]) -> str:
    root = _Node((), "B", "", False)
    seen: set[tuple] = set()
    for st in statements:
        _add(root, st, seen)
    lines: list[str] = []
    _print_children(root, 0, lines)
    for c in _comments(root, "tail") + _comments(root, "end"):
        lines.append(c.text)
    return "".join(line + "\n" for line in lines)


def tree_order(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements in the order `to_brace` prints them: a block written twice is
    merged into its first occurrence, as `load merge` does."""
    with _gc_paused():
        return _tree_order(statements)


def _tree_order(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    root = _Node((), "B", "", False)
    seen: set[tuple] = set()
    for st in statements:
        _add(root, st, seen)
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


def _add(root: _Node, st: Statement, seen: set[tuple]) -> None:
    node = root
    ends: dict[int, _Node] = {0: root}
    first_new: _Node | None = None
    for start, end, kind in _segments(st):
        seg = st.words[start:end]
        tags = _tags(st, end)
        listed = st.listed and kind == "t" and end - start >= 2
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
            child = node.children[key] = _Node(seg, kind, tags, listed)
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
        key = (id(target),) + _comment_key(c)
        if key not in seen:
            seen.add(key)
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


def _segments(st: Statement) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each printed piece of the statement's words."""
    n = len(st.words)
    forced = {d for d in (st.inactive_at, st.protected_at, st.replace_at) if 0 < d < n}
    forced |= {c.depth for c in st.comments if 0 < c.depth < n}
    if st.listed:
        forced.discard(n - 1)  # tags and comments of a list stay on its line
    if st.blocks:
        bounds = sorted((set(st.blocks) | forced) - {0})
        segs = [(a, b, "B") for a, b in zip([0] + bounds[:-1], bounds)]
        start = bounds[-1] if bounds else 0
        if start < n:
            segs.append((start, n, "t"))
        return segs
    segs = []
    i = 0
    while i < n:
        if st.listed and i == n - 2:
            segs.append((i, n, "t"))
            break
        step = 1
        if (st.words[i].text in KEYED and i + 1 < n and i + 1 not in forced
                and st.words[i + 1].text not in KEYED):
            step = 2
        segs.append((i, i + step, "t" if i + step == n else "b"))
        i += step
    return segs


def _comments(node: _Node, position: str) -> list[Comment]:
    return node.comments.get(position, [])


def _print_children(node: _Node, level: int, lines: list[str]) -> None:
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


def _list_run(children: list[_Node], i: int) -> list[_Node]:
    first = children[i]
    if not (first.listed and first.kind == "t" and len(first.seg) >= 2 and not first.children):
        return [first]
    head = tuple(w.text for w in first.seg[:-1])
    run = [first]
    for other in children[i + 1:]:
        if (other.listed and other.kind == "t" and not other.children and other.tags == first.tags
                and other.list_tagged == first.list_tagged and len(other.seg) == len(first.seg) and tuple(w.text for w in other.seg[:-1]) == head
                and not other.comments):
            run.append(other)
        else:
            break
    return run


def _print_list(run: list[_Node], level: int, lines: list[str]) -> None:
    pad = INDENT * level
    first = run[0]
    for c in _comments(first, "before"):
        lines.append(_indent(c.text, pad))
    head = " ".join(quote(w) for w in first.seg[:-1])
    values = " ".join(quote(n.seg[-1]) for n in run)
    lines.append(f"{pad}{first.tags}{head} [ {values} ];" + _after(first))


def _print_node(node: _Node, level: int, lines: list[str]) -> None:
    pad = INDENT * level
    for c in _comments(node, "before"):
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
    for c in _comments(node, "tail"):
        lines.append(_indent(c.text, pad + INDENT))
    lines.append(f"{pad}}}" + _end(node))


def _one_line(node: _Node, pad: str, words: str, lines: list[str]) -> bool:
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
    for c in _comments(only, "before"):  # the node's own were printed by _print_node
        lines.append(_indent(c.text, pad))
    lines.append(pad + text + "".join(_after(p) + _end(p) for p in parts))
    for part in parts:
        _tail_as_lines(part, pad, lines)
    return True


def _value_chain(node: _Node, pad: str, words: str, lines: list[str]) -> bool:
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
        if current.tags or current.comments.keys() - {"before", "after"} or current.terminal and current.children:
            return False
        chain.extend(current.seg)
        parts.append(current)
    if any(w.text in KEYED for w in chain):
        return False
    if len(chain) > 4 or not any(w.text.isdigit() for w in chain):
        return False
    for part in parts[1:]:
        for c in _comments(part, "before"):
            lines.append(_indent(c.text, pad))
    text = " ".join(quote(w) for w in chain)
    lines.append(f"{pad}{words} {text};" + "".join(_after(p) for p in parts))
    return True


def _after(node: _Node) -> str:
    return "".join(" " + c.text for c in _comments(node, "after"))


def _end(node: _Node) -> str:
    return "".join(" " + c.text for c in _comments(node, "end") if "\n" not in c.text)


def _tail_as_lines(node: _Node, pad: str, lines: list[str]) -> None:
    for c in _comments(node, "tail"):
        lines.append(_indent(c.text, pad))
    for c in _comments(node, "end"):
        if "\n" in c.text:
            lines.append(_indent(c.text, pad))


def _indent(text: str, pad: str) -> str:
    return pad + text
