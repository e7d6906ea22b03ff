"""Two collectors run as rendered (router1: cp-6/0/0 and cp-7/0/0), side by side.

systemd: each unit's `ExecStart` started as written, with its `Environment=`,
`WorkingDirectory=`, `LoadCredential=` and directories, paths mapped into a temporary
root. Compose: each service's entrypoint + command with its environment, configs, secret
and volume, ports mapped as the service publishes them. Both engines at once, traffic to
every input, every record found on the FTP server."""
from __future__ import annotations

import gzip
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from flowc.compiler.render.setup import Options, render, write_files
from flowc.runtime.plan.model import Plan
from flowc.runtime.testbed.ftpserver import EmbeddedFtpServer
from flowc.runtime.testbed.ftpsite import ftp_sites, start_servers
from flowc.runtime.testbed.generator import generate

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
RECORDS_PER_INPUT = 120


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_tcp_pair() -> int:
    """A TCP port P with P+1 free as well (systemd units take the site's metrics port + N)."""
    for _ in range(50):
        port = free_port(socket.SOCK_STREAM)
        try:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no two consecutive free TCP ports")


def router1_site(tmp: Path, ftp_port: int) -> Path:
    """router1's site with free loopback ports, every input on its own port, FTP on `ftp_port`."""
    site = tmp / "site.yaml"
    site.write_text("\n".join([
        "host-name: router1",
        f"metrics: 127.0.0.1:{free_tcp_pair()}",
        "collectors:",
        f"  cp-6/0/0: {{listen: '127.0.0.1:{free_port()}'}}",
        f"  cp-7/0/0: {{listen: '127.0.0.1:{free_port()}'}}",
        "inputs:",
        *(f"  {name}: {{listen: '127.0.0.1:{free_port()}'}}" for name in ("mo-7/1/0.0", "mo-7/2/0.0", "mo-7/3/0.0")),
        "hosts:",
        f"  192.168.252.2: 127.0.0.1:{ftp_port}",
        f"  192.168.253.2: 127.0.0.1:{ftp_port}",
    ]) + "\n")
    return site


def router1_plan(site: Path) -> Plan:
    from flowc.compiler.api import compile_paths

    compiled = compile_paths([EXAMPLES / "router1" / "router.conf"], site)
    assert compiled.plan is not None, [str(d) for d in compiled.errors()]
    return compiled.plan


def start_ftp(plan: Plan, root: Path) -> list[EmbeddedFtpServer]:
    return start_servers(ftp_sites(plan), root)


