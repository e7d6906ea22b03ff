"""Junos JSON (`show configuration | display json`) -> statements with spans.

A small JSON reader that keeps the line and column of every key and value (findings must
point into the file), then this mapping from the JSON tree to `display set` paths:

* the document is `{"configuration": {…}}`; everything under `configuration` is read;
* an object is a container: `"system": {"host-name": "r1"}` -> `system host-name r1`;
* a string or number is a leaf value (a bare number with a unit too: Junos prints `"size" : 3m`); `[null]`
  (or `null`) is a flag: `"ssh": [null]`;
* an array of scalars is one leaf per value: `"members": ["a", "b"]`;
* an array of objects is a list whose entries are named by their `"name"` key:
  `"unit": [{"name": 0, …}]` -> `unit 0 …`. The element names that Junos hides on the CLI
  are dropped: `interfaces interface`, `routing-instances instance`, `vlans vlan`,
  `bridge-domains domain`, `class-of-service interfaces interface`, and `contents` and
  `prefix-list-item` anywhere (`syslog file messages any notice`, `prefix-list p 10.0.0.0/8`);
  SRX `security policies policy` entries are named by `from-zone-name` / `to-zone-name`;
* `"@"` holds the attributes of the object it is in, `"@leaf"` those of the sibling
  `leaf`: `"inactive": true` marks the statements inactive, `"protect": true` protects them,
  `"comment"` becomes a comment; `junos:…` attributes (commit times) are ignored.

An entry of a keyed list other than those is read with its keys as plain words (no `name`):
a reader of other keyed lists would need the Junos schema. Syntax errors are FC001.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import cast

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.parse.statements import Comment, Statement, Word
from flowc.compiler.source import Span

# (element, the container it is in, or "" for anywhere) that the CLI does not show
HIDDEN = frozenset({("interface", "interfaces"), ("instance", "routing-instances"), ("vlan", "vlans"),
                    ("domain", "bridge-domains"), ("contents", ""), ("prefix-list-item", "")})
_ZONE_KEYS = (("from-zone-name", "from-zone"), ("to-zone-name", "to-zone"))
# a bare number with a unit (`"size" : 3m`, as Junos prints some values) reads as a string
_TOKEN = re.compile(r'\s*(?:(?P<punct>[{}\[\]:,])|(?P<string>"(?:[^"\\]|\\.)*")'
                    r'|(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![^\s{}\[\]:,"])'
                    r'|(?P<word>true|false|null)(?![^\s{}\[\]:,"])|(?P<bare>\d[^\s{}\[\]:,"]*))')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class JsonError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(slots=True)
class _Value:
    """A JSON value and where it starts (offset into the text)."""

    value: object   # dict[str, tuple[_Value, _Value]] (key, value), list[_Value], str, int, float, bool, None
    offset: int
    end: int



_Members = dict[str, tuple[_Value, _Value]]  # an object's members: key -> (key, value)

def looks_like_json(text: str) -> bool:
    """A JSON document: the first character that is not blank is `{` followed by a `"`."""
    return re.match(r'\s*\{\s*"', text) is not None


def parse_json(text: str, name: str) -> tuple[tuple[Statement, ...], tuple[Diagnostic, ...]]:
    """Junos JSON text -> (statements, diagnostics)."""
    lines = _LineIndex(text, name)
    try:
        root = _Reader(text).document()
    except JsonError as e:
        return (), (Diagnostic("FC001", Severity.ERROR, f"JSON: {e}", lines.span(e.offset, e.offset + 1)),)
    config = root.value.get("configuration") if isinstance(root.value, dict) else None
    if config is None:
        return (), (Diagnostic("FC001", Severity.ERROR, 'JSON: expected a `{"configuration": {…}}` document',
                               lines.span(root.offset, root.offset + 1)),)
    out: list[Statement] = []
    _Walker(lines, out).node(config[1], (), 0, False, ())
    return tuple(out), ()


class _Walker:
    def __init__(self, lines: _LineIndex, out: list[Statement]) -> None:
        self.lines = lines
        self.out = out

    def word(self, text: str, at: _Value) -> Word:
        return Word(text, self.lines.span(at.offset, at.end), False)

    def node(self, value: _Value, path: tuple[Word, ...], inactive: int, protected: bool,
             comments: tuple[Comment, ...]) -> None:
        """Statements for `value` found at `path`."""
        v = value.value
        if isinstance(v, dict):
            own = v.get("@")
            if own is not None:
                inactive, protected, comments = self.attributes(own[1], path, inactive, protected, comments)
            children = [(k, pair) for k, pair in v.items() if not k.startswith("@")]
            if not children:
                self.emit(path, value, inactive, protected, comments)
            for key, (kv, child) in children:
                attrs = v.get("@" + key)
                ci, cp, cc = inactive, protected, comments
                if attrs is not None:
                    ci, cp, cc = self.attributes(attrs[1], path + (self.word(key, kv),), inactive, protected, comments)
                self.member(key, kv, child, path, ci, cp, cc)
        else:
            self.emit(path, value, inactive, protected, comments)

    def member(self, key: str, kv: _Value, child: _Value, path: tuple[Word, ...], inactive: int,
               protected: bool, comments: tuple[Comment, ...]) -> None:
        c = child.value
        parent = path[-1].text if path else ""
        keyword = () if (key, parent) in HIDDEN or (key, "") in HIDDEN else (self.word(key, kv),)
        here = path + keyword
        if isinstance(c, list):
            if c == [] or all(item.value is None for item in c):
                self.emit(here, child, inactive, protected, comments)
                return
            for item in c:
                if isinstance(item.value, dict):
                    self.entry(item, here, key, inactive, protected, comments)
                else:
                    self.emit(here + (self.scalar(item),), item, inactive, protected, comments)
        elif isinstance(c, dict):
            self.node(child, here, inactive, protected, comments)
        elif c is None:
            self.emit(here, child, inactive, protected, comments)
        else:
            self.emit(here + (self.scalar(child),), child, inactive, protected, comments)

    def entry(self, item: _Value, here: tuple[Word, ...], key: str, inactive: int, protected: bool,
              comments: tuple[Comment, ...]) -> None:
        """One entry of a list of objects: its name words, then its other members."""
        fields = dict(cast(_Members, item.value))
        names: list[Word] = []
        if "name" in fields:
            names.append(self.scalar(fields.pop("name")[1]))
        elif key == "policy" and all(k in fields for k, _ in _ZONE_KEYS):
            for k, cli in _ZONE_KEYS:
                kv, zone = fields.pop(k)
                names += [self.word(cli, kv), self.scalar(zone)]
            here = here[:-1]  # `security policies from-zone A to-zone B policy P`
        rest = _Value(fields, item.offset, item.end)
        self.node(rest, here + tuple(names), inactive, protected, comments)

    def scalar(self, at: _Value) -> Word:
        v = at.value
        text = "true" if v is True else "false" if v is False else str(v)
        return Word(text, self.lines.span(at.offset, at.end), isinstance(v, str) and not _plain(v))

    def attributes(self, attrs: _Value, path: tuple[Word, ...], inactive: int, protected: bool,
                   comments: tuple[Comment, ...]) -> tuple[int, bool, tuple[Comment, ...]]:
        if not isinstance(attrs.value, dict):
            return inactive, protected, comments
        for key, (_kv, val) in attrs.value.items():
            if key == "inactive" and val.value is True and not inactive:
                inactive = max(len(path), 1)
            elif key == "protect" and val.value is True:
                protected = True
            elif key == "comment" and isinstance(val.value, str):
                text = val.value if val.value.lstrip().startswith(("/*", "#")) else f"/* {val.value} */"
                comments = comments + (Comment(text, self.lines.span(val.offset, val.end), len(path), "before"),)
        return inactive, protected, comments

    def emit(self, words: tuple[Word, ...], at: _Value, inactive: int, protected: bool,
             comments: tuple[Comment, ...]) -> None:
        if not words:
            return
        first = words[0].span
        span = Span(first.file, first.line, first.column, *self.lines.position(at.end))
        self.out.append(Statement(words, span, inactive if inactive <= len(words) else 0, protected, comments))


def _plain(text: str) -> bool:
    return bool(text) and re.search(r'[\s;{}\[\]"#]', text) is None


class _LineIndex:
    """Offsets -> (line, column), 1-based."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def span(self, start: int, end: int) -> Span:
        return Span(self.name, *self.position(start), *self.position(end))


