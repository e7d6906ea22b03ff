"""Set form (`display set`, `load set`) -> statements with spans, commands applied in order.

`parse_set` reads a set-form file line by line (the tokens of `compiler/parse/tokens.py`,
the syntax of `grammar/set.lark`) and hands each command to a `SetState`, which keeps
the statements in the order first written and applies the commands the way `load set`
does: `set` adds, `delete P` removes everything at or under
P, `rename P X to Y` / `copy P X to Y` move or copy a node, `deactivate`/`activate` and `protect`/`unprotect`
mark P (and what is or will be under
it), `annotate P "text"` attaches a comment, `insert P X before|after Y` moves entries.
The schema is not known here: a later `set` of a single-valued leaf keeps both lines.
"""
from __future__ import annotations

from typing import Protocol, TypeVar

from flowc.compiler.diagnostics import Related, Severity
from flowc.compiler.parse.blocktree import KEYED
from flowc.compiler.parse.statements import Comment, Statement, Word, new_span, new_statement
from flowc.compiler.source import Span

SET_COMMANDS = frozenset(
    ("set", "delete", "deactivate", "activate", "insert", "protect", "unprotect", "annotate", "rename", "copy")
)
NAVIGATION = frozenset(("edit", "top", "up", "exit"))
# CLI session lines of scripts meant to be pasted or loaded: no configuration change
SESSION_ONLY = frozenset(("quit", "commit", "load", "run", "show", "configure"))
SESSION_COMMANDS = SET_COMMANDS | NAVIGATION | SESSION_ONLY
Path = tuple[str, ...]
_PER_VALUE = frozenset(["deactivate", "activate", "protect", "unprotect"])  # take a `[ … ]` list
M = TypeVar("M")


class ErrorSink(Protocol):
    def error(self, code: str, message: str, line: int, column: int, end_column: int | None = None, *,
              related: tuple[Related, ...] = (), hint: str = "", severity: Severity = Severity.ERROR) -> None: ...


