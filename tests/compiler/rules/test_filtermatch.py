"""How a firewall filter term matches the FTP traffic to one host (Junos' first-match,
longest-prefix and `except` semantics), and where the traffic ends."""
from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from flowc.compiler.ir.model import FilterTerm, FirewallFilter
from flowc.compiler.rules.filtermatch import Match, outcome, term_match

HOST = IPv4Address("192.0.2.20")


def _term(*conditions: str, fc: str | None = None, next_term: bool = False, name: str = "t") -> FilterTerm:
    return FilterTerm(name, tuple(tuple(c.split()) for c in conditions), fc, next_term)


@pytest.mark.parametrize(("conditions", "expected"), [
    ((), Match.YES),
    (("destination-address 192.0.2.0/24",), Match.YES),
    (("destination-address 192.0.2.20",), Match.YES),
    (("destination-address 198.51.100.0/24",), Match.NO),
    (("destination-address 192.0.2.0/24", "destination-address 192.0.2.16/28 except"), Match.NO),
    (("destination-address 192.0.2.0/24 except", "destination-address 192.0.2.16/28"), Match.YES),
    (("destination-address 2001:db8::/32",), Match.NO),
    (("destination-address 198.51.100.0/24", "destination-address 192.0.2.0/24"), Match.YES),
    (("protocol tcp",), Match.YES),
    (("protocol [ udp tcp ]",), Match.YES),
    (("protocol udp",), Match.NO),
    (("address 192.0.2.0/24",), Match.YES),
    (("address 198.51.100.0/24",), Match.MAYBE),          # the source may match
    (("destination-port ftp",), Match.MAYBE),
    (("destination-port ftp", "protocol udp"), Match.NO),  # ANDed: one NO decides
    (("destination-prefix-list collectors",), Match.MAYBE),
    (("destination-address not-a-prefix",), Match.MAYBE),
])
def test_term_match(conditions: tuple[str, ...], expected: Match) -> None:
    assert term_match(_term(*conditions), HOST) is expected


def test_the_first_matching_term_decides() -> None:
    fw = FirewallFilter("f", terms=(_term("destination-address 198.51.100.0/24", fc="other"),
                                    _term(name="rest"), _term(fc="late")))
    result = outcome([fw], HOST)
    assert result.known and result.forwarding_class is None and result.term is not None
    assert result.term.name == "rest"


def test_next_term_keeps_the_class_and_goes_on() -> None:
    fw = FirewallFilter("f", terms=(_term(fc="ftp", next_term=True), _term(name="count")))
    assert outcome([fw], HOST).forwarding_class == "ftp"


def test_running_off_the_end_is_no_class_and_no_term() -> None:
    first = FirewallFilter("a", terms=(_term("protocol udp", fc="x"),))
    result = outcome([first], HOST)
    assert result.known and result.forwarding_class is None and result.term is None


def test_a_filter_list_goes_on_to_the_next_filter() -> None:
    first = FirewallFilter("a", terms=(_term("protocol udp", fc="x"),))
    second = FirewallFilter("b", terms=(_term(fc="ftp"),))
    assert outcome([first, second], HOST).forwarding_class == "ftp"


def test_an_unknown_condition_makes_the_outcome_unknown() -> None:
    fw = FirewallFilter("f", terms=(_term("destination-port ftp", fc="ftp"), _term(name="rest")))
    assert not outcome([fw], HOST).known


def test_an_unknown_outcome_lists_the_classes_still_reachable() -> None:
    fw = FirewallFilter("f", terms=(_term("destination-address 198.51.100.0/24", fc="other"),
                                    _term(fc="counted", next_term=True),
                                    _term("destination-port ftp", fc="ftp"), _term(name="rest", fc="bulk")))
    result = outcome([fw], HOST)
    assert not result.known and result.classes == (("counted", "f"), ("ftp", "f"), ("bulk", "f"))
