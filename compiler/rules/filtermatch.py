"""Which forwarding class an export channel's output filters give its FTP traffic to one host.

Stage rules. Input: the unit's output filters (IR, in the order Junos runs them:
`output`, then `output-list`) and the IPv4 address of an FTP destination. Output: an
`Outcome`: the forwarding class the traffic ends in (None: none) and the term that decided
(None: the traffic ran off the end of the filters, where Junos discards it). A term
matches in Junos' way: its `from` conditions are ANDed, the values of one condition ORed,
the longest matching prefix decides (`except` excludes); a term without `from` matches
everything; a term without a terminating action accepts; `then next term` goes on.

Only `destination-address`, `address` and `protocol` are evaluated. A term whose other
conditions decide (ports, prefix lists, flags, …) makes the outcome unknown, and the
rules stay silent rather than guess.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from ipaddress import IPv4Address, ip_network

from flowc.compiler.ir.model import FilterTerm, FirewallFilter

TCP = frozenset({"tcp", "6"})


class Match(Enum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the FTP traffic to one host ends: `known` False when flowc cannot tell.
    `classes` are the (class, filter) pairs the traffic ends in, or may end in when unknown."""

    known: bool
    forwarding_class: str | None = None
    term: FilterTerm | None = None
    classes: tuple[tuple[str, str], ...] = ()


def outcome(filters: Sequence[FirewallFilter], host: IPv4Address) -> Outcome:
    """The forwarding class `filters` give TCP traffic from the channel to `host`."""
    current: tuple[str, str] | None = None
    for index, fw in enumerate(filters):
        for position, term in enumerate(fw.terms):
            match = term_match(term, host)
            if match is Match.MAYBE:
                rest = [(t.forwarding_class, f.name) for f, terms in _from(filters, index, position) for t in terms
                        if t.forwarding_class]
                return Outcome(False, classes=tuple(dict.fromkeys([*([current] if current else []), *rest])))
            if match is Match.YES:
                current = (term.forwarding_class, fw.name) if term.forwarding_class else current
                if not term.next_term:
                    return Outcome(True, current[0] if current else None, term, (current,) if current else ())
    return Outcome(True, None, None)


def _from(filters: Sequence[FirewallFilter], index: int, position: int) -> list[tuple[FirewallFilter,
                                                                                      tuple[FilterTerm, ...]]]:
    """The terms from filter `index`, term `position` on, filter by filter."""
    return [(filters[index], filters[index].terms[position:]), *((f, f.terms) for f in filters[index + 1:])]


def term_match(term: FilterTerm, host: IPv4Address) -> Match:
    """Whether `term` matches TCP traffic to `host` (its conditions ANDed)."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for words in term.conditions:
        if words:
            grouped.setdefault(words[0], []).append(words[1:])
    results = {_condition(kind, values, host) for kind, values in grouped.items()}
    if Match.NO in results:
        return Match.NO
    return Match.MAYBE if Match.MAYBE in results else Match.YES


def _condition(kind: str, values: list[tuple[str, ...]], host: IPv4Address) -> Match:
    if kind == "protocol":
        words = {w for value in values for w in value if w not in ("[", "]")}
        return Match.YES if words & TCP else Match.NO
    if kind in ("destination-address", "address"):
        found = _prefix_match(values, host)
        if found is None:
            return Match.MAYBE
        if kind == "address" and found is not Match.YES:
            return Match.MAYBE  # the source address may match; flowc does not know it
        return found
    return Match.MAYBE


def _prefix_match(values: list[tuple[str, ...]], host: IPv4Address) -> Match | None:
    """YES/NO by the longest prefix that holds `host` (`except` excludes); None when a
    value is not a prefix flowc can read."""
    best: tuple[int, bool] | None = None
    for value in values:
        words = [w for w in value if w not in ("[", "]")]
        if not words or any(w != "except" for w in words[1:]):
            return None
        try:
            network = ip_network(words[0], strict=False)
        except ValueError:
            return None
        if network.version == 4 and host in network and (best is None or network.prefixlen > best[0]):
            best = (network.prefixlen, "except" in words[1:])
    if best is None:
        return Match.NO
    return Match.NO if best[1] else Match.YES
