"""Folding: statement paths -> a JSON-shaped document per validated hierarchy + span index.

Input: effective statements (groups applied). Only statements whose first word names a
validated hierarchy (`flowc.compiler.document.schema.roots`) are folded, walking the schema:
a container or named-list word selects a child, a leaf takes the next word as its value
(several leaves may follow on one line: `transfer timeout 600 record-level 500000`),
a flag is `true`, a leaf-list takes the rest of the words, a `words` node keeps the rest
of each statement as a list of words (unmodelled conditions that a rule reads as written). Inactive statements are
skipped. Output: `Document` with `data[root]`, `spans[path]` (the word a path stands for:
a key, a container keyword, a leaf's value) and `keywords[path]` (a leaf's keyword), plus
FC101 (unknown statement), FC106 (missing value) and FC107 (conflicting values).
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.document.schema import ALWAYS_IGNORED, Node, Root, roots
from flowc.compiler.parse.statements import Statement, Word
from flowc.compiler.source import Span

Path = tuple[str, ...]


@dataclass(slots=True)
class Document:
    """The folded validated hierarchies and where every part of them was written."""

    data: dict[str, Any] = field(default_factory=dict)
    spans: dict[Path, Span] = field(default_factory=dict)
    keywords: dict[Path, Span] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    variant_keys: set[Path] = field(default_factory=set)

    def get(self, *path: str) -> Any:
        """The value at `path`, or None."""
        node: Any = self.data
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def span(self, *path: str) -> Span | None:
        return self.spans.get(path)


def fold(statements: Iterable[Statement]) -> Document:
    """Fold every active statement under a validated hierarchy into one document."""
    table = roots()
    document = Document()
    for statement in statements:
        words = statement.words
        if not words or statement.inactive_at:
            continue
        root = table.get(words[0].text)
        if root is not None:
            _fold_statement(document, root, words)
    return document


def _fold_statement(document: Document, root: Root, words: tuple[Word, ...]) -> None:
    data = document.data.setdefault(root.name, {})
    path: Path = (root.name,)
    document.spans.setdefault(path, words[0].span)
    _walk(document, root.node, data, path, words, 1)


def _walk(document: Document, node: Node, data: dict[str, Any], path: Path,
          words: tuple[Word, ...], index: int) -> None:
    """Consume words[index:] inside container `node` whose folded value is `data`."""
    while index < len(words):
        word = words[index]
        if word.text in ALWAYS_IGNORED:
            return
        selected = node.child(word.text)
        if selected is not None and not selected[1] and _looks_like_typo(node, word.text):
            selected = None
        if selected is None:
            if not node.open:
                document.diagnostics.append(_unknown(node, path, word))
            return
        child, is_keyword = selected
        if is_keyword:
            index = _enter_keyword(document, child, data, path, words, index)
        else:
            index = _enter_entry(document, child, data, path, words, index)
        if index < 0:
            return
        # after a leaf, further leaves of the same container may follow on one line


def _enter_keyword(document: Document, child: Node, data: dict[str, Any], path: Path,
                   words: tuple[Word, ...], index: int) -> int:
    """A modelled keyword at words[index]. Returns the index to continue the same
    container with, or -1 when the statement is finished."""
    word = words[index]
    name = word.text
    here = (*path, name)
    if child.kind == "flag":
        data[name] = True
        document.spans.setdefault(here, word.span)
        document.keywords.setdefault(here, word.span)
        return index + 1
    if child.kind in ("leaf", "leaf-list"):
        return _leaf(document, child, data, here, words, index)
    document.spans.setdefault(here, word.span)
    if child.kind == "words":  # the rest of the statement, kept as written: one list per statement
        document.keywords.setdefault(here, word.span)
        kept = data.setdefault(name, [])
        if isinstance(kept, list):
            kept.append([w.text for w in words[index + 1:]])
        return -1
    document.keywords.setdefault(here, word.span)
    sub = data.get(name)
    if not isinstance(sub, dict):
        sub = data[name] = {}
    _walk_or_entries(document, child, sub, here, words, index + 1)
    return -1


def _walk_or_entries(document: Document, node: Node, data: dict[str, Any], path: Path,
                     words: tuple[Word, ...], index: int) -> None:
    if node.kind == "named":
        skipped = index + 1 < len(words) and words[index].text in node.skip
        if skipped:
            index += 1
        if index >= len(words):
            return
        if skipped:
            document.variant_keys.add((*path, words[index].text))
        _enter_entry(document, node.entry or node, data, path, words, index)
        return
    _walk(document, node, data, path, words, index)


def _enter_entry(document: Document, entry: Node, data: dict[str, Any], path: Path,
                 words: tuple[Word, ...], index: int) -> int:
    """A named entry whose key is words[index]."""
    key = words[index]
    here = (*path, key.text)
    document.spans.setdefault(here, key.span)
    if entry.kind == "leaf-list":
        values = data.setdefault(key.text, [])
        if isinstance(values, list):
            values.extend(w.text for w in words[index + 1:])
        return -1
    if entry.kind == "leaf":
        return _leaf(document, entry, data, here, words, index)
    sub = data.get(key.text)
    if not isinstance(sub, dict):
        sub = data[key.text] = {}
    _walk(document, entry, sub, here, words, index + 1)
    return -1


def _leaf(document: Document, node: Node, data: dict[str, Any], here: Path,
          words: tuple[Word, ...], index: int) -> int:
    keyword = words[index]
    name = here[-1]
    document.keywords.setdefault(here, keyword.span)
    index += 1
    if node.kind == "leaf-list":
        values = data.setdefault(name, [])
        if isinstance(values, list):
            values.extend(w.text for w in words[index:])
        document.spans.setdefault(here, words[index].span if index < len(words) else keyword.span)
        return -1
    if index < len(words) and words[index].text in node.skip and index + 1 < len(words):
        index += 1
    if index >= len(words):
        document.spans.setdefault(here, keyword.span)
        document.diagnostics.append(Diagnostic(
            "FC106", Severity.ERROR, f"{name} needs a value", keyword.span,
            f"write `{name} VALUE;`"))
        return -1
    value_word = words[index]
    value = _typed(node, value_word.text)
    if name in data and data[name] != value:
        document.diagnostics.append(Diagnostic(
            "FC107", Severity.WARNING,
            f"{name} is set twice ({_shown(node, data[name])} and {_shown(node, value)}); the last one wins",
            value_word.span, "keep one value"))
        document.spans[here] = value_word.span
    else:
        document.spans.setdefault(here, value_word.span)
    data[name] = value
    return index + 1


def _shown(node: Node, value: Any) -> str:
    return "********" if node.schema.get("x-flowc-secret") else str(value)


def _typed(node: Node, text: str) -> Any:
    if node.schema.get("type") == "integer" and text.isdigit():
        return int(text)
    return text


def _looks_like_typo(node: Node, text: str) -> bool:
    """In a block that mixes keywords and named entries (interface-map), a word close to
    a keyword that does not look like an interface name is a misspelt keyword."""
    if not node.properties or node.entry is None or "/" in text or "." in text:
        return False
    return bool(difflib.get_close_matches(text, list(node.properties), n=1, cutoff=0.75))


def _unknown(node: Node, path: Path, word: Word) -> Diagnostic:
    known = sorted(node.properties)
    close = difflib.get_close_matches(word.text, known, n=1, cutoff=0.6)
    where = " ".join(path)
    if close:
        hint = f"did you mean {close[0]}?"
    elif known:
        hint = f"statements allowed here: {', '.join(known)}"
    else:
        hint = "nothing more is allowed here"
    return Diagnostic("FC101", Severity.ERROR, f"unknown statement {word.text} in [edit {where}]",
                      word.span, hint)


def single_valued(path: tuple[str, ...]) -> bool | None:
    """Whether the statement path `path` (without its value) ends at a single-valued leaf
    of the schemas: True or False, or None when the path is not modelled (callers fall
    back to their own knowledge). Used by `apply_groups` so that a local `retry 2` hides
    an inherited `retry 5`."""
    if not path:
        return None
    root = roots().get(path[0])
    if root is None:
        return None
    node: Node = root.node
    index = 1
    while index < len(path):
        selected = node.child(path[index])
        if selected is None:
            return None
        child, is_keyword = selected
        if child.kind in ("leaf", "flag", "leaf-list", "words"):
            if index == len(path) - 1:
                return child.kind == "leaf"
            index += 2 if child.kind == "leaf" else len(path)  # the value, then maybe more leaves
            if child.kind == "leaf" and index - 1 < len(path) and path[index - 1] in child.skip:
                index += 1
            continue
        if child.kind == "named" and is_keyword:
            index += 1
            if index < len(path) and path[index] in child.skip and index + 1 < len(path):
                index += 1
            index += 1  # the key
            node = child.entry or child
            continue
        node = child
        index += 1
    return False
