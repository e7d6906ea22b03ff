"""`flowc render` keeps what the site says (metrics, listeners) and warns (FC316) where a
value cannot work in the target: loopback inside a container."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from flowc.compiler.api import compile_paths
from flowc.compiler.lowering.site import Site, load_site
from flowc.compiler.render.fit import misfits
from flowc.compiler.render.setup import render
from flowc.runtime.plan.model import Plan

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CONFIG = EXAMPLES / "router1" / "router.conf"
yaml = YAML(typ="safe")


def compiled(site: Site | None) -> Plan:
    result = compile_paths([CONFIG], site)
    assert result.plan is not None
    return result.plan


def site_file(tmp_path: Path, text: str) -> Site:
    path = tmp_path / "site.yaml"
    path.write_text(text, "utf-8")
    return load_site(path)


def files(plan: Plan, target: str, site: Site | None) -> dict[str, str]:
    return {f.path: f.text for f in render(plan, target, site=site)}


def test_metrics_address_and_port_are_kept_in_every_target(tmp_path: Path) -> None:
    site = site_file(tmp_path, "metrics: 0.0.0.0:49100\n")
    plan = compiled(site)
    systemd = files(plan, "systemd", site)
    assert [yaml.load(systemd[f"site-{s}.yaml"])["metrics"] for s in ("cp-6_0_0", "cp-7_0_0")] == [
        "0.0.0.0:49100", "0.0.0.0:49101"]  # side by side on one host: the site's port, then +1
    assert yaml.load(files(plan, "shell", site)["site.yaml"])["metrics"] == "0.0.0.0:49100"
    compose = yaml.load(files(plan, "compose", site)["compose.yaml"])
    assert compose["services"]["flowc-cp-7-0-0"]["ports"][-1] == "49101:49100/tcp"
    kubernetes = files(plan, "kubernetes", site)
    (sts,) = yaml.load_all(kubernetes["statefulset-cp-6-0-0.yaml"])
    (container,) = sts["spec"]["template"]["spec"]["containers"]
    assert [p["containerPort"] for p in container["ports"] if p["name"] == "http-metrics"] == [49100]
    assert sts["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == "49100"
    assert misfits(plan, "kubernetes", site, str(CONFIG)) == ()


def test_container_listeners_keep_what_the_site_says_and_default_to_every_address(tmp_path: Path) -> None:
    site = site_file(tmp_path, "collectors:\n  cp-7/0/0:\n    listen: 127.0.0.1:3056\n")
    plan = compiled(site)
    settings = yaml.load(files(plan, "compose", site)["site.yaml"])
    assert settings["collectors"] == {"cp-6/0/0": {"listen": "0.0.0.0:2055"}, "cp-7/0/0": {"listen": "127.0.0.1:3056"}}
    (warning,) = misfits(plan, "compose", site, str(CONFIG))
    assert str(warning).startswith(f"{tmp_path / 'site.yaml'}:2:3: warning FC316 collector cp-7/0/0 listens on "
                                   "127.0.0.1:3056, a loopback address")
    assert misfits(plan, "systemd", site, str(CONFIG)) == ()  # on a host, loopback is what was asked
    assert yaml.load(files(plan, "systemd", site)["site.yaml"])["collectors"]["cp-7/0/0"] == {"listen": "127.0.0.1:3056"}


def test_loopback_ftp_host_and_metrics_in_a_container_are_warned(tmp_path: Path) -> None:
    site = site_file(tmp_path, "metrics: 127.0.0.1:9155\nhosts:\n  192.168.252.2: 127.0.0.1:2121\n"
                               "  192.168.253.2: ftp.example.net\n")
    plan = compiled(site)
    found = [(d.span.line, d.span.column, d.code, str(d.severity)) for d in misfits(plan, "kubernetes", site, "x")]
    assert found == [(1, 1, "FC316", "warning"), (3, 3, "FC316", "warning")]
    assert misfits(plan, "shell", site, "x") == ()


def test_cli_render_prints_the_warning_and_writes_the_setup(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "render", str(CONFIG), "--site",
                           str(EXAMPLES / "router1" / "site.yaml"), "--target", "compose", "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "site.yaml:" in done.stderr and "warning FC316 FTP host 192.168.252.2 is reached at 127.0.0.1:2121" in done.stderr
    assert (tmp_path / "out" / "compose.yaml").exists()
