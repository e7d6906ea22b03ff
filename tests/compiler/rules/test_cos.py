"""The export-channel CoS chain (issue 22) on whole configurations: the Router 1 example
mutated link by link, one finding per channel at its first broken link, the mechanisms
accepted and refused, and FC229 explained by an inline suppression."""
from __future__ import annotations

from pathlib import Path

import pytest

from flowc.compiler.fmt.printer import to_set
from flowc.compiler.lint.check import check_text
from flowc.compiler.parse.loader import parse_text

ROUTER1 = (Path(__file__).resolve().parents[3] / "examples" / "router1" / "router.conf").read_text("utf-8")
COS_CODES = {f"FC22{n}" for n in range(10)}
UNIT1_FILTER = """                filter {
                    output cp-ftp; # Apply the CoS filter here.
                }
                address 10.1.1.1/32"""


def _cos(text: str, name: str = "r.conf") -> list[tuple[str, int, str]]:
    result = check_text(text, name)
    return sorted((d.code, d.span.line, d.message) for d in result.diagnostics if d.code in COS_CODES)


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line][nth]


def test_router1_is_whole() -> None:
    assert _cos(ROUTER1) == []


def test_losing_the_output_filter_is_reported_although_the_scheduler_map_stays() -> None:
    text = ROUTER1.replace(UNIT1_FILTER, "                address 10.1.1.1/32")
    found = _cos(text)
    unit1 = _line_of(text, "unit 1 {")
    assert [(code, line) for code, line, _ in found] == [("FC226", unit1), ("FC229", unit1)]
    assert "cp-6/0/0.1" in found[0][2]


@pytest.mark.parametrize(("old", "new", "code", "where"), [
    ("                forwarding-class ftp-export;\n", "", "FC226", "output cp-ftp; # Apply"),
    ("        queue 1 ftp-export;\n", "", "FC224", "output cp-ftp; # Apply"),
    ("            forwarding-class ftp-export scheduler ftp-sched;\n", "", "FC227", "cp-export {"),
    ("            transmit-rate percent 75;\n", "", "FC228", "ftp-sched {"),
    ("scheduler ftp-sched;", "scheduler gone;", "FC225", "scheduler gone;"),
])
def test_each_broken_link_of_router1(old: str, new: str, code: str, where: str) -> None:
    text = ROUTER1.replace(old, new)
    assert text != ROUTER1
    assert {c for c, _, _ in _cos(text)} == {code}
    assert _line_of(text, where) in {line for _, line, _ in _cos(text)}


def test_one_finding_per_channel_at_its_first_broken_link() -> None:
    # unit 1 has neither a classifying filter nor a defined scheduler-map: only the first
    text = ROUTER1.replace(UNIT1_FILTER, "                address 10.1.1.1/32")
    text = text.replace("""            unit 1 {
                scheduler-map cp-export;
            }
        }
        cp-7/0/0 {""", """            unit 1 {
                scheduler-map gone-map;
            }
        }
        cp-7/0/0 {""")
    assert {c for c, _, _ in _cos(text)} == {"FC226", "FC229"}


def test_filter_output_list_classifies() -> None:
    text = ROUTER1.replace("output cp-ftp; # Apply", "output-list [ count-only cp-ftp ]; # Apply")
    text = text.replace("    filter protect-re {", "    filter count-only {\n        term t {\n            then next term;\n"
                        "        }\n    }\n    filter protect-re {")
    assert _cos(text) == []
    ir = check_text(text, "r.conf").files[0].ir
    assert ir is not None and ir.unit("cp-6/0/0.0").filter_output_list == ("count-only", "cp-ftp")  # type: ignore[union-attr]


def test_host_outbound_traffic_does_not_classify_the_channels() -> None:
    text = ROUTER1.replace("                forwarding-class ftp-export;\n", "")
    text = text.replace("class-of-service {\n", "class-of-service {\n    host-outbound-traffic {\n"
                        "        forwarding-class ftp-export;\n    }\n", 1)
    assert {c for c, _, _ in _cos(text)} == {"FC226"}


