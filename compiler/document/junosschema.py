"""Junos' own schema for the whole configuration, as a compact cached index.

Stage document (used by fmt, diff and `lint --schema`; never by a plain `lint`). Input:
junoscfg's `validate/data/junos-structure-tree.json` (generated from Juniper's XSD for Junos
24.4, ~428,000 nodes), read through `importlib.resources`. Output: a `JunosSchema` whose
nodes are small integers; identical subtrees are stored once (the tree folds to a few
thousand distinct nodes), so the index loads in milliseconds and holds about 2 MB.

The index is built on first use and cached (marshal) in the same folder as the parser's
Lark cache, under a name that carries junoscfg's version and this module's format
version; a cache that cannot be written or read is rebuilt in memory. `schema()` returns
None when junoscfg is not installed: callers then keep their schema-less behaviour.
"""
from __future__ import annotations

import os
import re
import sys
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# Flags of a node, one bit per key of junoscfg's compact format.
LEAF, PRESENCE, LIST, LEAF_LIST, NO_KEYWORD, ONE_LINER, TRANSPARENT_KEY = 1, 2, 4, 8, 16, 32, 64
POSITIONAL, POSITIONAL_FLAT, MANDATORY, HAS_CHILDREN = 128, 256, 1024, 4096
_FLAG_KEYS = {"l": LEAF, "p": PRESENCE, "L": LIST, "ll": LEAF_LIST, "nk": NO_KEYWORD, "o": ONE_LINER,
              "tk": TRANSPARENT_KEY, "pk": POSITIONAL, "pkf": POSITIONAL_FLAT, "m": MANDATORY}
_FORMAT = 1  # part of the cache file's name: a new value when the cached tuples change
_DATA = "validate/data/junos-structure-tree.json"

# A node as stored: (flags, enum index or -1, pattern index or -1, transparent child name
# or "", child names, child node ids).
RawNode = tuple[int, int, int, str, tuple[str, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class JunosSchema:
    """The index: nodes by id, the root, the enum and pattern tables, junoscfg's version."""

    version: str
    root: int
    nodes: tuple[RawNode, ...]
    children: tuple[dict[str, int], ...]
    enums: tuple[frozenset[str], ...]
    patterns: tuple[str, ...]

    def child(self, node: int, name: str) -> int | None:
        return self.children[node].get(name)

    def flags(self, node: int) -> int:
        return self.nodes[node][0]

    def has(self, node: int, flag: int) -> bool:
        return bool(self.nodes[node][0] & flag)

    def transparent(self, node: int) -> int | None:
        """The keyed list whose keyword a node's statements leave out (`interfaces ge-0/0/0`)."""
        name = self.nodes[node][3]
        return self.children[node].get(name) if name else None

    def enum(self, node: int) -> frozenset[str] | None:
        index = self.nodes[node][1]
        return self.enums[index] if index >= 0 else None

    def pattern(self, node: int) -> tuple[re.Pattern[str], bool] | None:
        """The value pattern of a leaf and whether a value must NOT match it."""
        index = self.nodes[node][2]
        return _compiled(self.patterns[index]) if index >= 0 else None

    def opaque(self, node: int) -> bool:
        """A container the schema lists without its contents (anything below is accepted)."""
        return not self.nodes[node][0] & (LEAF | PRESENCE | HAS_CHILDREN)


_POSIX = {"[:alnum:]": "a-zA-Z0-9", "[:alpha:]": "a-zA-Z", "[:digit:]": "0-9", "[:xdigit:]": "0-9a-fA-F",
          "[:space:]": r"\s", "[:upper:]": "A-Z", "[:lower:]": "a-z", "[:punct:]": r"!-/:-@\[-`{-~"}


@cache
def _compiled(stored: str) -> tuple[re.Pattern[str], bool] | None:
    """A schema pattern (POSIX, `!` prefix for a negated one) as a Python regex, or None
    when Python cannot read it (then values are not checked against it)."""
    negated = stored.startswith("!")
    text = stored[1:] if negated else stored
    for posix, python in _POSIX.items():
        text = text.replace(posix, python)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # POSIX sets such as `[[` warn in Python's re
            return re.compile(text), negated
    except re.error:
        return None


@cache
def schema() -> JunosSchema | None:
    """The index (built and cached on first use), or None without junoscfg."""
    import importlib.metadata  # here, not at the top: a plain `lint` never pays for it

    try:
        version = importlib.metadata.version("junoscfg")
    except importlib.metadata.PackageNotFoundError:
        return None
    path = cache_path(version)
    stored = _read_cache(path)
    if stored is None:
        stored = _build(version)
        _write_cache(path, stored)
    return _index(version, stored)


def cache_path(version: str) -> Path:
    """The cache file: beside Lark's parser cache (the temp folder), named by version."""
    import tempfile

    return Path(tempfile.gettempdir()) / f"flowc-junos-schema-{version}-{_FORMAT}.marshal"


Stored = tuple[int, tuple[RawNode, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]


def _read_cache(path: Path) -> Stored | None:
    import marshal

    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(data, tuple) and len(data) == 4 and isinstance(data[0], int)
            and isinstance(data[1], tuple) and 0 <= data[0] < len(data[1])):
        return None
    stored: Stored = data
    return stored


def _write_cache(path: Path, stored: Stored) -> None:
    """Write atomically (a rename), so that concurrent builders never see half a file."""
    import marshal

    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(marshal.dumps(stored))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _build(version: str) -> Stored:
    """junoscfg's tree folded into distinct nodes (identical subtrees stored once)."""
    import json
    from importlib.resources import files

    tree = json.loads(files("junoscfg").joinpath(_DATA).read_text(encoding="utf-8"))
    nodes: list[RawNode] = []
    memo: dict[RawNode, int] = {}
    root = _fold(tree, nodes, memo)
    enums = tuple(tuple(e) for e in tree.get("_enums", ()))
    return root, tuple(nodes), enums, tuple(tree.get("_patterns", ()))


def _fold(node: dict[str, Any], nodes: list[RawNode], memo: dict[RawNode, int]) -> int:
    """Post-order, with an explicit stack (the tree is deep); returns the root's id."""
    stack: list[tuple[dict[str, Any], list[Any], list[int]]] = [(node, list(node.get("c", {}).values()), [])]
    result = -1
    while stack:
        current, kids, done = stack[-1]
        if len(done) < len(kids):
            kid = kids[len(done)]
            stack.append((kid, list(kid.get("c", {}).values()), []))
            continue
        stack.pop()
        result = _intern(current, tuple(done), nodes, memo)
        if stack:
            stack[-1][2].append(result)
    return result


def _intern(node: dict[str, Any], ids: tuple[int, ...], nodes: list[RawNode], memo: dict[RawNode, int]) -> int:
    flags = sum(bit for key, bit in _FLAG_KEYS.items() if node.get(key))
    if "c" in node:
        flags |= HAS_CHILDREN
    names = tuple(sys.intern(name) for name in node.get("c", {}))
    raw: RawNode = (flags, node.get("e", -1), node.get("r", -1), node.get("t", ""), names, ids)
    found = memo.get(raw)
    if found is None:
        found = memo[raw] = len(nodes)
        nodes.append(raw)
    return found


def _index(version: str, stored: Stored) -> JunosSchema:
    root, nodes, enums, patterns = stored
    children = tuple(dict(zip(raw[4], raw[5])) for raw in nodes)
    return JunosSchema(version, root, nodes, children, tuple(frozenset(e) for e in enums), patterns)