class _Reader:
    """Recursive descent over the JSON tokens, keeping offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def next(self) -> tuple[str, str, int, int]:
        m = _TOKEN.match(self.text, self.pos)
        if m is None:
            rest = self.text[self.pos:].lstrip()
            at = len(self.text) - len(rest)
            raise JsonError("unexpected end of text" if not rest else f"unexpected {rest[:1]!r}", at)
        self.pos = m.end()
        kind = m.lastgroup or ""
        return kind, m.group(kind), m.start(kind), m.end(kind)

    def document(self) -> _Value:
        value = self.value(self.next())
        if self.text[self.pos:].strip():
            raise JsonError("text after the JSON document", self.pos + len(self.text[self.pos:]) -
                            len(self.text[self.pos:].lstrip()))
        return value

    def value(self, tok: tuple[str, str, int, int]) -> _Value:
        kind, text, start, end = tok
        if kind == "string":
            return _Value(_unescape(text, start), start, end)
        if kind == "number":
            return _Value(int(text) if re.fullmatch(r"-?\d+", text) else text, start, end)
        if kind == "word":
            return _Value({"true": True, "false": False, "null": None}[text], start, end)
        if kind == "bare":
            return _Value(text, start, end)
        if text == "{":
            return self.obj(start)
        if text == "[":
            return self.array(start)
        raise JsonError(f"unexpected {text!r}", start)

    def obj(self, start: int) -> _Value:
        members: dict[str, tuple[_Value, _Value]] = {}
        tok = self.next()
        if tok[1] == "}":
            return _Value(members, start, tok[3])
        while True:
            if tok[0] != "string":
                raise JsonError("expected a quoted key", tok[2])
            key = _Value(_unescape(tok[1], tok[2]), tok[2], tok[3])
            colon = self.next()
            if colon[1] != ":":
                raise JsonError("expected `:`", colon[2])
            val = self.value(self.next())
            k = str(key.value)
            earlier = members[k][1].value if k in members else None
            if isinstance(earlier, list) and isinstance(val.value, list):
                earlier.extend(val.value)
            else:
                members[k] = (key, val)
            tok = self.next()
            if tok[1] == "}":
                return _Value(members, start, tok[3])
            if tok[1] != ",":
                raise JsonError("expected `,` or `}`", tok[2])
            tok = self.next()

    def array(self, start: int) -> _Value:
        items: list[_Value] = []
        tok = self.next()
        if tok[1] == "]":
            return _Value(items, start, tok[3])
        while True:
            items.append(self.value(tok))
            tok = self.next()
            if tok[1] == "]":
                return _Value(items, start, tok[3])
            if tok[1] != ",":
                raise JsonError("expected `,` or `]`", tok[2])
            tok = self.next()


def _unescape(token: str, offset: int) -> str:
    inner = token[1:-1]
    if "\\" not in inner:
        return inner
    out, i = [], 0
    while i < len(inner):
        c = inner[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = inner[i + 1:i + 2]
        if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", inner[i + 2:i + 6]):
            out.append(chr(int(inner[i + 2:i + 6], 16)))
            i += 6
        elif nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            raise JsonError(f"bad escape `\\{nxt}`", offset + 1 + i)
    return "".join(out)
