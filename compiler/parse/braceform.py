"""Brace form (`show configuration`) -> statements with spans, in one pass.

Implements `grammar/curly.lark` with a hand-written loop over the tokens of
`compiler/parse/tokens.py`: a stack of open blocks holds the words (and their spans) written
in block headers, so every statement of a block shares those Word objects; a statement is
built when its `;` (or the `}` of an empty block) is read. Tags (`inactive:` `protect:`
`replace:` `delete:`), `[ … ]` lists and comments are handled on the way; after a syntax
error the loop resynchronises on the next `;`, `}` or line and goes on.
"""
from __future__ import annotations

from flowc.compiler.diagnostics import Diagnostic, Related, sort_diagnostics
from flowc.compiler.parse.blocktree import tree_order
from flowc.compiler.parse.reporter import Reporter
from flowc.compiler.parse.statements import Comment, Statement, Word, new_span, new_statement, new_word
from flowc.compiler.parse.tokens import (
    BCOMMENT,
    LCOMMENT,
    NL,
    OPENCOMMENT,
    OTHER,
    PUNCT,
    STRING,
    TAGS,
    TOKEN,
    WORD,
    unquote,
)
from flowc.compiler.source import Span


def parse_brace(text: str, name: str) -> tuple[tuple[Statement, ...], tuple[Diagnostic, ...]]:
    """Brace-form text -> (statements, diagnostics). See grammar/curly.lark."""
    parser = _BraceParser(text, name)
    parser.run()
    statements = tree_order(parser.out) if parser.reopened else tuple(parser.out)
    return statements, sort_diagnostics(parser.report.items)


