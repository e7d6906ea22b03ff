"""`flowc render`: the four targets as snapshots, their structure checked as their tools
need it (the Kubernetes schemas with kubernetes-validate, the Compose specification schema,
`systemd-analyze verify` where present),
secrets kept out of manifests, and the CLI."""
from __future__ import annotations

import dataclasses
import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from flowc.compiler.lowering.secrets import fill_secrets, redact, secret_refs
from flowc.compiler.render.setup import TARGETS, Options, render, write_files
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
    dumps_plan,
    loads_plan,
)

PASSWORD = "$9$HkPQ9CuOIcyrvxNVwY2"


def target(host: str, password: str = PASSWORD) -> FtpTarget:
    return FtpTarget(f"ftp://flowc@{host}/flows/", Endpoint("127.0.0.1", 2121), "flowc", password, "/flows/")


def seed_plan() -> Plan:
    """The seed's router: cp-6/0/0 (two inputs, one with its own port) and cp-7/0/0."""
    cp6 = Collector(
        "cp-6/0/0", Endpoint("127.0.0.1", 2055),
        (Input("mo-7/1/0.0", "mo_7_1_0_0", "1"),
         Input("mo-7/2/0.0", "mo_7_2_0_0", "1", listen=Endpoint("127.0.0.1", 2065))),
        (FileSpec("1", "cFlowd-py69Ni69-0-%D_%T-%I_%N.bcp.bi.gz", record_level=10000, timeout=60),),
        "1", (Channel(0), Channel(1)),
        (Destination("primary", target("192.168.10.100")),
         Destination("secondary", target("192.168.10.101"))))
    cp7 = Collector("cp-7/0/0", Endpoint("127.0.0.1", 2056), (), (FileSpec("1", "x-%N.gz"),), "1",
                    (Channel(0), Channel(1)), (Destination("primary", target("192.168.10.100")),))
    return Plan("router1", "spool", "flowc.sock", (cp6, cp7), analyzer_address="10.10.10.1",
                analyzer_id="server1",
                transfer_log=TransferLog("flowlog", 120, (target("192.168.10.200"),)))


def rendered(name: str, **options: str) -> dict[str, str]:
    return {f.path: f.text for f in render(seed_plan(), name, Options(**options))}


yaml = YAML(typ="safe")


def docs(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [d for d in yaml.load_all(text) if d is not None]


# ------------------------------------------------------------------ snapshots

@pytest.mark.parametrize("name", TARGETS)
def test_rendered_files_snapshot(name: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert rendered(name) == snapshot


@pytest.mark.parametrize("name", TARGETS)
def test_every_target_has_plan_site_and_readme(name: str) -> None:
    files = rendered(name)
    assert {"plan.json", "site.yaml", "README.md"} <= set(files)
    site = yaml.load(files["site.yaml"])
    assert set(site) <= {"host-name", "spool", "control", "memory-budget", "metrics", "collectors", "inputs", "hosts"}
    assert loads_plan(files["plan.json"]).collectors[0].interface == "cp-6/0/0"


def test_rendering_is_deterministic() -> None:
    assert render(seed_plan(), "kubernetes") == render(seed_plan(), "kubernetes")


def test_templates_use_strict_undefined() -> None:
    import jinja2

    from flowc.compiler.render.setup import _environment

    env = _environment()
    assert env.undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nothing }}").render()


def test_site_files_load_with_the_site_loader(tmp_path: Path) -> None:
    from flowc.compiler.lowering.site import load_site, overlay

    for item in render(seed_plan(), "systemd"):
        if item.path.startswith("site"):
            (tmp_path / item.path).write_text(item.text)
            site = load_site(tmp_path / item.path)
            assert site.spool is not None and site.spool.startswith("/var/lib/flowc/")
            assert overlay(seed_plan(), site).collectors == seed_plan().collectors
    site = load_site(tmp_path / "site-cp-6_0_0.yaml")
    assert site.control == "/run/flowc/cp-6_0_0/control.sock"
    assert site.spool == "/var/lib/flowc/cp-6_0_0"  # one spool per unit: the spool lock lets both run


