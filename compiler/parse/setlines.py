"""The rule callbacks of `grammar/set.lark`: each command line, as Lark reduces it, to `SetState`.

Stage parse. `SetBuilder.command` / `listed` get the tokens of one line, make its words (the
leading words a line repeats from the line before are that line's Word objects, as in
brace text the words of a block header are shared) and hand the command to `SetState`,
which applies it. `recover` is called by the Lark backend where the parser stops: it reports a broken line
(FC001, FC006) and repairs the parse so that the next line is read.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flowc.compiler.diagnostics import Diagnostic, sort_diagnostics
from flowc.compiler.parse.backend import Backend, run
from flowc.compiler.parse.lexing import Lexed
from flowc.compiler.parse.setform import SetState
from flowc.compiler.parse.statements import Statement, Word, new_span, new_word
from flowc.compiler.parse.tokens import Tok, mark, unquote
from flowc.compiler.source import Span

if TYPE_CHECKING:
    from flowc.compiler.parse.backend import Repair


class SetBuilder:
    """Set-form lines -> commands applied to a SetState (one builder per parse)."""

    def __init__(self, text: str, name: str) -> None:
        self.lexed = Lexed(text, name)
        self.name = name
        self.state = SetState(name, self.lexed.report)
        self.prev: list[Word] = []
        self.bad_pos = -1     # offset of the last token that broke a line
        self.bad_line = 0

    def command(self, ch: list[Tok]) -> None:
        self._apply(ch, None)

    def listed(self, ch: list[Tok]) -> None:
        at = next(i for i, t in enumerate(ch) if t.type == "LSQB")
        if at < 2:
            lsqb = ch[at]
            if self.flag(lsqb):
                self.lexed.report.error("FC006", "unexpected `[` here", lsqb.line, lsqb.column)
            return
        self._apply(ch[:at], ch[at + 1:])

    def flag(self, tok: Tok) -> bool:
        """Mark the line of `tok` broken; True for its first finding (the one reported)."""
        first = self.bad_line != tok.line or self.bad_pos < 0
        self.bad_line, self.bad_pos = tok.line, tok.start_pos
        return first

    def _apply(self, toks: list[Tok], listed: list[Tok] | None) -> None:
        start = toks[0].start_pos
        lexed = self.lexed
        pend: list[tuple[str, Span]] = []
        if lexed.pending:
            pend = [(t, sp) for t, sp, _p, _k in lexed.take(start)]
            self.state.trailing = [(t, sp) for t, sp, _p, _k in lexed.pending]
            lexed.pending = []
        broken = self.bad_pos >= start or lexed.broken_at >= start
        for t in listed or () if broken else (*toks, *(listed or ())):
            if t.type == "PUNCT":
                if self.flag(t):
                    lexed.report.error("FC001", f"unexpected `{t.value}` in a set command", t.line, t.column,
                                       hint="set form has one command per line, without braces or `;`")
                broken = True
                break
        words = self._words(toks)
        if not broken:
            values = None if listed is None else [self._word(t) for t in listed]
            self.state.command(words, [w.text for w in words], pend, values, self.first, self.last)
        self.state.command_at = None
        self.state.trailing = []
        self.prev = words

    def _word(self, t: Tok) -> Word:
        span = new_span(self.name, t.line, t.column, t.end_line, t.end_column)
        if t.type == "STRING":
            return new_word(unquote(t.value), span, True)
        return new_word(t.value, span, False)

    def _words(self, toks: list[Tok]) -> list[Word]:
        """The line's words; those it repeats from the line before are the same objects."""
        prev, plen = self.prev, len(self.prev)
        words: list[Word] = []
        share = plen > 0
        self.first = self.last = (0, 0)
        for j, t in enumerate(toks):
            if share and t.type == "WORD":
                if j == 0 and prev[0].text == t.value:
                    words.append(prev[0])  # shared; where this line has it is kept aside
                    self.state.command_at = (prev[0], t.line, t.column)
                    continue
                if j < plen and prev[j].text == t.value and not prev[j].quoted:
                    words.append(prev[j])
                    if j == 1:
                        self.first = (t.line, t.column)
                    self.last = (t.line, t.end_column)
                    continue
            share = False
            word = self._word(t)
            if j == 1:
                self.first = (t.line, t.column)
            words.append(word)
            self.last = (word.span.end_line, word.span.end_column)
        return words

    def start(self, ch: list[Tok]) -> None:
        return None


def recover(b: SetBuilder, repair: Repair) -> bool:
    """Report a broken set line and repair the parse; True: go on parsing."""
    tok = repair.token
    report = b.lexed.report
    lsqb = next((v.token for v in reversed(repair.held()) if v.token is not None and v.token.type in ("LSQB", "_NL")),
                None)
    in_list = lsqb is not None and lsqb.type == "LSQB" and "RSQB" in repair.accepts()
    if tok.type in ("_NL", "$END") and lsqb is not None and in_list:
        b.flag(lsqb)
        report.error("FC006", "unclosed `[`: expected `]`", lsqb.line or 1, lsqb.column or 1)
        repair.feed(mark("RSQB", "]", tok))
        if tok.type == "_NL":
            repair.feed(tok)
        return True
    if tok.type == "$END":
        return False
    first = b.flag(tok)
    if first and tok.type == "RSQB":
        report.error("FC006", "unexpected `]` without a matching `[`", tok.line, tok.column)
    elif first and tok.type == "LSQB":
        report.error("FC006", "unexpected `[` here", tok.line, tok.column)
    elif first:
        report.error("FC001", "nothing may follow a `[ … ]` list", tok.line, tok.column,
                     tok.column + len(tok.value))
    return True


def parse_set(text: str, name: str, backend: Backend | None = None
              ) -> tuple[tuple[Statement, ...], tuple[Diagnostic, ...]]:
    """Set-form text -> (statements, diagnostics): commands applied in order. See grammar/set.lark."""
    builder = run("set.lark", lambda: SetBuilder(text, name), text, backend, recover)
    builder.state.finish([(t, sp) for t, sp, _p, _k in builder.lexed.pending])
    return builder.state.result(), sort_diagnostics(builder.lexed.report.items)
