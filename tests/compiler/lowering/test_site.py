"""Site overlay: reading site files, and applying them (or the defaults) to a plan."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from flowc.compiler.diagnostics import UsageError
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


@pytest.mark.parametrize("text, where, words", [
    ("spool: x\nlisten: 1\n", ":2", "unknown site key 'listen'"),
    ("hosts:\n  a: 127.0.0.1:http\n", ":2", "hosts a"),
    ("collectors:\n  cp-1/0/0: 127.0.0.1:1\n", ":2", "expected `listen: HOST:PORT`"),
    ("memory-budget: lots\n", ":1", "memory-budget must be a size"),
    ("- a\n- b\n", "", "a YAML mapping"),
    ("a: [\n", "", "not valid YAML"),
])
def test_bad_site_files_say_where(tmp_path: Path, text: str, where: str, words: str) -> None:
    site_file = tmp_path / "site.yaml"
    site_file.write_text(text, "utf-8")
    with pytest.raises(UsageError) as info:
        load_site(site_file)
    assert f"{site_file}{where}" in str(info.value)
    assert words in str(info.value)


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
    with pytest.raises(UsageError, match=r"site.yaml:1: metrics: not HOST:PORT"):
        load_site(site)


def test_a_version_1_plan_with_a_metrics_listener_is_refused() -> None:
    import json

    from flowc.runtime.plan.model import PlanError, dumps_plan, loads_plan

    data = json.loads(dumps_plan(overlay(_plan(), Site(metrics=Endpoint("127.0.0.1", 9155)))))
    data["version"] = 1
    with pytest.raises(PlanError, match="invalid plan at version"):
        loads_plan(json.dumps(data))
