"""Texts Junos loads that flowc read wrong before (issue 19, "read every configuration Junos
loads"): a tag alone on its line, `edit` alone in a pasted session, a commented `[ … ]`
list, and NETCONF/PyEZ replies (XML around the configuration).

Every text here is written for this test (names and addresses from the documentation
ranges), shaped like the public configurations where each case was seen."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flowc.compiler.fmt.printer import to_brace, to_set
from flowc.compiler.parse.loader import ParsedConfig, parse_text
from flowc.compiler.parse.statements import Statement


def clean(text: str, name: str = "t") -> ParsedConfig:
    parsed = parse_text(text, name)
    assert parsed.diagnostics == (), [(d.code, d.span.line, d.message) for d in parsed.diagnostics]
    return parsed


def tagged(st: Statement) -> tuple[str, int, int, int]:
    return (str(st), st.inactive_at, st.protected_at, st.replace_at)


# --- a tag alone on its line applies to the next statement ------------------------------

REPLACE_ALONE = """\
replace:
vlans {
    v201 {
        vlan-id 201;
    }
}
interfaces {
    replace:   # the whole irb, as rendered for `load replace`
    irb {
        unit 201 {
            family inet address 192.0.2.1/24;
        }
    }
    inactive:
    protect:
    ge-0/0/0 {
        description uplink;
    }
    inactive: /* parked */
    ge-0/0/1;
    protect:

    ge-0/0/2 description spare;
}
"""


def test_a_tag_alone_on_its_line_applies_to_the_next_statement() -> None:
    got = [tagged(st) for st in clean(REPLACE_ALONE).statements]
    assert got == [
        ("vlans v201 vlan-id 201", 0, 0, 1),
        ("interfaces irb unit 201 family inet address 192.0.2.1/24", 0, 0, 2),
        ("interfaces ge-0/0/0 description uplink", 2, 2, 0),
        ("interfaces ge-0/0/1", 2, 0, 0),
        ("interfaces ge-0/0/2 description spare", 0, 4, 0),
    ]


def test_the_comment_after_a_tag_alone_stays_with_the_statement() -> None:
    irb = clean(REPLACE_ALONE).statements[1]
    assert [c.text for c in irb.comments] == ["# the whole irb, as rendered for `load replace`"]


def test_a_tag_alone_on_a_line_reads_as_the_tag_on_the_statement_line() -> None:
    inline = REPLACE_ALONE.replace("replace:\nvlans", "replace: vlans").replace(
        "inactive:\n    protect:\n    ge", "inactive: protect: ge")
    assert [tagged(st) for st in clean(inline).statements] == [tagged(st) for st in clean(REPLACE_ALONE).statements]


def test_a_tag_followed_by_nothing_is_still_fc008() -> None:
    for text in ("system {\n    replace:\n}\n", "replace:\n", "replace:\n# only a comment\n",
                 "system {\n    inactive: ;\n    host-name r1;\n}\n"):
        codes = [d.code for d in parse_text(text, "t").diagnostics]
        assert codes == ["FC008"], (text, codes)


# --- `edit` alone (operational mode's "enter configuration mode") in a pasted session ---

EDIT_SESSION = """\
edit
set system host-name r1
edit protocols bgp
set group ext neighbor 192.0.2.9 peer-as 64500
edit
set group ext type external
top
edit exclusive
set system domain-name example.net
edit private
commit and-quit
"""


def test_edit_alone_enters_configuration_and_moves_no_level() -> None:
    parsed = clean(EDIT_SESSION)
    assert parsed.format == "set"
    assert [str(st) for st in parsed.statements] == [
        "system host-name r1",
        "protocols bgp group ext neighbor 192.0.2.9 peer-as 64500",
        "protocols bgp group ext type external",
        "system domain-name example.net",
    ]


def test_edit_alone_before_brace_text_loaded_from_the_terminal() -> None:
    text = "edit\nload merge terminal\nsystem {\n    host-name r1;\n}\n^D\ncommit\n"
    assert [str(st) for st in clean(text).statements] == ["system host-name r1"]


def test_edit_alone_after_a_prompt_in_a_pasted_session() -> None:
    text = ("ops@r1> edit\nEntering configuration mode\n\n[edit]\nops@r1# edit\n\n[edit]\n"
            "ops@r1# set system host-name r1\n\n[edit]\nops@r1# commit and-quit\ncommit complete\n")
    assert [str(st) for st in clean(text).statements] == ["system host-name r1"]


def test_edit_with_a_path_still_moves_the_level() -> None:
    codes = [d.code for d in parse_text("edit system\nedit private\nset x\n", "t").diagnostics]
    assert codes == []
    assert [str(st) for st in parse_text("edit system\nedit private\nset x\n", "t").statements] == [
        "system private x"]


# --- NETCONF / PyEZ replies: the configuration inside the XML, spans into the file -------

PLAIN = """\
groups {
    isis-mesh {
        protocols {
            isis {
                interface <ae*> {
                    mesh-group 1;
                }
            }
        }
    }
}
interfaces {
    xe-0/0/1 {
        description "to <core> & \\"back\\"";
    }
}
"""

REPLY = """\
<rpc-reply xmlns:junos="http://xml.juniper.net/junos/24.4R1/junos">
<configuration-text>
groups {
    isis-mesh {
        protocols {
            isis {
                interface &lt;ae*&gt; {
                    mesh-group 1;
                }
            }
        }
    }
}
interfaces {
    xe-0/0/1 {
        description &quot;to &lt;core&gt; &amp; \\&quot;back\\&quot;&quot;;
    }
}
</configuration-text>
</rpc-reply>
"""


def written(text: str, st: Statement, index: int) -> str:
    """What the file holds at the span of the statement's word `index`."""
    span = st.words[index].span
    return text.splitlines()[span.line - 1][span.column - 1:span.end_column - 1]