class _BraceParser:
    """One pass over the tokens, building statements as blocks close (no tree)."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.report = Reporter(name)
        self.out: list[Statement] = []
        self.seen: set[tuple[str, ...]] = set()
        self.opened: set[tuple[str, ...]] = set()   # block paths opened so far
        self.reopened = False                        # a block written twice: merge them
        self.suspect: tuple[int, int] | None = None  # (line, block line) where a `}` seems missing

    def run(self) -> None:
        text, name, out, report = self.text, self.name, self.out, self.report
        seen = self.seen
        seen_add, out_append = seen.add, out.append
        opened = self.opened
        opened_add = opened.add
        tags_set = TAGS
        stack: list[list] = []
        # current block context
        prefix: tuple[Word, ...] = ()
        ptexts: tuple[str, ...] = ()
        blocks: tuple[int, ...] = (0,)   # brace statements start at the top level
        inact = prot = repl = 0
        dele = False
        ctx: tuple[Comment, ...] = ()
        has_children = False
        hdr_col = 0                            # column of the open block's header
        # statement being read
        cur: list[Word] = []
        ctexts: list[str] = []
        cur_line = cur_col = 0
        tags: list[tuple[str, int, int]] | None = None
        nl_pending = False
        list_vals: list[Word] | None = None   # inside `[ … ]`
        list_done = False                      # after `]`, waiting for `;`
        list_line = list_col = 0
        pend: list[tuple[str, Span]] = []      # comments waiting for their statement
        last_line = 0
        last_kind = ""
        last_range = (0, 0)
        line, ls, pos = 1, 0, 0
        n = len(text)
        while pos <= n:
            restart = -1
            for m in TOKEN.finditer(text, pos):
                k = m.lastindex
                if k == WORD:
                    w = m.group(5)
                    s = m.start(5)
                    col = s - ls + 1
                    if w in tags_set and not cur and list_vals is None and not list_done:
                        if tags is None:
                            tags = []
                        tags.append((w[:-1], line, col))
                        continue
                    if list_vals is not None:
                        list_vals.append(new_word(w, new_span(name, line, col, line, col + len(w)), False))
                        continue
                    if nl_pending or list_done:
                        # recovery: end the previous statement where the `;` was missing
                        self._missing_semicolon(cur, list_done, line, col)
                        last_range = self._end_statement(
                            prefix, ptexts, blocks, inact, prot, repl, dele, ctx, cur, ctexts, tags, pend,
                            self._list_hold if list_done else None, cur_line, cur_col, line, col)
                        has_children = True
                        cur, ctexts, tags, pend = [], [], None, []
                        list_done = nl_pending = False
                    if not cur:
                        cur_line, cur_col = line, col
                        if col <= hdr_col and stack[-1][14] == 0:
                            stack[-1][14] = line  # indented like its block's header: a `}` missing?
                    cur.append(new_word(w, new_span(name, line, col, line, col + len(w)), False))
                    ctexts.append(w)
                elif k == NL:
                    line += 1
                    ls = m.end(1)
                    if cur and list_vals is None:
                        nl_pending = True
                elif k == PUNCT:
                    c = m.group(2)
                    s = m.start(2)
                    col = s - ls + 1
                    if c == ";":
                        if list_vals is not None:
                            report.error("FC006", "unclosed `[`: expected `]` before `;`", list_line, list_col)
                            self._list_hold, list_vals, list_done = list_vals, None, True
                        if cur or list_done:
                            if not list_done and not dele and not tags and not pend:
                                # the hot path: a plain leaf statement
                                key = ptexts + tuple(ctexts)
                                if key not in seen:
                                    seen_add(key)
                                    words = prefix + tuple(cur)
                                    out_append(new_statement(words, new_span(name, cur_line, cur_col, line, col + 1),
                                                         inact, prot > 0, ctx, None, None, blocks, False, prot, repl))
                                    last_range = (len(out) - 1, len(out))
                                else:
                                    last_range = (0, 0)
                            else:
                                last_range = self._end_statement(
                                    prefix, ptexts, blocks, inact, prot, repl, dele, ctx, cur, ctexts, tags, pend,
                                    self._list_hold if list_done else None, cur_line, cur_col, line, col + 1)
                                pend = []
                            has_children = True
                            cur, ctexts, tags = [], [], None
                            list_done = nl_pending = False
                        elif tags:
                            self._bad_tags(tags, "a statement")
                            tags = None
                        last_line, last_kind = line, ";"
                    elif c == "{":
                        if list_vals is not None:
                            report.error("FC006", "unclosed `[`: expected `]` before `{`", list_line, list_col)
                            self._list_hold, list_vals, list_done = list_vals, None, True
                        if list_done:
                            report.error("FC002", "missing `;` after `]`", line, col)
                            last_range = self._end_statement(
                                prefix, ptexts, blocks, inact, prot, repl, dele, ctx, cur, ctexts, tags, pend,
                                self._list_hold, cur_line, cur_col, line, col)
                            cur, ctexts, tags, pend = [], [], None, []
                            list_done = False
                        stack.append([prefix, ptexts, blocks, inact, prot, repl, dele, ctx, line, col,
                                      cur_line, cur_col, not cur, len(out), 0])
                        hdr_col = cur_col if cur else col
                        if not cur:
                            report.error("FC001", "`{` must follow a statement name", line, col)
                            if tags:
                                self._bad_tags(tags, "a statement")
                        else:
                            prefix = prefix + tuple(cur)
                            ptexts = ptexts + tuple(ctexts)
                            if ptexts in opened:
                                self.reopened = True
                            opened_add(ptexts)
                            depth = len(prefix)
                            blocks = blocks + (depth,)
                            if tags:
                                for tag, _tl, _tc in tags:
                                    if tag == "inactive" and not inact:
                                        inact = depth
                                    elif tag == "protect" and not prot:
                                        prot = depth
                                    elif tag == "replace" and not repl:
                                        repl = depth
                                    elif tag == "delete":
                                        dele = True
                            if pend:
                                ctx = ctx + tuple(Comment(t, sp, depth, "before") for t, sp in pend)
                                pend = []
                        has_children = False
                        cur, ctexts, tags = [], [], None
                        nl_pending = False
                        last_line, last_kind = line, "{"
                    elif c == "}":
                        if list_vals is not None:
                            report.error("FC006", "unclosed `[`: expected `]` before `}`", list_line, list_col)
                            self._list_hold, list_vals, list_done = list_vals, None, True
                        if cur or list_done:
                            where = "after `]`" if list_done else f"after `{ctexts[-1]}`" if ctexts else ""
                            last_word = cur[-1].span if cur and not list_done else None
                            if last_word is not None:
                                report.error("FC002", f"missing `;` {where}", last_word.line, last_word.end_column)
                            else:
                                report.error("FC002", f"missing `;` {where}", line, col)
                            last_range = self._end_statement(
                                prefix, ptexts, blocks, inact, prot, repl, dele, ctx, cur, ctexts, tags, pend,
                                self._list_hold if list_done else None, cur_line, cur_col, line, col)
                            has_children = True
                            cur, ctexts, tags, pend = [], [], None, []
                            list_done = nl_pending = False
                        elif tags:
                            self._bad_tags(tags, "a statement")
                            tags = None
                        if not stack:
                            report.error("FC003", "`}` without a matching `{`", line, col)
                            continue
                        frame = stack.pop()
                        if not has_children and not frame[12]:
                            last_range = self._empty_block(prefix, ptexts, blocks, inact, prot, repl, dele, ctx,
                                                           frame[10], frame[11], line, col + 1)
                        if pend:
                            self._attach(pend, len(prefix), "tail", frame[13])
                            pend = []
                        (prefix, ptexts, blocks, inact, prot, repl, dele, ctx) = frame[:8]
                        hdr_col = stack[-1][11] if stack else 0
                        if frame[14] and not self.suspect:
                            self.suspect = (frame[14], frame[8])
                        has_children = True
                        last_line, last_kind = line, "}"
                        last_range = (frame[13], len(out))
                    elif c == "[":
                        if list_vals is not None:
                            report.error("FC006", "`[` inside a `[ … ]` list", line, col)
                        elif list_done:
                            report.error("FC002", "missing `;` after `]`", line, col)
                        else:
                            if not cur:
                                report.error("FC001", "`[` must follow a statement name", line, col)
                            list_vals = []
                            list_line, list_col = line, col
                            nl_pending = False
                    else:  # "]"
                        if list_vals is None:
                            report.error("FC006", "`]` without a matching `[`", line, col)
                        else:
                            self._list_hold, list_vals, list_done = list_vals, None, True
                elif k == STRING:
                    tok = m.group(6)
                    s = m.start(6)
                    col = s - ls + 1
                    value = unquote(tok)
                    nls = tok.count("\n")
                    if nls:
                        end_line = line + nls
                        end_col = len(tok) - tok.rindex("\n")
                    else:
                        end_line, end_col = line, col + len(tok)
                    word = new_word(value, new_span(name, line, col, end_line, end_col), True)
                    if list_vals is not None:
                        list_vals.append(word)
                    else:
                        if nl_pending or list_done:
                            self._missing_semicolon(cur, list_done, line, col)
                            last_range = self._end_statement(
                                prefix, ptexts, blocks, inact, prot, repl, dele, ctx, cur, ctexts, tags, pend,
                                self._list_hold if list_done else None, cur_line, cur_col, line, col)
                            has_children = True
                            cur, ctexts, tags, pend = [], [], None, []
                            list_done = nl_pending = False
                        if not cur:
                            cur_line, cur_col = line, col
                            if col <= hdr_col and stack[-1][14] == 0:
                                stack[-1][14] = line
                        cur.append(word)
                        ctexts.append(value)
                    if nls:
                        line = end_line
                        ls = s + tok.rindex("\n") + 1
                elif k in (LCOMMENT, BCOMMENT):
                    tok = m.group(k).rstrip("\r")
                    s = m.start(k)
                    col = s - ls + 1
                    nls = tok.count("\n")
                    end_line = line + nls
                    end_col = (len(tok) - tok.rindex("\n")) if nls else col + len(tok)
                    span = new_span(name, line, col, end_line, end_col)
                    if cur or list_vals is not None or list_done or last_line != line:
                        pend.append((tok, span))
                    elif last_kind == ";":
                        self._attach([(tok, span)], 0, "after", last_range[0], last_range[1], full=True)
                    elif last_kind == "{":
                        ctx = ctx + (Comment(tok, span, len(prefix), "after"),)
                    else:  # after "}"
                        self._attach([(tok, span)], len(prefix), "end", last_range[0], last_range[1],
                                     depth_of_last_block=True)
                    if nls:
                        line = end_line
                        ls = s + tok.rindex("\n") + 1
                elif k == OPENCOMMENT:
                    s = m.start(4)
                    report.error("FC010", "unterminated comment: `/*` without `*/`", line, s - ls + 1, s - ls + 3)
                    report.mute()  # the rest of the file is inside the comment: no more findings
                    restart = n + 1
                    break
                else:
                    s = m.start(OTHER)
                    col = s - ls + 1
                    if m.group(OTHER) == '"':
                        report.error("FC005", "unterminated string: `\"` without a closing `\"`", line, col)
                    else:
                        report.error("FC001", f"unexpected character {m.group(OTHER)!r}", line, col)
                    # drop the broken statement and go on with the next line
                    cur, ctexts, tags, pend = [], [], None, []
                    list_vals, list_done, nl_pending = None, False, False
                    nxt = text.find("\n", s)
                    restart = n if nxt < 0 else nxt
                    break
            if restart < 0:
                break
            pos = restart
            if pos > n:
                break
        # end of text
        end_col = n - ls + 1
        if list_vals is not None:
            report.error("FC006", "unclosed `[`: expected `]`", list_line, list_col)
            self._list_hold, list_vals, list_done = list_vals, None, True
        if cur or list_done:
            last_word = cur[-1].span if cur and not list_done else None
            if last_word is not None:
                report.error("FC002", f"missing `;` after `{ctexts[-1]}` at the end of the file",
                             last_word.line, last_word.end_column)
            else:
                report.error("FC002", "missing `;` at the end of the file", line, end_col)
            self._end_statement(prefix, ptexts, blocks, inact, prot, repl, dele, ctx, cur, ctexts, tags, pend,
                                self._list_hold if list_done else None, cur_line, cur_col, line, end_col)
            has_children = True
            pend = []
        elif tags:
            self._bad_tags(tags, "a statement")
        while stack:
            frame = stack.pop()
            related = [Related(new_span(name, line, end_col, line, end_col), "the file ends here")]
            candidates = [c for c in ((frame[14], frame[8]) if frame[14] else None, self.suspect) if c]
            suspect = min(candidates) if candidates else None
            if suspect:
                related.insert(0, Related(new_span(name, suspect[0], 1, suspect[0], 1),
                                          f"a `}}` is probably missing before this line (it is indented like "
                                          f"the header of the block opened at line {suspect[1]})"))
            report.error("FC004", f"unclosed `{{` opened at line {frame[8]}: missing `}}` before the end of the file",
                         frame[8], frame[9], related=tuple(related))
            if not has_children and not frame[12]:
                self._empty_block(prefix, ptexts, blocks, inact, prot, repl, dele, ctx,
                                  frame[10], frame[11], line, end_col)
            (prefix, ptexts, blocks, inact, prot, repl, dele, ctx) = frame[:8]
            has_children = True
        if pend and out:
            self._attach(pend, 0, "tail", 0)

    _list_hold: list[Word] | None = None

    # -- helpers (the rare paths) ---------------------------------------------------------

    def _missing_semicolon(self, cur: list[Word], list_done: bool, line: int, col: int) -> None:
        if list_done or not cur:
            self.report.error("FC002", "missing `;` after `]`", line, col)
            return
        last = cur[-1]
        self.report.error("FC002", f"missing `;` after `{last.text}`", last.span.end_line, last.span.end_column,
                          hint="each statement ends with `;` (or opens a block with `{`)")

    def _bad_tags(self, tags: list[tuple[str, int, int]], what: str) -> None:
        tag, line, col = tags[0]
        self.report.error("FC008", f"`{tag}:` must be followed by {what}", line, col, col + len(tag) + 1)

    def _end_statement(self, prefix, ptexts, blocks, inact, prot, repl, dele, ctx, cur, ctexts, tags, pend,
                       list_vals, cur_line, cur_col, end_line, end_col) -> tuple[int, int]:
        """Emit the statement(s) of `cur` (one, or one per list value); return their range."""
        out = self.out
        start = len(out)
        words = prefix + tuple(cur)
        texts = ptexts + tuple(ctexts)
        depth = len(words)
        for tag, _line, _col in tags or ():
            if tag == "inactive" and not inact:
                inact = depth
            elif tag == "protect" and not prot:
                prot = depth
            elif tag == "replace" and not repl:
                repl = depth
            elif tag == "delete":
                dele = True
        if pend:
            ctx = ctx + tuple(Comment(t, sp, depth, "before") for t, sp in pend)
        if list_vals is None:
            items = [(words, texts, new_span(self.name, cur_line, cur_col, end_line, end_col), False)]
        else:
            items = [(words + (v,), texts + (v.text,), self._list_span(cur, v.span, cur_line, cur_col), True)
                     for v in list_vals]
            if not list_vals and cur:
                items = [(words, texts, new_span(self.name, cur_line, cur_col, end_line, end_col), False)]
        for w, key, span, listed in items:
            if dele:
                self._delete(key)
                continue
            if key in self.seen:
                continue
            self.seen.add(key)
            out.append(new_statement(w, span, inact, prot > 0, ctx, None, None, blocks, listed, prot, repl))
        return (start, len(out))

    def _list_span(self, cur: list[Word], value: Span, line: int, col: int) -> Span:
        """A list value's statement runs from the list's first word to the value."""
        if not cur:
            return value
        return new_span(self.name, line, col, value.end_line, value.end_column)

    def _empty_block(self, prefix, ptexts, blocks, inact, prot, repl, dele, ctx, hl, hc, line, col) -> tuple[int, int]:
        start = len(self.out)
        if dele:
            self._delete(ptexts)
        elif ptexts not in self.seen:
            self.seen.add(ptexts)
            self.out.append(new_statement(prefix, new_span(self.name, hl, hc, line, col), inact, prot > 0, ctx,
                                      None, None, blocks, False, prot, repl))
        return (start, len(self.out))

    def _delete(self, key: tuple[str, ...]) -> None:
        """`delete:` as `load merge` applies it: drop what is at or under `key` so far."""
        size = len(key)
        kept = [st for st in self.out if st.path[:size] != key]
        if len(kept) != len(self.out):
            self.out[:] = kept
            self.seen.clear()  # in place: the reading loop holds this set
            self.seen.update(st.path for st in kept)

    def _attach(self, pend, depth: int, position: str, start: int, end: int | None = None, *,
                full: bool = False, depth_of_last_block: bool = False) -> None:
        """Attach comments to the statements out[start:end] (the last one for tail/end)."""
        out = self.out
        end = len(out) if end is None else end
        if start >= end:
            return
        targets = range(start, end) if full else range(end - 1, end)
        for i in targets:
            st = out[i]
            if full:
                d = len(st.words)
            elif depth_of_last_block:
                d = st.blocks[_block_index(st, depth)] if st.blocks else depth
            else:
                d = depth
            comments = st.comments + tuple(Comment(t, sp, d, position) for t, sp in pend)
            out[i] = _replace_comments(st, comments)


def _block_index(st: Statement, depth: int) -> int:
    """Index in st.blocks of the block just closed at nesting `depth` words deep."""
    for i, b in enumerate(st.blocks):
        if b > depth:
            return i
    return len(st.blocks) - 1


def _replace_comments(st: Statement, comments: tuple[Comment, ...]) -> Statement:
    return new_statement(st.words, st.span, st.inactive_at, st.protected, comments, st.group, st.origin,
                     st.blocks, st.listed, st.protected_at, st.replace_at)
