"""NETCONF / PyEZ replies: Junos configuration text inside XML, read as the text inside.

Stage parse. A configuration fetched over NETCONF (`<get-configuration format="text">`,
PyEZ's `dev.rpc.get_config(options={'format': 'text'})`, `show configuration | display xml
rpc`-style captures) is saved with its XML around it:

    <rpc-reply xmlns:junos="http://xml.juniper.net/junos/24.4R1/junos">
    <configuration-text>
    interfaces {
        xe-0/0/1 { description "to &lt;core&gt; &amp; back"; }
    }
    </configuration-text>
    </rpc-reply>

`unwrap(text)` is None unless the text starts (after blanks, a byte-order mark, an `<?xml …?>`
declaration) with one of these tags, with or without a namespace prefix: `rpc-reply`,
`configuration-text`, `configuration-set`, `configuration-information` / `configuration-output`
(the CLI's `show configuration` as an RPC), `configuration` (structured XML). Else it gives an
`Unwrapped`: the text of the `configuration-text`, `-set` or `-output` elements (or, when there
is none, every character outside a tag: a `display json` reply is JSON inside `<rpc-reply>`),
everything else turned into blanks with its line ends kept, and the XML entities (`&lt;`
`&gt;` `&amp;` `&quot;` `&apos;` `&#NN;` `&#xNN;`) decoded. Lines stay where they were; on a
line where an entity was decoded the columns after it move, and `Unwrapped.restore_*` map
spans read in the unwrapped text back to the original file. Structured `<configuration>`
XML (elements, not text) is not read: `unsupported` says where it starts (FC014).
"""
from __future__ import annotations

import bisect
import dataclasses
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from flowc.compiler.diagnostics import Diagnostic, Related
from flowc.compiler.parse.statements import Comment, Statement, Word
from flowc.compiler.source import Span

__all__ = ["Unwrapped", "looks_wrapped", "unwrap"]

_PREFIX = r"(?:[\w.-]+:)?"
_WRAPPER = (r"rpc-reply|configuration-text|configuration-set|configuration-information"
            r"|configuration-output|configuration")
# the head of a wrapped file: blanks, a BOM, an XML declaration or comments, then a known tag
_HEAD = re.compile(rf"[\s\ufeff]*(?:<\?xml[^>]*\?>\s*|<!--.*?-->\s*)*<{_PREFIX}(?:{_WRAPPER})(?=[\s/>])", re.S)
_TEXT_ELEMENT = re.compile(
    rf"<{_PREFIX}(?P<tag>configuration-(?:text|set|output))(?:\s[^>]*)?>(?P<body>.*?)(?:</{_PREFIX}(?P=tag)\s*>|\Z)",
    re.S)
_STRUCTURED = re.compile(rf"<{_PREFIX}configuration(?=[\s/>])")
_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>|<[^>]*>", re.S)
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_LT = re.compile(r"[\s\ufeff]*<")
_NOT_NL = re.compile(r"[^\r\n]")


def looks_wrapped(text: str) -> bool:
    """Does the text start with a NETCONF/PyEZ tag (see the module docstring)? One look at
    the first character that is not blank for the common case."""
    return _LT.match(text) is not None and _HEAD.match(text) is not None


@dataclass(frozen=True, slots=True)
class Unwrapped:
    """The configuration text inside the XML, lines in place; `shifts` maps, per line number
    where an entity was decoded, the unwrapped columns after each entity to how far the
    original column is to the right of it; `unsupported` is the (line, column) of a
    structured `<configuration>` element when there is no text to read."""

    text: str
    shifts: dict[int, tuple[tuple[int, ...], tuple[int, ...]]]
    unsupported: tuple[int, int] | None = None

    def column(self, line: int, column: int) -> int:
        """The original column of an unwrapped (line, column)."""
        found = self.shifts.get(line)
        if found is None:
            return column
        starts, shifts = found
        k = bisect.bisect_right(starts, column) - 1
        return column + shifts[k] if k >= 0 else column

    def span(self, span: Span) -> Span:
        if span.line not in self.shifts and span.end_line not in self.shifts:
            return span
        return Span(span.file, span.line, self.column(span.line, span.column), span.end_line,
                    self.column(span.end_line, span.end_column))

    def restore_statements(self, statements: Sequence[Statement]) -> tuple[Statement, ...]:
        """The statements with spans into the original file (words shared stay shared)."""
        if not self.shifts:
            return tuple(statements)
        words: dict[int, Word] = {}

        def word(w: Word) -> Word:
            new = words.get(id(w))
            if new is None:
                new = words[id(w)] = dataclasses.replace(w, span=self.span(w.span))
            return new

        return tuple(dataclasses.replace(
            st, words=tuple(word(w) for w in st.words), span=self.span(st.span),
            comments=tuple(Comment(c.text, self.span(c.span), c.depth, c.position) for c in st.comments))
            for st in statements)

    def restore_diagnostics(self, diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
        if not self.shifts:
            return tuple(diagnostics)
        return tuple(dataclasses.replace(
            d, span=self.span(d.span), related=tuple(Related(self.span(r.span), r.message) for r in d.related))
            for d in diagnostics)


def unwrap(text: str) -> Unwrapped | None:
    """The configuration inside a NETCONF/PyEZ reply, or None for text that is not one."""
    if not looks_wrapped(text):
        return None
    bodies = [(m.start("body"), m.end("body")) for m in _TEXT_ELEMENT.finditer(text)]
    if not bodies:
        structured = _STRUCTURED.search(text)
        if structured is not None:
            line = text.count("\n", 0, structured.start()) + 1
            return Unwrapped("", {}, (line, structured.start() - text.rfind("\n", 0, structured.start())))
        bodies = [(0, len(text))]  # `<rpc-reply>{ "configuration" … }</rpc-reply>`: the character data
    pieces, end = [], 0
    for start, stop in bodies:
        pieces += [_blank(text[end:start]), _MARKUP.sub(lambda m: _blank(m.group(0)), text[start:stop])]
        end = stop
    pieces.append(_blank(text[end:]))
    return _decoded("".join(pieces))


def _blank(chunk: str) -> str:
    """The chunk as blanks, its line ends kept."""
    return _NOT_NL.sub(" ", chunk)


def _decoded(text: str) -> Unwrapped:
    """The entities of the text decoded, with the column shifts of the lines that had some."""
    if "&" not in text or _ENTITY.search(text) is None:
        return Unwrapped(text, {})
    lines = text.split("\n")
    shifts: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for number, line in enumerate(lines, 1):
        if "&" not in line:
            continue
        out, starts, moved, at, shift = [], [], [], 0, 0
        for m in _ENTITY.finditer(line):
            char = html.unescape(m.group(0))
            out += [line[at:m.start()], char]
            starts.append(m.start() - shift + len(char) + 1)  # the unwrapped column after `char`
            shift += len(m.group(0)) - len(char)
            moved.append(shift)
            at = m.end()
        if starts:
            lines[number - 1] = "".join(out) + line[at:]
            shifts[number] = (tuple(starts), tuple(moved))
    return Unwrapped("\n".join(lines), shifts)
