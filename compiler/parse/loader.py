"""Stage 1: Junos configuration text (brace or set form) -> statements with spans.

`parse_text` / `parse_file` turn a whole configuration (or its `display json` form, see
`compiler/parse/jsonform.py`) into the flat statement paths that
`show configuration | display set` shows, each word and statement with its span, plus
syntax diagnostics (FC0xx). The grammars `grammar/curly.lark` and `grammar/set.lark` are
the parser: Lark runs them (`compiler/parse/grammars.py`) with rule callbacks that build the
statements directly, no parse tree (`compiler/parse/braceform.py`, `compiler/parse/setlines.py`),
and recovers after errors with its interactive parser.
"""
from __future__ import annotations

import dataclasses
import errno
import io
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flowc.compiler.diagnostics import Diagnostic, Severity, sort_diagnostics
from flowc.compiler.parse.badtext import hidden_bad
from flowc.compiler.parse.blocktree import tree_order
from flowc.compiler.parse.braceform import parse_brace
from flowc.compiler.parse.gcpause import gc_paused
from flowc.compiler.parse.jsonform import looks_like_json, parse_json
from flowc.compiler.parse.netconf import Unwrapped, unwrap
from flowc.compiler.parse.session import Part, blank_outside, placed, relative_parts
from flowc.compiler.parse.setform import NAVIGATION, SESSION_COMMANDS, SESSION_ONLY, SET_COMMANDS
from flowc.compiler.parse.setlines import parse_set
from flowc.compiler.parse.statements import Statement
from flowc.compiler.parse.transcript import blank_session_lines
from flowc.compiler.source import Source, Span

__all__ = ["ERROR_CODES", "Format", "ParsedConfig", "detect_format", "has_brace_blocks", "parse_file", "parse_text"]

Format = Literal["auto", "brace", "set", "json"]

# The FC0xx table: code -> what it means (docs/diagnostics.md explains each one).
ERROR_CODES: dict[str, str] = {
    "FC001": "syntax error",
    "FC002": "missing `;`",
    "FC003": "`}` without `{`",
    "FC004": "unclosed `{`",
    "FC005": "unterminated string",
    "FC006": "stray `]` or unclosed `[`",
    "FC007": "unknown set command",
    "FC008": "invalid tag use",
    "FC009": "too many errors",
    "FC010": "unterminated `/*` comment",
    "FC011": "set-form command acts on nothing",
    "FC012": "invalid `insert` command",
    "FC013": "unknown group",  # reported by compiler/document/groups.py
    "FC014": "structured XML configuration not read",
}