# ------------------------------------------------------------------ shell

def test_shell_script_is_executable_and_valid_sh(tmp_path: Path) -> None:
    write_files(render(seed_plan(), "shell"), tmp_path)
    script = tmp_path / "flowc.sh"
    assert script.stat().st_mode & stat.S_IXUSR
    subprocess.run(["sh", "-n", str(script)], check=True)
    result = subprocess.run([str(script), "status"], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (3, "flowc: stopped")
    result = subprocess.run([str(script), "stop"], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "flowc: not running")
    assert subprocess.run([str(script), "bogus"], capture_output=True).returncode == 2


# ------------------------------------------------------------------ systemd

def test_systemd_one_unit_per_collector_with_hardening() -> None:
    files = rendered("systemd")
    units = sorted(p for p in files if p.endswith(".service"))
    assert units == ["flowc-cp-6_0_0.service", "flowc-cp-7_0_0.service"]
    unit = files["flowc-cp-6_0_0.service"]
    for line in ("User=flowc", "RuntimeDirectory=flowc/cp-6_0_0", "StateDirectory=flowc/cp-6_0_0",
                 "LimitNOFILE=65536", "LoadCredential=secrets.env:/etc/flowc/secrets-cp-6_0_0.env",
                 "Environment=FLOWC_SECRETS_FILE=%d/secrets.env",
                 "ExecReload=/usr/local/bin/flowc request services flow-collector reload "
                 "--control /run/flowc/cp-6_0_0/control.sock",
                 "Restart=on-failure", "NoNewPrivileges=yes", "ProtectSystem=strict",
                 "ProtectHome=yes", "PrivateTmp=yes", "WantedBy=flowc.target",
                 "ExecStart=/usr/local/bin/flowc run /etc/flowc/plan.json "
                 "--site /etc/flowc/site-cp-6_0_0.yaml --collector cp-6/0/0",
                 "Type=notify", "NotifyAccess=main", "WatchdogSec=30s"):
        assert line in unit.splitlines(), line
    metrics = {yaml.load(files[f"site-{s}.yaml"])["metrics"] for s in ("cp-6_0_0", "cp-7_0_0")}
    assert metrics == {"127.0.0.1:9155", "127.0.0.1:9156"}  # one listener per unit, loopback only
    assert "Wants=flowc-cp-6_0_0.service flowc-cp-7_0_0.service" in files["flowc.target"]
    assert files["flowc-sysusers.conf"].splitlines()[-1].startswith("u flowc ")


def test_systemd_privileged_port_gets_the_capability() -> None:
    import dataclasses

    plan = seed_plan()
    low = dataclasses.replace(plan, collectors=(dataclasses.replace(plan.collectors[0], listen=Endpoint("0.0.0.0", 55)),))
    unit = {f.path: f.text for f in render(low, "systemd")}["flowc-cp-6_0_0.service"]
    assert "AmbientCapabilities=CAP_NET_BIND_SERVICE" in unit


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify(tmp_path: Path) -> None:
    flowc = shutil.which("flowc") or str(Path(sys.executable).with_name("flowc"))
    assert Path(flowc).exists(), "no flowc executable: the install did not create the console script"
    write_files(render(seed_plan(), "systemd", Options(flowc=flowc)), tmp_path)
    units = sorted(str(p) for p in tmp_path.glob("flowc*.service")) + [str(tmp_path / "flowc.target")]
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *units],
                            capture_output=True, text=True, timeout=120)
    problems = [line for line in result.stderr.splitlines() if "flowc" in line]
    assert result.returncode == 0 and not problems, result.stderr


# ------------------------------------------------------------------ compose

