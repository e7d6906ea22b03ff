"""runtime.delta: how a new plan changes each running collector."""
from __future__ import annotations

import dataclasses

from flowc.runtime.plan.delta import ServerChange, delta
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


def target(host: str, password: str = "$9$abc") -> FtpTarget:
    return FtpTarget(f"ftp://{host}/flows/", Endpoint(host, 21), "flowc", password, "/flows/")


def collector(interface: str, port: int, *hosts: str) -> Collector:
    roles = ("primary", "secondary")
    return Collector(
        interface=interface,
        listen=Endpoint("127.0.0.1", port),
        inputs=(Input("mo-7/1/0.0", "mo_7_1_0_0", "v1"),),
        file_specs=(FileSpec("v1", "cFlowd-%D_%T-%I_%N.bcp.bi.gz"),),
        default_file_spec="v1",
        channels=(Channel(0), Channel(1)),
        destinations=tuple(Destination(r, target(h)) for r, h in zip(roles, hosts)),
    )


def plan(*collectors: Collector, **changes: object) -> Plan:
    base = Plan("router1", "spool", "flowc.sock", collectors)
    return dataclasses.replace(base, **changes)


A = collector("cp-6/0/0", 2055, "10.0.0.1", "10.0.0.2")
B = collector("cp-7/0/0", 2056, "10.0.0.1")


def replace_c(c: Collector, **changes: object) -> Collector:
    return dataclasses.replace(c, **changes)


def test_identical_plans_have_an_empty_delta() -> None:
    result = delta(plan(A, B), plan(A, B))
    assert result.empty
    assert result.unchanged == ("cp-6/0/0", "cp-7/0/0")
    assert not result.started and not result.stopped and not result.restarted


def test_sources_and_version_do_not_count() -> None:
    from flowc.runtime.plan.model import SourceFile
    new = plan(A, B, sources=(SourceFile("r.conf", "0" * 64),))
    assert delta(plan(A, B), new).empty


def test_added_and_removed_collectors_start_and_stop() -> None:
    result = delta(plan(A), plan(B))
    assert result.started == ("cp-7/0/0",)
    assert result.stopped == ("cp-6/0/0",)
    assert [c.interface for c in result.collectors] == ["cp-7/0/0", "cp-6/0/0"]
    assert result.collector("cp-7/0/0").files[0].kind == "added"


def test_listen_change_restarts_only_that_collector() -> None:
    moved = replace_c(A, listen=Endpoint("127.0.0.1", 3000))
    result = delta(plan(A, B), plan(moved, B))
    assert result.restarted == ("cp-6/0/0",)
    assert result.unchanged == ("cp-7/0/0",)
    reason = result.collector("cp-6/0/0").reasons[0]
    assert (reason.path, reason.new) == ("listen", Endpoint("127.0.0.1", 3000))


def test_input_and_file_spec_changes_restart() -> None:
    inputs = replace_c(A, inputs=A.inputs + (Input("mo-7/2/0.0", "x", "v1"),))
    assert delta(plan(A), plan(inputs)).restarted == ("cp-6/0/0",)
    spec = FileSpec("v1", "cFlowd-%D_%T-%I_%N.bcp.bi.gz", record_level=100000)
    rotated = replace_c(A, file_specs=(spec,))
    result = delta(plan(A), plan(rotated))
    assert result.restarted == ("cp-6/0/0",)
    (change,) = result.collector("cp-6/0/0").files
    assert change.kind == "changed" and change.rotation and not change.naming
    assert [(c.path, c.old, c.new) for c in change.changes] == [("record_level", 500000, 100000)]


def test_file_name_change_is_reported_as_naming() -> None:
    renamed = replace_c(A, file_specs=(FileSpec("v1", "x-%N.gz"),))
    (change,) = delta(plan(A), plan(renamed)).collector("cp-6/0/0").files
    assert change.naming and not change.rotation


def test_destination_change_is_export_only_and_names_the_server() -> None:
    moved = collector("cp-6/0/0", 2055, "10.0.0.9", "10.0.0.2")
    result = delta(plan(A, B), plan(moved, B))
    assert result.export_only == ("cp-6/0/0",)
    assert result.collector("cp-6/0/0").servers == (
        ServerChange("primary", "ftp://10.0.0.1/flows/", "ftp://10.0.0.9/flows/",
                     "10.0.0.1:21", "10.0.0.9:21"),
    )


