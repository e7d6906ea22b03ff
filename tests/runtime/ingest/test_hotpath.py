"""The compiled hot path and its pure-Python twin: same lines (byte for byte), same counters.

A hypothesis property over random and hostile datagrams (any bytes; v5 headers with record
counts, lengths, uptimes near the 32-bit wrap, First/Last anywhere, seconds and nanoseconds
out of range), linkDir drawn from the same seeded generator on both sides; and the same
datagrams through two collector pipelines, one per face, give the same drop counters,
flows and lines.
"""
from __future__ import annotations

import os
import random
import struct
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowc.runtime.collector import CollectorPipeline
from flowc.runtime.ingest import decoder
from flowc.runtime.ingest.hotpath import ENV, HotPathError, current, describe
from flowc.runtime.plan.model import Plan

try:
    from flowc.runtime.ingest import _hotpath
except ImportError:  # pragma: no cover - a machine without a C compiler
    _hotpath = None  # type: ignore[assignment]

compiled_only = pytest.mark.skipif(_hotpath is None, reason="the compiled hot path is not built")
U32 = st.integers(0, 2**32 - 1)
NEAR_WRAP = st.one_of(st.integers(0, 90_000_000), st.integers(2**32 - 90_000_000, 2**32 - 1), U32)


@st.composite
def v5_datagrams(draw: st.DrawFn) -> bytes:
    """Mostly well-formed v5, often bent: wrong version or count, cut short, trailing bytes."""
    count = draw(st.integers(0, 31))
    version = draw(st.sampled_from([5, 5, 5, 5, 1, 9]))
    up = draw(NEAR_WRAP)
    head = struct.pack("!HHIIIIBBH", version, count, up, draw(U32), draw(U32), draw(U32),
                       draw(st.integers(0, 255)), draw(st.integers(0, 255)), draw(st.integers(0, 65535)))
    records = b"".join(_record(draw, up) for _ in range(min(count, 30)))
    data = head + records + draw(st.binary(max_size=64))
    cut = draw(st.one_of(st.none(), st.integers(0, len(data))))
    return data if cut is None else data[:cut]


def _record(draw: st.DrawFn, up: int) -> bytes:
    near = st.integers(-3_000_000_000, 3_000_000_000).map(lambda d: (up - d) % 2**32)
    first, last = draw(st.one_of(near, U32)), draw(st.one_of(near, U32))
    return (draw(st.binary(min_size=16, max_size=16)) + struct.pack("!IIII", draw(U32), draw(U32), first, last)
            + draw(st.binary(min_size=16, max_size=16)))


DATAGRAMS = st.one_of(st.binary(max_size=1600), v5_datagrams())
CONSTANTS = st.text(max_size=12)


@compiled_only
@settings(max_examples=400, deadline=None)
@given(DATAGRAMS, st.integers(0, 2**32), CONSTANTS, CONSTANTS, CONSTANTS)
def test_both_faces_make_the_same_bytes_and_the_same_verdict(data: bytes, seed: int, address: str,
                                                             ident: str, alias: str) -> None:
    count = decoder.v5_count(data, len(data))
    assert _hotpath.v5_count(data, len(data)) == count
    assert _hotpath.v5_count(bytearray(data), len(data)) == count
    if count <= 0:
        with pytest.raises(decoder.DecodeError) as caught:
            decoder.check_packet(data)
        assert caught.value.reason == decoder.REASONS[count]
        return
    assert decoder.check_packet(data) == count
    try:
        py_format = decoder.LineFormat(address, ident, alias, random.Random(seed))
        expected = [py_format.lines(data, count) for _ in range(2)]
    except UnicodeEncodeError:  # a lone surrogate in a constant: neither face can encode it
        with pytest.raises(UnicodeEncodeError):
            _hotpath.LineFormat(address, ident, alias, random.Random(seed))
        return
    c_format = _hotpath.LineFormat(address, ident, alias, random.Random(seed))
    assert [c_format.lines(memoryview(data), count) for _ in range(2)] == expected
    assert expected[0].count(b"\n") == count


@compiled_only
def test_a_size_beyond_the_buffer_is_checked_by_size() -> None:
    data = b"\x00\x05\x00\x01" + bytes(20 + 48)
    for size in (0, 3, 4, 50, 72, 3000):
        assert _hotpath.v5_count(data, size) == decoder.v5_count(data, size)
    assert _hotpath.v5_count(b"\x00\x05", 5000) == decoder.v5_count(b"\x00\x05", 5000) == 0


@compiled_only
def test_lines_of_a_buffer_too_short_is_an_error_not_a_crash() -> None:
    with pytest.raises(ValueError):
        _hotpath.LineFormat("", "", "x").lines(b"\x00\x05\x00\x02" + bytes(40), 2)
    with pytest.raises(ValueError):
        _hotpath.LineFormat("", "", "x").lines(bytes(2000), 31)


# ---------------------------------------------------------------- through the pipeline

def _pipeline(plan: Plan, face: str) -> CollectorPipeline:
    with mock.patch.dict(os.environ, {ENV: face}):
        pipeline = CollectorPipeline(plan, plan.collectors[0])
    assert pipeline.hot.name == face
    pipeline.dirs.create()
    return pipeline


def _outcome(pipeline: CollectorPipeline) -> tuple[dict[str, int], int, int, int, list[bytes]]:
    lines = [b"|".join(line.split(b"|")[1:]) for f in pipeline.writer.files.values()
             for line in b"".join(f.buffer).splitlines()]
    return dict(pipeline.drops), pipeline.n_flows, pipeline.n_packets, pipeline.n_bytes, sorted(lines)


@compiled_only
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(DATAGRAMS, st.sampled_from(["192.0.2.1", "198.51.100.7"])), max_size=12))
def test_the_same_datagrams_give_the_same_counters_on_both_faces(plan_builder, datagrams) -> None:
    plan = plan_builder()
    compiled, python = _pipeline(plan, "compiled"), _pipeline(plan, "python")
    for data, source in datagrams:
        for pipeline in (compiled, python):
            pipeline.on_datagram(bytearray(data), len(data), source, 0)
    assert _outcome(compiled) == _outcome(python)
    for pipeline in (compiled, python):
        pipeline.writer.close_all()


# ---------------------------------------------------------------- choosing the face

def test_the_environment_forces_the_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "python")
    assert current().name == "python" and current().batch is None
    assert describe().startswith("python (forced by FLOWC_HOTPATH=python)")


@compiled_only
def test_the_compiled_face_is_the_default_when_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert current().name == "compiled" and describe().startswith("compiled")


def test_asking_for_a_compiled_face_that_is_not_built_is_an_error(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.setenv(ENV, "compiled")
    monkeypatch.setattr("flowc.runtime.ingest.hotpath._compiled_module", lambda: None)
    with pytest.raises(HotPathError):
        current()
    assert describe().startswith("unavailable")
    monkeypatch.setenv(ENV, "")
    assert current().describe() == "python (the compiled module is not built)"
