"""Typed, located access to a folded document: wrong types read as absent."""
from __future__ import annotations

from flowc.compiler.document.fold import Document
from flowc.compiler.ir.reader import Reader
from flowc.compiler.source import NO_SPAN, Span

WORD = Span("t.conf", 2, 5, 2, 9)
READER = Reader(Document(
    data={"system": {"host-name": "r1", "port": 21, "flag": True, "list": ["a", "b"], "block": {"k": "v"}}},
    spans={("system", "host-name"): WORD},
))


def test_str_only_for_strings() -> None:
    assert READER.str("system", "host-name") == "r1"
    assert READER.str("system", "port") is None and READER.str("system", "block") is None
    assert READER.str("system", "missing") is None and READER.str("nope", "deeper", "still") is None


def test_int_only_for_integers_not_flags() -> None:
    assert READER.int("system", "port") == 21
    assert READER.int("system", "flag") is None  # True is an int to Python, not a number to Junos
    assert READER.int("system", "host-name") is None
    assert READER.int("system", "host-name", default=7) == 7 and READER.int("system", "port", default=7) == 21


def test_dict_only_for_blocks() -> None:
    assert READER.dict("system", "block") == {"k": "v"}
    assert READER.dict("system", "list") == {} and READER.dict("system", "host-name") == {}
    assert READER.dict("system", "missing") == {}
    assert list(READER.dict("system")) == ["host-name", "port", "flag", "list", "block"]


def test_span_and_opt_span() -> None:
    assert READER.span("system", "host-name") == WORD and READER.opt_span("system", "host-name") == WORD
    assert READER.span("system", "port") == NO_SPAN and READER.opt_span("system", "port") is None
