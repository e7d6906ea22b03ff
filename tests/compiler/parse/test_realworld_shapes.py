"""Shapes that real configurations have and our own examples did not: text copied from a CLI
session, SRX cluster node groups, clear-text secrets printed by `fmt`.

Every text here is written for this test (addresses from the documentation ranges)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowc.compiler.document.groups import apply_groups
from flowc.compiler.fmt.printer import to_brace, to_set
from flowc.compiler.fmt.sealing import seal, secret_value_index
from flowc.compiler.parse.loader import parse_file, parse_text


def paths(text: str, fmt: str = "auto") -> list[tuple[str, ...]]:
    parsed = parse_text(text, "t", fmt)  # type: ignore[arg-type]
    assert parsed.diagnostics == (), parsed.diagnostics
    return [st.path for st in parsed.statements]


# --- a CLI session pasted with the configuration ----------------------------------------

BRACE_SESSION = """\
{master:0}[edit]
ops@edge-7> show configuration
## Last changed: 2025-02-03 04:05:06 UTC
version 22.2R1;
system {
    host-name edge-7;
}

{master:0}[edit]
ops@edge-7>
"""


def test_brace_text_with_prompts_and_banners_reads_as_the_configuration() -> None:
    assert paths(BRACE_SESSION) == [("version", "22.2R1"), ("system", "host-name", "edge-7")]


def test_session_lines_keep_lines_and_columns() -> None:
    parsed = parse_text(BRACE_SESSION, "t")
    host = parsed.statements[1].words[-1]
    assert (host.span.line, host.span.column) == (6, 15)


def test_a_bare_prompt_of_a_router_without_host_name_is_read_past() -> None:
    """`root>` is the prompt before a host-name is set: the pasted session ends with one,
    with no newline and CRLF line ends (as a factory-default SRX capture does); a `root#`
    configuration-mode `set` keeps its command, as with `user@host#`."""
    text = "root> show configuration | no-more \r\nversion 12.1X46-D40.2;\r\nsystem {\r\n" \
           "    host-name lab-fw1;\r\n}\r\n\r\nroot# set system location building 4\r\nroot> "
    assert paths(text) == [("version", "12.1X46-D40.2"), ("system", "host-name", "lab-fw1"),
                           ("system", "location", "building", "4")]


SET_SESSION = """\
ops@lab-sw3> edit
Entering configuration mode

{primary:node0}[edit]
ops@lab-sw3# set interfaces xe-0/0/5 description "to rack 12"

{primary:node0}[edit]
ops@lab-sw3# edit protocols lldp

