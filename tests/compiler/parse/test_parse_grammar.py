"""The Lark grammars in grammar/ and the hand-written parser agree on what is valid."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
from lark import Lark, LarkError

from flowc.compiler.parse.loader import parse_file, parse_text
from flowc.compiler.parse.tokens import TOKEN, _load_terminals

CASES = Path(__file__).parent / "parse_cases"
EXAMPLES = Path(__file__).parents[3] / "examples"


def grammar(name: str) -> Lark:
    path = files("flowc.grammar").joinpath(name)
    return Lark(path.read_text(encoding="utf-8"), parser="lalr", import_paths=[str(path.parent)],
                source_path=str(path))


@pytest.fixture(scope="module")
def curly() -> Lark:
    return grammar("curly.lark")


@pytest.fixture(scope="module")
def setform() -> Lark:
    return grammar("set.lark")


def valid_files() -> list[Path]:
    return sorted(CASES.iterdir()) + sorted(EXAMPLES.glob("*/router.*"))


@pytest.mark.parametrize("path", valid_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lark_grammar_accepts_what_the_parser_accepts(path: Path, curly: Lark, setform: Lark) -> None:
    parsed = parse_file(path)
    assert parsed.ok
    text = path.read_text(encoding="utf-8")
    (setform if parsed.format == "set" else curly).parse(text if text.endswith("\n") else text + "\n")


SYNTAX_ERRORS = [
    "system { host-name r1 }\n",
    "version 1.2",
    "system { host-name r1; }\n}\n",
    "system {\n  ntp {\n    server 1.2.3.4;\n}\n",
    'system {\n    host-name "r1;\n}\n',
    "system { name-server 1.2.3.4 ]; }\n",
    "system { name-server [ 1.2.3.4; }\n",
    "{ host-name r1; }\n",
    "system { inactive: ; }\n",
]


@pytest.mark.parametrize("text", SYNTAX_ERRORS)
def test_lark_grammar_rejects_what_the_parser_rejects(text: str, curly: Lark) -> None:
    assert not parse_text(text, "bad.conf", "brace").ok
    with pytest.raises(LarkError):
        curly.parse(text)


@pytest.mark.parametrize("text", ["set a { b\n", "set a b [ c d ] e\n", "set a b ]\n"])
def test_set_grammar_rejects_what_the_parser_rejects(text: str, setform: Lark) -> None:
    assert not parse_text(text, "bad.set", "set").ok
    with pytest.raises(LarkError):
        setform.parse(text)


def test_tokenizer_is_compiled_from_terminals_lark() -> None:
    terminals = _load_terminals()
    for name in ("WORD", "STRING", "LINE_COMMENT", "BLOCK_COMMENT", "NEWLINE"):
        assert terminals[name] in TOKEN.pattern