def compose_schema() -> dict:  # type: ignore[type-arg]
    """The Compose specification's JSON schema, as check-jsonschema vendors it (offline)."""
    from importlib import resources

    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def test_compose_file_passes_the_compose_specification_schema() -> None:
    import jsonschema

    (compose,) = docs(rendered("compose")["compose.yaml"])
    validator = jsonschema.Draft202012Validator(compose_schema())
    assert [e.message for e in validator.iter_errors(compose)] == []
    compose["services"]["flowc-cp-6-0-0"]["healthcheck"]["interval"] = ["15s"]
    assert list(validator.iter_errors(compose))  # and it does reject a bad one


def test_compose_services_ports_volumes_and_secret() -> None:
    files = rendered("compose")
    (compose,) = docs(files["compose.yaml"])
    services = compose["services"]
    assert sorted(services) == ["flowc-cp-6-0-0", "flowc-cp-7-0-0"]
    cp6 = services["flowc-cp-6-0-0"]
    assert cp6["ports"] == ["2055:2055/udp", "2065:2065/udp", "9155:9155/tcp"]
    assert services["flowc-cp-7-0-0"]["ports"] == ["2056:2056/udp", "9156:9155/tcp"]  # one host port each
    assert cp6["command"][-2:] == ["--collector", "cp-6/0/0"]
    assert cp6["image"] == "flowc:0.1.0"
    assert cp6["secrets"] == [{"source": "flowc-cp-6-0-0", "target": "flowc-secrets"}]
    assert cp6["environment"]["FLOWC_SECRETS_FILE"] == "/run/secrets/flowc-secrets"
    volumes = {s: v["volumes"][0].split(":")[0] for s, v in services.items()}
    assert len(set(volumes.values())) == 2 and set(volumes.values()) == set(compose["volumes"])
    assert compose["secrets"] == {"flowc-cp-6-0-0": {"file": "./secrets-cp-6-0-0.env"},
                                  "flowc-cp-7-0-0": {"file": "./secrets-cp-7-0-0.env"}}
    assert "Compose v2" in files["compose.yaml"] and "Compose v2" in files["README.md"]
    assert {c["source"] for c in cp6["configs"]} == set(compose["configs"]) == {"plan", "site"}
    port = yaml.load(files["site.yaml"])["metrics"].rsplit(":", 1)[1]
    assert f"http://127.0.0.1:{port}/readyz" in cp6["healthcheck"]["test"][-1]


def test_compose_keeps_passwords_in_the_secret_only() -> None:
    files = rendered("compose")
    for name in ("compose.yaml", "plan.json", "site.yaml", "README.md"):
        assert PASSWORD not in files[name], name
    refs = secret_refs(seed_plan())
    for name, own in (("cp-6-0-0", ["CP_6_0_0_PRIMARY", "CP_6_0_0_SECONDARY", "ARCHIVE_1"]),
                      ("cp-7-0-0", ["CP_7_0_0_PRIMARY", "ARCHIVE_1"])):
        lines = [ln for ln in files[f"secrets-{name}.env"].splitlines() if not ln.startswith("#")]
        assert lines == [f"FLOWC_SECRET_{k}={refs['FLOWC_SECRET_' + k]}" for k in own]  # its own only
    modes = {f.path: f.mode for f in render(seed_plan(), "compose")}
    assert modes["secrets-cp-6-0-0.env"] == modes["secrets-cp-7-0-0.env"] == 0o600


def test_secrets_come_back_from_env_or_file(tmp_path: Path) -> None:
    plan = seed_plan()
    refs = secret_refs(plan)
    assert sorted(refs) == ["FLOWC_SECRET_ARCHIVE_1", "FLOWC_SECRET_CP_6_0_0_PRIMARY",
                            "FLOWC_SECRET_CP_6_0_0_SECONDARY", "FLOWC_SECRET_CP_7_0_0_PRIMARY"]
    bare = redact(plan)
    assert "$9$" not in dumps_plan(bare)
    assert fill_secrets(bare, refs) == plan
    env_file = tmp_path / "secrets.env"
    env_file.write_text({f.path: f.text for f in render(plan, "compose")}["secrets-cp-7-0-0.env"])
    filled = fill_secrets(bare, {"FLOWC_SECRETS_FILE": str(env_file)})
    assert filled.collectors[1] == plan.collectors[1] and filled.transfer_log == plan.transfer_log
    assert filled.collectors[0] == bare.collectors[0]  # cp-6/0/0's passwords are not in cp-7/0/0's file
    assert fill_secrets(bare, {}) == bare
    assert fill_secrets(plan, {k: "$9$other" for k in refs}) == plan  # never overrides


