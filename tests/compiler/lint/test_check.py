"""The lint facade, settings, suppressions, the examples, and `flowc lint` / `flowc rules`."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from flowc.compiler.diagnostics import Severity, UsageError
from flowc.compiler.ir.lookups import resolve_ifalias
from flowc.compiler.lint.check import check_files, check_text, expand_paths
from flowc.compiler.lint.settings import LintSettings, load_settings, settings_from

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
PAIRS = ["single", "groups", "invalid", "router1"]


def _key(result) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(d.code, str(d.severity), d.message) for d in result.diagnostics]


@pytest.mark.parametrize("name", PAIRS)
def test_example_pairs_give_identical_findings_and_ir(name: str) -> None:
    brace = check_files([EXAMPLES / name / "router.conf"])
    dset = check_files([EXAMPLES / name / "router.set"])
    assert brace.files[0].parsed.format == "brace" and dset.files[0].parsed.format == "set"
    assert brace.files[0].ir is not None and brace.files[0].ir == dset.files[0].ir
    assert _key(brace) == _key(dset)


@pytest.mark.parametrize("name", ["single", "groups"])
def test_clean_examples_are_clean(name: str) -> None:
    assert check_files([EXAMPLES / name]).diagnostics == ()


def test_invalid_example_trips_many_rules() -> None:
    codes = {d.code for d in check_files([EXAMPLES / "invalid" / "router.conf"]).diagnostics}
    assert len(codes) >= 20
    assert {"FC101", "FC103", "FC105", "FC201", "FC212", "FC220", "FC240", "FC241", "FC263"} <= codes
    assert "FC231" not in codes  # silenced by the inline suppression on its statement


def test_groups_example_takes_values_from_groups() -> None:
    config = check_files([EXAMPLES / "groups" / "router.conf"]).files[0].ir
    assert config is not None and config.collector is not None
    assert config.collector.analyzer_address == "10.20.0.1"
    channel = config.channel_cos("cp-2/1/0.0")
    assert channel is not None and channel.transmit_rate_bps == 20_000_000


def test_ir_of_the_single_example() -> None:
    config = check_files([EXAMPLES / "single" / "router.set"]).files[0].ir
    assert config is not None and config.collector is not None
    fc = config.collector
    assert config.host_name == "edge-collector-1"
    assert (fc.analyzer_address, fc.analyzer_id, fc.retry, fc.retry_delay) == ("10.10.10.1", "edge1", 3, 30)
    assert [d.url for d in fc.destinations] == ["ftp://flows@198.51.100.20/incoming/"]
    assert fc.destinations[0].username == "flows" and fc.destinations[0].password.startswith("$9$")
    spec = fc.file_specs[0]
    assert (spec.name, spec.variant, spec.record_level, spec.timeout) == ("1", True, 100000, 300)
    assert fc.interface_map is not None and fc.interface_map.collector == "cp-4/0/0"
    assert [e.input for e in fc.interface_map.entries] == ["mo-5/0/0.0"]
    assert fc.transfer_log_archive is not None and fc.transfer_log_archive.maximum_age == 60
    assert config.chassis.pic(4, 0).application == "flow-collector"  # type: ignore[union-attr]
    group = config.monitoring[0]
    assert (group.name, group.flow_export_destination, group.interfaces[0].engine_id) == ("peering", "collector-pic", 1)
    channel = config.channel_cos("cp-4/0/0.1")
    assert channel is not None
    assert (channel.forwarding_class, channel.transmit_rate_percent, channel.code_point, channel.dscp) \
        == ("ftp-export", 30, "ftp-bulk", 10)
    assert config.filter("cp-ftp").forwarding_classes == ("ftp-export",)  # type: ignore[union-attr]
    assert resolve_ifalias(config, "mo-5/0/0.0") == "peering_so_0_0_0"
    assert resolve_ifalias(config, "mo-9/9/9.1") == "mo_9_9_9_1"


def test_no_flow_collector_no_findings() -> None:
    assert check_text("interfaces { cp-1/0/0 { unit 0; } }\nsystem { host-name x; }\n").diagnostics == ()


def test_results_are_sorted_and_deterministic() -> None:
    first = check_files([EXAMPLES])
    again = check_files([EXAMPLES])
    assert first.diagnostics == again.diagnostics
    keys = [d.sort_key() for d in first.diagnostics]
    assert keys == sorted(keys)
    assert len(first.files) >= 8
    assert all(d.severity >= Severity.ERROR for d in first.errors())


def test_folder_walk_uses_extensions(tmp_path: Path) -> None:
    (tmp_path / "a.conf").write_text("system { host-name a; }\n")
    (tmp_path / "b.set").write_text("set system host-name b\n")
    (tmp_path / "notes.md").write_text("# not a config\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.conf").write_text("x\n")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.conf", "b.set"]
    assert [p.name for p in expand_paths([tmp_path], [".md"])] == ["notes.md"]
    with pytest.raises(UsageError):
        expand_paths([tmp_path / "missing.conf"])


RETRY_TWICE = """services {
    flow-collector {
        /* flowc: ignore FC103 */
        retry 11;
        retry-delay 99;
    }
}
"""


def test_suppression_covers_only_its_statement() -> None:
    result = check_text(RETRY_TWICE, "r.conf")
    range_errors = [(d.span.line, d.span.column) for d in result.diagnostics if d.code == "FC103"]
    assert range_errors == [(5, 21)]  # retry-delay 99 is still reported; retry 11 is silenced
    assert not [d for d in result.diagnostics if d.code == "FC290"]


def test_suppression_in_set_form_and_by_rule_name() -> None:
    text = ("# flowc: ignore value.range\nset services flow-collector retry 11\n"
            "set services flow-collector retry-delay 99\n")
    result = check_text(text, "r.set")
    assert [(d.code, d.span.line) for d in result.diagnostics if d.code == "FC103"] == [("FC103", 3)]


def test_block_suppression_covers_the_block() -> None:
    text = ("services {\n    flow-collector {\n        /* flowc: ignore FC263 */\n        destinations {\n"
            '            "ftp://a@192.0.2.1/" { password "p1"; }\n'
            '            "ftp://b@192.0.2.2/" { password "p2"; }\n        }\n    }\n}\n')
    assert not [d for d in check_text(text).diagnostics if d.code in ("FC263", "FC290")]


def test_unused_suppression_is_reported_where_written() -> None:
    result = check_text("set services flow-collector retry 1 # flowc: ignore FC263\n", "u.set")
    (unused,) = [d for d in result.diagnostics if d.code == "FC290"]
    assert unused.span.line == 1 and "FC263" in unused.message


def test_settings_select_ignore_severity_per_file() -> None:
    text = (EXAMPLES / "invalid" / "router.conf").read_text()
    only = check_text(text, "lab/invalid.conf", LintSettings(select=("FC26",)))
    assert {d.code for d in only.diagnostics} <= {f"FC26{i}" for i in range(10)}
    ignored = check_text(text, "lab/invalid.conf", LintSettings(ignore=("FC1", "password.plaintext")))
    assert not [d for d in ignored.diagnostics if d.code.startswith("FC1") or d.code == "FC263"]
    rated = check_text(text, "lab/invalid.conf", LintSettings(severity={"FC263": Severity.ERROR}))
    assert {d.severity for d in rated.diagnostics if d.code == "FC263"} == {Severity.ERROR}
    per_file = check_text(text, "lab/invalid.conf", LintSettings(per_file_ignores=(("lab/*", ("FC2",)),)))
    assert not [d for d in per_file.diagnostics if d.code.startswith("FC2")]
    assert [d for d in per_file.diagnostics if d.code.startswith("FC1")]


def test_settings_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowc]\nignore = ["FC266"]\nseverity = { FC250 = "error" }\nfail-on = "warning"\n'
        'per-file-ignores = { "lab/*.conf" = ["FC2"] }\nextensions = ["conf", ".junos"]\n')
    nested = tmp_path / "configs" / "east"
    nested.mkdir(parents=True)
    settings = load_settings(nested)
    assert settings.ignore == ("FC266",) and settings.severity["FC250"] == Severity.ERROR
    assert settings.fail_on == Severity.WARNING and settings.extensions == (".conf", ".junos")
    assert settings.per_file_ignores == (("lab/*.conf", ("FC2",)),)
    (nested / "flowc.toml").write_text('select = ["FC1"]\n')
    assert load_settings(nested).select == ("FC1",)
    with pytest.raises(UsageError):
        settings_from({"selectt": ["FC1"]})
    with pytest.raises(UsageError):
        settings_from({"severity": {"FC101": "fatal"}})


def test_a_rule_that_crashes_becomes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    from flowc.compiler.rules import registry
    from flowc.compiler.rules.registry import SEMANTIC

    def boom(config):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    broken = (replace(SEMANTIC[0], check=boom), *SEMANTIC[1:])
    monkeypatch.setattr(registry, "SEMANTIC", broken)
    result = check_text("services { flow-collector { retry 1; } }")
    assert [d.code for d in result.diagnostics if d.code == "FC902"] == ["FC902"]


# --- the command line, as a user runs it ---------------------------------------------------


def _flowc(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_cli_exit_codes_and_outputs(tmp_path: Path) -> None:
    clean = _flowc("lint", "--isolated", "examples/single")
    assert clean.returncode == 0 and clean.stdout.strip() == "no problems in 2 files"
    bad = _flowc("lint", "--isolated", "examples/invalid/router.conf", "--format", "sarif",
                 "--output", str(tmp_path / "out.sarif"), "--format", "json")
    assert bad.returncode == 1, bad.stderr
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"
    assert json.loads(bad.stdout)["summary"]["error"] > 10
    warn_only = _flowc("lint", "--isolated", "examples/invalid/router.conf", "--select", "FC263")
    assert warn_only.returncode == 0 and "FC263" in warn_only.stdout
    assert _flowc("lint", "--isolated", "examples/invalid/router.conf", "--select", "FC263",
                  "--fail-on", "warning").returncode == 1
    assert _flowc("lint", "--isolated", "examples/invalid", "--fail-on", "never").returncode == 0
    missing = _flowc("lint", "no/such/file.conf")
    assert missing.returncode == 2 and "no/such/file.conf" in missing.stderr and "Traceback" not in missing.stderr
    assert _flowc("lint", "--format", "yaml", "examples").returncode == 2


def test_cli_reads_settings_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flowc]\nignore = ["FC2", "FC1"]\n')
    (tmp_path / "r.conf").write_text((EXAMPLES / "invalid" / "router.conf").read_text())
    assert _flowc("lint", "r.conf", cwd=tmp_path).returncode == 0
    assert _flowc("lint", "--isolated", "r.conf", cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.flowc]\nignore = "FC2\n')
    broken = _flowc("lint", "r.conf", cwd=tmp_path)
    assert broken.returncode == 2 and "invalid TOML" in broken.stderr


def test_cli_rules() -> None:
    listing = _flowc("rules")
    assert listing.returncode == 0
    assert "FC201  interface-map.unknown-file-spec" in listing.stdout
    explained = _flowc("rules", "FC201")
    assert explained.returncode == 0 and "Bad:" in explained.stdout and "Good:" in explained.stdout
    assert _flowc("rules", "cos.export-channel-missing").stdout.startswith("FC220")
    assert _flowc("rules", "FC999").returncode == 2


# --- robustness: any statements under the validated hierarchies, never a crash ------------


_WORDS = st.sampled_from([
    "services", "flow-collector", "retry", "retry-delay", "destinations", "ftp://u@192.0.2.1/",
    "password", "file-specification", "variant", "1", "x", "name-format", "%N", "transfer",
    "timeout", "record-level", "interface-map", "collector", "cp-6/0/0", "mo-7/1/0.0",
    "transfer-log-archive", "archive-sites", "maximum-age", "filename-prefix", "interfaces",
    "unit", "0", "2", "family", "inet", "filter", "output", "chassis", "fpc", "pic",
    "monitoring-services", "application", "flow-collector", "class-of-service", "scheduler-map",
    "forwarding-options", "monitoring", "cflowd", "engine-id", "99999999999", "", "{date}",
])


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_WORDS, min_size=1, max_size=9), min_size=1, max_size=12))
def test_lint_never_crashes_and_locates_every_finding(lines: list[list[str]]) -> None:
    text = "".join("set " + " ".join(w if w else f'"{w}"' for w in words) + "\n" for words in lines)
    result = check_text(text, "h.set")
    for d in result.diagnostics:
        assert d.code != "FC902", d.message
        assert d.span.file == "h.set" and 1 <= d.span.line <= len(lines) and d.span.column >= 1


def test_local_leaf_hides_the_inherited_one_by_the_schema() -> None:
    text = """groups {
    g {
        services { flow-collector { retry 5; analyzer-id from-group; } }
        interfaces { <cp-*> { unit 2 { family inet { filter { output from-group; } } } } }
    }
}
apply-groups g;
interfaces { cp-1/0/0 { unit 2 { family inet { filter { output local; } } } } }
services { flow-collector { retry 2; } }
"""
    result = check_text(text, "g.conf")
    assert "FC107" not in {d.code for d in result.diagnostics}
    assert result.files[0].ir is not None and result.files[0].ir.collector is not None
    assert (result.files[0].ir.collector.retry, result.files[0].ir.collector.analyzer_id) == (2, "from-group")
    assert result.files[0].ir.unit("cp-1/0/0.2").filter_output == "local"  # type: ignore[union-attr]


def test_cos_on_unit_star_covers_the_export_channels() -> None:
    text = """interfaces { cp-1/0/0 { unit 0; unit 1; unit 2; } }
