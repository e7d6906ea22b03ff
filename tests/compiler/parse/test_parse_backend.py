"""The Lark backend (compiler/parse/backend.py): the one module that reads a Lark private
attribute, one parse per file without a syntax error, and parses re-entrant without a lock."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import lark
import pytest

from flowc.compiler.parse import backend
from flowc.compiler.parse.backend import cython_plugins
from flowc.compiler.parse.braceform import parse_brace
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.parse.reductions import Seq
from flowc.compiler.parse.setlines import parse_set

ROOT = Path(__file__).parents[3]
CASES = Path(__file__).parent / "parse_cases"
BACKENDS: list[backend.Backend] = ["python"] + (["cython"] if cython_plugins() is not None else [])
BACKEND_MODULES = {"backend.py", "grammars.py", "reductions.py"}


def _versions() -> str:
    found = []
    for name in ("lark", "lark-cython"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    return ", ".join(found)


@pytest.mark.parametrize("kind", BACKENDS)
def test_the_direct_callbacks_are_bound_on_every_parser_of_this_lark(kind: backend.Backend) -> None:
    """Fails on a Lark (or lark-cython) whose `Lark._callbacks` is gone or shaped otherwise:
    the backend would fall back to building one parser per parse (correct, but slow)."""
    parse_brace("a { b c; }\n", "t", kind)
    parse_set("set a b\n", "t", kind)
    for grammar in ("curly.lark", "set.lark"):
        slots = backend._POOLS[(grammar, kind)]
        assert slots, grammar
        for slot in slots:
            assert slot.shapes is not None, f"reductions.prepare does not know the callback table of {_versions()}"
            assert slot.table is backend._callback_table(slot.parser)
            values = [v for k, v in slot.table.items() if not isinstance(k, str)]
            assert values and not any(type(v).__module__.startswith("lark") for v in values), _versions()
    assert issubclass(Seq, list)


def test_a_parse_keeps_no_builder_alive() -> None:
    parse_brace("a { b c; }\n", "t", "python")
    for slot in backend._POOLS[("curly.lark", "python")]:
        assert slot.hooks.now == {}
        assert all(getattr(v, "__self__", None) is None for v in slot.table.values())


def test_only_the_backend_imports_lark() -> None:
    """The statement builders see tokens (tokens.Tok), never a Lark object or attribute."""
    importing = sorted(p.name for p in (ROOT / "compiler").rglob("*.py")
                       if any(line.strip().startswith(("import lark", "from lark"))
                              for line in p.read_text("utf-8").splitlines()))
    assert set(importing) <= BACKEND_MODULES, importing
    assert all(p.parent.name == "parse" for p in (ROOT / "compiler").rglob("*.py") if p.name in importing)


@pytest.fixture
def lark_parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []
    real = lark.Lark.parse

    def spy(self: lark.Lark, text: str, *args: object, **kwargs: object) -> object:
        calls.append(text)
        return real(self, text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lark.Lark, "parse", spy)
    yield calls


@pytest.mark.parametrize("name", ["lenient_mixed_blocks_in_set.conf", "lenient_mixed_sets.conf", "full.set",
                                  "comments.conf"])
def test_a_file_without_a_syntax_error_is_parsed_once(name: str, lark_parses: list[str]) -> None:
    parsed = parse_text((CASES / name).read_text("utf-8"), name)
    assert parsed.ok
    assert len(lark_parses) == 1
    if "mixed" in name:
        assert parsed.format == "brace"


@pytest.mark.parametrize(("text", "kind", "parses"), [
    ("set system {\n", "set", 1),  # a `{` in a set line is the set reader's finding, not Lark's
    ("set a b ]\nset c d\n", "set", 2), ("system { host-name r1 }\n", "brace", 2)])
def test_a_file_with_a_syntax_error_is_parsed_again_only_to_recover(text: str, kind: str, parses: int,
                                                                    lark_parses: list[str]) -> None:
    """Never again as the other format: a second parse is pure Lark recovering."""
    parsed = parse_text(text, "t")
    assert parsed.format == kind and not parsed.ok
    assert len(lark_parses) == parses


def _texts() -> list[tuple[str, str]]:
    files = sorted(CASES.iterdir()) + sorted((ROOT / "examples").glob("*/router.*"))
    texts = [(p.name, p.read_text("utf-8") * 3) for p in files]
    return texts + [("bad.conf", "system {\n  host-name r1\n  ntp { server [ 1.2.3.4; }\n"),
                    ("bad.set", "set a b [ c\nset d e ]\nset f {\n")]


def test_parses_in_several_threads_at_once_give_what_serial_parses_give() -> None:
    texts = _texts() * 4
    serial = [parse_text(text, name) for name, text in texts]
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns within each parse
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            threaded = list(pool.map(lambda item: parse_text(item[1], item[0]), texts))
    finally:
        sys.setswitchinterval(before)
    assert [(p.format, p.statements, p.diagnostics) for p in threaded] == \
        [(p.format, p.statements, p.diagnostics) for p in serial]
    assert [[(s.span, s.comments) for s in p.statements] for p in threaded] == \
        [[(s.span, s.comments) for s in p.statements] for p in serial]