def test_swapped_destinations_change_both_roles() -> None:
    swapped = collector("cp-6/0/0", 2055, "10.0.0.2", "10.0.0.1")
    servers = delta(plan(A), plan(swapped)).collector("cp-6/0/0").servers
    assert [(s.role, s.old, s.new) for s in servers] == [
        ("primary", "ftp://10.0.0.1/flows/", "ftp://10.0.0.2/flows/"),
        ("secondary", "ftp://10.0.0.2/flows/", "ftp://10.0.0.1/flows/"),
    ]


def test_removed_secondary_and_password_change() -> None:
    single = collector("cp-6/0/0", 2055, "10.0.0.1")
    (server,) = delta(plan(A), plan(single)).collector("cp-6/0/0").servers
    assert (server.role, server.new) == ("secondary", None)
    new_password = replace_c(A, destinations=(
        Destination("primary", target("10.0.0.1", "$9$other")), A.destinations[1]))
    (server,) = delta(plan(A), plan(new_password)).collector("cp-6/0/0").servers
    assert server.password_changed and server.old == server.new


def test_channel_change_is_export_only() -> None:
    cos = replace_c(A, channels=(Channel(0, dscp=10), Channel(1)))
    assert delta(plan(A), plan(cos)).export_only == ("cp-6/0/0",)


def test_plan_wide_retry_is_export_only_for_every_collector() -> None:
    result = delta(plan(A, B), plan(A, B, retry=3))
    assert result.export_only == ("cp-6/0/0", "cp-7/0/0")
    assert [c.path for c in result.plan_changes] == ["retry"]
    assert not result.engine_restart


def test_plan_wide_analyzer_restarts_every_collector() -> None:
    result = delta(plan(A, B), plan(A, B, analyzer_id="server2"))
    assert result.restarted == ("cp-6/0/0", "cp-7/0/0")


def test_transfer_log_archive_is_export_only() -> None:
    log = TransferLog(archive_sites=(target("10.0.0.5"),))
    assert delta(plan(A), plan(A, transfer_log=log)).export_only == ("cp-6/0/0",)


def test_control_socket_change_needs_an_engine_restart() -> None:
    result = delta(plan(A), plan(A, control="other.sock"))
    assert result.engine_restart
    assert not result.empty


# ------------------------------------------------------------------ properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

MUTATIONS = {
    "listen": (lambda c: replace_c(c, listen=Endpoint("127.0.0.1", c.listen.port + 1000)), "restarted"),
    "spec": (lambda c: replace_c(c, file_specs=(FileSpec("v1", "y-%N.gz"),)), "restarted"),
    "inputs": (lambda c: replace_c(c, inputs=()), "restarted"),
    "dest": (lambda c: replace_c(c, destinations=(Destination("primary", target("10.9.9.9")),)), "export-only"),
    "cos": (lambda c: replace_c(c, channels=(Channel(0, dscp=46), Channel(1))), "export-only"),
}
POOL = [collector(f"cp-{n}/0/0", 2055 + n, "10.0.0.1") for n in range(4)]


@st.composite
def plans_with_changes(draw: st.DrawFn) -> tuple[Plan, Plan, dict[str, str]]:
    chosen = draw(st.lists(st.sampled_from(range(4)), unique=True))
    kept = draw(st.lists(st.sampled_from(range(4)), unique=True))
    expected: dict[str, str] = {}
    old, new = [], []
    for n in sorted(set(chosen) | set(kept)):
        base = POOL[n]
        if n in chosen:
            old.append(base)
        if n not in kept:
            if n in chosen:
                expected[base.interface] = "stopped"
            continue
        if n not in chosen:
            new.append(base)
            expected[base.interface] = "started"
            continue
        names = draw(st.lists(st.sampled_from(sorted(MUTATIONS)), unique=True))
        changed = base
        for name in names:
            changed = MUTATIONS[name][0](changed)
        kinds = {MUTATIONS[name][1] for name in names}
        expected[base.interface] = ("restarted" if "restarted" in kinds else
                                    "export-only" if kinds else "unchanged")
        new.append(changed)
    return plan(*old), plan(*new), expected


@settings(max_examples=200, deadline=None)
@given(plans_with_changes())
def test_every_collector_is_classified_as_its_change_says(case: tuple[Plan, Plan, dict[str, str]]) -> None:
    old, new, expected = case
    result = delta(old, new)
    assert {c.interface: c.kind for c in result.collectors} == expected
    backwards = delta(new, old)
    assert set(backwards.started) == set(result.stopped)
    assert set(backwards.stopped) == set(result.started)
    assert set(backwards.restarted) == set(result.restarted)
    assert result.empty == all(kind == "unchanged" for kind in expected.values())