def test_a_physical_interface_scheduler_map_serves_the_units_not_written_out() -> None:
    text = ROUTER1.replace("""        cp-6/0/0 {
            unit 0 {
                scheduler-map cp-export;
            }
            unit 1 {
                scheduler-map cp-export;
            }
        }""", """        cp-6/0/0 {
            scheduler-map cp-export;
            unit 0 {
                rewrite-rules {
                    dscp keep;
                }
            }
        }""")
    assert _cos(text) == []


DIFFER = """interfaces {
    cp-6/0/0 {
        unit 0 {
            family inet {
                filter {
                    output cp-ftp;
                }
            }
        }
        unit 1 {
            family inet {
                filter {
                    output cp-bulk;%s
                }
            }
        }
    }
}
firewall {
    filter cp-ftp {
        term t {
            then forwarding-class ftp-export;
        }
    }
    filter cp-bulk {
        term t {
            then forwarding-class best-effort;
        }
    }
}
class-of-service {
    forwarding-classes {
        queue 1 ftp-export;
    }
    interfaces {
        cp-6/0/0 {
            unit * {
                scheduler-map m;
            }
        }
    }
    scheduler-maps {
        m {
            forwarding-class ftp-export scheduler s;
            forwarding-class best-effort scheduler s;
        }
    }
    schedulers {
        s {
            transmit-rate percent 50;
        }
    }
}
services {
    flow-collector {
        interface-map {
            collector cp-6/0/0;
        }
    }
}
"""


def test_channels_that_differ_are_a_warning() -> None:
    (found,) = _cos(DIFFER % "")
    assert found[:2] == ("FC229", 13)
    assert "cp-6/0/0.0 (ftp-export) and cp-6/0/0.1 (best-effort)" in found[2]


@pytest.mark.parametrize("fmt", ["brace", "set"])
def test_an_inline_suppression_explains_the_difference(fmt: str) -> None:
    text = DIFFER % " # flowc: ignore FC229 (bulk transfers on channel 1)"
    if fmt == "set":
        text = to_set(parse_text(text, "d.conf", fmt="brace").statements)
    codes = {d.code for d in check_text(text, f"d.{'conf' if fmt == 'brace' else 'set'}").diagnostics}
    assert "FC229" not in codes and "FC290" not in codes
    assert "FC229" in {d.code for d in check_text(DIFFER % "", "d.conf").diagnostics}


PREFIX_LIST = """                destination-prefix-list {
                    collectors;
                }"""


@pytest.mark.parametrize(("prefixes", "rest", "where"), [
    (["192.168.252.0/24"], True, "term rest {"),        # the secondary's traffic: term rest accepts it
    (["192.168.252.0/24"], False, "filter cp-ftp {"),   # … or it runs off the end (discarded)
    (["192.168.252.0/24", "192.168.253.0/24"], True, None),
    (["192.168.0.0/16", "192.168.253.0/24 except"], True, "term rest {"),
])
def test_the_ftp_traffic_to_each_destination_is_followed_through_the_terms(
        prefixes: list[str], rest: bool, where: str | None) -> None:
    lines = "".join(f"                    {p};\n" for p in prefixes)
    text = ROUTER1.replace(PREFIX_LIST, f"                destination-address {{\n{lines}                }}")
    if not rest:
        text = text.replace("        term rest {\n            then accept;\n        }\n", "")
    found = _cos(text)
    if where is None:
        assert found == []
        return
    ((code, line, message),) = found
    assert (code, line) == ("FC226", _line_of(text, where))
    assert "to 192.168.253.2 in no forwarding class" in message and "cp-7/0/0.1" in message


def test_a_prefix_list_is_not_evaluated() -> None:
    # Router 1 classifies through a prefix list: flowc cannot tell, so it stays silent
    text = ROUTER1.replace("                    collectors;\n", "                    elsewhere;\n")
    assert _cos(text) == []


def test_classes_the_ftp_traffic_never_reaches_need_no_scheduling() -> None:
    # a term for other traffic sets a class that is neither defined nor in the scheduler-map
    text = ROUTER1.replace("        term ftp-data {", """        term lab {
            from {
                destination-address {
                    10.9.9.0/24;
                }
            }
            then {
                forwarding-class lab-only;
                accept;
            }
        }
        term ftp-data {""")
    assert _cos(text) == []
    # … but when the FTP traffic may reach it, it is checked
    assert {c for c, _, _ in _cos(text.replace("10.9.9.0/24", "192.168.0.0/16"))} == {"FC224"}
