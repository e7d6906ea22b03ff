"""Brace form (`show configuration`) -> statements with spans, built as Lark parses.

`grammar/curly.lark` is the parser: `parse_brace` runs it (Lark LALR, contextual lexer,
lark-cython when installed, behind `backend.py`) with a fresh `_BraceBuilder` as its rule
callbacks, so no tree is made.
The parser reduces a block's header before anything inside the block, so the builder keeps
a stack of open blocks holding the header words; every statement of a block shares those
Word objects. Tags (`inactive:` `protect:` `replace:` `delete:`), `[ … ]` lists and
comments (lexer callbacks, `lexing.py`) are handled in the callbacks; syntax errors are
recovered in `bracerecovery.py`.
"""
from __future__ import annotations

from flowc.compiler.diagnostics import Diagnostic, Related, sort_diagnostics
from flowc.compiler.parse.backend import Backend, run
from flowc.compiler.parse.blocktree import tree_order
from flowc.compiler.parse.bracerecovery import recover
from flowc.compiler.parse.lexing import AFTER_CLOSE, AFTER_OPEN, AFTER_SEMI, Lexed
from flowc.compiler.parse.setform import SESSION_COMMANDS
from flowc.compiler.parse.statements import Comment, Statement, Word, new_span, new_statement, new_word
from flowc.compiler.parse.tokens import Tok, unquote
from flowc.compiler.source import Span

Pending = list[tuple[str, Span, int, str]]
# the builder has a rule callback named `list` (the grammar's rule): these names stay clear of it
Toks = list[Tok]
Node = dict[str, "Node"]  # block paths: a word -> the blocks opened below it


class Tags(list[Tok]):
    """The tags before a statement or block (`inactive:` …): the grammar's `tags` rule."""

    __slots__ = ()


Tagged = list[Tok | Tags]  # the children of a rule that starts with `tags`
Words = list[Word]
Pairs = list[tuple[str, Span]]


def parse_brace(text: str, name: str, backend: Backend | None = None, *, merged: bool = True
                ) -> tuple[tuple[Statement, ...], tuple[Diagnostic, ...]]:
    """Brace-form text -> (statements, diagnostics). See grammar/curly.lark. A block written
    twice is merged into its first place (`load merge`) unless `merged` is false."""
    builder = run("curly.lark", lambda: _BraceBuilder(text, name), text, backend, recover)
    statements = tree_order(builder.out) if builder.reopened and merged else tuple(builder.out)
    return statements, sort_diagnostics(builder.lexed.report.items)


class _Frame:
    """An open block: the context to restore when it closes."""

    __slots__ = ("anonymous", "blocks", "col", "ctx", "dele", "has_children", "head_col", "head_line", "inact",
                 "line", "node", "prefix", "prot", "repl", "start", "suspect")

    def __init__(self, b: _BraceBuilder, line: int, col: int, head: tuple[int, int], anonymous: bool) -> None:
        # lengths of the builder's stacks, not copies: 20,000 nested blocks stay linear
        self.prefix, self.blocks, self.node = len(b.prefix), len(b.blocks), b.node
        self.inact, self.prot, self.repl, self.dele, self.ctx = b.inact, b.prot, b.repl, b.dele, b.ctx
        self.has_children = b.has_children
        self.line, self.col = line, col
        self.head_line, self.head_col = head
        self.anonymous = anonymous
        self.start = len(b.out)
        self.suspect = 0   # a line indented like this block's header: a `}` missing before it?


