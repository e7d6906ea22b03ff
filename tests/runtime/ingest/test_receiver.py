"""Receiver: real UDP sockets on 127.0.0.1, big buffers, the drain loop."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from flowc.runtime.ingest.receiver import UdpReceiver
from flowc.runtime.plan.model import Endpoint

pytestmark = pytest.mark.usefixtures("hot_path")  # compiled hot path and its twin


def test_drain_hands_every_datagram_with_source_and_socket_index() -> None:
    receiver = UdpReceiver([Endpoint("127.0.0.1", 0), Endpoint("127.0.0.1", 0)])
    try:
        ports = [port for _, port in receiver.addresses]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for n in range(5):
                sender.sendto(bytes([n]) * (n + 1), ("127.0.0.1", ports[n % 2]))
        got: list[tuple[bytes, str, int]] = []
        while len(got) < 5:
            for index in receiver.wait(2.0):
                receiver.drain(index, lambda buf, size, src, i: got.append((bytes(buf[:size]), src, i)))
        assert sorted(got) == sorted((bytes([n]) * (n + 1), "127.0.0.1", n % 2) for n in range(5))
    finally:
        receiver.close()


def _may_force_buffers() -> bool:
    """Whether this process may exceed net.core.rmem_max (CAP_NET_ADMIN): Linux's
    SO_RCVBUFFORCE (33), tried on a scratch socket."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.setsockopt(socket.SOL_SOCKET, 33, 1 << 16)
        except OSError:
            return False
    return True


@pytest.mark.skipif(sys.platform != "linux", reason="the granted size follows Linux's rules (doubled, rmem_max)")
def test_receive_buffer_is_the_32_mib_asked_or_what_rmem_max_allows() -> None:
    asked = 32 << 20
    rmem_max = int(Path("/proc/sys/net/core/rmem_max").read_text())
    allowed = asked if _may_force_buffers() else min(asked, rmem_max)
    receiver = UdpReceiver([Endpoint("127.0.0.1", 0), Endpoint("127.0.0.1", 0)])
    try:
        assert receiver.buffer_sizes == [2 * allowed] * 2  # the kernel doubles it for its bookkeeping
    finally:
        receiver.close()


def test_drain_stops_at_limit_and_on_empty_socket() -> None:
    receiver = UdpReceiver([Endpoint("127.0.0.1", 0)])
    try:
        port = receiver.addresses[0][1]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for _ in range(10):
                sender.sendto(b"x", ("127.0.0.1", port))
        receiver.wait(2.0)
        assert receiver.drain(0, lambda *a: None, limit=4) == 4
        assert receiver.drain(0, lambda *a: None) == 6
        assert receiver.drain(0, lambda *a: None) == 0
    finally:
        receiver.close()


def test_port_in_use_raises() -> None:
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(("127.0.0.1", 0))
    try:
        with pytest.raises(OSError):
            UdpReceiver([Endpoint("127.0.0.1", holder.getsockname()[1])])
    finally:
        holder.close()
