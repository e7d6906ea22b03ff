"""`flowc diff` from the command line: formats, exit codes (0 identical, 1 different,
2 trouble), plan diffs and `--impact`."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flowc.compiler.diff.impact import impact, impact_text
from flowc.compiler.diff.plan import diff_plans, plan_diff_text
from flowc.runtime.plan.delta import delta
from flowc.runtime.plan.model import Destination, Endpoint, FileSpec, dumps_plan, loads_plan

OLD = """\
system {
    host-name router1;
}
services {
    flow-collector {
        retry 3;
        destinations {
            "ftp://192.168.10.100/in/" {
                password "$9$HkPQ9CuOIcyrvxNVwY2"; ## SECRET-DATA
            }
            "ftp://192.168.10.101/in/" {
                password "$9$HkPQ9CuOIcyrvxNVwY2"; ## SECRET-DATA
            }
        }
    }
}
"""
NEW_SET = """\
set system host-name router1
set services flow-collector retry 4
set services flow-collector destinations "ftp://192.168.10.101/in/" password "$9$HkPQ9CuOIcyrvxNVwY2"
set services flow-collector destinations "ftp://192.168.10.100/in/" password "$9$HkPQ9CuOIcyrvxNVwY2"
"""
OLD_SET = """\
set system host-name router1
set services flow-collector retry 3
set services flow-collector destinations "ftp://192.168.10.100/in/" password "$9$HkPQ9CuOIcyrvxNVwY2"
set services flow-collector destinations "ftp://192.168.10.101/in/" password "$9$HkPQ9CuOIcyrvxNVwY2"
"""


def flowc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name, text in (("old.conf", OLD), ("new.set", NEW_SET), ("old.set", OLD_SET)):
        (tmp_path / name).write_text(text)
        out[name] = str(tmp_path / name)
    return out


def test_identical_brace_and_set_exit_0(files: dict[str, str]) -> None:
    result = flowc("diff", files["old.conf"], files["old.set"])
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_different_exit_1_compare_text(files: dict[str, str], snapshot) -> None:  # type: ignore[no-untyped-def]
    result = flowc("diff", files["old.conf"], files["new.set"])
    assert result.returncode == 1, result.stderr
    assert result.stdout == snapshot


def test_set_format(files: dict[str, str]) -> None:
    result = flowc("diff", "--format", "set", files["old.conf"], files["new.set"])
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "delete services flow-collector retry",
        "set services flow-collector retry 4",
        'insert services flow-collector destinations "ftp://192.168.10.101/in/" before '
        '"ftp://192.168.10.100/in/"',
    ]


def test_json_format(files: dict[str, str]) -> None:
    result = flowc("diff", "--format", "json", files["old.conf"], files["new.set"])
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["kind"] == "configuration" and data["identical"] is False
    assert [s["edit"] for s in data["sections"]] == [
        ["services", "flow-collector"], ["services", "flow-collector", "destinations"]]
    assert data["sections"][0]["lines"] == [{"op": "-", "text": "retry 3;"}, {"op": "+", "text": "retry 4;"}]
    assert len(data["commands"]) == 3


def test_trouble_exit_2(files: dict[str, str], tmp_path: Path) -> None:
    result = flowc("diff", files["old.conf"], str(tmp_path / "nope.conf"))
    assert result.returncode == 2 and "nope.conf" in result.stderr
    broken = tmp_path / "broken.conf"
    broken.write_text("services {\n    flow-collector {\n        retry 3\n    }\n")
    result = flowc("diff", files["old.conf"], str(broken))
    assert result.returncode == 2
    assert "broken.conf:" in result.stderr and "syntax errors" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ plans

def seed():  # type: ignore[no-untyped-def]
    """The plan of test_render.seed_plan(), kept as data."""
    return loads_plan((Path(__file__).parent / "diff_cases" / "seed_plan.json").read_text())


def changed(plan):  # type: ignore[no-untyped-def]
    cp6, cp7 = plan.collectors
    cp6 = dataclasses.replace(cp6, destinations=(cp6.destinations[1].__class__(
        "primary", cp6.destinations[1].target), Destination("secondary", cp6.destinations[0].target)))
    cp7 = dataclasses.replace(cp7, listen=Endpoint("127.0.0.1", 3056),
                              file_specs=(FileSpec("1", "x-%N.gz", record_level=20000),))
    return dataclasses.replace(plan, collectors=(cp6, cp7), retry=2)


def test_plan_diff_paths() -> None:
    plan = seed()
    text = plan_diff_text(diff_plans(plan, changed(plan)))
    assert "~ retry: 0 -> 2" in text
    assert "~ collectors[cp-7/0/0].listen.port: 2056 -> 3056" in text
    assert ('~ collectors[cp-6/0/0].destinations[primary].target.url: '
            '"ftp://flowc@192.168.10.100/flows/" -> "ftp://flowc@192.168.10.101/flows/"') in text
    assert "~ collectors[cp-7/0/0].file_specs[1].record_level: 500000 -> 20000" in text
    assert diff_plans(plan, plan) == ()


def test_plan_impact_text(snapshot) -> None:  # type: ignore[no-untyped-def]
    plan = seed()
    assert impact_text(impact(delta(plan, changed(plan)), (), (), linted=False)) == snapshot


def test_plan_diff_cli(tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    plan = seed()
    (tmp_path / "a.json").write_text(dumps_plan(plan))
    (tmp_path / "b.json").write_text(dumps_plan(changed(plan)))
    same = flowc("diff", str(tmp_path / "a.json"), str(tmp_path / "a.json"))
    assert (same.returncode, same.stdout) == (0, "")
    result = flowc("diff", "--impact", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert result.returncode == 1, result.stderr
    assert result.stdout == snapshot
    data = json.loads(flowc("diff", "--format", "json", "--impact", str(tmp_path / "a.json"),
                            str(tmp_path / "b.json")).stdout)
    kinds = {c["interface"]: c["change"] for c in data["impact"]["collectors"]}
    assert kinds == {"cp-6/0/0": "export-only", "cp-7/0/0": "restarted"}
    assert flowc("diff", "--format", "set", str(tmp_path / "a.json"), str(tmp_path / "b.json")).returncode == 2


def test_config_impact_swapped_destinations_and_new_finding(tmp_path: Path) -> None:
    """examples/groups with its destinations swapped and a name-format without a time or
    generation macro: the collector keeps running with new servers, lint says more."""
    config = Path(__file__).resolve().parents[3] / "examples" / "groups" / "router.conf"
    text = config.read_text()
    primary = '"ftp://flows@198.51.100.30/primary/"'
    secondary = '"ftp://flows@198.51.100.32/secondary/"'
    swapped = text.replace(primary, "@P@").replace(secondary, primary).replace("@P@", secondary)
    assert swapped != text
    (tmp_path / "swapped.conf").write_text(swapped)
    result = flowc("diff", "--impact", str(config), str(tmp_path / "swapped.conf"))
    assert result.returncode == 1, result.stderr
    assert "cp-2/1/0: keeps running; export side changes" in result.stdout
    assert ("export channels 0 and 1: primary server ftp://flows@198.51.100.30/primary/ -> "
            "ftp://flows@198.51.100.32/secondary/") in result.stdout
    assert f'insert services flow-collector destinations {secondary} before {primary}' in flowc(
        "diff", "--format", "set", str(config), str(tmp_path / "swapped.conf")).stdout
    renamed = text.replace("core2-{date}_{time}-{ifalias}_{generation number}.gz", "core2.gz")
    (tmp_path / "renamed.conf").write_text(renamed)
    data = json.loads(flowc("diff", "--impact", "--format", "json", str(config),
                            str(tmp_path / "renamed.conf")).stdout)
    assert [f["code"] for f in data["impact"]["lint"]["appeared"]], "a name that cannot be unique"
    if not data["impact"]["compiles"]["new"]:
        assert data["impact"]["collectors"] == []  # a plan that does not compile changes nothing
    rotated = text.replace("record-level 500000", "record-level 100000")
    (tmp_path / "rotated.conf").write_text(rotated)
    data = json.loads(flowc("diff", "--impact", "--format", "json", str(config),
                            str(tmp_path / "rotated.conf")).stdout)
    (collector,) = data["impact"]["collectors"]
    assert collector["change"] == "restarted"
    assert collector["files"] == [{"name": "transit", "change": "changed", "naming": False, "rotation": True,
                                   "fields": {"record_level": {"old": 500000, "new": 100000}}}]