class _BraceBuilder:
    """The rule callbacks of curly.lark: statements are built as the parser reduces (one
    builder per parse)."""

    def __init__(self, text: str, name: str) -> None:
        self.lexed = Lexed(text, name)
        self.name = name
        self.out: list[Statement] = []
        self.seen: set[tuple[str, ...]] = set()
        self.node: Node = {}  # the tree of block paths opened so far
        self.reopened = False                        # a block written twice: merge them
        self.suspect: tuple[int, int] | None = None  # (line, block line) where a `}` seems missing
        self.stack: list[_Frame] = []
        # the words of the open blocks' headers, their texts and the word counts after which a
        # `{` was opened: stacks (pushed by `{`, cut back by `}`), never copied per block
        self.prefix: Words = []
        self.ptexts: list[str] = []
        self.blocks: list[int] = [0]
        self.blocks_now: tuple[int, ...] | None = (0,)  # tuple(self.blocks), shared, made when needed
        self.inact = self.prot = self.repl = 0
        self.dele = False
        self.ctx: tuple[Comment, ...] = ()
        self.has_children = False
        self.hdr_col = 0
        self.sets: list[Statement] = []

    # -- words ----------------------------------------------------------------------------

    def _words(self, toks: Toks) -> Words:
        name = self.name
        return [new_word(t.value, new_span(name, t.line, t.column, t.end_line, t.end_column), False)
                if t.type == "WORD" else
                new_word(unquote(t.value), new_span(name, t.line, t.column, t.end_line, t.end_column), True)
                for t in toks]

    def _check_indent(self, first: Tok) -> None:
        if self.stack and first.column <= self.hdr_col and self.stack[-1].suspect == 0:
            self.stack[-1].suspect = first.line

    def _broken(self, first: Tok, end: Tok) -> bool:
        """Was a broken piece (an unterminated string, a bad character) inside this statement?"""
        at = self.lexed.broken_at
        return at >= 0 and first.start_pos <= at <= end.start_pos

    # -- statements -----------------------------------------------------------------------

    def statement(self, ch: Toks) -> None:
        end = ch.pop()
        first = ch[0]
        if self.stack and first.column <= self.hdr_col:
            self._check_indent(first)
        if end.type == "NL" and not self.stack and first.value in SESSION_COMMANDS and first.type == "WORD":
            self._session_line(ch)
            return
        if self.lexed.broken_at >= 0 and self._broken(first, end):
            self.has_children = True
            return
        words = self._words(ch)
        if end.type == "SEMI":
            end_line, end_col = end.line, end.end_column
        else:
            end_line, end_col = words[-1].span.end_line, words[-1].span.end_column
        if self.dele or self.lexed.pending:
            self._emit(words, None, first, end_line, end_col, end.start_pos, None)
            return
        # the hot path: a plain leaf statement (what _emit does for it)
        self.has_children = True
        key = (*self.ptexts, *[w.text for w in words])
        if key not in self.seen:
            self.seen.add(key)
            self.out.append(new_statement((*self.prefix, *words),
                                          new_span(self.name, first.line, first.column, end_line, end_col),
                                          self.inact, self.prot > 0, self.ctx, None, None,
                                          self.blocks_now or self._blocks(), False, self.prot, self.repl))

    def tagged_statement(self, children: Tagged) -> None:
        tags, ch = _split(children)
        first, end = ch[0], ch[-1]
        self._check_indent(first)
        if self._broken(first, end):
            self.has_children = True
            return
        words = self._words(ch[:-1])
        if end.type == "SEMI":
            end_line, end_col = end.line, end.end_column
        else:
            end_line, end_col = words[-1].span.end_line, words[-1].span.end_column
        self._emit(words, None, first, end_line, end_col, end.start_pos, tags)

    def list(self, ch: Toks) -> None:
        self._list(ch, None)

    def tagged_list(self, children: Tagged) -> None:
        tags, ch = _split(children)
        self._list(ch, tags)

    def _list(self, ch: Toks, tags: Tags | None) -> None:
        end = ch[-1]
        at = next(i for i, t in enumerate(ch) if t.type == "LSQB")
        first = ch[0]
        self._check_indent(first)
        if self._broken(first, end):
            self.has_children = True
            return
        words = self._words(ch[:at])
        values = self._words([t for t in ch[at + 1:-1] if t.type != "NL"])
        if end.type == "SEMI":
            end_line, end_col = end.line, end.end_column
        else:
            end_line, end_col = end.line, end.column
        self._emit(words, values, first, end_line, end_col, end.start_pos, tags)

    def _emit(self, cur: Words, values: Words | None, first: Tok, end_line: int, end_col: int,
              end_pos: int, tags: Tags | None) -> None:
        """The statement(s) of `cur` (one, or one per list value), with the comments written
        in it and after it on its line."""
        self.has_children = True
        lexed = self.lexed
        ptexts = self.ptexts
        if values is None and tags is None and not self.dele and not lexed.pending:
            # the hot path: a plain leaf statement
            key = (*ptexts, *[w.text for w in cur])
            if key not in self.seen:
                self.seen.add(key)
                self.out.append(new_statement((*self.prefix, *cur),
                                              new_span(self.name, first.line, first.column, end_line, end_col),
                                              self.inact, self.prot > 0, self.ctx, None, None,
                                              self.blocks_now or self._blocks(), False, self.prot, self.repl))
            return
        start = len(self.out)
        inact, prot, repl, dele, ctx = self.inact, self.prot, self.repl, self.dele, self.ctx
        words = (*self.prefix, *cur)
        texts = (*ptexts, *[w.text for w in cur])
        depth = len(words)
        blocks = self.blocks_now or self._blocks()
        for tag in tags or ():
            kind = tag.value[:-1]
            if kind == "inactive" and not inact:
                inact = depth
            elif kind == "protect" and not prot:
                prot = depth
            elif kind == "replace" and not repl:
                repl = depth
            elif kind == "delete":
                dele = True
        before, after = self._comments_of(end_pos, AFTER_SEMI)
        if before:
            ctx = ctx + tuple(Comment(t, sp, depth, "before") for t, sp in before)
        if values is None or not values:
            items = [(words, texts, new_span(self.name, first.line, first.column, end_line, end_col), False)]
        else:
            items = [(words + (v,), texts + (v.text,),
                      new_span(self.name, first.line, first.column, v.span.end_line, v.span.end_column), True)
                     for v in values]
        for w, key, span, listed in items:
            if dele:
                self._delete(key)
                continue
            if key in self.seen:
                continue
            self.seen.add(key)
            self.out.append(new_statement(w, span, inact, prot > 0, ctx, None, None, blocks, listed, prot, repl))
        if after:
            self._attach(after, 0, "after", start, full=True)

    def _comments_of(self, end_pos: int, kind: str) -> tuple[Pairs, Pairs]:
        """The pending comments written before `end_pos`, and those after it on its line (of
        `kind`: after a `;`, a `{` or a `}`)."""
        lexed = self.lexed
        if not lexed.pending:
            return [], []
        before = [(t, sp) for t, sp, _pos, _k in lexed.take(end_pos)]
        after = []
        while lexed.pending and lexed.pending[0][3] == kind:
            t, sp, _pos, _k = lexed.pending.pop(0)
            after.append((t, sp))
        return before, after

    def _session_line(self, toks: Toks) -> None:
        """A CLI line at the top of a brace file: a `set`/`delete` command of a mixed file is
        applied; `show configuration`, `configure`, `load merge terminal`, … are dropped."""
        from flowc.compiler.parse.setform import apply_mixed
        apply_mixed(self, self._words(toks))

    def bad_tags(self, children: Tagged) -> None:
        self._bad_tags(_split(children)[0])

    def dangling_tags(self, children: Tagged) -> None:
        self._bad_tags(_split(children)[0])

    def _bad_tags(self, tags: Tags) -> None:
        tag = tags[0]
        self.lexed.report.error("FC008", f"`{tag.value}` must be followed by a statement", tag.line, tag.column,
                                tag.column + len(tag.value))

    def tags(self, ch: Toks) -> Tags:
        return Tags([t for t in ch if t.type == "TAG"])  # the line ends after a tag alone left out

    # -- blocks ---------------------------------------------------------------------------

    def header(self, ch: Toks) -> None:
        self._open(ch, None)

    def tagged_header(self, children: Tagged) -> None:
        tags, ch = _split(children)
        self._open(ch, tags)

    def anonymous(self, children: Tagged) -> None:
        tags = children[0] if isinstance(children[0], Tags) else None
        brace = _split(children)[1][-1] if tags is not None else children[-1]
        if isinstance(brace, Tags):
            raise TypeError("`anonymous` ends with its `{`")
        self.lexed.report.error("FC001", "`{` must follow a statement name", brace.line, brace.column)
        if tags is not None:
            self._bad_tags(tags)
        self.stack.append(_Frame(self, brace.line, brace.column, (brace.line, brace.column), True))
        self.hdr_col = brace.column
        self.has_children = False
        self._comments_of(brace.start_pos, AFTER_OPEN)

    def _open(self, ch: Toks, tags: Tags | None) -> None:
        brace = ch[-1]
        toks = ch[:-2] if ch[-2].type == "NL" else ch[:-1]
        first = toks[0]
        self._check_indent(first)
        cur = self._words(toks)
        self.stack.append(_Frame(self, brace.line, brace.column, (first.line, first.column), False))
        self.hdr_col = first.column
        prefix = self.prefix
        prefix += cur
        self.ptexts += [w.text for w in cur]
        node, known = self.node, True
        for w in cur:
            child = node.get(w.text)
            if child is None:
                child = node[w.text] = {}
                known = False
            node = child
        if known:
            self.reopened = True  # this block was written before: merge them
        self.node = node
        depth = len(prefix)
        self.blocks.append(depth)
        self.blocks_now = None
        for tag in tags or ():
            kind = tag.value[:-1]
            if kind == "inactive" and not self.inact:
                self.inact = depth
            elif kind == "protect" and not self.prot:
                self.prot = depth
            elif kind == "replace" and not self.repl:
                self.repl = depth
            elif kind == "delete":
                self.dele = True
        if self.lexed.pending:
            before, after = self._comments_of(brace.start_pos, AFTER_OPEN)
            self.ctx = self.ctx + tuple(Comment(t, sp, depth, "before") for t, sp in before) + tuple(
                Comment(t, sp, depth, "after") for t, sp in after)
        self.has_children = False

    def block(self, ch: Toks) -> None:
        close = ch[-1]
        if close.start_pos >= len(self.lexed.text):  # fed by the recovery at the end of the file
            self.unclosed(close.line, close.end_column)
        self.close_block(close.line, close.column, close.start_pos)

    def close_block(self, line: int, col: int, pos: int) -> None:
        frame = self.stack.pop()
        if not self.has_children and not frame.anonymous:
            self._empty_block(frame.head_line, frame.head_col, line, col + 1)
        if self.lexed.pending:
            before = [(t, sp) for t, sp, _p, _k in self.lexed.take(pos)]
            if before:
                self._attach(before, len(self.prefix), "tail", frame.start)
        del self.prefix[frame.prefix:], self.ptexts[frame.prefix:], self.blocks[frame.blocks:]
        self.blocks_now, self.node = None, frame.node
        self.inact, self.prot, self.repl, self.dele, self.ctx = frame.inact, frame.prot, frame.repl, frame.dele, \
            frame.ctx
        self.hdr_col = self.stack[-1].head_col if self.stack else 0
        if frame.suspect and not self.suspect:
            self.suspect = (frame.suspect, frame.line)
        self.has_children = True
        if self.lexed.pending:
            _before, after = self._comments_of(pos + 1, AFTER_CLOSE)
            if after:
                self._attach(after, len(self.prefix), "end", frame.start, depth_of_last_block=True)

    def unclosed(self, line: int, end_col: int) -> None:
        """The file ends inside a block: FC004 for the innermost open block."""
        frame = self.stack[-1]
        name = self.name
        related = [Related(new_span(name, line, end_col, line, end_col), "the file ends here")]
        candidates = [c for c in ((frame.suspect, frame.line) if frame.suspect else None, self.suspect) if c]
        suspect = min(candidates) if candidates else None
        if suspect:
            related.insert(0, Related(new_span(name, suspect[0], 1, suspect[0], 1),
                                      f"a `}}` is probably missing before this line (it is indented like "
                                      f"the header of the block opened at line {suspect[1]})"))
        self.lexed.report.error("FC004", f"unclosed `{{` opened at line {frame.line}: missing `}}` before the end "
                                f"of the file", frame.line, frame.col, related=tuple(related))

    def start(self, ch: Toks) -> None:
        if self.lexed.pending and self.out:
            tail = [(t, sp) for t, sp, _p, _k in self.lexed.pending]
            self.lexed.pending = []
            self._attach(tail, 0, "tail", 0)

    # -- the rare paths -------------------------------------------------------------------

    def _empty_block(self, hl: int, hc: int, line: int, col: int) -> None:
        if self.dele:
            self._delete(tuple(self.ptexts))
        elif (key := tuple(self.ptexts)) not in self.seen:
            self.seen.add(key)
            self.out.append(new_statement(tuple(self.prefix), new_span(self.name, hl, hc, line, col), self.inact,
                                          self.prot > 0, self.ctx, None, None, self.blocks_now or self._blocks(),
                                          False, self.prot, self.repl))

    def _blocks(self) -> tuple[int, ...]:
        self.blocks_now = tuple(self.blocks)
        return self.blocks_now

    def _delete(self, key: tuple[str, ...]) -> None:
        """`delete:` as `load merge` applies it: drop what is at or under `key` so far."""
        size = len(key)
        kept = [st for st in self.out if st.path[:size] != key]
        if len(kept) != len(self.out):
            self.out[:] = kept
            self.seen.clear()
            self.seen.update(st.path for st in kept)

    def add(self, words: tuple[Word, ...], span: Span) -> None:
        """A statement from a `set` line of a mixed file."""
        key = tuple(w.text for w in words)
        if key not in self.seen:
            self.seen.add(key)
            self.reopened = True  # set lines may add to blocks written before: merge them
            self.out.append(new_statement(words, span, 0, False, (), None, None, (0,), False, 0, 0))

    def _attach(self, pend: Pairs, depth: int, position: str, start: int, *,
                full: bool = False, depth_of_last_block: bool = False) -> None:
        """Attach comments to the statements out[start:] (the last one for tail/end)."""
        out = self.out
        end = len(out)
        if start >= end:
            return
        targets = range(start, end) if full else range(end - 1, end)
        made: dict[int, tuple[Comment, ...]] = {}  # one comment for all values of a `[ … ]` list
        for i in targets:
            st = out[i]
            if full:
                d = len(st.words)
            elif depth_of_last_block:
                d = st.blocks[_block_index(st, depth)] if st.blocks else depth
            else:
                d = depth
            if d not in made:
                made[d] = tuple(Comment(t, sp, d, position) for t, sp in pend)
            comments = st.comments + made[d]
            out[i] = new_statement(st.words, st.span, st.inactive_at, st.protected, comments, st.group, st.origin,
                                   st.blocks, st.listed, st.protected_at, st.replace_at)


def _split(children: Tagged) -> tuple[Tags, Toks]:
    """The tags of a tagged rule (its first child) and the tokens after them."""
    tags = children[0]
    if not isinstance(tags, Tags):
        raise TypeError("a tagged rule starts with its tags")
    return tags, [t for t in children[1:] if not isinstance(t, Tags)]


def _block_index(st: Statement, depth: int) -> int:
    """Index in st.blocks of the block just closed at nesting `depth` words deep."""
    for i, b in enumerate(st.blocks):
        if b > depth:
            return i
    return len(st.blocks) - 1

