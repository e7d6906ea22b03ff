"""Brace blocks a set side writes the same are blanked before the brace side is parsed:
what is blanked, and the diff of what is left is the diff of the whole texts, both ways."""
from __future__ import annotations

from pathlib import Path

from flowc.compiler.diff.config import ConfigDiff
from flowc.compiler.diff.files import diff_files
from flowc.compiler.diff.mixedblanks import blank_mixed, verified
from flowc.compiler.diff.output import compare_text, set_text
from flowc.compiler.fmt.printer import to_set
from flowc.compiler.parse.loader import parse_text


def write(tmp: Path, old: str, new: str) -> tuple[str, str]:
    (tmp / "old.conf").write_text(old, "utf-8")
    (tmp / "new.conf").write_text(new, "utf-8")
    return str(tmp / "old.conf"), str(tmp / "new.conf")


def assert_same_both_ways(tmp: Path, brace: str, set_side: str) -> None:
    for old, new in ((brace, set_side), (set_side, brace)):
        paths = write(tmp, old, new)
        fast: ConfigDiff = diff_files(*paths)
        whole = diff_files(*paths, unchanged_blanked=False)
        assert compare_text(fast) == compare_text(whole)
        assert set_text(fast) == set_text(whole)


def twin(brace: str) -> str:
    parsed = parse_text(brace, "x.conf")
    assert parsed.ok, parsed.diagnostics
    return to_set(parsed.statements)


PORTS = "".join(f'    ge-0/0/{n} {{\n        description "port {n}";\n        mtu 9192;\n'
                f"        unit 0 {{\n            family inet {{\n                address 10.0.{n}.1/30;\n"
                f"            }}\n        }}\n    }}\n" for n in range(30))
BRACE = f"system {{\n    host-name r1;\n}}\ninterfaces {{\n{PORTS}}}\n"


def test_same_blocks_are_blanked_on_both_sides(tmp_path: Path) -> None:
    set_side = twin(BRACE).replace("ge-0/0/7 mtu 9192", "ge-0/0/7 mtu 1500")
    blanked = blank_mixed(BRACE, set_side)
    assert blanked is not None
    assert blanked.brace.count("\n") == BRACE.count("\n")
    assert len(blanked.set_text.splitlines()) == len(set_side.splitlines())
    kept = [line for line in blanked.set_text.splitlines() if line]
    assert "set interfaces ge-0/0/7 mtu 1500" in kept and len(kept) < 20
    assert ("interfaces", "ge-0/0/7") not in blanked.paths and ("interfaces", "ge-0/0/8") in blanked.paths
    assert verified(blanked, parse_text(blanked.brace, "x.conf").statements)
    assert_same_both_ways(tmp_path, BRACE, set_side)


def test_a_statement_under_a_blanked_path_elsewhere_is_found(tmp_path: Path) -> None:
    """A header of several words writes under a blanked block's path: the check after
    parsing finds it, and the whole texts are compared."""
    brace = BRACE + "interfaces ge-0/0/3 disable;\n"
    set_side = twin(BRACE).replace("ge-0/0/7 mtu 9192", "ge-0/0/7 mtu 1500")
    blanked = blank_mixed(brace, set_side)
    assert blanked is not None and ("interfaces", "ge-0/0/3") in blanked.paths
    assert not verified(blanked, parse_text(blanked.brace, "x.conf").statements)
    assert_same_both_ways(tmp_path, brace, set_side)
    assert "set interfaces ge-0/0/3 disable" in set_text(diff_files(*write(tmp_path, set_side, brace)))


def test_what_is_not_plain_is_compared_whole(tmp_path: Path) -> None:
    """Comments, lists, tags, empty blocks and strings with special characters keep their
    blocks; other commands than `set` or `apply-groups` leave out nothing."""
    odd = (BRACE.replace("mtu 9192;\n", "mtu 9192; # jumbo\n", 1)
           .replace("ge-0/0/2 {", "inactive: ge-0/0/2 {")
           .replace('"port 4"', '"port; 4"').replace("host-name r1;", "host-name r1;\n    ntp { }")
           + "protocols {\n    bgp {\n        group g {\n            import [ a b ];\n        }\n    }\n}\n")
    set_side = twin(odd.replace("inactive: ", "")).replace("ge-0/0/7 mtu 9192", "ge-0/0/7 mtu 1500")
    blanked = blank_mixed(odd, set_side)
    assert blanked is not None
    for port in (0, 2, 4):
        assert ("interfaces", f"ge-0/0/{port}") not in blanked.paths
    assert_same_both_ways(tmp_path, odd, set_side)
    assert blank_mixed(BRACE, "deactivate interfaces ge-0/0/1\n" + twin(BRACE)) is None
    grouped = BRACE + "apply-groups g;\ngroups {\n    g {\n        system {\n            ntp;\n        }\n    }\n}\n"
    assert blank_mixed(grouped, twin(grouped)) is None
    assert_same_both_ways(tmp_path, grouped, twin(grouped).replace("mtu 9192", "mtu 9000", 1))
