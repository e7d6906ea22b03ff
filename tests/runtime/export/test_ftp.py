"""The FTP transport against a real pyftpdlib server on 127.0.0.1."""
from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from flowc.runtime.clock import ManualClock
from flowc.runtime.export.dscp import MarkedFTP, open_marked
from flowc.runtime.export.failure import FtpAborted, FtpFailure
from flowc.runtime.export.ftp import (
    FtplibTransport,
    TokenBucket,
    UploadRequest,
    display_url,
    expand_path,
    login_password,
    login_user,
)
from flowc.runtime.plan.model import Endpoint, FtpTarget
from flowc.runtime.plan.secret import encode

PASSWORD = "s3cret-pass"


def _payload(tmp_path: Path, size: int = 200_000, name: str = "flows.gz") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def _request(target: FtpTarget, local: Path, directory: str = "/", **kw) -> UploadRequest:
    return UploadRequest(target, local, local.name, directory, **kw)


def test_upload_arrives_byte_identical_under_its_final_name(ftp_server, tmp_path):
    server = ftp_server()
    local = _payload(tmp_path)
    result = FtplibTransport(timeout=5).upload(_request(server.target(), local))
    assert (server.home / "flows.gz").read_bytes() == local.read_bytes()
    assert not (server.home / "flows.gz.part").exists()
    assert result.code == 250 and result.bytes_sent == local.stat().st_size


def test_password_in_junos_9_form_is_revealed_for_login(ftp_server, tmp_path):
    server = ftp_server()
    target = server.target(password=encode(PASSWORD))
    assert target.password.startswith("$9$")
    FtplibTransport(timeout=5).upload(_request(target, _payload(tmp_path, 10)))
    assert (server.home / "flows.gz").exists()


def test_user_comes_from_target_else_url_else_anonymous():
    base = FtpTarget("ftp://alice@h/d", Endpoint("h", 21), "", "", "/d")
    assert login_user(base) == "alice"
    assert login_user(FtpTarget("ftp://alice@h/d", Endpoint("h", 21), "bob", "", "/d")) == "bob"
    assert login_user(FtpTarget("ftp://h/d", Endpoint("h", 21), "", "", "/d")) == "anonymous"
    assert login_password(FtpTarget("ftp://h/d", Endpoint("h", 21), "", "plain", "/d")) == "plain"


def test_existing_directory_is_used_and_one_missing_level_is_created(ftp_server, tmp_path):
    server = ftp_server()
    (server.home / "flows").mkdir()
    FtplibTransport(timeout=5).upload(_request(server.target("/flows/2026/"), _payload(tmp_path, 10),
                                               directory="/flows/2026/"))
    assert (server.home / "flows" / "2026" / "flows.gz").exists()


def test_two_missing_levels_fail_like_junos(ftp_server, tmp_path):
    server = ftp_server()
    with pytest.raises(FtpFailure) as caught:
        FtplibTransport(timeout=5).upload(_request(server.target("/a/b"), _payload(tmp_path, 10),
                                                   directory="/a/b"))
    assert caught.value.code == 550 and "/a does not exist" in caught.value.text
    assert not (server.home / "a").exists()


def test_macros_in_the_url_path_expand_at_upload_time():
    when = 1_104_537_600.0 + 86400 * 40  # 2005-02-10 UTC
    assert expand_path("/tmp/%Y/%m", when) == "/tmp/2005/02"
    assert expand_path("/plain/", when) == "/plain/"
    assert expand_path("/{year}/{month}/x%D", when) == "/2005/02/x20050210"


def test_display_url_keeps_user_drops_password_and_expands_path():
    target = FtpTarget("ftp://u:pw@10.63.152.1/tmp/%Y", Endpoint("127.0.0.1", 2121), "u", "", "/tmp/%Y")
    assert display_url(target, "/tmp/2005") == "ftp://u@10.63.152.1/tmp/2005/"


def test_connection_refused_is_a_failure_with_code_zero(dead_endpoint, tmp_path):
    target = FtpTarget("ftp://127.0.0.1/", dead_endpoint, "u", "p", "/")
    with pytest.raises(FtpFailure) as caught:
        FtplibTransport(timeout=5).upload(_request(target, _payload(tmp_path, 10)))
    assert caught.value.code == 0 and "refused" in caught.value.text


