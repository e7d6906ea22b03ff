"""Lowering: examples compile to schema-valid, deterministic plans; twins agree."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flowc.compiler.api import compile_paths, load_plan_or_config
from flowc.compiler.diagnostics import FlowcError
from flowc.compiler.lowering.site import load_site
from flowc.runtime.plan.model import Endpoint, dumps_plan, loads_plan
from flowc.runtime.plan.secret import reveal

ROOT = Path(__file__).resolve().parents[3]
VALID = ["router1", "single", "groups"]
CLI = [sys.executable, "-m", "flowc.compiler.cli"]


def _plan(name: str, form: str = "conf"):  # type: ignore[no-untyped-def]
    compiled = compile_paths([ROOT / "examples" / name / f"router.{form}"])
    assert compiled.plan is not None, [str(d) for d in compiled.errors()]
    return compiled.plan


@pytest.mark.parametrize("name", VALID)
def test_brace_and_set_twins_give_the_same_plan(name: str) -> None:
    brace, twin = _plan(name, "conf"), _plan(name, "set")
    assert dataclasses.replace(brace, sources=()) == dataclasses.replace(twin, sources=())


@pytest.mark.parametrize("name", VALID)
def test_plans_are_schema_valid_and_deterministic(name: str) -> None:
    text = dumps_plan(_plan(name))
    assert text == dumps_plan(_plan(name))
    assert loads_plan(text) == _plan(name)
    assert loads_plan(dumps_plan(_plan(name), "yaml")) == _plan(name)


def test_router1_plan(snapshot) -> None:  # type: ignore[no-untyped-def]
    plan = _plan("router1")
    assert [c.interface for c in plan.collectors] == ["cp-6/0/0", "cp-7/0/0"]
    first = plan.collectors[0]
    assert [d.role for d in first.destinations] == ["primary", "secondary"]
    assert [c.index for c in first.channels] == [0, 1]
    data = json.loads(dumps_plan(dataclasses.replace(plan, sources=())))
    assert data == snapshot


def test_plaintext_passwords_are_sealed_in_the_plan(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "single" / "router.conf").read_text("utf-8")
    config = tmp_path / "plain.conf"
    import re
    config.write_text(re.sub(r'password "\$9\$[^"]*";', 'password "Sekr1t-pass";', text), "utf-8")
    compiled = compile_paths([config])
    assert compiled.plan is not None
    plan_text = dumps_plan(compiled.plan)
    assert "Sekr1t-pass" not in plan_text
    assert reveal(compiled.plan.collectors[0].destinations[0].target.password) == "Sekr1t-pass"
    assert plan_text == dumps_plan(compile_paths([config]).plan)  # type: ignore[arg-type]


def test_a_config_without_a_flow_collector_does_not_compile(tmp_path: Path) -> None:
    config = tmp_path / "plain.conf"
    config.write_text("system { host-name r9; }\n", "utf-8")
    compiled = compile_paths([config])
    assert compiled.plan is None
    assert [d.code for d in compiled.errors()] == ["FC301"]
    with pytest.raises(FlowcError):
        load_plan_or_config(config)


def test_site_applies_at_compile_time(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("hosts:\n  198.51.100.20: 127.0.0.1:2121\n", "utf-8")
    plan = compile_paths([ROOT / "examples/single/router.conf"], load_site(site)).plan
    assert plan is not None
    assert plan.collectors[0].destinations[0].target.connect == Endpoint("127.0.0.1", 2121)


def test_compile_cli_writes_a_plan_and_fails_on_lint_errors(tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    ok = subprocess.run([*CLI, "compile", str(ROOT / "examples/single/router.conf"), "-o", str(out)],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert loads_plan(out.read_text("utf-8")).collectors[0].interface == "cp-4/0/0"
    bad = subprocess.run([*CLI, "compile", str(ROOT / "examples/invalid/router.conf")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and bad.stdout == ""
    assert "FC103" in bad.stderr and "Traceback" not in bad.stderr
    missing = subprocess.run([*CLI, "compile", str(tmp_path / "nope.conf")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "nope.conf" in missing.stderr


def test_site_init_writes_a_site_file_that_loads(tmp_path: Path) -> None:
    out = tmp_path / "site.yaml"
    done = subprocess.run([*CLI, "site", "init", str(ROOT / "examples/router1/router.conf"), "-o", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    site = load_site(out)
    assert set(site.collectors) == {"cp-6/0/0", "cp-7/0/0"}
    assert site.hosts["192.168.252.2"] == Endpoint("192.168.252.2", 21)


@pytest.mark.parametrize("name", VALID)
def test_example_site_files_load_and_map_every_ftp_host(name: str) -> None:
    site = load_site(ROOT / "examples" / name / "site.yaml")
    plan = compile_paths([ROOT / "examples" / name / "router.conf"], site).plan
    assert plan is not None
    targets = [d.target for c in plan.collectors for d in c.destinations] + list(plan.transfer_log.archive_sites)
    assert targets and all(t.connect == Endpoint("127.0.0.1", 2121) for t in targets)


def test_no_flow_collector_is_located_at_the_file(tmp_path: Path) -> None:
    """FC301 names the file (line 1), not `<none>:0:0`, and its label says lowering."""
    import subprocess
    import sys

    config = tmp_path / "router.conf"
    config.write_text("system {\n    host-name r1;\n}\n")
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "compile", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"{config}:1:1: error FC301 " in done.stdout + done.stderr
    assert "[lowering]" in done.stdout + done.stderr