class-of-service {
    scheduler-maps { m { forwarding-class best-effort scheduler s; } }
    schedulers { s { transmit-rate 5m; } }
    interfaces { cp-1/0/0 { unit * { scheduler-map m; } } }
}
services { flow-collector { interface-map { collector cp-1/0/0; } } }
"""
    result = check_text(text, "star.conf")
    assert not [d for d in result.diagnostics if d.code in ("FC220", "FC221")]
    assert result.files[0].ir is not None
    assert [c.unit for c in result.files[0].ir.export_cos] == ["cp-1/0/0.0", "cp-1/0/0.1"]
    assert {c.transmit_rate_bps for c in result.files[0].ir.export_cos} == {5_000_000}


@pytest.mark.parametrize(("fmt", "codes"), [
    ("cFlowd-py69Ni69-0-%D_%T-%I_%N.bcp.bi.gz", set()),
    ("flows-{%N}.gz", set()),
    ("flows-{date}-{second}.gz", set()),
    ("flows-%Y%m%d.gz", {"FC251"}),
    ("../flows-%N.gz", {"FC252"}),
    ("flows-%x-%N.gz", {"FC252"}),
    ("flows-{num_zone}-%N.gz", {"FC253"}),
    ("flows-{colour}-%N.gz", {"FC253"}),
])
def test_name_format_macros(fmt: str, codes: set[str]) -> None:
    text = f'services {{ flow-collector {{ file-specification {{ a {{ name-format "{fmt}"; }} }} }} }}'
    found = {d.code for d in check_text(text).diagnostics} & {"FC251", "FC252", "FC253"}
    assert found == codes


def test_finding_on_an_inherited_statement_points_into_the_group() -> None:
    text = "groups {\n    g {\n        services { flow-collector { retry 11; } }\n    }\n}\napply-groups g;\n"
    result = check_text(text, "grp.conf")
    (finding,) = [d for d in result.diagnostics if d.code == "FC103"]
    assert (finding.span.line, finding.span.column) == (3, 43)


def test_cos_through_a_wildcard_interface_name() -> None:
    text = """interfaces { cp-1/0/0 { unit 0; unit 1; unit 2; } }
class-of-service {
    interfaces { "cp-*" { unit 0 { forwarding-class best-effort; } unit 1 { forwarding-class best-effort; } } }
}
services { flow-collector { interface-map { collector cp-1/0/0; } } }
"""
    result = check_text(text, "wild.conf")
    assert not [d for d in result.diagnostics if d.code == "FC220"]
    assert result.files[0].ir is not None and result.files[0].ir.channel_cos("cp-1/0/0.1") is not None
