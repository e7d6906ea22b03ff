"""Statement paths with spans: what both configuration formats become.

A `Statement` is one `show configuration | display set` line: the full path of words from
the top of the configuration, each word with the span it came from. Brace text and set
text produce equal statement tuples (spans, comments and origins stay out of equality).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar, cast

from flowc.compiler.source import NO_SPAN, Span

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a statement: its value as Junos means it (quotes removed, `\\"` and
    `\\\\` resolved) and where it was written.

    Words of a block header are one object shared by every statement of the block (their
    span is the header's); in set text, the leading words a line repeats from the line
    before are likewise the earlier line's objects, so their spans point at the line that
    first wrote them (the statement's own span is always its line)."""

    text: str
    span: Span = field(default=NO_SPAN, compare=False)
    quoted: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment or annotation attached to a statement path.

    `depth` is how many leading words of the statement's path it was written at: a
    `/* … */` or `#` comment just before `file-specification x {` in
    `services flow-collector` has depth 3 and so belongs to every statement of that block;
    one before or after a leaf statement on its line has the statement's full depth.
    """

    text: str
    span: Span = field(default=NO_SPAN, compare=False)
    depth: int = 0
    # Where it was written relative to the node at `depth` (for `fmt`): "before" (own
    # line(s) before it), "after" (same line, after its `;` or `{`), "tail" (inside the
    # block, after its last statement) or "end" (same line, after its closing `}`).
    position: str = field(default="before", compare=False)

    @property
    def body(self) -> str:
        """The comment's text without its `#` / `/* */` markers, stripped."""
        text = self.text.strip()
        if text.startswith("/*") and text.endswith("*/"):
            return text[2:-2].strip()
        return text.lstrip("#").strip()


@dataclass(frozen=True, slots=True)
class Statement:
    """One configuration statement as a full path of words.

    `inactive_at` is 0 for an active statement, else the number of leading words that form
    the outermost deactivated path (`deactivate interfaces ge-0/0/0 unit 1` -> 4).
    `comments` are the comments and annotations written on, just before, or on an enclosing
    block of it (used for inline suppressions and kept by `fmt`). `group` and `origin` are set on statements
    inherited from a
    configuration group: the group's name and the span of the group statement.
    """

    words: tuple[Word, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    inactive_at: int = 0
    protected: bool = field(default=False, compare=False)
    comments: tuple[Comment, ...] = field(default=(), compare=False)
    group: str | None = field(default=None, compare=False)
    origin: Span | None = field(default=None, compare=False)
    # Layout as written (for `fmt`, never part of the meaning): `blocks` holds, for a
    # statement read from brace text, 0 (the top level) and the word counts after which a
    # `{` was opened (`interfaces cp-6/0/0 { unit 0 { ... } }` -> (0, 1, 2, 4, ...)); it is
    # () for statements read from set text. `listed` marks a value
    # written inside `[ … ]`; `protected_at` / `replace_at` are the depths of the
    # `protect:` / `replace:` tags (0 when absent), like `inactive_at`.
    blocks: tuple[int, ...] = field(default=(), compare=False)
    listed: bool = field(default=False, compare=False)
    protected_at: int = field(default=0, compare=False)
    replace_at: int = field(default=0, compare=False)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(word.text for word in self.words)

    @property
    def inactive(self) -> bool:
        return self.inactive_at > 0

    def __str__(self) -> str:
        return " ".join(self.path)


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """A positional constructor for a frozen slotted dataclass that skips its `__init__`.

    The parser builds hundreds of thousands of spans, words and statements; the generated
    `__init__` of a frozen dataclass goes through `object.__setattr__` for every field,
    which costs about twice as much as setting the slots directly. Every field is a
    required positional argument, in declaration order, so the result is the same object.
    """
    names = [f.name for f in fields(cast(Any, cls))]
    setters = {f"_set_{name}": getattr(cls, name).__set__ for name in names}
    body = "".join(f"    _set_{name}(obj, {name})\n" for name in names)
    source = f"def make({', '.join(names)}):\n    obj = _new(_cls)\n{body}    return obj\n"
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls, **setters}
    exec(source, scope)
    make: Callable[..., T] = scope["make"]
    return make


new_span = fast_constructor(Span)
new_word = fast_constructor(Word)
new_statement = fast_constructor(Statement)