@dataclass(frozen=True, slots=True)
class ParsedConfig:
    """A parsed configuration: its statements (in the order first written, a block written
    twice merged into the first) and its syntax findings."""

    name: str
    format: Literal["brace", "set", "json"]
    source: Source
    statements: tuple[Statement, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not any(d.severity >= Severity.ERROR for d in self.diagnostics)


def parse_file(path: str | Path, fmt: Format = "auto") -> ParsedConfig:
    """Read and parse one file (OSError propagates: the CLI maps it to exit code 2)."""
    return parse_source(read_source(path), fmt)


def read_source(path: str | Path) -> Source:
    """One configuration file's text (OSError for what is not a readable regular file)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):  # a FIFO would block, a directory is no configuration
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return Source.read(path)


def parse_text(text: str, name: str = "<text>", fmt: Format = "auto") -> ParsedConfig:
    """Parse configuration text; `fmt="auto"` detects the set form from its first line and
    Junos JSON (`display json`) from a leading `{"`."""
    return parse_source(Source(name, text), fmt)


def parse_source(source: Source, fmt: Format = "auto", *, merged: bool = True) -> ParsedConfig:
    """Parse a source read before. `merged=False` keeps a brace text's statements in the
    order written, a block written twice not merged into its first place: for readers that
    merge on their own (diff). A NETCONF/PyEZ reply (`netconf.py`) is read as the
    configuration inside its XML, spans into the original text."""
    if (wrapped := unwrap(source.text)) is not None:
        return _parse_unwrapped(source, wrapped, fmt, merged)
    return _parse_plain(source, fmt, merged)


def _parse_unwrapped(source: Source, wrapped: Unwrapped, fmt: Format, merged: bool) -> ParsedConfig:
    """The configuration inside a NETCONF/PyEZ reply, read in its own form; FC014 for
    structured `<configuration>` XML, which is not read."""
    if wrapped.unsupported is not None:
        line, column = wrapped.unsupported
        span = Span(source.name, line, column, line, column + len("<configuration"))
        problem = Diagnostic("FC014", Severity.ERROR, "structured XML configuration (`<configuration>` elements) "
                             "is not read", span, "fetch it as text, set or JSON: `<get-configuration "
                             "format=\"text\">`, `show configuration | display set`, `| display json`")
        return ParsedConfig(source.name, "brace", source, (), (problem,))
    inner = _parse_plain(Source(source.name, wrapped.text), fmt, merged)
    return ParsedConfig(source.name, inner.format, source, wrapped.restore_statements(inner.statements),
                        wrapped.restore_diagnostics(inner.diagnostics))


def _parse_plain(source: Source, fmt: Format, merged: bool) -> ParsedConfig:
    if fmt == "json" or (fmt == "auto" and looks_like_json(source.text)):
        statements, diagnostics = parse_json(source.text, source.name)
        return ParsedConfig(source.name, "json", source, statements, diagnostics)
    text = blank_session_lines(_line_ends(source.text))
    kind = detect_format(text) if fmt == "auto" else fmt
    with gc_paused():  # millions of small acyclic objects: see gcpause.py
        parts = relative_parts(source.text, source.name) if text is not source.text and kind == "brace" else []
        if len(parts) > 1 or (parts and parts[0].level):
            statements, diagnostics = _parse_parts(text, source.name, parts)
        elif kind == "set" and not has_brace_blocks(text):
            statements, diagnostics = parse_set(text, source.name)
        else:  # brace text, or set text with brace blocks (as archivers write): the brace reader takes set lines
            kind = "brace"
            statements, diagnostics = parse_brace(text, source.name, merged=merged)
    diagnostics = hidden_bad(text, source.name, diagnostics)
    return ParsedConfig(source.name, kind, source, statements, diagnostics)


def _line_ends(text: str) -> str:
    """CR-only line ends (old Mac files) as `\n`: same length, so columns stay put."""
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


def _parse_parts(text: str, name: str, parts: list[Part]) -> tuple[tuple[Statement, ...], tuple[Diagnostic, ...]]:
    """Text pasted from a CLI session, in parts between its prompts: each part read on its
    own (its form detected, lines and columns kept), the level its `show` printed at put back
    in front of its statements."""
    statements: list[Statement] = []
    diagnostics: list[Diagnostic] = []
    readers = set()
    for part in parts:
        piece = blank_outside(text, part.start, part.end)
        reader = parse_set if detect_format(piece) == "set" else parse_brace
        readers.add(reader)
        found, problems = reader(piece, name)
        statements += placed(found, part.level)
        diagnostics += problems
    if len(readers) > 1:  # both forms: one layout rule for all (blocks as written are brace-only)
        statements = [dataclasses.replace(st, blocks=()) for st in statements]
    return tree_order(statements), tuple(sort_diagnostics(diagnostics))


# a string, a comment (`#` or `/*` where a word starts: `ge-*/*` is one word), or a brace
_BRACES = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![^\s;{}])(?:#[^\n]*|/\*.*?\*/)|[{}]', re.S)


def has_brace_blocks(text: str) -> bool:
    """Does set text hold brace blocks (a mixed file)? True when a line that is no CLI
    command opens a block with `{`, and the `{` and `}` outside strings and comments pair
    up (a set line with a stray `{` stays set text, with its FC001)."""
    depth, opened = 0, False
    for m in _BRACES.finditer(text):
        token = m.group(0)
        if token == "{":
            depth += 1
            opened = opened or _opens_block(text, m.start())
        elif token == "}":
            depth -= 1
            if depth < 0:
                return False
    return opened and depth == 0


def _opens_block(text: str, at: int) -> bool:
    """Does the `{` at `at` follow words on its line, the first of them no CLI command?"""
    words = text[text.rfind("\n", 0, at) + 1:at].split()
    return bool(words) and words[0] not in SESSION_COMMANDS


def detect_format(text: str) -> Literal["brace", "set"]:
    """Set form when the first line that is not blank or a comment is a set command."""
    in_comment = False
    for raw in io.StringIO(text.lstrip("\ufeff")):  # lazily: only the head is read
        line = raw.strip()
        if in_comment:
            if "*/" in line:
                in_comment, line = False, line.split("*/", 1)[1].strip()
            else:
                continue
        if line.startswith("/*"):
            if "*/" not in line:
                in_comment = True
                continue
            line = line.split("*/", 1)[1].strip()
        if not line or line.startswith("#"):
            continue
        first = line.split(None, 1)[0]
        if first in SESSION_ONLY:
            continue  # `show configuration | display set`, `configure`, `load merge terminal`, …
        return "set" if first in SET_COMMANDS or first in NAVIGATION else "brace"
    return "brace"