@dataclass
class Engine:
    """One engine as its unit or service starts it: the command, and the running process."""

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    control: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Engine:
        with self.log.open("ab") as out:  # a restart appends: the log tells both runs
            self.process = subprocess.Popen(self.argv, env={**os.environ, **self.env}, cwd=self.cwd, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def start(name: str, argv: list[str], env: dict[str, str], cwd: Path, control: Path, logs: Path) -> Engine:
    return Engine(name, argv, env, cwd, control, logs / f"{name}.log").start()


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def wait_until_serving(engines: list[Engine]) -> None:
    for engine in engines:
        assert engine.process is not None
        up = wait_for(lambda e=engine.process, c=engine.control: c.is_socket() or e.poll() is not None)  # type: ignore[misc]
        assert up and engine.process.poll() is None, engine.log.read_text()


def send_to_every_input(plan: Plan) -> int:
    """RECORDS_PER_INPUT records to each input's own port; the total sent."""
    total = 0
    for collector in plan.collectors:
        for item in collector.inputs:
            assert item.listen is not None
            result = generate(item.listen, RECORDS_PER_INPUT * 4, 0.25, records_per_packet=30)
            total += result.records
    return total


def flow_records(root: Path) -> int:
    """Records in every flow file that reached the FTP servers below `root`."""
    return sum(len(gzip.decompress(p.read_bytes()).splitlines())
               for p in root.rglob("cFlowd-*") if p.is_file() and not p.name.startswith("."))


FLOWC = shutil.which("flowc") or str(Path(sys.executable).with_name("flowc"))
SYSTEM_DIRS = ("/etc/flowc", "/run/flowc", "/var/lib/flowc", "/run/secrets")


def mapped(text: str, root: Path) -> str:
    """Absolute setup paths moved below `root`."""
    for prefix in SYSTEM_DIRS:
        text = text.replace(prefix, f"{root}{prefix}")
    return text


def unit_settings(text: str) -> dict[str, list[str]]:
    """The [Service] settings of a unit, each key with every value it was given."""
    settings: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def run_and_deliver(engines: list[Engine], plan_for_traffic, ftp_root: Path,  # type: ignore[no-untyped-def]
                    reloads: list[list[str]] = ()) -> None:
    """Both engines at once: reload each as its unit says, traffic to every input, stop (SIGTERM
    closes the files; what is not sent yet waits in the spool), start again (a restart sends what
    the spool holds), and every record sent is on the FTP server, once."""
    try:
        wait_until_serving(engines)
        for argv in reloads:  # `systemctl reload`: ExecReload as written, the unchanged plan applied live
            done = subprocess.run(argv, capture_output=True, text=True, timeout=240)
            assert done.returncode == 0, done.stdout + done.stderr
        sent = send_to_every_input(plan_for_traffic)
        assert [engine.stop() for engine in engines] == [0] * len(engines), _logs(engines)
        for engine in engines:
            engine.start()
        wait_until_serving(engines)
        assert wait_for(lambda: flow_records(ftp_root) >= sent, 60), _logs(engines)
    finally:
        codes = [engine.stop() for engine in engines]
    assert codes == [0] * len(engines), _logs(engines)
    assert flow_records(ftp_root) == sent, _logs(engines)


def _logs(engines: list[Engine]) -> str:
    return "\n".join(e.log.read_text() for e in engines)


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A short temporary root: control socket paths must stay under 108 bytes."""
    with tempfile.TemporaryDirectory(prefix="fc2") as name:
        yield Path(name)


def test_systemd_units_run_side_by_side(tmp_path: Path) -> None:
    ftp_port = free_port(socket.SOCK_STREAM)
    plan = router1_plan(router1_site(tmp_path, ftp_port))
    servers = start_ftp(plan, tmp_path / "ftp")
    root, out = tmp_path / "root", tmp_path / "out"
    write_files(render(plan, "systemd", Options(flowc=FLOWC)), out)
    (root / "etc/flowc").mkdir(parents=True)
    for item in out.iterdir():  # the README's `install` lines, with the paths mapped
        if item.suffix in (".json", ".yaml", ".env"):
            (root / "etc/flowc" / item.name).write_text(mapped(item.read_text(), root))
    engines, reloads = [], []
    try:
        for unit in sorted(out.glob("flowc-*.service")):
            settings = unit_settings(unit.read_text())
            for key in ("RuntimeDirectory", "StateDirectory"):
                base = "run" if key == "RuntimeDirectory" else "var/lib"
                (root / base / settings[key][0]).mkdir(parents=True, exist_ok=True)
            credentials = root / "run/credentials" / unit.name
            credentials.mkdir(parents=True)
            for credential in settings["LoadCredential"]:
                name, _, source = credential.partition(":")
                shutil.copy(mapped(source, root), credentials / name)
            env = dict(mapped(e, root).replace("%d", str(credentials)).split("=", 1) for e in settings["Environment"])
            argv = shlex.split(mapped(settings["ExecStart"][0], root))
            assert argv[0] == FLOWC
            reloads.append(shlex.split(mapped(settings["ExecReload"][0], root)))
            engines.append(start(unit.stem, argv, env, Path(mapped(settings["WorkingDirectory"][0], root)),
                                 Path(env["FLOWC_CONTROL"]), tmp_path))
        assert len(engines) == 2
        run_and_deliver(engines, plan, tmp_path / "ftp", reloads)
    finally:
        for engine in engines:
            engine.stop()
        for server in servers:
            server.stop()
    spools = sorted(p.name for p in (root / "var/lib/flowc").iterdir())
    assert spools == ["cp-6_0_0", "cp-7_0_0"]  # one spool per unit: no lock refuses the second


def test_compose_services_run_side_by_side(tmp_path: Path) -> None:
    """What `docker compose up` would start, without docker: per service its command, its
    environment, configs and secret at their targets, its own volume and /run/flowc, and its
    ports as published (container port -> host port; the container's 0.0.0.0 is 127.0.0.1 here)."""
    ftp_port = free_port(socket.SOCK_STREAM)
    plan = router1_plan(router1_site(tmp_path, ftp_port))
    servers = start_ftp(plan, tmp_path / "ftp")
    out = tmp_path / "out"
    write_files(render(plan, "compose"), out)
    compose = YAML(typ="safe").load((out / "compose.yaml").read_text())
    engines = []
    try:
        for name, service in compose["services"].items():
            root = tmp_path / name
            published = dict(_published(p) for p in service["ports"])
            for config in service["configs"]:
                target = root / config["target"].lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                text = (out / compose["configs"][config["source"]]["file"]).read_text()
                target.write_text(_in_container(mapped(text, root), published))
            for secret in service["secrets"]:
                target = root / "run/secrets" / secret["target"]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(out / compose["secrets"][secret["source"]]["file"], target)
            for directory in [*service["tmpfs"], service["volumes"][0].split(":")[1]]:
                (root / directory.lstrip("/")).mkdir(parents=True, exist_ok=True)
            env = {k: mapped(str(v), root) for k, v in service["environment"].items()}
            argv = [FLOWC, *(mapped(a, root) for a in service["command"])]
            engines.append(start(name, argv, env, root / "var/lib/flowc", Path(env["FLOWC_CONTROL"]), tmp_path))
        assert len(engines) == 2
        run_and_deliver(engines, plan, tmp_path / "ftp")
    finally:
        for engine in engines:
            engine.stop()
        for server in servers:
            server.stop()


def _published(text: str) -> tuple[int, int]:
    host, container = re.fullmatch(r"(\d+):(\d+)/(?:udp|tcp)", text).groups()  # type: ignore[union-attr]
    return int(container), int(host)


def _in_container(site: str, published: dict[int, int]) -> str:
    """The container's own network namespace, emulated: a listener on a published container
    port (`0.0.0.0:PORT`) listens on `127.0.0.1:HOST_PORT` of this machine instead."""
    def host_side(match: re.Match[str]) -> str:
        port = int(match[2])
        return f'"127.0.0.1:{published[port]}"' if port in published else match[0]

    return re.sub(r'"(0\.0\.0\.0|127\.0\.0\.1):(\d+)"', host_side, site)