{primary:node0}[edit protocols lldp]
ops@lab-sw3# set interface all
ops@lab-sw3# top
ops@lab-sw3# show | compare
ops@lab-sw3# commit
configuration check succeeds
commit complete
[Type ^D at a new line to end input]
load complete
ops@lab-sw3# exit
Exiting configuration mode
"""


def test_a_session_of_set_commands_reads_as_those_commands() -> None:
    assert paths(SET_SESSION) == [("interfaces", "xe-0/0/5", "description", "to rack 12"),
                                  ("protocols", "lldp", "interface", "all")]


def test_pager_prompts_shell_prompts_and_save_messages_are_read_past() -> None:
    text = ("system {\n    host-name core-2;\n---(more 37%)---\r                \r    ntp {\n"
            "        server 192.0.2.123;\n    }\n}\n---(more)---\nadmin@core-2:RE:0% cli\n"
            "Wrote 7 lines of configuration to '/var/tmp/saved.conf'\n")
    assert paths(text) == [("system", "host-name", "core-2"), ("system", "ntp", "server", "192.0.2.123")]


@pytest.mark.parametrize("text", [
    "system {\n    host-name a@b#;\n}\n",                # a word with `@` inside a block
    'snmp {\n    contact "noc@example.net> 24/7";\n}\n',  # a prompt-like string
    "set system host-name r1\nset snmp contact ops@example.net\n",
])
def test_configuration_text_that_only_looks_like_a_session_is_kept(text: str) -> None:
    parsed = parse_text(text, "t")
    assert parsed.diagnostics == ()
    assert len(parsed.statements) in (1, 2)
    assert to_set(parsed.statements).count("set ") == len(parsed.statements)


def test_a_prompt_not_at_the_start_of_a_line_is_still_an_error() -> None:
    parsed = parse_text("system {\n    ops@r1> show;\n}\n", "t")
    assert paths(to_brace(parsed.statements)) == [("system", "ops@r1>", "show")]
    indented = parse_text("  ops@r1# show\n", "t")  # a statement ended by its line end, as Junos reads it
    assert indented.ok and [str(s) for s in indented.statements] == ["ops@r1# show"]


# --- SRX cluster: apply-groups "${node}" --------------------------------------------------

CLUSTER = """\
groups {
    node0 {
        system {
            host-name fw-east-a;
        }
    }
    node1 {
        system {
            host-name fw-east-b;
        }
    }
}
apply-groups "${node}";
"""


def test_node_variable_reads_as_node0_without_findings() -> None:
    statements, diagnostics = apply_groups(parse_text(CLUSTER, "t").statements)
    assert diagnostics == ()
    assert [st.path for st in statements] == [("system", "host-name", "fw-east-a")]


def test_node_variable_without_node_groups_is_not_an_error() -> None:
    statements, diagnostics = apply_groups(parse_text('apply-groups "${node}";\nsystem { host-name x; }\n',
                                                      "t").statements)
    assert diagnostics == ()
    assert [st.path for st in statements] == [("system", "host-name", "x")]


def test_an_undefined_group_is_still_reported() -> None:
    _, diagnostics = apply_groups(parse_text("apply-groups nowhere;\nsystem { host-name x; }\n", "t").statements)
    assert [d.code for d in diagnostics] == ["FC013"]


# --- secrets in fmt ---------------------------------------------------------------------

SECRETS = {
    "Flow-Ftp-1": 'services {\n    flow-collector {\n        destinations {\n'
                  '            "ftp://c@192.0.2.44/in" {\n                password "Flow-Ftp-1";\n'
                  '            }\n        }\n    }\n}\n',
    "Arch1ve!": 'services {\n    flow-collector {\n        file-specification {\n            f {\n'
                '                archive-sites {\n                    "ftp://a@192.0.2.45/" {\n'
                '                        password "Arch1ve!";\n                    }\n                }\n'
                '            }\n        }\n    }\n}\n',
    "rad-shared": "system {\n    radius-server {\n        192.0.2.61 secret rad-shared;\n    }\n}\n",
    "bgp md5 key": 'protocols {\n    bgp {\n        group up {\n            authentication-key "bgp md5 key";\n'
                   "        }\n    }\n}\n",
    "hello-9": "protocols {\n    ospf {\n        area 0.0.0.0 {\n            interface ge-0/0/3.0 {\n"
               "                authentication {\n                    md5 4 key hello-9;\n"
               "                }\n            }\n        }\n    }\n}\n",
    "plainpw": "protocols {\n    isis {\n        interface ge-0/0/4.0 {\n            level 2 {\n"
               "                simple-password plainpw;\n            }\n        }\n    }\n}\n",
    "psk value": 'security {\n    ike {\n        policy vpn-a {\n            pre-shared-key ascii-text "psk value";\n'
                 "        }\n    }\n}\n",
    "NtpK3y": "system {\n    ntp {\n        authentication-key 4 type md5 value NtpK3y;\n    }\n}\n",
}


def flowc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_fmt_keeps_every_value_as_written_and_is_idempotent(tmp_path: Path) -> None:
    source = tmp_path / "secrets.conf"
    source.write_text("".join(SECRETS.values()))
    brace = flowc("fmt", str(source))
    as_set = flowc("fmt", "--to", "set", str(source))
    assert brace.returncode == as_set.returncode == 0
    for plain in SECRETS:  # fmt changes layout, never a value (lint's FC263 flags clear passwords)
        assert plain in brace.stdout and plain in as_set.stdout
    assert "$9$" not in brace.stdout
    once = tmp_path / "once.conf"
    once.write_text(brace.stdout)
    assert flowc("fmt", "--check", str(once)).returncode == 0
    assert flowc("fmt", str(once)).stdout == brace.stdout


@pytest.mark.parametrize("value", ["$9$Jdjk.mT39Cu", "$1$Ab3dEf$q0ZbS6Wm0", "$6$saltsalt$0123456789abcdef"])
def test_encrypted_values_and_hashes_stay_as_written(value: str) -> None:
    statements = parse_text(f'system {{\n    radius-server {{\n        192.0.2.7 secret "{value}";\n    }}\n}}\n',
                            "t").statements
    assert seal(statements) == statements
    assert seal(statements)[0].words[-1].text == value


@pytest.mark.parametrize(("path", "expected"), [
    (("system", "login", "password", "minimum-length", "8"), -1),
    (("system", "login", "user", "u", "authentication", "plain-text-password"), -1),
    (("system", "login", "user", "u", "authentication", "encrypted-password", "$6$x"), -1),
    (("interfaces", "ge-0/0/0", "description", "password"), -1),
    (("security", "ike", "policy", "p", "pre-shared-key", "ascii-text", "x"), 6),
    (("firewall", "filter", "f", "term", "ascii-text", "x"), -1),
    (("system", "ntp", "authentication-key", "1", "type", "md5", "value", "x"), 7),
    (("interfaces", "ge-0/0/0", "unit", "0", "family", "inet", "address", "192.0.2.1/24", "vrrp-group", "1",
      "authentication-key", "k"), 11),
])
def test_secret_leaves(path: tuple[str, ...], expected: int) -> None:
    assert secret_value_index(path) == expected


# --- Junos JSON (`show configuration | display json`) ------------------------------------

JSON_CASES = Path(__file__).parent / "json_cases"


def test_json_document_gives_the_statements_of_its_brace_twin() -> None:
    from_json = parse_file(JSON_CASES / "pe-lab-3.json")
    from_brace = parse_file(JSON_CASES / "pe-lab-3.conf")
    assert from_json.format == "json"
    assert from_json.diagnostics == from_brace.diagnostics == ()
    assert [(st.path, st.inactive_at) for st in from_json.statements] == \
        [(st.path, st.inactive_at) for st in from_brace.statements]


def test_json_statements_point_into_the_json_text() -> None:
    parsed = parse_file(JSON_CASES / "pe-lab-3.json")
    host = next(st for st in parsed.statements if st.path[:2] == ("system", "host-name"))
    assert (host.words[-1].span.line, host.words[-1].span.column) == (23, 27)
    assert [c.text for c in host.comments] == ["/* lab router */"]


@pytest.mark.parametrize(("text", "where", "message"), [
    ('{"configuration": {"system": {"host-name": "r1"}', (1, 49), "unexpected end of text"),
    ('{"config": {}}', (1, 1), 'expected a `{"configuration": {…}}` document'),
    ('{"configuration": {"a": tru}}', (1, 25), "unexpected 't'"),
    ('{"configuration": {"a": "b",}}', (1, 29), "expected a quoted key"),
])
def test_json_errors_say_where(text: str, where: tuple[int, int], message: str) -> None:
    (d,) = parse_text(text, "t").diagnostics
    assert (d.code, (d.span.line, d.span.column), d.message) == ("FC001", where, f"JSON: {message}")


def test_fmt_reads_json_and_prints_set_lines() -> None:
    result = flowc("fmt", "--to", "set", str(JSON_CASES / "pe-lab-3.json"))
    assert result.returncode == 0
    assert "set interfaces xe-0/0/2 disable\ndeactivate interfaces xe-0/0/2\n" in result.stdout
    assert "set security policies from-zone trust to-zone untrust policy out then permit\n" in result.stdout


# --- groups: match conditions are lists ---------------------------------------------------

def test_an_inherited_match_condition_joins_the_local_ones() -> None:
    text = ("groups {\n    mgmt-src {\n        firewall {\n            family inet {\n"
            "                filter edge-in {\n                    term allow-ssh {\n"
            "                        from {\n                            source-address 203.0.113.0/26;\n"
            "                        }\n                    }\n                }\n            }\n        }\n"
            "    }\n}\nfirewall {\n    apply-groups mgmt-src;\n    family inet {\n        filter edge-in {\n"
            "            term allow-ssh {\n                from {\n                    source-address 198.51.100.0/27;\n"
            "                }\n                then accept;\n            }\n        }\n    }\n}\n"
            "interfaces {\n    apply-groups mgmt-src;\n    ge-0/0/9 {\n        mtu 1500;\n    }\n}\n")
    statements, diagnostics = apply_groups(parse_text(text, "t").statements)
    sources = [st.path[-1] for st in statements if "source-address" in st.path]
    assert diagnostics == ()
    assert sorted(sources) == ["198.51.100.0/27", "203.0.113.0/26"]


def test_set_form_security_entries_print_with_their_names() -> None:
    text = ("set security ike gateway gw-east address 192.0.2.77\n"
            "set security ike gateway gw-east external-interface ge-0/0/0.0\n"
            "set security ipsec vpn to-east bind-interface st0.4\n"
            "set security screen ids-option edge-screen icmp ping-death\n"
            "set system services dhcp pool 192.0.2.0/25 router 192.0.2.1\n"
            "set system services dhcp pool 192.0.2.0/25 name-server 192.0.2.53\n")
    brace = to_brace(parse_text(text, "t").statements)
    for header in ("gateway gw-east {", "vpn to-east {", "ids-option edge-screen {", "pool 192.0.2.0/25 {"):
        assert header in brace
    assert paths(brace) == paths(text)


# --- set form: rename and copy -------------------------------------------------------------

def test_rename_and_copy_move_a_node_with_its_marks() -> None:
    text = ("set interfaces xe-1/0/4 unit 12 family inet address 198.51.100.9/30\n"
            "set interfaces xe-1/0/4 unit 12 description \"customer twelve\"\n"
            "deactivate interfaces xe-1/0/4 unit 12 description\n"
            "set interfaces xe-1/0/5 mtu 4470\n"
            "rename interfaces xe-1/0/4 unit 12 to unit 13\n"
            "copy interfaces xe-1/0/5 to xe-1/0/6\n")
    parsed = parse_text(text, "t")
    assert parsed.diagnostics == ()
    assert [(st.path, st.inactive_at) for st in parsed.statements] == [
        (("interfaces", "xe-1/0/4", "unit", "13", "family", "inet", "address", "198.51.100.9/30"), 0),
        (("interfaces", "xe-1/0/4", "unit", "13", "description", "customer twelve"), 5),
        (("interfaces", "xe-1/0/5", "mtu", "4470"), 0),
        (("interfaces", "xe-1/0/6", "mtu", "4470"), 0),
    ]


@pytest.mark.parametrize(("line", "code"), [
    ("rename interfaces xe-1/0/9 to xe-1/0/8", "FC011"),   # nothing there
    ("rename interfaces xe-1/0/5 to xe-1/0/6", "FC001"),   # the new name exists
    ("rename interfaces xe-1/0/5", "FC001"),               # no `to`
])
def test_rename_mistakes_are_reported(line: str, code: str) -> None:
    text = "set interfaces xe-1/0/5 mtu 4470\nset interfaces xe-1/0/6 mtu 1500\n" + line + "\n"
    assert [d.code for d in parse_text(text, "t").diagnostics] == [code]


def test_an_error_about_a_command_word_points_at_its_own_line() -> None:
    text = "set system host-name edge-9\nset\nrename system to\n"
    assert [(d.code, d.span.line, d.span.column) for d in parse_text(text, "t").diagnostics] == [
        ("FC001", 2, 1), ("FC001", 3, 1)]


def test_fmt_syntax_errors_do_not_show_a_clear_secret(tmp_path: Path) -> None:
    source = tmp_path / "broken.conf"
    source.write_text("system {\n    radius-server {\n        192.0.2.4 secret Rad-Key-77 }\n}\n")
    result = flowc("fmt", str(source))
    assert result.returncode == 1
    assert "FC002" in result.stderr and "Rad-Key-77" not in result.stderr


# --- `show` run below the top: the level is put back ------------------------------------------

RELATIVE_SESSION = """\
{master:0}
noc@agg-4> show configuration protocols bgp
group transit {
    type external;
    neighbor 203.0.113.9 {
        inactive: peer-as 64999;
    }
}

