"""Site overlay: reading site files, and applying them (or the defaults) to a plan."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from flowc.compiler.diagnostics import FlowcError, UsageError
from flowc.compiler.lowering.site import Site, load_site, overlay, router_host
from flowc.runtime.plan.model import (
    Channel,
    Collector,
    Destination,
    Endpoint,
    FileSpec,
    FtpTarget,
    Input,
    Plan,
    TransferLog,
)


def _target(url: str) -> FtpTarget:
    host, port = router_host(url)
    return FtpTarget(url, Endpoint(host, port), "user", "", "/tmp")


def _plan() -> Plan:
    def collector(name: str) -> Collector:
        return Collector(
            interface=name, listen=Endpoint("127.0.0.1", 0),
            inputs=(Input("mo-7/1/0.0", "mo_7_1_0_0", "1"),),
            file_specs=(FileSpec("1", "f-%N.gz"),), default_file_spec="1",
            channels=(Channel(0), Channel(1)),
            destinations=(Destination("primary", _target("ftp://user@192.168.252.2/tmp")),
                          Destination("secondary", _target("ftp://user@192.168.253.2:2100/tmp"))),
        )
    return Plan(host_name="router1", spool="spool", control="flowc.sock",
                collectors=(collector("cp-6/0/0"), collector("cp-7/0/0")),
                transfer_log=TransferLog(archive_sites=(_target("ftp://u@192.168.252.2/logs"),)))


def test_defaults_give_loopback_listeners_from_2055() -> None:
    plan = overlay(_plan())
    assert [c.listen for c in plan.collectors] == [Endpoint("127.0.0.1", 2055), Endpoint("127.0.0.1", 2056)]
    assert plan.collectors[0].destinations[1].target.connect == Endpoint("192.168.253.2", 2100)


def test_site_file_maps_hosts_listeners_and_paths(tmp_path: Path) -> None:
    site_file = tmp_path / "site.yaml"
    site_file.write_text(
        "host-name: lab1\nspool: /var/spool/flowc\ncontrol: /run/flowc.sock\n"
        "memory-budget: 64MiB\n"
        "collectors:\n  cp-7/0/0:\n    listen: 127.0.0.1:9995\n"
        "inputs:\n  mo-7/1/0.0:\n    listen: 127.0.0.1:9001\n"
        "hosts:\n  192.168.252.2: 127.0.0.1:2121\n  192.168.253.2:2100: 127.0.0.1:2122\n",
        "utf-8")
    plan = overlay(_plan(), load_site(site_file))
    assert (plan.host_name, plan.spool, plan.control) == ("lab1", "/var/spool/flowc", "/run/flowc.sock")
    assert plan.memory_budget == 64 << 20
    assert plan.collectors[0].listen == Endpoint("127.0.0.1", 2055)
    assert plan.collectors[1].listen == Endpoint("127.0.0.1", 9995)
    assert plan.collectors[1].inputs[0].listen == Endpoint("127.0.0.1", 9001)
    primary, secondary = (d.target.connect for d in plan.collectors[0].destinations)
    assert primary == Endpoint("127.0.0.1", 2121) and secondary == Endpoint("127.0.0.1", 2122)
    assert plan.transfer_log.archive_sites[0].connect == Endpoint("127.0.0.1", 2121)
    assert plan.collectors[0].destinations[0].target.url == "ftp://user@192.168.252.2/tmp"


def test_overlay_twice_is_the_same_as_once(tmp_path: Path) -> None:
    site_file = tmp_path / "site.yaml"
    site_file.write_text("hosts:\n  192.168.252.2: 127.0.0.1:2121\n", "utf-8")
    site = load_site(site_file)
    assert overlay(overlay(_plan(), site), site) == overlay(_plan(), site)


CASES = sorted((Path(__file__).parent / "site_cases").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_site_file_findings(tmp_path: Path, case: Path) -> None:
    """Data cases: a bad site file and every finding it must give, at `line:column`."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(case.read_text("utf-8"))
    site_file = tmp_path / "site.yaml"
    site_file.write_text(data["site"], "utf-8")
    with pytest.raises(FlowcError) as info:
        overlay(_plan(), load_site(site_file))
    prefix = f"{site_file}:"
    found = [str(d).removeprefix(prefix) for d in info.value.diagnostics]
    assert found == data["findings"]
    assert all(str(d).startswith(prefix) for d in info.value.diagnostics)
    assert info.value.rendered.startswith(prefix)  # the text the CLI prints, with the line and a caret


