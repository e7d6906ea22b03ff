"""CLI sessions pasted with brace text: the hierarchy level each pasted `show` printed at.

`show configuration protocols bgp` (operational mode), or `show bgp` after `[edit protocols]`
(configuration mode), prints the statements below that level, without it. `relative_parts`
finds, in text that holds such prompts, each part of the text and the level its statements
are relative to, so that the brace reader can put the level back in front of them. A `|
display set` output is absolute (its level is the top), other pipes do not change the level.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from flowc.compiler.parse.blocktree import KEYED
from flowc.compiler.parse.statements import Comment, Statement, Word
from flowc.compiler.parse.transcript import SESSION_LINE, kept_command
from flowc.compiler.source import Span

_BANNER = re.compile(r"\[edit(?P<path>(?: [^\]\r\n]*)?)\]")
_SHOW = {">": re.compile(r"\s*show\s+configuration\b(?P<rest>[^|]*)(?P<pipe>\|.*)?$"),
         "#": re.compile(r"\s*show\b(?P<rest>[^|]*)(?P<pipe>\|.*)?$")}


@dataclass(frozen=True, slots=True)
class Part:
    """Text from `start` to `end` whose statements are below `level`."""

    start: int
    end: int
    level: tuple[Word, ...]


def relative_parts(text: str, name: str) -> list[Part]:
    """The parts of `text` between session lines, with their levels."""
    parts: list[Part] = []
    edit: tuple[str, ...] = ()
    level: tuple[Word, ...] = ()
    start = 0
    for m in SESSION_LINE.finditer(text):
        line = m.group(0)
        banner = _BANNER.search(line)
        mode = m.group("mode")
        if not banner and not mode:
            continue  # a state, a message or the pager: inside the output, no new part
        parts.append(Part(start, m.start(), level))
        start = m.start() if kept_command(m) else m.end()
        if banner:
            edit = tuple(_words(banner.group("path")))
        show = _SHOW[mode].match(m.group("command") or "") if mode in _SHOW else None
        if show:
            absolute = bool(show.group("pipe")) and "display set" in show.group("pipe")
            words = () if absolute else (edit if mode == "#" else ()) + tuple(_words(show.group("rest")))
            row = text.count("\n", 0, m.start()) + 1
            span = Span(name, row, 1, row, len(line.rstrip("\r")) + 1)
            level = tuple(Word(w, span, False) for w in words)
    parts.append(Part(start, len(text), level))
    return [p for p in parts if text[p.start:p.end].strip()]


def _words(path: str) -> list[str]:
    return [w.strip('"') for w in re.findall(r'"[^"]*"|\S+', path or "")]


def placed(statements: tuple[Statement, ...], level: tuple[Word, ...]) -> list[Statement]:
    """The statements of a part, with its level in front of them."""
    if not level:
        return list(statements)
    n = len(level)
    bounds, i = [], 0
    texts = [w.text for w in level]
    while i < n:
        i += 2 if texts[i] in KEYED and i + 1 < n and texts[i + 1] not in KEYED else 1
        bounds.append(i)
    out = []
    for st in statements:
        out.append(dataclasses.replace(
            st, words=level + st.words,
            inactive_at=st.inactive_at + n if st.inactive_at else 0,
            protected_at=st.protected_at + n if st.protected_at else 0,
            replace_at=st.replace_at + n if st.replace_at else 0,
            blocks=(0, *bounds, *(b + n for b in st.blocks if b > 0)) if st.blocks else (),
            comments=tuple(Comment(c.text, c.span, c.depth + n, c.position) for c in st.comments)))
    return out


def blank_outside(text: str, start: int, end: int) -> str:
    """`text` with everything outside [start, end) blanked (line ends kept)."""
    def blank(chunk: str) -> str:
        return re.sub(r"[^\n]", " ", chunk)
    return blank(text[:start]) + text[start:end] + blank(text[end:])