def test_login_refused_is_530(ftp_server, tmp_path):
    server = ftp_server()
    server.refuse_login = True
    with pytest.raises(FtpFailure) as caught:
        FtplibTransport(timeout=5).upload(_request(server.target(), _payload(tmp_path, 10)))
    assert caught.value.code == 530
    assert not (server.home / "flows.gz").exists()


def test_wrong_password_is_530(ftp_server, tmp_path):
    server = ftp_server()
    with pytest.raises(FtpFailure) as caught:
        FtplibTransport(timeout=5).upload(_request(server.target(password="nope"), _payload(tmp_path, 10)))
    assert caught.value.code == 530


def test_disconnect_mid_upload_leaves_no_final_file(ftp_server, tmp_path):
    server = ftp_server()
    server.disconnect_after = 64 * 1024
    with pytest.raises(FtpFailure) as caught:
        FtplibTransport(timeout=5).upload(_request(server.target(), _payload(tmp_path, 2_000_000)))
    assert server.disconnects == 1
    assert caught.value.code == 0 and caught.value.text  # the server never answered: no reply code
    assert not (server.home / "flows.gz").exists()


def test_silent_server_times_out(silent_endpoint, tmp_path):
    target = FtpTarget("ftp://127.0.0.1/", silent_endpoint, "u", "p", "/")
    with pytest.raises(FtpFailure) as caught:
        FtplibTransport(timeout=0.2).upload(_request(target, _payload(tmp_path, 10)))
    assert caught.value.code == 0 and caught.value.text == "timed out"


def test_abort_flag_stops_an_upload_before_the_rename(ftp_server, tmp_path):
    server = ftp_server()
    abort = threading.Event()
    abort.set()
    with pytest.raises(FtpAborted):
        FtplibTransport(timeout=5).upload(_request(server.target(), _payload(tmp_path, 10)), abort)
    assert not (server.home / "flows.gz").exists()


def test_dscp_marks_control_and_data_sockets(ftp_server):
    server = ftp_server()
    ftp = MarkedFTP(timeout=5)
    ftp.dscp = 46
    ftp.connect("127.0.0.1", server.port)
    ftp.login("flowc", PASSWORD)
    assert ftp.sock.getsockopt(socket.IPPROTO_IP, socket.IP_TOS) == 46 << 2
    conn, _ = ftp.ntransfercmd("STOR marked")
    assert conn.getsockopt(socket.IPPROTO_IP, socket.IP_TOS) == 46 << 2
    conn.sendall(b"x")
    conn.close()
    assert ftp.voidresp().startswith("226")
    ftp.quit()


def test_no_dscp_leaves_the_socket_default(ftp_server):
    server = ftp_server()
    sock = open_marked("127.0.0.1", server.port, 5, 0)
    assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_TOS) == 0
    sock.close()


def test_token_bucket_allows_a_one_second_burst_then_paces():
    clock = ManualClock()
    bucket = TokenBucket(8000, clock)           # 1000 bytes per second
    assert bucket.take(1000) == 0.0
    assert bucket.take(500) == pytest.approx(0.5)
    start = clock.monotonic()
    bucket.take(1000)
    assert clock.monotonic() - start == pytest.approx(1.0)


def test_rate_limited_upload_still_arrives_whole(ftp_server, tmp_path):
    server = ftp_server()
    clock = ManualClock()                           # pacing advances the manual clock
    local = _payload(tmp_path, 100_000)
    FtplibTransport(timeout=5, clock=clock).upload(_request(server.target(), local, rate_bps=80_000))
    assert (server.home / "flows.gz").read_bytes() == local.read_bytes()
    assert clock.monotonic() == pytest.approx(100_000 * 8 / 80_000 - 1.0, abs=0.5)


def test_a_second_upload_of_the_same_name_never_replaces_the_first(ftp_server, tmp_path):
    server = ftp_server()
    transport = FtplibTransport(timeout=5)
    first = _payload(tmp_path, 1000)
    kept = first.read_bytes()
    assert transport.upload(_request(server.target(), first)).name == "flows.gz"
    second = _payload(tmp_path, 2000)
    result = transport.upload(_request(server.target(), second))
    third = transport.upload(_request(server.target(), second))
    assert (result.name, third.name) == ("flows~flowc-1.gz", "flows~flowc-2.gz")
    assert (server.home / "flows.gz").read_bytes() == kept
    assert (server.home / "flows~flowc-1.gz").read_bytes() == second.read_bytes()
    assert sorted(p.name for p in server.home.iterdir()) == ["flows.gz", "flows~flowc-1.gz", "flows~flowc-2.gz"]
