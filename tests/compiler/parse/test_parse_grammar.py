"""The Lark grammars in grammar/ are the parser: both backends agree, and without Lark nothing parses."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowc.compiler.parse.backend import cython_plugins
from flowc.compiler.parse.braceform import parse_brace
from flowc.compiler.parse.loader import parse_file
from flowc.compiler.parse.setlines import parse_set

CASES = Path(__file__).parent / "parse_cases"
EXAMPLES = Path(__file__).parents[3] / "examples"
ERRORS = [
    "system { host-name r1 }\n",
    "system { host-name r1; }\n}\n",
    "system {\n  ntp {\n    server 1.2.3.4;\n}\n",
    'system {\n    host-name "r1;\n}\n',
    "system { name-server 1.2.3.4 ]; }\n",
    "system { name-server [ 1.2.3.4; }\n",
    "{ host-name r1; }\n",
    "system { inactive: ; }\n",
    "a { b [ c ] d; }\n",
    "a { b [ c [ d ] ; }\n",
    "a\x01 b;\n",
]
SET_ERRORS = ["set a { b\n", "set a b [ c d ] e\n", "set a b ]\n", "set a b [ c\nset d e\n", "set [ a ]\n"]


def valid_files() -> list[Path]:
    return sorted(CASES.iterdir()) + sorted(EXAMPLES.glob("*/router.*"))


def _both(text: str, kind: str) -> tuple[object, object]:
    reader = parse_set if kind == "set" else parse_brace
    return reader(text, "t", "python"), reader(text, "t", "cython")


needs_cython = pytest.mark.skipif(cython_plugins() is None, reason="lark-cython is not installed")


@needs_cython
@pytest.mark.parametrize("path", valid_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pure_python_and_cython_lark_give_the_same_statements(path: Path) -> None:
    parsed = parse_file(path)
    assert parsed.ok
    pure, fast = _both(parsed.source.text, parsed.format)
    assert pure == fast
    assert [(s.span, s.comments, s.blocks) for s in pure[0]] == [(s.span, s.comments, s.blocks) for s in fast[0]]  # type: ignore[index]


@needs_cython
@pytest.mark.parametrize(("text", "kind"), [(t, "brace") for t in ERRORS] + [(t, "set") for t in SET_ERRORS])
def test_both_backends_report_the_same_errors(text: str, kind: str) -> None:
    pure, fast = _both(text, kind)
    assert pure == fast
    assert pure[1]  # type: ignore[index]


def test_statements_are_not_produced_without_lark(tmp_path: Path) -> None:
    conf = tmp_path / "r.conf"
    conf.write_text("system { host-name r1; }\n")
    code = ("import sys; sys.modules['lark'] = None; sys.modules['lark_cython'] = None\n"
            "from flowc.compiler.parse.loader import parse_file\n"
            f"parse_file({str(conf)!r})\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "lark" in result.stderr


def test_the_readers_use_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    import lark

    calls: list[str] = []
    real = lark.Lark.parse

    def spy(self: lark.Lark, text: str, *args: object, **kwargs: object) -> object:
        calls.append(text)
        return real(self, text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lark.Lark, "parse", spy)
    monkeypatch.setenv("FLOWC_PARSER", "python")
    parse_brace("a { b; }\n", "t", "python")
    parse_set("set a b\n", "t", "python")
    assert calls == ["a { b; }\n", "set a b\n"]


def test_no_parse_tree_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """The direct reduction callbacks (reductions.py) give the rule callbacks their children:
    Lark makes no Tree, for brace or set text, on either backend."""
    import lark

    made: list[str] = []
    real = lark.Tree.__init__

    def counting(self: lark.Tree, data: str, *args: object, **kwargs: object) -> None:
        made.append(data)
        real(self, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lark.Tree, "__init__", counting)
    for backend in ("python", "cython") if cython_plugins() is not None else ("python",):
        for path in sorted(EXAMPLES.glob("*/router.*")):
            parsed = parse_file(path)
            reader = parse_set if parsed.format == "set" else parse_brace
            assert reader(parsed.source.text, "t", backend)[0]  # type: ignore[arg-type]
    assert made == []
