"""Receiver: real UDP sockets on 127.0.0.1, big buffers, the drain loop."""
from __future__ import annotations

import socket

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


def test_receive_buffer_is_large() -> None:
    receiver = UdpReceiver([Endpoint("127.0.0.1", 0)])
    try:
        assert receiver.buffer_sizes[0] >= 1 << 20  # 32 MiB asked; at least what rmem_max allows
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