# ------------------------------------------------------------------ kubernetes

KUBERNETES_VERSION = "1.30.0"  # the schemas kubernetes-validate ships offline; pinned so a new release changes nothing


def kubernetes_manifests() -> list[dict]:  # type: ignore[type-arg]
    files = rendered("kubernetes")
    (kustomization,) = docs(files["kustomization.yaml"])
    return [d for name in kustomization["resources"] for d in docs(files[name])]


def test_kubernetes_manifests_pass_the_kubernetes_schemas() -> None:
    """kubernetes-validate (strict: no unknown field) replaces the hand-written field checks."""
    import kubernetes_validate

    manifests = kubernetes_manifests()
    assert sorted(m["kind"] for m in manifests) == ["ConfigMap", "Secret", "Secret", "Service", "Service",
                                                    "StatefulSet", "StatefulSet"]
    for manifest in manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    broken = kubernetes_manifests()[-1]
    broken["spec"]["replicas"] = "one"
    with pytest.raises(kubernetes_validate.ValidationError):  # the validator does reject a bad manifest
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_kubernetes_pieces_fit_together() -> None:
    """What no schema says: selectors match labels, Service ports match container ports,
    probes and the scrape annotations name the engine's metrics port."""
    manifests = kubernetes_manifests()
    services = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "Service"}
    (configmap,) = (m for m in manifests if m["kind"] == "ConfigMap")
    metrics = yaml.load(configmap["data"]["site.yaml"])["metrics"]
    for sts in (m for m in manifests if m["kind"] == "StatefulSet"):
        spec = sts["spec"]
        labels = spec["template"]["metadata"]["labels"]
        assert spec["selector"]["matchLabels"].items() <= labels.items()
        service = services[spec["serviceName"]]
        assert service["spec"]["selector"].items() <= labels.items()
        (container,) = spec["template"]["spec"]["containers"]
        udp = [p for p in container["ports"] if p["protocol"] == "UDP"]
        assert {p["containerPort"] for p in udp} == {p["targetPort"] for p in service["spec"]["ports"]}
        (http,) = (p for p in container["ports"] if p["name"] == "http-metrics")
        assert metrics == f"0.0.0.0:{http['containerPort']}"
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http-metrics"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http-metrics"}
        annotations = spec["template"]["metadata"]["annotations"]
        assert annotations == {"prometheus.io/scrape": "true", "prometheus.io/port": str(http["containerPort"]),
                               "prometheus.io/path": "/metrics"}
        (claim,) = spec["volumeClaimTemplates"]
        assert claim["metadata"]["name"] in {v["name"] for v in container["volumeMounts"]}
        assert "envFrom" not in container
        (secret,) = (v for v in spec["template"]["spec"]["volumes"] if v["name"] == "secrets")
        assert secret["secret"]["secretName"] == f"{spec['serviceName']}-secrets"  # its own Secret only


