"""Configuration groups: statements -> the effective configuration Junos commits.

`apply_groups` expands `groups NAME …` into the levels that say `apply-groups NAME`
(at any level, several names in order), honours `apply-groups-except`, matches group
wildcards (`<*>`, `<ge-*>`, `"<so-[01]/*>"`) against what the local configuration
has, reads `apply-groups "${node}"` (chassis clusters) as node0, and removes the `groups`, `apply-groups` and
`apply-groups-except` statements.
Precedence follows Junos: local statements win over inherited ones, an `apply-groups` at a
deeper level wins over one above it, and the first group listed wins over later ones. An
inherited statement keeps its group's words and spans (`group`, `origin` set), so a
finding on it points at the line inside the group.

Without a schema this stage cannot know which leaves take one value; pass
`single_valued` (a leaf path -> bool) to let a local `mtu 1500` hide an inherited
`mtu 9000`; by default a small table of well-known single-valued leaves is used.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.parse.statements import Comment, Statement, Word, new_statement

Path = tuple[str, ...]
GROUPS, APPLY, EXCEPT = "groups", "apply-groups", "apply-groups-except"
# `apply-groups "${node}"` (SRX chassis clusters): the group named after the node the
# configuration runs on. Read here as node0 (the primary's view) when such a group exists.
NODE_VARIABLE, NODE_GROUPS = "${node}", ("node0", "node1")
# Leaves known to take a single value (used when no schema-backed `single_valued` is given).
SINGLE_VALUED = frozenset([
    "host-name", "domain-name", "time-zone", "description", "mtu", "speed", "encapsulation", "vlan-id",
    "router-id", "autonomous-system", "analyzer-address", "analyzer-id", "engine-id", "engine-type",
    "source-address", "password", "name-format", "data-format", "record-level", "timeout",
    "filename-prefix", "maximum-age", "collector", "file-specification", "scheduler-map",
    "transmit-rate", "buffer-size", "priority", "retry", "retry-delay", "location", "contact",
    "instance-type", "authentication-key", "hold-time", "flow-export-destination",
    "root-authentication", "encrypted-password", "class", "uid"
])


# Match conditions (firewall `from`, policy `from`/`to`, SRX policy `match`) are lists
# whatever their leaf is called: `from source-address A` and an inherited
# `from source-address B` both hold.
MATCH_CONDITIONS = frozenset(("from", "to", "match"))


def well_known_single(path: Path) -> bool:
    """A leaf of the SINGLE_VALUED table, outside match conditions."""
    return bool(path) and path[-1] in SINGLE_VALUED and MATCH_CONDITIONS.isdisjoint(path)


@dataclass(frozen=True, slots=True)
class _Apply:
    """One `apply-groups NAME` (or `-except`) at a level, in the order written."""

    level: Path
    group: str
    statement: Statement


def apply_groups(statements: Sequence[Statement], *,
                 single_valued: Callable[[Path], bool] | None = None
                 ) -> tuple[tuple[Statement, ...], tuple[Diagnostic, ...]]:
    """The effective configuration: groups expanded, group statements removed."""
    split = _split(statements)
    groups, excepts, local, positions = split.groups, split.excepts, split.local, split.positions
    if not groups and not split.applies:
        return tuple(local), ()
    applies = [_on_node(a, groups) for a in split.applies]
    diagnostics = [_unknown(a) for a in applies if a.group not in groups and a.group != NODE_VARIABLE]
    is_single = single_valued or well_known_single
    index = _Index(local)
    inherited: list[tuple[int, Statement]] = []
    # deeper levels first; within a level, the order written (first listed wins)
    for order, apply in sorted(enumerate(applies), key=lambda item: (-len(item[1].level), item[0])):
        for member in groups.get(apply.group, ()):
            for st in _expand(member, apply, index):
                if _excluded(st.path, apply, excepts) or not index.admit(st, is_single):
                    continue
                inherited.append((index.position(st.path, positions[order]), st))
    return _merge(local, inherited), tuple(diagnostics)


@dataclass(frozen=True, slots=True)
class _Split:
    """A configuration taken apart: group members, apply/except statements, the rest."""

    groups: dict[str, list[Statement]]
    applies: list[_Apply]
    excepts: list[_Apply]
    local: list[Statement]
    positions: list[int]  # per apply-groups: how many local statements come before it


def _split(statements: Sequence[Statement]) -> _Split:
    groups: dict[str, list[Statement]] = {}
    applies: list[_Apply] = []
    excepts: list[_Apply] = []
    local: list[Statement] = []
    positions: list[int] = []
    for st in statements:
        path = st.path
        if path[0] == GROUPS and len(path) >= 2:
            members = groups.setdefault(path[1], [])  # an inactive group exists but gives nothing
            if st.inactive_at not in (1, 2) and len(path) > 2 and APPLY not in path[2:] and EXCEPT not in path[2:]:
                members.append(st)
            continue
        kind = path[-2] if len(path) >= 2 else ""
        if kind in (APPLY, EXCEPT):
            if not st.inactive:
                target = applies if kind == APPLY else excepts
                target.append(_Apply(path[:-2], path[-1], st))
                if kind == APPLY:
                    positions.append(len(local))
            continue
        local.append(st)
    return _Split(groups, applies, excepts, local, positions)


def _on_node(apply: _Apply, groups: dict[str, list[Statement]]) -> _Apply:
    """`${node}` as the first node group the configuration has (unchanged if none)."""
    if apply.group != NODE_VARIABLE:
        return apply
    node = next((name for name in NODE_GROUPS if name in groups), NODE_VARIABLE)
    return _Apply(apply.level, node, apply.statement)


def _unknown(apply: _Apply) -> Diagnostic:
    word = apply.statement.words[-1]
    return Diagnostic("FC013", Severity.ERROR, f"`apply-groups {apply.group}`: there is no group `{apply.group}`",
                      word.span, hint="define it under `groups`, or remove the name")


class _Index:
    """What the configuration holds so far: paths, children of each node, positions."""

    def __init__(self, local: list[Statement]) -> None:
        self.paths: set[Path] = set()
        self.children: dict[Path, dict[str, None]] = {}
        self.values: dict[Path, set[str]] = {}
        self.last: dict[Path, int] = {}
        self.inactive: set[Path] = set()
        for i, st in enumerate(local):
            self._add(st.path)
            if st.inactive_at:
                self.inactive.add(st.path[: st.inactive_at])
            path = st.path
            for k in range(1, len(path) + 1):
                self.last[path[:k]] = i

    def _add(self, path: Path) -> None:
        self.paths.add(path)
        for k in range(len(path)):
            self.children.setdefault(path[:k], {})[path[k]] = None
        if len(path) >= 2:
            self.values.setdefault(path[:-1], set()).add(path[-1])

    def admit(self, st: Statement, is_single: Callable[[Path], bool]) -> bool:
        """Record an inherited statement unless something with precedence already holds it."""
        path = st.path
        if path in self.paths:
            return False
        leaf = path[:-1]
        if leaf in self.values and is_single(leaf):
            return False
        self._add(path)
        return True

    def position(self, path: Path, fallback: int) -> int:
        """Insert after the last local statement sharing the longest prefix with `path`."""
        for k in range(len(path), 0, -1):
            if path[:k] in self.last:
                return self.last[path[:k]] + 1
        return fallback

    def outermost_inactive(self, path: Path) -> int:
        for k in range(1, len(path) + 1):
            if path[:k] in self.inactive:
                return k
        return 0


def _expand(member: Statement, apply: _Apply, index: _Index) -> list[Statement]:
    """The statements one group statement gives at the level of one apply-groups."""
    words = member.words[2:]
    level = apply.level
    if len(words) <= len(level) or not all(_match(w.text, t) for w, t in zip(words, level)):
        return []
    results: list[tuple[Word, ...]] = []
    _resolve(words, len(level), tuple(_as(w, t) for w, t in zip(words, level)), index, results)
    return [_inherit(member, apply.group, resolved, index) for resolved in results]


def _resolve(words: tuple[Word, ...], i: int, done: tuple[Word, ...], index: _Index,
             results: list[tuple[Word, ...]]) -> None:
    if i == len(words):
        results.append(done)
        return
    word = words[i]
    if not _is_wildcard(word.text):
        _resolve(words, i + 1, done + (word,), index, results)
        return
    prefix = tuple(w.text for w in done)
    for name in index.children.get(prefix, {}):
        if _match(word.text, name):
            _resolve(words, i + 1, done + (_as(word, name),), index, results)


def _inherit(member: Statement, group: str, words: tuple[Word, ...], index: _Index) -> Statement:
    shift = 2
    inactive_at = member.inactive_at - shift if member.inactive_at > shift else 0
    local_inactive = index.outermost_inactive(tuple(w.text for w in words))
    if local_inactive and (not inactive_at or local_inactive < inactive_at):
        inactive_at = local_inactive
    comments = tuple(Comment(c.text, c.span, c.depth - shift, c.position)
                     for c in member.comments if c.depth > shift)
    blocks = tuple(b - shift for b in member.blocks if b >= shift) if member.blocks else ()
    protected_at = member.protected_at - shift if member.protected_at > shift else 0
    replace_at = member.replace_at - shift if member.replace_at > shift else 0
    return new_statement(words, member.span, inactive_at, protected_at > 0, comments, group, member.span,
                         blocks, member.listed, protected_at, replace_at)


def _excluded(path: Path, apply: _Apply, excepts: list[_Apply]) -> bool:
    for exc in excepts:
        if exc.group == apply.group and path[: len(exc.level)] == exc.level \
                and exc.level[: len(apply.level)] == apply.level:
            return True
    return False


def _merge(local: list[Statement], inherited: list[tuple[int, Statement]]) -> tuple[Statement, ...]:
    by_spot: dict[int, list[Statement]] = {}
    for spot, st in inherited:
        by_spot.setdefault(spot, []).append(st)
    out: list[Statement] = []
    for i in range(len(local) + 1):
        out.extend(by_spot.get(i, ()))
        if i < len(local):
            out.append(local[i])
    return tuple(out)


def _is_wildcard(text: str) -> bool:
    return len(text) > 2 and text[0] == "<" and text[-1] == ">"


def _match(pattern: str, text: str) -> bool:
    """A group word matches a configuration word: equal, or a `<wildcard>` that fits."""
    if _is_wildcard(pattern):
        return fnmatch.fnmatchcase(text, pattern[1:-1])
    return pattern == text


def _as(word: Word, text: str) -> Word:
    """The group's word (and its span) standing for the configuration word `text`."""
    return word if word.text == text else Word(text, word.span, word.quoted)