class SetState:
    """The configuration built so far from set commands."""

    __slots__ = (
        "command_at",
        "inactive",
        "level",
        "name",
        "notes",
        "out",
        "prefixes",
        "protected",
        "report",
        "seen",
        "steps",
        "trailing",
    )

    def __init__(self, name: str, report: ErrorSink) -> None:
        self.name = name
        self.report = report
        self.out: list[Statement] = []
        self.seen: set[Path] = set()
        self.inactive: dict[Path, Span] = {}
        self.protected: dict[Path, Span] = {}
        self.notes: dict[Path, Comment] = {}
        self.trailing: list[tuple[str, Span]] = []
        self.level: tuple[Word, ...] = ()          # where `edit` went
        self.steps: list[tuple[Word, ...]] = []    # the levels `exit` goes back to
        self.prefixes: set[Path] | None = None     # every node configured (built when needed)
        # the current line's command word when that Word object is shared with the line
        # before, with where this line has it (findings about it point at this line)
        self.command_at: tuple[Word, int, int] | None = None

    # -- commands ----------------------------------------------------------------------

    def command(self, words: list[Word], texts: list[str], pend: list[tuple[str, Span]],
                values: list[Word] | None = None, first: tuple[int, int] = (0, 0),
                last: tuple[int, int] = (0, 0)) -> None:
        """Apply one command line (`words[0]` is the command, `values` a closing `[ … ]`,
        `first`/`last` the line and column where its path starts and ends)."""
        cmd = texts[0]
        if cmd in SESSION_ONLY:
            self.trailing = []
            return
        if cmd in NAVIGATION:
            self._navigate(words, texts, pend, values, first, last)
            return
        if self.level and cmd in SET_COMMANDS:
            words = [words[0], *self.level, *words[1:]]
            texts = [cmd, *(w.text for w in self.level), *texts[1:]]
        if cmd == "set" and len(words) > 1:
            self._set(words, texts, pend, values, first, last)
        elif cmd in SET_COMMANDS and (len(words) > 1 or cmd == "delete"):
            if values is not None and cmd in _PER_VALUE:  # `deactivate P [ a b ]`: P a and P b
                for v in values:
                    getattr(self, "_" + cmd)([*words, v], [*texts, v.text])
            elif values is not None:
                self._error("FC006", f"a `[ … ]` list cannot follow `{cmd}`", words[-1])
            else:
                getattr(self, "_" + cmd)(words, texts)
        elif cmd in SET_COMMANDS:
            self._error("FC001", f"`{cmd}` needs a statement path", words[0])
        else:
            self._error("FC007", f"unknown set command `{cmd}`", words[0],
                        hint="expected one of: set, delete, deactivate, activate, protect, unprotect, "
                             "annotate, insert, rename, copy, edit, top, up, exit, quit, commit, load, run, show")
        self.trailing = []

    def _navigate(self, words: list[Word], texts: list[str], pend: list[tuple[str, Span]],
                  values: list[Word] | None, first: tuple[int, int], last: tuple[int, int]) -> None:
        """`edit P`, `top`, `up [N]`, `exit`: move the level the next commands start from;
        `top CMD …` runs one command from the top."""
        cmd = texts[0]
        if cmd == "edit" and values is None and _enters_configuration(texts, self.level):
            pass  # operational mode's `edit` (= `configure`) pasted with the session: no level
        elif cmd == "edit":
            if values is not None or len(words) < 2:
                self._error("FC001", "`edit` needs a statement path (and no `[ … ]` list)", words[0])
                return
            self.steps.append(self.level)
            self.level = self.level + tuple(words[1:])
        elif cmd == "top" and len(words) > 1:
            level, self.level = self.level, ()
            self.command(words[1:], texts[1:], pend, values, first, last)
            self.level = level
        elif cmd == "top":
            self.steps, self.level = [], ()
        elif cmd == "up":
            count = int(texts[1]) if len(texts) > 1 and texts[1].isdigit() else 1
            for _ in range(count):
                self.level = _up(self.level)
        elif cmd == "exit":
            self.level = self.steps.pop() if self.steps else ()
        self.trailing = []

    def _set(self, words: list[Word], texts: list[str], pend: list[tuple[str, Span]],
             values: list[Word] | None, first: tuple[int, int], last: tuple[int, int]) -> None:
        path, key = tuple(words[1:]), tuple(texts[1:])
        if values is None:
            items = [(path, key, False)]
        else:
            items = [(path + (v,), key + (v.text,), True) for v in values]
        for path, key, listed in items:
            if key in self.seen:
                continue
            self.seen.add(key)
            end = (path[-1].span.end_line, path[-1].span.end_column) if listed else last
            span = new_span(self.name, first[0], first[1], end[0], end[1])
            comments: tuple[Comment, ...] = ()
            if pend or self.trailing:
                depth = len(path)
                comments = tuple(Comment(t, sp, depth, "before") for t, sp in pend) + tuple(
                    Comment(t, sp, depth, "after") for t, sp in self.trailing)
            self.out.append(new_statement(path, span, 0, False, comments, None, None, (), listed, 0, 0))
            if self.prefixes is not None:
                self.prefixes.update(key[:k] for k in range(1, len(key) + 1))

    def _delete(self, words: list[Word], texts: list[str]) -> None:
        key = tuple(texts[1:])
        size = len(key)
        if self._has(key):
            self.out = [st for st in self.out if st.path[:size] != key]
            self.seen = {st.path for st in self.out}
            self.prefixes = None
        for marks in (self.inactive, self.protected, self.notes):
            for path in [p for p in marks if p[:size] == key]:
                del marks[path]

    def _deactivate(self, words: list[Word], texts: list[str]) -> None:
        self._mark(self.inactive, words, texts, True)

    def _activate(self, words: list[Word], texts: list[str]) -> None:
        self._mark(self.inactive, words, texts, False)

    def _protect(self, words: list[Word], texts: list[str]) -> None:
        self._mark(self.protected, words, texts, True)

    def _unprotect(self, words: list[Word], texts: list[str]) -> None:
        self._mark(self.protected, words, texts, False)

    def _annotate(self, words: list[Word], texts: list[str]) -> None:
        if len(words) < 3:
            self._error("FC001", "`annotate` needs a statement path and a comment text", words[0])
            return
        key = tuple(texts[1:-1])
        note = words[-1]
        text = note.text if note.text.startswith(("/*", "#")) else f"/* {note.text} */"
        self.notes[key] = Comment(text, note.span, len(key), "before")  # replaces an older one
        self._check_configured(key, words)

    def _mark(self, marks: dict[Path, Span], words: list[Word], texts: list[str], on: bool) -> None:
        """Marks belong to nodes (what is under them now or later); they are applied to the
        statements once, by `result`."""
        key = tuple(texts[1:])
        if on:
            marks[key] = words[0].span
        else:
            marks.pop(key, None)
        self._check_configured(key, words)

    def _check_configured(self, key: Path, words: list[Word]) -> None:
        if not self._has(key):
            self._error("FC011", f"`{words[0].text}`: nothing is configured at `{' '.join(key)}`", words[0],
                        severity=Severity.WARNING)

    def _has(self, key: Path) -> bool:
        """Is anything configured at or under `key`? (the node index is built on first use)"""
        if not key:
            return bool(self.out)
        if self.prefixes is None:
            self.prefixes = set()
            for st in self.out:
                path = st.path
                self.prefixes.update(path[:k] for k in range(1, len(path) + 1))
        return key in self.prefixes

    def _insert(self, words: list[Word], texts: list[str]) -> None:
        places = [i for i in range(2, len(texts) - 1) if texts[i] in ("before", "after")]
        if not places:
            self._error("FC012", "`insert` needs `before` or `after` and a reference entry", words[0])
            return
        at = places[-1]
        ref = tuple(texts[at + 1:])
        body = tuple(texts[1:at])
        if len(body) <= len(ref):
            self._error("FC012", "`insert`: the entry to move and the reference do not match", words[0])
            return
        base = body[: len(body) - len(ref)]
        moving_key, ref_key = body, base + ref
        moving = [st for st in self.out if st.path[: len(moving_key)] == moving_key]
        rest = [st for st in self.out if st.path[: len(moving_key)] != moving_key]
        spots = [i for i, st in enumerate(rest) if st.path[: len(ref_key)] == ref_key]
        if not moving or not spots:
            missing = " ".join(moving_key if not moving else ref_key)
            self._error("FC012", f"`insert`: nothing is configured at `{missing}`", words[0])
            return
        spot = spots[0] if texts[at] == "before" else spots[-1] + 1
        self.out = rest[:spot] + moving + rest[spot:]

    def _rename(self, words: list[Word], texts: list[str]) -> None:
        self._move(words, texts, keep=False)

    def _copy(self, words: list[Word], texts: list[str]) -> None:
        self._move(words, texts, keep=True)

    def _move(self, words: list[Word], texts: list[str], *, keep: bool) -> None:
        """`rename P X to Y` / `copy P X to Y`: the node P X (and all under it) becomes, or is
        copied to, P Y; Y has as many words as the end of the path it replaces
        (`rename interfaces ge-0/0/1 unit 5 to unit 6`)."""
        cmd = texts[0]
        at = max((i for i in range(2, len(texts) - 1) if texts[i] == "to"), default=-1)
        old = tuple(texts[1:at]) if at > 0 else ()
        tail = words[at + 1:] if at > 0 else []
        if not old or len(tail) > len(old):
            self._error("FC001", f"`{cmd}` needs a statement path, `to` and the new name", words[0])
            return
        size = len(old)
        base = tuple(words[1:at][: size - len(tail)])
        new_words = base + tuple(tail)
        new = tuple(w.text for w in new_words)
        if not self._has(old):
            self._check_configured(old, words)
            return
        if new != old and self._has(new):
            self._error("FC001", f"`{cmd}`: `{' '.join(new)}` is configured already", words[at + 1])
            return
        built = {id(st): new_statement(new_words + st.words[size:], st.span, st.inactive_at, st.protected,
                                       st.comments, st.group, st.origin, st.blocks, st.listed, st.protected_at,
                                       st.replace_at)
                 for st in self.out if st.path[:size] == old}
        if keep:
            last = max(i for i, st in enumerate(self.out) if id(st) in built)
            copies = [built[id(st)] for st in self.out if id(st) in built]
            self.out[last + 1:last + 1] = copies
        else:
            self.out = [built.get(id(st), st) for st in self.out]
        self.seen = {st.path for st in self.out}
        self.prefixes = None
        _move_marks(self.inactive, old, new, keep)
        _move_marks(self.protected, old, new, keep)
        _move_marks(self.notes, old, new, keep)

    # -- marks -------------------------------------------------------------------------

    def _marked(self, st: Statement) -> Statement:
        """`st` with the inactive/protect depths and annotations of the nodes above it."""
        path = st.path
        inactive_at = _outermost(self.inactive, path)
        protected_at = _outermost(self.protected, path)
        notes = tuple(self.notes[path[:i]] for i in range(1, len(path) + 1) if path[:i] in self.notes)
        if not (inactive_at or protected_at or notes):
            return st
        return new_statement(st.words, st.span, inactive_at, protected_at > 0, notes + st.comments, st.group,
                             st.origin, st.blocks, st.listed, protected_at, st.replace_at)

    def finish(self, pend: list[tuple[str, Span]]) -> None:
        """Comments left at the end of the file go after the last statement."""
        if pend and self.out:
            last = self.out[-1]
            extra = tuple(Comment(t, sp, 0, "tail") for t, sp in pend)
            self.out[-1] = new_statement(last.words, last.span, last.inactive_at, last.protected,
                                     last.comments + extra, last.group, last.origin, last.blocks,
                                     last.listed, last.protected_at, last.replace_at)

    def result(self) -> tuple[Statement, ...]:
        if self.inactive or self.protected or self.notes:
            return tuple(self._marked(st) for st in self.out)
        return tuple(self.out)

    def _error(self, code: str, message: str, word: Word, *, hint: str = "",
               severity: Severity = Severity.ERROR) -> None:
        span = word.span
        if self.command_at is not None and word is self.command_at[0]:
            _, line, column = self.command_at
            self.report.error(code, message, line, column, column + len(word.text), hint=hint, severity=severity)
            return
        self.report.error(code, message, span.line, span.column, span.end_column, hint=hint, severity=severity)


