"""Property: applying `flowc diff --format set` output to OLD (with flowc's own set-form
loader) gives NEW, order included (ordered lists in NEW's order), for generated
configurations; and a configuration never differs from
itself or from its brace-form twin."""
from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from flowc.compiler.diff.config import diff_statements
from flowc.compiler.diff.oneliners import displayed
from flowc.compiler.diff.output import set_text
from flowc.compiler.diff.secrets import conceal
from flowc.compiler.fmt.printer import to_brace, to_set
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.parse.statements import Statement

URLS = [f'"ftp://10.0.0.{n}/in/"' for n in range(1, 5)]
TERMS = ["t1", "t2", "t3"]
FC = "services flow-collector"


def ordered(items: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(items), unique=True, max_size=len(items))


@st.composite
def configs(draw: st.DrawFn) -> str:
    """Set-form text of a random configuration in a small vocabulary."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(f"set system host-name {draw(st.sampled_from(['r1', 'r2']))}")
    for leaf, values in (("retry", ["0", "2", "3"]), ("analyzer-id", ["a", "b"]),
                         ("retry-delay", ["5", "60"])):
        if draw(st.booleans()):
            lines.append(f"set {FC} {leaf} {draw(st.sampled_from(values))}")
    for url in draw(ordered(URLS)):
        lines.append(f'set {FC} destinations {url} password "$9${draw(st.sampled_from("ab"))}"')
    for url in draw(ordered(URLS)):
        lines.append(f'set {FC} transfer-log-archive archive-sites {url} password "$9$c"')
    for variant in draw(ordered(["1", "2"])):
        lines.append(f'set {FC} file-specification variant {variant} name-format '
                     f'"{draw(st.sampled_from(["x-%N.gz", "y-%N.gz"]))}"')
        if draw(st.booleans()):
            lines.append(f"set {FC} file-specification variant {variant} transfer timeout "
                         f"{draw(st.sampled_from(['60', '600']))}")
    for term in draw(ordered(TERMS)):
        lines.append(f"set firewall filter f term {term} then {draw(st.sampled_from(['accept', 'discard']))}")
    for unit in draw(ordered(["0", "1", "2"])):
        text = draw(st.sampled_from(["d1", "d2", '"to core 1"', '"say \\"hi\\""']))
        lines.append(f"set interfaces cp-6/0/0 unit {unit} description {text}")
    for route in draw(ordered(["0.0.0.0/0", "198.51.100.0/24"])):
        lines.append(f"set routing-options static route {route} next-hop {draw(st.sampled_from(['192.0.2.1', '192.0.2.2']))}")
        if draw(st.booleans()):
            lines.append(f"set routing-options static route {route} no-readvertise")
    for server in draw(ordered(["192.0.2.123", "192.0.2.124"])):
        lines.append(f"set system ntp server {server}" + draw(st.sampled_from(["", " prefer"])))
    for group in draw(ordered(["g1", "g2"])):
        lines.append(f"set groups {group} services flow-collector retry {draw(st.sampled_from('12'))}")
    lines += _ordered_families(draw)
    lines += _schema_shapes(draw) + _unknown_shapes(draw)
    lines += _deactivations(draw, lines)
    return "".join(f"{line}\n" for line in lines)


def _ordered_families(draw: st.DrawFn) -> list[str]:
    """Statements whose order Junos keeps: policy chains, apply-groups, authentication
    order, zone-pair policies, NAT rules, RADIUS servers (plus the one-liners set form splits)."""
    lines = [f"set protocols bgp group ebgp {kind} {name}" for kind in ("import", "export")
             for name in draw(ordered(["p1", "p2", "p3", "p4"]))]
    lines += [f"set interfaces ge-0/0/0 apply-groups {g}" for g in draw(ordered(["g1", "g2", "g3"]))]
    lines += [f"set system authentication-order {m}" for m in draw(ordered(["radius", "tacplus", "password"]))]
    zones = "security policies from-zone trust to-zone untrust"
    for policy in draw(ordered(["a", "b", "c"])):
        lines.append(f"set {zones} policy {policy} then {draw(st.sampled_from(['permit', 'deny']))}")
    for rule in draw(ordered(["r1", "r2"])):
        lines.append(f"set security nat source rule-set rs rule {rule} match source-address 10.0.0.0/8")
    for server in draw(ordered(["192.0.2.10", "192.0.2.11"])):
        lines.append(f'set system radius-server {server} secret "$9$x"')
    lines += [f"set policy-options prefix-list pl {p}" for p in draw(ordered(["10.0.0.0/8", "172.16.0.0/12"]))]
    lines += [f"set protocols mpls path core {hop} {draw(st.sampled_from(['strict', 'loose']))}"
              for hop in draw(ordered(["192.0.2.1", "192.0.2.2", "192.0.2.3"]))]
    lines += [f"set routing-options rib-groups rg import-rib {t}" for t in draw(ordered(["inet.0", "inet.2", "vrf.inet.0"]))]
    if draw(st.booleans()):
        lines.append(f"set protocols isis source-packet-routing srgb start-label 16000 index-range "
                     f"{draw(st.sampled_from(['8000', '9000']))}")
    return lines


def _some(draw: st.DrawFn, lines: list[str]) -> list[str]:
    """A subset of the lines, in a drawn order (moves where the order counts)."""
    return draw(st.lists(st.sampled_from(lines), unique=True, max_size=len(lines)))


def _schema_shapes(draw: st.DrawFn) -> list[str]:
    """Shapes of real files in hierarchies Junos' schema knows: flags beside `keyword value`
    statements in one level (`then { local-preference 200; accept; }`), a container holding
    its value, leaf-lists, one-line list entries given whole or leaf by leaf."""
    term = "policy-options policy-statement from-cust term"
    lines = []
    for name in draw(ordered(["prefer", "rest"])):
        lines += [f"set {term} {name} {tail}" for tail in _some(draw, [
            "from community cust", "from protocol bgp", f"then local-preference {draw(st.sampled_from('12'))}00",
            "then accept", "then next-hop self", "then community add c2"])]
    lines += [f"set firewall family inet6 filter f6 {tail}" for tail in _some(draw, [
        "interface-specific", "term a then count c", "term a then discard", "term b then accept"])]
    lines += [f"set protocols rstp {tail}" for tail in _some(draw, ["bridge-priority 4k", "bpdu-block-on-edge"])]
    lines += [f"set protocols bgp group ebgp multihop {tail}" for tail in _some(draw, ["ttl 2", "no-nexthop-change"])]
    lines += [f"set routing-options forwarding-table {tail}" for tail in _some(draw, [
        "export lb", "export lb2", "ecmp-fast-reroute"])]
    address = "set interfaces ae1 unit 100 family inet6 address 2001:db8::1/64"
    for host in draw(ordered(["2001:db8::2", "2001:db8::3"])):
        mac = draw(st.sampled_from(["00:11:22:33:44:55", "00:11:22:33:44:66"]))
        whole = draw(st.booleans())
        lines += [f"{address} ndp {host} l2-interface ae1.100 mac {mac}"] if whole else [
            f"{address} ndp {host} l2-interface ae1.100", f"{address} ndp {host} mac {mac}"]
    lines += [f"set system ntp server 192.0.2.9 {tail}" for tail in _some(draw, ["version 4", "prefer"])]
    return lines


def _unknown_shapes(draw: st.DrawFn) -> list[str]:
    """The same shapes where the schema knows nothing (SRX policies: the hand-written tables
    decide), beside a one-liner of the table (`match …`)."""
    zone = "set security policies from-zone a to-zone b policy"
    lines = []
    for name in draw(ordered(["p1", "p2", "p3"])):
        lines += [f"{zone} {name} {tail}" for tail in _some(draw, [
            "match source-address any", f"match application {draw(st.sampled_from(['any', 'junos-ssh']))}",
            "then permit", "then count", "then log session-init"])]
    return lines


def _deactivations(draw: st.DrawFn, lines: list[str]) -> list[str]:
    candidates = [f"{FC} retry", f"{FC} destinations {URLS[0]}", f"{FC} file-specification",
                  "firewall filter f term t2", "interfaces cp-6/0/0 unit 1", "system",
                  "routing-options static route 0.0.0.0/0", "groups g1", "system ntp"]
    present = [c for c in candidates if any(line.startswith(f"set {c}") for line in lines)]
    return [f"deactivate {c}" for c in draw(st.lists(st.sampled_from(present), unique=True))] \
        if present else []


ORDERED = ("protocols bgp group ebgp import", "protocols bgp group ebgp export",
           "interfaces ge-0/0/0 apply-groups", "system authentication-order",
           "security policies from-zone trust to-zone untrust policy",
           "security nat source rule-set rs rule", "system radius-server",
           f"{FC} destinations", "firewall filter f term", "protocols mpls path core",
           "routing-options rib-groups rg import-rib")


def _in_order(statements: tuple[Statement, ...] | list[Statement], family: str) -> list[str]:
    """The entries of one ordered list in the order the statements have them."""
    size = len(family.split()) + 1
    entries = [" ".join(s.path[:size]) for s in statements if " ".join(s.path).startswith(family + " ")]
    return list(dict.fromkeys(entries))


def parsed(text: str) -> tuple[Statement, ...]:
    """The statements as Junos stores them: one-liners split, clear secrets in `$9$` form
    (the diff shows and commands secrets that way, never in clear)."""
    result = parse_text(text, "gen.set", fmt="set")
    assert result.ok, result.diagnostics
    return conceal(displayed(result.statements))


@settings(max_examples=150, deadline=None)
@given(configs(), configs())
def test_set_commands_turn_old_into_new(old_text: str, new_text: str) -> None:
    old, new = parsed(old_text), parsed(new_text)
    result = diff_statements(old, new)
    applied = parse_text(to_set(old) + set_text(result), "applied", fmt="set")
    assert applied.ok, applied.diagnostics
    assert Counter(applied.statements) == Counter(new)
    assert diff_statements(applied.statements, new).identical
    for family in ORDERED:
        assert _in_order(applied.statements, family) == _in_order(new, family), family
    assert result.identical == (Counter(old) == Counter(new) and diff_statements(new, old).identical)
    _no_delete_removes_a_kept_statement(old, new, result.commands)


def _no_delete_removes_a_kept_statement(old: tuple[Statement, ...], new: tuple[Statement, ...],
                                        commands: tuple[str, ...]) -> None:
    """A delete names a statement removed, or a level only when NEW keeps nothing under it."""
    kept = {s.path for s in old} & {s.path for s in new}
    for command in commands:
        if command.startswith("delete "):
            (target,) = parse_text("set " + command[7:] + "\n", "cmd.set", fmt="set").statements
            prefix = target.path
            assert not [p for p in kept if p[:len(prefix)] == prefix], command


@settings(max_examples=60, deadline=None)
@given(configs())
def test_a_configuration_equals_itself_and_its_brace_twin(text: str) -> None:
    statements = parsed(text)
    assert diff_statements(statements, statements).identical
    twin = parse_text(to_brace(statements), "twin.conf", fmt="brace")
    assert twin.ok, twin.diagnostics
    assert diff_statements(statements, twin.statements).identical