def test_kubernetes_plan_in_configmap_passwords_in_secret() -> None:
    files = rendered("kubernetes")
    (configmap,) = docs(files["configmap.yaml"])
    plan = loads_plan(configmap["data"]["plan.json"])
    from flowc.compiler.render.context import bound

    # the plan as the pods run it: no passwords, the pod's spool and socket, listeners on 0.0.0.0
    assert plan == dataclasses.replace(bound(redact(seed_plan()), None), spool="/var/lib/flowc/spool",
                                       control="/run/flowc/control.sock")
    assert {str(c.listen) for c in plan.collectors} == {"0.0.0.0:2055", "0.0.0.0:2056"}
    assert yaml.load(configmap["data"]["site.yaml"])["spool"] == "/var/lib/flowc/spool"
    refs = secret_refs(seed_plan())
    (secret,) = docs(files["secret-cp-7-0-0.yaml"])
    lines = [ln for ln in secret["stringData"]["secrets.env"].splitlines() if not ln.startswith("#")]
    assert lines == [f"{k}={refs[k]}" for k in ("FLOWC_SECRET_CP_7_0_0_PRIMARY", "FLOWC_SECRET_ARCHIVE_1")]
    for name, text in files.items():
        if not name.startswith("secret-"):
            assert PASSWORD not in text, name


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_kustomize_builds(tmp_path: Path) -> None:
    write_files(render(seed_plan(), "kubernetes"), tmp_path)
    result = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=120)
    if result.returncode != 0 and "unknown command" in result.stderr:
        pytest.skip("this kubectl has no kustomize")
    assert result.returncode == 0, result.stderr
    assert sorted(d["kind"] for d in docs(result.stdout)).count("StatefulSet") == 2


# ------------------------------------------------------------------ CLI

