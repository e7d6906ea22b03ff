"""Junos one-liners split as Junos' set form splits them, so that a brace file and the
router's own `display set` of the same device compare equal.

Junos writes some statements with several values on one line in brace form
(`srgb start-label 16000 index-range 80000;`, `vlan-tags outer 100 inner 200;`,
`arp 10.0.0.2 l2-interface ge-0/0/0.0 mac 00:11:22:33:44:55;`, traceoptions
`file bgp.log size 10m files 5;`, `hold-time up 120000 down 1;`, syslog `archive size 10m
files 5;`, NTP `server 192.0.2.1 version 4 prefer;`, static `route … next-hop … preference
…;`, `address 10.0.0.1/24 primary preferred;`) while `display set` gives one line per leaf. The diff
compares the leaf statements as the set form has them: such a statement becomes one
statement per keyword (after the entry's name, when the one-liner names an entry).
Where Junos' schema knows a statement, it is split exactly as `display set` splits it
(`displayed`, through `flowc.compiler.document.junosstatements`: a list entry Junos prints on
one line, `arp A l2-interface X mac M`, stays whole); the table `ONE_LINERS` splits only the
statements the schema does not know (other Junos versions, SRX `match …` of a policy), and
anything else is compared as written.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from flowc.compiler.parse.statements import Statement, Word


@dataclass(frozen=True, slots=True)
class OneLiner:
    """A one-line statement: how many name words follow its keyword, whether the name is a
    leaf of its own (`file NAME`), and its keywords (True: the keyword takes a value)."""

    names: int
    keywords: dict[str, bool]
    named_leaf: bool = False
    parents: frozenset[str] | None = None  # the word before the keyword, where it is one


_LOG_FILE = {"size": True, "files": True, "world-readable": False, "no-world-readable": False}
ONE_LINERS: dict[str, OneLiner] = {
    "srgb": OneLiner(0, {"start-label": True, "index-range": True}),
    "vlan-tags": OneLiner(0, {"outer": True, "inner": True, "inner-range": True, "inner-list": True}),
    "arp": OneLiner(1, {"l2-interface": True, "mac": True, "multicast-mac": True, "publish": False}),
    "file": OneLiner(1, {**_LOG_FILE, "match": True, "replace": False, "stamp": False, "no-stamp": False},
                     named_leaf=True, parents=frozenset({"traceoptions"})),
    # `hold-time up 120000 down 1;`
    "hold-time": OneLiner(0, {"up": True, "down": True}),
    # syslog `archive size 10m files 5;`
    "archive": OneLiner(0, {**_LOG_FILE, "transfer-interval": True}),
    # `server 192.0.2.1 version 4 prefer;` (NTP)
    "server": OneLiner(1, {"version": True, "key": True, "prefer": False, "routing-instance": True},
                       parents=frozenset({"ntp"})),
    # `route 0.0.0.0/0 next-hop 192.0.2.1 preference 200;` (static routes)
    "route": OneLiner(1, {"next-hop": True, "preference": True, "metric": True, "tag": True,
                          "discard": False, "reject": False, "receive": False, "no-readvertise": False,
                          "readvertise": False, "resolve": False, "no-resolve": False, "retain": False,
                          "no-retain": False, "install": False, "no-install": False, "active": False,
                          "passive": False}, parents=frozenset({"static"})),
    # security policy `match source-address any destination-address any application any`
    "match": OneLiner(0, {"source-address": True, "destination-address": True, "application": True,
                          "source-identity": True, "dynamic-application": True,
                          "source-end-user-profile": True, "url-category": True}),
    # `address 10.0.0.1/24 primary preferred;`
    "address": OneLiner(1, {"primary": False, "preferred": False, "destination": True,
                            "broadcast": True}, parents=frozenset({"inet", "inet6", "iso", "mpls"})),
}


def displayed(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements as the diff compares them: `display set`'s pieces where Junos' schema
    knows a statement, the table's split (`split_oneliners`) where it does not."""
    from flowc.compiler.document.junospath import read
    from flowc.compiler.document.junosstatements import display_statements

    out: list[Statement] = []
    for statement in display_statements(statements):
        reading = read(statement.path) if len(statement.words) > 2 else None
        parts = _entry_split(statement) if reading is not None and reading.known else _split(statement)
        if parts is None:
            out.append(statement)
        else:
            out += parts
    return tuple(out)


def _entry_split(statement: Statement) -> list[Statement] | None:
    """An entry of a one-line list given several leaves at once: one statement per leaf."""
    from flowc.compiler.diff.levels import entry_pieces

    pieces = entry_pieces(statement.path)
    if pieces is None:
        return None
    stem = statement.words[:pieces[0][0]]
    return [_statement(statement, stem + statement.words[start:end]) for start, end in pieces]


def split_oneliners(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements with every one-liner of `ONE_LINERS` split into its leaves."""
    out: list[Statement] = []
    for statement in statements:
        parts = _split(statement)
        if parts is None:
            out.append(statement)
        else:
            out += parts
    return tuple(out)


def _split(statement: Statement) -> list[Statement] | None:
    words = statement.words
    for index, word in enumerate(words):
        rule = ONE_LINERS.get(word.text)
        if rule is None or (rule.parents is not None and (index == 0 or words[index - 1].text not in rule.parents)):
            continue
        head = index + 1 + rule.names
        items = _items(words[head:], rule)
        if items is None or len(items) + rule.named_leaf < 2:
            continue
        stem = words[:head] if not rule.named_leaf else words[:index + 1]
        tails = ([words[index + 1:head]] if rule.named_leaf else []) + items
        return [_statement(statement, stem + tail) for tail in tails]
    return None


def _items(words: tuple[Word, ...], rule: OneLiner) -> list[tuple[Word, ...]] | None:
    """The keyword (and value) groups of a one-liner's tail; None when it is not one."""
    items: list[tuple[Word, ...]] = []
    index = 0
    while index < len(words):
        takes = rule.keywords.get(words[index].text)
        if takes is None or (takes and index + 1 >= len(words)):
            return None
        size = 2 if takes else 1
        items.append(words[index:index + size])
        index += size
    return items


def _statement(statement: Statement, words: tuple[Word, ...]) -> Statement:
    inactive = min(statement.inactive_at, len(words))
    return replace(statement, words=words, inactive_at=inactive)