def _up(level: tuple[Word, ...]) -> tuple[Word, ...]:
    """One hierarchy level up: `unit 0` and other keyword + name pairs are one level."""
    if len(level) >= 2 and level[-2].text in KEYED and level[-1].text not in KEYED:
        return level[:-2]
    return level[:-1]


def _outermost(marks: dict[Path, Span], path: Path) -> int:
    if not marks:
        return 0
    for i in range(1, len(path) + 1):
        if path[:i] in marks:
            return i
    return 0


# `edit` alone is operational mode's `configure`; so are these modes of it at the top level
# (no top-level statement of Junos has these names)
_CONFIGURE_MODES = frozenset(("private", "exclusive", "dynamic", "batch"))


def _enters_configuration(texts: list[str], level: tuple[Word, ...]) -> bool:
    """Is this `edit` line operational mode's "enter configuration mode" (`edit`, `edit
    private` …), not a move to a level?"""
    return len(texts) == 1 or (len(texts) == 2 and not level and texts[1] in _CONFIGURE_MODES)


def apply_mixed(target: MixedTarget, words: list[Word]) -> None:
    """A CLI line at the top level of a brace file (a mixed file, as config archivers write
    them): `set P` adds P, `delete P` removes P; session lines (`show configuration`,
    `configure`, `load merge terminal`, `commit`, …) are dropped."""
    cmd = words[0].text
    if cmd == "set" and len(words) > 1:
        span = words[1].span.cover(words[-1].span)
        target.add(tuple(words[1:]), span)
    elif cmd == "delete" and len(words) > 1:
        target._delete(tuple(w.text for w in words[1:]))


class MixedTarget(Protocol):
    def add(self, words: tuple[Word, ...], span: Span) -> None: ...

    def _delete(self, key: tuple[str, ...]) -> None: ...


def _move_marks(marks: dict[Path, M], old: Path, new: Path, keep: bool) -> None:
    """The marks at or under `old` put at `new` (copied when `keep`)."""
    size = len(old)
    for path in [p for p in marks if p[:size] == old]:
        marks[new + path[size:]] = marks[path] if keep else marks.pop(path)