def test_configuration_text_in_an_rpc_reply_reads_as_the_text_inside() -> None:
    parsed = clean(REPLY)
    assert parsed.format == "brace"
    assert parsed.source.text == REPLY
    assert parsed.statements == clean(PLAIN).statements
    assert [st.path[-1] for st in parsed.statements] == ["1", 'to <core> & "back"']


def test_spans_point_into_the_original_file_past_the_entities() -> None:
    mesh, description = clean(REPLY).statements
    assert written(REPLY, mesh, 5) == "&lt;ae*&gt;"
    assert written(REPLY, mesh, 6) == "mesh-group"
    assert written(REPLY, description, 3) == "&quot;to &lt;core&gt; &amp; \\&quot;back\\&quot;&quot;"
    assert (description.span.line, description.span.column) == (16, 9)
    assert description.span.end_column == len(REPLY.splitlines()[15]) + 1  # after its `;`


def test_a_finding_inside_the_reply_is_located_in_the_original_file() -> None:
    text = REPLY.replace("interface &lt;ae*&gt; {", "interface &lt;ae*&gt; ] {")
    (finding,) = parse_text(text, "t").diagnostics
    assert (finding.code, finding.span.line, finding.span.column) == ("FC006", 7, 39)
    assert text.splitlines()[6][38] == "]"


def test_configuration_set_with_a_namespace_prefix_and_an_xml_declaration() -> None:
    text = ('<?xml version="1.0" encoding="us-ascii"?>\n'
            '<nc:rpc-reply xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://'
            'xml.juniper.net/junos/24.4R1/junos"><configuration-set>set system host-name r1\n'
            'set groups g interfaces &lt;xe-*&gt; mtu 9192\n'
            '</configuration-set></nc:rpc-reply>')
    parsed = clean(text)
    assert parsed.format == "set"
    assert [str(st) for st in parsed.statements] == ["system host-name r1", "groups g interfaces <xe-*> mtu 9192"]
    assert written(text, parsed.statements[0], 0) == "system"
    assert written(text, parsed.statements[1], 3) == "&lt;xe-*&gt;"


def test_show_configuration_as_an_rpc_and_display_json_in_a_reply() -> None:
    text = ("<rpc-reply>\n<configuration-information>\n<configuration-output>\n## Last commit: 2025-01-02\n"
            "system {\n    host-name r1;\n}\n</configuration-output>\n</configuration-information>\n"
            "<cli>\n<banner>[edit]</banner>\n</cli>\n</rpc-reply>\n")
    assert [str(st) for st in clean(text).statements] == ["system host-name r1"]
    reply = ('<rpc-reply>\n{\n    "configuration" : {\n        "system" : {\n'
             '            "syslog" : { "file" : [ { "name" : "m", "size" : 3m } ] }\n        }\n    }\n}\n</rpc-reply>\n')
    parsed = clean(reply)
    assert parsed.format == "json"
    assert [str(st) for st in parsed.statements] == ["system syslog file m size 3m"]


def test_structured_xml_configuration_is_fc014_where_it_starts() -> None:
    text = ('<rpc-reply xmlns:junos="http://xml.juniper.net/junos/24.4R1/junos">\n'
            '  <configuration junos:changed-seconds="1">\n    <system><host-name>r1</host-name></system>\n'
            '  </configuration>\n</rpc-reply>\n')
    parsed = parse_text(text, "t")
    (finding,) = parsed.diagnostics
    assert (finding.code, finding.span.line, finding.span.column) == ("FC014", 2, 3)
    assert parsed.statements == ()
    assert "not read" in finding.message and "display set" in finding.hint


def test_text_that_only_mentions_a_tag_is_not_a_reply() -> None:
    text = "system {\n    host-name r1; /* <rpc-reply> */\n}\n"
    assert [str(st) for st in clean(text).statements] == ["system host-name r1"]


# --- a commented `[ … ]` list is kept whole ----------------------------------------------

COMMENTED_LISTS = """\
policy-options {
    /* customers of the east region */
    community east members [ 65000:100 65000:200 ];
    community west members [ 65000:300 65000:400 ]; # west
    policy-statement from-cust {
        term prefer {
            from {
                /* both */
                community [ east west ];
            }
            then accept;
        }
    }
}
"""


def test_a_commented_list_is_one_list_with_its_comment_once() -> None:
    statements = clean(COMMENTED_LISTS).statements
    assert to_brace(statements) == COMMENTED_LISTS
    assert to_set(statements).count("/* customers of the east region */") == 1
    assert to_set(statements).count("# west") == 1


def test_every_value_of_a_commented_list_is_the_statement_with_its_comment() -> None:
    east = [st for st in clean(COMMENTED_LISTS).statements if st.path[:3] == ("policy-options", "community", "east")]
    assert [st.path[-1] for st in east] == ["65000:100", "65000:200"]
    assert all(st.listed and [c.text for c in st.comments] == ["/* customers of the east region */"] for st in east)


def test_fmt_check_accepts_junos_text_with_commented_lists(tmp_path: Path) -> None:
    conf = tmp_path / "lists.conf"
    conf.write_text(COMMENTED_LISTS)
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "fmt", "--check", str(conf)],
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_lists_with_different_comments_stay_apart() -> None:
    text = "policy-options {\n    community c members [ a b ]; # one\n    community c members [ c d ]; # two\n}\n"
    assert to_brace(clean(text).statements) == text