def test_relative_paths_are_relative_to_the_site_file(tmp_path: Path) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "site.yaml").write_text("spool: spool\ncontrol: run/flowc.sock\n", "utf-8")
    site = load_site(folder / "site.yaml")
    assert (site.spool, site.control) == (str(folder / "spool"), str(folder / "run/flowc.sock"))
    absolute = load_site(_write(folder / "abs.yaml", "spool: /var/spool/flowc\n"))
    assert absolute.spool == "/var/spool/flowc"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def test_missing_site_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read site file"):
        load_site(tmp_path / "nope.yaml")


def test_embedded_site_changes_nothing_but_listeners() -> None:
    plan = _plan()
    assert overlay(plan, Site()).spool == plan.spool


def test_metrics_listener_is_off_unless_the_site_sets_it(tmp_path: Path) -> None:
    from flowc.runtime.plan.model import dumps_plan, loads_plan

    plain = overlay(_plan())
    assert plain.metrics is None and '"version": 1' in dumps_plan(plain)  # old engines still run it
    site = tmp_path / "site.yaml"
    site.write_text("metrics: 127.0.0.1:9155\n")
    plan = overlay(_plan(), load_site(site))
    assert plan.metrics == Endpoint("127.0.0.1", 9155)
    text = dumps_plan(plan)
    assert '"version": 2' in text and loads_plan(text) == dataclasses.replace(plan, version=2)
    site.write_text("metrics: nowhere\n")
    with pytest.raises(FlowcError, match=r"site.yaml:1:10: error FC312 metrics: not HOST:PORT"):
        load_site(site)


def test_a_version_1_plan_with_a_metrics_listener_is_refused() -> None:
    import json

    from flowc.runtime.plan.model import PlanError, dumps_plan, loads_plan

    data = json.loads(dumps_plan(overlay(_plan(), Site(metrics=Endpoint("127.0.0.1", 9155)))))
    data["version"] = 1
    with pytest.raises(PlanError, match="invalid plan at version"):
        loads_plan(json.dumps(data))


def test_site_init_writes_every_key_and_its_defaults_load(tmp_path: Path) -> None:
    """`flowc site init`: every site key is in the file (metrics too), the file loads as it
    is, and with every commented default switched on it loads to the same plan."""
    import re

    from flowc.compiler.lowering.site_file import KEYS
    from flowc.compiler.lowering.site_init import site_template

    text = site_template(_plan(), "router.conf")
    for key in KEYS:
        assert re.search(rf"^(# )?{key}:", text, re.MULTILINE), key
    plain = overlay(_plan(), load_site(_write(tmp_path / "site.yaml", text)))
    switched_on = re.sub(r"^# ([a-z-]+: \S+)", r"\1", text, flags=re.MULTILINE)
    assert switched_on != text
    everything = load_site(_write(tmp_path / "all.yaml", switched_on))
    assert everything.metrics == Endpoint("127.0.0.1", 9155)
    on = overlay(_plan(), everything)
    assert dataclasses.replace(on, spool=plain.spool, control=plain.control, metrics=None,
                               ftp_minimum_rate=None, ftp_deadline_allowance=None) == plain


def test_cli_compile_with_a_bad_site_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    config = Path(__file__).resolve().parents[3] / "examples" / "router1" / "router.conf"
    site = _write(tmp_path / "site.yaml", "collectors:\n  cp-6/0/1:\n    listen: 127.0.0.1:3001\n")
    out = tmp_path / "plan.json"
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "compile", str(config), "--site", str(site),
                           "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and not out.exists()
    assert f"{site}:2:3: error FC313 no collector cp-6/0/1 in the plan" in done.stderr
    assert "hint: the plan's collectors: cp-6/0/0, cp-7/0/0" in done.stderr and "Traceback" not in done.stderr
