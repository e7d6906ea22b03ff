"""`flowc show|clear|request …`: Junos words in, control requests out, text back.

The word parser is tested in-process; the whole command runs as a subprocess against a
real ControlServer with a canned handler.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowc.compiler.commands.ops import parse_clear, parse_request, parse_show
from flowc.compiler.diagnostics import UsageError
from flowc.runtime.ops.control import ControlServer
from flowc.runtime.processes.supervisor import empty_snapshot

# ---------------------------------------------------------------- word parser

@pytest.mark.parametrize("words, kind, level, message", [
    ("services flow-collector interface all", "interface", "terse",
     {"op": "show", "what": "interface", "interface": "all"}),
    ("services flow-collector interface cp-6/0/0 extensive", "interface", "extensive",
     {"op": "show", "what": "interface", "interface": "cp-6/0/0"}),
    ("services flow-collector input interface cp-6/0/0 detail", "input", "detail",
     {"op": "show", "what": "input", "interface": "cp-6/0/0"}),
    ("services flow-collector file interface all terse", "file", "terse",
     {"op": "show", "what": "file", "interface": "all"}),
    ("serv flow-c interface all ext", "interface", "extensive",
     {"op": "show", "what": "interface", "interface": "all"}),
    ("services flow-collector detail", "interface", "detail",
     {"op": "show", "what": "interface", "interface": "all"}),
])
def test_show_words(words, kind, level, message):
    command = parse_show(words.split())
    assert (command.kind, command.level, command.message) == (kind, level, message)


@pytest.mark.parametrize("words, error", [
    ("services flow-collector interface", "expected 'all' or an interface like cp-6/0/0 after "
                                          "'show services flow-collector interface'"),
    ("services flow-collector interface ge-0/0/0", "got 'ge-0/0/0'"),
    ("services flow-collector in all", "ambiguous word 'in'"),
    ("services flow-collector interface all loud", "expected 'terse', 'detail' or 'extensive'"),
    ("services flow-collector interface all terse more", "unexpected word 'more'"),
    ("service", "expected 'flow-collector' after 'show service'"),
    ("", "expected 'services' after 'show'"),
])
def test_show_errors(words, error):
    with pytest.raises(UsageError) as caught:
        parse_show(words.split())
    assert error in str(caught.value)


def test_clear_words():
    assert parse_clear(["services", "flow-collector", "statistics", "interface", "all"]).message == \
        {"op": "clear", "interface": "all"}
    assert parse_clear(["services", "flow-collector", "statistics", "interface", "cp-5/0/0"]).message == \
        {"op": "clear", "interface": "cp-5/0/0"}
    assert parse_clear(["services", "flow-collector", "statistics", "all"]).message == \
        {"op": "clear", "interface": "all"}


def test_change_destination_options_in_any_order():
    expected = {"op": "change-destination", "role": "secondary", "interface": "cp-6/0/0",
                "how": "immediately", "clear_files": True, "clear_logs": False}
    for words in ("services flow-collector change-destination secondary interface cp-6/0/0 "
                  "immediately clear-files",
                  "services flow-collector change-destination interface cp-6/0/0 clear-files "
                  "immediately secondary"):
        assert parse_request(words.split()).message == expected


@given(st.permutations(["secondary", "interface cp-6/0/0", "immediately", "clear-files", "clear-logs"]))
def test_change_destination_any_order_property(order):
    words = ["services", "flow-collector", "change-destination"] + " ".join(order).split()
    assert parse_request(words).message == {
        "op": "change-destination", "role": "secondary", "interface": "cp-6/0/0",
        "how": "immediately", "clear_files": True, "clear_logs": True}


def test_change_destination_defaults_to_gracefully():
    message = parse_request(["services", "flow-collector", "change-destination", "interface", "cp-6/0/0", "primary"]).message
    assert message["how"] == "gracefully" and message["clear_files"] is message["clear_logs"] is False


@pytest.mark.parametrize("words, error", [
    ("services flow-collector change-destination interface cp-6/0/0", "expected 'primary' or 'secondary'"),
    ("services flow-collector change-destination primary", "expected 'interface cp-x/y/z'"),
    ("services flow-collector change-destination primary secondary interface cp-6/0/0", "role given twice"),
    ("services flow-collector change-destination primary interface all", "got 'all'"),
    ("services flow-collector test-file-transfer t interface cp-6/0/0 primary", "'channel-zero' or 'channel-one'"),
    ("services flow-collector restart", "expected 'change-destination', 'test-file-transfer' or 'reload'"),
])
def test_request_errors(words, error):
    with pytest.raises(UsageError) as caught:
        parse_request(words.split())
    assert error in str(caught.value)


def test_test_file_transfer_words():
    message = parse_request(["services", "flow-collector", "test-file-transfer", "test_file", "interface", "cp-6/0/0", "channel-one", "primary"]).message
    assert message == {"op": "test-file-transfer", "filename": "test_file", "interface": "cp-6/0/0",
                       "channel": 1, "role": "primary"}


def test_reload_words():
    bare = parse_request(["services", "flow-collector", "reload"])
    assert (bare.kind, bare.message, bare.source) == ("reload", {"op": "reload"}, None)
    named = parse_request(["serv", "flow-c", "rel", "router.conf"])
    assert (named.kind, named.message, named.source) == ("reload", {"op": "reload"}, "router.conf")
    with pytest.raises(UsageError, match="unexpected word 'more'"):
        parse_request(["services", "flow-collector", "reload", "a.conf", "more"])


def test_reload_text_says_what_happened_to_each_collector():
    from flowc.compiler.commands.ops import reload_text

    reply = {"ok": True, "message": "reload applied", "started": ["cp-8/0/0"], "stopped": ["cp-5/0/0"],
             "restarted": ["cp-7/0/0"], "export_only": [], "unchanged": ["cp-6/0/0"]}
    assert reload_text(reply).splitlines() == [
        "Flow collector interface: cp-5/0/0", "Reload: stopped (active files closed and published)",
        "Flow collector interface: cp-7/0/0",
        "Reload: restarted with the new plan (active files closed and published first)",
        "Flow collector interface: cp-8/0/0", "Reload: started",
        "Flow collector interface: cp-6/0/0", "Reload: unchanged",
        "Reload result: reload applied"]
    refused = {"ok": False, "error": "cp-7/0/0: cannot listen on 127.0.0.1:9 (nothing was changed)",
               "restarted": ["cp-7/0/0"], "unchanged": ["cp-6/0/0"]}
    assert reload_text(refused) == ("error: reload refused: cp-7/0/0: cannot listen on 127.0.0.1:9 "
                                    "(nothing was changed)\n")
    partly = {"ok": False, "error": "cp-8/0/0: collector process ended before it was ready",
              "started": ["cp-8/0/0"], "unchanged": ["cp-6/0/0"]}
    assert reload_text(partly).splitlines()[0] == "Flow collector interface: cp-8/0/0"


# ---------------------------------------------------------------- subprocess against a socket

SNAP = {**empty_snapshot("cp-6/0/0", "Collecting flows", 100),  # a whole snapshot, as the codec wants it
        "inputs": [{"interface": "mo-7/1/0.0", "packets": 6170, "bytes": 8941592}], "files": []}
SNAP["counters"].update({n: {"total": 7, "per_second": 0, "peak": 0} for n in
                         ("packets", "bytes", "flows", "uncompressed_bytes", "compressed_bytes",
                          "ftp_bytes", "ftp_files")})


def canned(message: dict) -> dict:
    received.append(message)
    op = message.get("op")
    if op == "show":
        if message["interface"] not in ("all", "cp-6/0/0"):
            return {"ok": False, "error": f"no flow collector interface {message['interface']}"}
        return {"ok": True, "collectors": [SNAP]}
    if op == "clear":
        return {"ok": True, "collectors": [{"interface": "cp-6/0/0", "state": "Collecting flows"}]}
    if op == "change-destination":
        ok = message["role"] == "primary"
        return {"ok": ok, "interface": message["interface"], "state": "Collecting flows",
                "message": "Destination change successful" if ok else "Destination not configured"}
    if op == "reload":
        return {"ok": True, "message": "reload applied", "started": [], "stopped": [], "restarted": [],
                "export_only": ["cp-6/0/0"], "unchanged": []}
    return {"ok": True, "interface": message["interface"], "state": "Collecting flows",
            "message": "Test file transfer successfully scheduled"}


received: list[dict] = []


@pytest.fixture(scope="module")
def engine():
    with tempfile.TemporaryDirectory(prefix="flowc-ops-") as folder:
        path = str(Path(folder) / "flowc.sock")
        with ControlServer(path, canned):
            yield path


def flowc(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def test_show_interface_terse_text(engine):
    done = flowc("show", "services", "flow-collector", "interface", "all", "--control", engine)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Flow collector interface: cp-6/0/0", "Interface state: Collecting flows"]
    assert lines[2].split()[0] == "Packets" and lines[4].split() == ["7"] * 7
    assert received[-1] == {"op": "show", "what": "interface", "interface": "all", "version": 1}


def test_show_input_json_with_control_from_the_environment(engine):
    done = flowc("show", "--format", "json", "services", "flow-collector", "input", "interface",
                 "cp-6/0/0", env={"FLOWC_CONTROL": engine})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["collectors"][0]["inputs"][0]["interface"] == "mo-7/1/0.0"


def test_unknown_interface_is_exit_1_with_the_engines_error(engine):
    done = flowc("show", "services", "flow-collector", "file", "interface", "cp-9/9/9", "--control", engine)
    assert done.returncode == 1
    assert done.stderr == "error: no flow collector interface cp-9/9/9\n" and done.stdout == ""


def test_clear_text(engine):
    done = flowc("clear", "services", "flow-collector", "statistics", "interface", "all",
                 f"--control={engine}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("Flow collector interface: cp-6/0/0\nInterface state: Collecting flows\n"
                           "Statistics cleared successfully\n")


def test_change_destination_success_and_refusal(engine):
    words = ["request", "services", "flow-collector", "change-destination", "interface", "cp-6/0/0"]
    done = flowc(*words, "primary", "clear-logs", "--control", engine)
    assert done.returncode == 0 and done.stdout.endswith("Destination change successful\n")
    assert received[-1]["clear_logs"] is True
    done = flowc(*words, "secondary", "--control", engine)
    assert done.returncode == 1
    assert done.stdout == ("Flow collector interface: cp-6/0/0\nInterface state: Collecting flows\n"
                           "Destination not configured\n")


def test_test_file_transfer_text(engine):
    done = flowc("request", "services", "flow-collector", "test-file-transfer", "test_file", "interface",
                 "cp-6/0/0", "channel-one", "primary", "--control", engine)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "Response: Test file transfer successfully scheduled"


def test_no_engine_is_exit_2_with_a_clear_message(tmp_path):
    path = str(tmp_path / "none.sock")
    done = flowc("show", "services", "flow-collector", "interface", "all", "--control", path)
    assert done.returncode == 2
    assert done.stderr == f"flowc: no flowc engine is running at {path} (no such socket)\n"


def test_bad_words_are_exit_2_without_a_traceback():
    done = flowc("show", "services", "flow-collector", "interfaces", "all")
    assert done.returncode == 2
    assert "unexpected word 'interfaces'" in done.stderr and "Traceback" not in done.stderr


def test_reload_sends_the_plan_it_loaded(engine, tmp_path):
    from flowc.runtime.plan.model import (
        Channel,
        Collector,
        Destination,
        Endpoint,
        FileSpec,
        FtpTarget,
        Plan,
        dumps_plan,
        loads_plan,
    )

    server = FtpTarget("ftp://u@127.0.0.1:21/", Endpoint("127.0.0.1", 21), "u", "", "/")
    plan = Plan("router1", str(tmp_path / "spool"), engine, (Collector(
        "cp-6/0/0", Endpoint("127.0.0.1", 2055), (), (FileSpec("1", "f-%N.gz"),), "1",
        (Channel(0), Channel(1)), (Destination("primary", server),)),))
    path = tmp_path / "plan.json"
    path.write_text(dumps_plan(plan))
    done = flowc("request", "services", "flow-collector", "reload", str(path), "--control", engine)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("Flow collector interface: cp-6/0/0\n"
                           "Reload: export settings changed (files not yet exported go to the new settings)\n"
                           "Reload result: reload applied\n")
    assert received[-1]["op"] == "reload" and loads_plan(received[-1]["plan"]) == plan
    done = flowc("request", "services", "flow-collector", "reload", "--format=json", "--control", engine)
    assert done.returncode == 0 and json.loads(done.stdout)["export_only"] == ["cp-6/0/0"]
    assert received[-1] == {"op": "reload", "version": 1}


def test_show_clear_and_request_find_the_control_socket_in_the_site_file(engine, tmp_path: Path):
    site = tmp_path / "site.yaml"
    site.write_text(f"host-name: r1\ncontrol: {json.dumps(engine)}\n")
    done = flowc("show", "services", "flow-collector", "interface", "all", "--site", str(site),
                 env={"FLOWC_CONTROL": str(tmp_path / "not-this.sock")})
    assert done.returncode == 0, done.stderr
    assert received[-1] == {"op": "show", "what": "interface", "interface": "all", "version": 1}
    done = flowc("clear", "services", "flow-collector", "statistics", "all", f"--site={site}")
    assert done.returncode == 0, done.stderr
    assert received[-1] == {"op": "clear", "interface": "all", "version": 1}
    done = flowc("request", "services", "flow-collector", "change-destination", "primary", "interface",
                 "cp-6/0/0", "--site", str(site))
    assert received[-1]["op"] == "change-destination"
    overridden = flowc("show", "services", "flow-collector", "--site", str(site),
                       "--control", str(tmp_path / "missing.sock"))
    assert overridden.returncode == 2 and "missing.sock" in overridden.stderr  # --control wins


def test_a_site_file_that_cannot_be_read_is_a_clear_error(tmp_path: Path):
    done = flowc("show", "services", "flow-collector", "--site", str(tmp_path / "absent.yaml"))
    assert done.returncode == 2 and "cannot read site file" in done.stderr and "Traceback" not in done.stderr