def flowc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_cli_renders_a_plan(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(dumps_plan(seed_plan()))
    result = flowc("render", str(plan), "--target", "compose", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "compose.yaml").exists()
    assert str(tmp_path / "out" / "compose.yaml") in result.stdout.splitlines()


def test_cli_render_trouble(tmp_path: Path) -> None:
    result = flowc("render", str(tmp_path / "missing.json"), "--target", "shell", "-o", str(tmp_path))
    assert result.returncode == 2 and "missing.json" in result.stderr
    assert "Traceback" not in result.stderr
    result = flowc("render", "x.json", "--target", "nomad", "-o", str(tmp_path))
    assert result.returncode == 2


EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
# Examples whose rendered setups are kept as snapshots (the valid ones).
SNAPSHOT_EXAMPLES = ("router1", "single", "groups")


def example_plan(name: str) -> Plan:
    """The example compiled with its site file if it has one; `sources` dropped (they name
    the checkout's paths)."""
    import dataclasses

    from flowc.compiler.api import compile_paths

    config = EXAMPLES / name / "router.conf"
    site = config.with_name("site.yaml")
    compiled = compile_paths([config], site if site.exists() else None)
    assert compiled.plan is not None, [str(d) for d in compiled.errors()]
    return dataclasses.replace(compiled.plan, sources=())


@pytest.mark.parametrize("name", TARGETS)
@pytest.mark.parametrize("example", SNAPSHOT_EXAMPLES)
def test_examples_rendered_snapshot(example: str, name: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    files = {f.path: f.text for f in render(example_plan(example), name)}
    for path, text in files.items():
        if path.endswith(".yaml"):
            assert docs(text), path
    assert files == snapshot


def test_every_valid_example_renders(tmp_path: Path) -> None:
    from flowc.compiler.api import compile_paths

    compiled = {c.parent.name: compile_paths([c]) for c in sorted(EXAMPLES.glob("*/router.conf"))}
    assert compiled.pop("invalid").plan is None  # the example of what the lint refuses
    assert set(SNAPSHOT_EXAMPLES) <= set(compiled)
    for name, result in compiled.items():
        assert result.plan is not None, (name, [str(d) for d in result.errors()])
    for plan in (result.plan for result in compiled.values() if result.plan is not None):
        for name in TARGETS:
            files = {f.path: f.text for f in render(plan, name)}
            assert json.loads(files["plan.json"])["host_name"] == plan.host_name


def test_cli_renders_a_configuration(tmp_path: Path) -> None:
    config = EXAMPLES / "single" / "router.conf"
    result = flowc("render", str(config), "--target", "systemd", "-o", str(tmp_path / "out"),
                   "--flowc", "/opt/flowc/bin/flowc")
    assert result.returncode == 0, result.stderr
    units = sorted(p.name for p in (tmp_path / "out").glob("*.service"))
    assert units == ["flowc-cp-4_0_0.service"]
    assert "ExecStart=/opt/flowc/bin/flowc run " in (tmp_path / "out" / units[0]).read_text()


def test_cli_render_of_an_invalid_configuration_exits_1(tmp_path: Path) -> None:
    result = flowc("render", str(EXAMPLES / "invalid" / "router.conf"), "--target", "shell",
                   "-o", str(tmp_path / "out"))
    assert result.returncode == 1 and "error FC" in result.stderr
    assert not (tmp_path / "out").exists()


def restricted_violations(pod: dict) -> list[str]:  # type: ignore[type-arg]
    """The Pod Security Standards "restricted" rules a manifest shows (Kubernetes 1.30), plus
    resources: what the admission controller would refuse, checked without a cluster."""
    found = []
    pod_context = pod.get("securityContext", {})
    for container in pod["containers"] + pod.get("initContainers", []):
        context = container.get("securityContext", {})
        where = f"container {container['name']}"
        if (context.get("seccompProfile") or pod_context.get("seccompProfile") or {}).get("type") not in (
                "RuntimeDefault", "Localhost"):
            found.append(f"{where}: seccompProfile must be RuntimeDefault or Localhost")
        if context.get("allowPrivilegeEscalation") is not False:
            found.append(f"{where}: allowPrivilegeEscalation must be false")
        if "ALL" not in context.get("capabilities", {}).get("drop", []):
            found.append(f"{where}: capabilities must drop ALL")
        if set(context.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
            found.append(f"{where}: only NET_BIND_SERVICE may be added")
        if not context.get("runAsNonRoot", pod_context.get("runAsNonRoot")):
            found.append(f"{where}: runAsNonRoot must be true")
        if context.get("runAsUser", pod_context.get("runAsUser")) == 0:
            found.append(f"{where}: runAsUser must not be 0")
        if context.get("privileged"):
            found.append(f"{where}: privileged")
        resources = container.get("resources", {})
        if not resources.get("requests", {}).get("memory") or not resources.get("limits", {}).get("memory"):
            found.append(f"{where}: memory request and limit must be set")
        if not resources.get("requests", {}).get("cpu"):
            found.append(f"{where}: cpu request must be set")
    allowed_volumes = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                       "projected", "secret"}
    for volume in pod.get("volumes", []):
        if not set(volume) - {"name"} <= allowed_volumes:
            found.append(f"volume {volume['name']}: type not allowed")
    if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
        found.append("host namespaces")
    return found


def test_kubernetes_pods_pass_the_restricted_pod_security_profile() -> None:
    pods = [m["spec"]["template"]["spec"] for m in kubernetes_manifests() if m["kind"] == "StatefulSet"]
    assert len(pods) == 2
    for pod in pods:
        assert restricted_violations(pod) == []
    import copy

    broken = copy.deepcopy(pods[0])
    del broken["securityContext"]["seccompProfile"]
    del broken["containers"][0]["securityContext"]["seccompProfile"]
    broken["containers"][0]["resources"] = {}
    assert len(restricted_violations(broken)) == 3  # and the check does see a violation


def test_kubernetes_load_balancer_keeps_the_exporter_address() -> None:
    files = {f.path: f.text for f in render(seed_plan(), "kubernetes", Options(service_type="LoadBalancer"))}
    (service,) = docs(files["service-cp-6-0-0.yaml"])
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["externalTrafficPolicy"] == "Local"
    assert "externalTrafficPolicy" not in docs(rendered("kubernetes")["service-cp-6-0-0.yaml"])[0]["spec"]
    import kubernetes_validate

    kubernetes_validate.validate(service, KUBERNETES_VERSION, strict=True)