{master:0}[edit interfaces]
noc@agg-4# show et-0/0/7
unit 0 {
    family inet {
        address 203.0.113.10/31;
    }
}

{master:0}[edit]
noc@agg-4# show | display set
set system host-name agg-4

{master:0}[edit]
noc@agg-4# show system
ntp {
    server 192.0.2.123;
}
"""


def test_show_below_the_top_reads_at_its_level() -> None:
    parsed = parse_text(RELATIVE_SESSION, "t")
    assert parsed.diagnostics == ()
    assert [(st.path, st.inactive_at) for st in parsed.statements] == [
        (("protocols", "bgp", "group", "transit", "type", "external"), 0),
        (("protocols", "bgp", "group", "transit", "neighbor", "203.0.113.9", "peer-as", "64999"), 8),
        (("interfaces", "et-0/0/7", "unit", "0", "family", "inet", "address", "203.0.113.10/31"), 0),
        (("system", "host-name", "agg-4"), 0),
        (("system", "ntp", "server", "192.0.2.123"), 0),
    ]
    address = parsed.statements[2].words[-1]
    assert (address.span.line, address.span.column) == (14, 17)


def test_relative_session_formats_to_a_fixed_point() -> None:
    once = to_brace(parse_text(RELATIVE_SESSION, "t").statements)
    assert once.startswith("protocols {\n    bgp {\n        group transit {\n")
    assert to_brace(parse_text(once, "t").statements) == once
