"""`lint --schema`: statements and values Junos' own schema rejects, anywhere (FC110-FC112).

Stage document. Input: statements as written (groups not applied, so each finding is at
the word that was written once). Output: FC110 (a keyword the schema does not know at
that level), FC111 (a value outside a leaf's enumeration), FC112 (a value outside a
leaf's pattern), each located at the word. Off by default (`flowc lint --schema`, or
`schema = true` in the settings): the schema is Junos 24.4's, so statements of other
versions or platforms can be unknown to it.

Not reported, to stay quiet on what is not wrong: words below a container the schema
lists without contents; values that are group wildcards (`<*>`), `$junos-…` variables or
`( … )` expressions; values of more than one word.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.document.junospath import Kind, Reading, read
from flowc.compiler.document.junosschema import LEAF_LIST, JunosSchema, schema
from flowc.compiler.parse.statements import Statement, Word
from flowc.compiler.source import Span

CODES = {"FC110": "junos.statement.unknown", "FC111": "junos.value.enum", "FC112": "junos.value.pattern"}
_KEYWORD = re.compile(r"^[a-z][a-z0-9-]*$")
_NUMERIC = re.compile(r"^[0-9][0-9a-fA-F:./-]*$")
_CLOSE = 0.8  # how alike an unknown keyword and a known one must be to call it a typo


def schema_findings(statements: Iterable[Statement]) -> list[Diagnostic]:
    """FC110-FC112 for the statements; none when junoscfg is not installed."""
    index = schema()
    if index is None:
        return []
    found: dict[tuple[str, Span, str], Diagnostic] = {}
    for st in statements:
        reading = read(st.path)
        if reading is None:
            continue
        for d in _statement(index, st, reading):
            found.setdefault((d.code, d.span, d.message), d)
    return list(found.values())


def _statement(index: JunosSchema, st: Statement, reading: Reading) -> list[Diagnostic]:
    out = []
    unknown = reading.unknown_at()
    if unknown < len(st.words) and not reading.opaque:
        typo = _unknown(index, st, reading, unknown)
        if typo is not None:
            out.append(typo)
    for i in range(unknown):
        node = reading.nodes[i]
        if reading.kinds[i] != Kind.VALUE or node < 0 or _multi_word(reading, i):
            continue
        problem = _bad_value(index, node, st.words[i])
        if problem is not None:
            out.append(problem)
    return out


def _unknown(index: JunosSchema, st: Statement, reading: Reading, at: int) -> Diagnostic | None:
    """FC110 for a keyword-shaped word close to a known one (a typo). A word with no close
    match is more likely a statement of another Junos version or platform (SRX `security
    zones`, removed statements): not reported."""
    word = st.words[at]
    if not _KEYWORD.match(word.text):
        return None
    where = " ".join(st.path[:at]) or "top level"
    parent = next((reading.nodes[i] for i in range(at - 1, -1, -1) if reading.nodes[i] >= 0), index.root)
    if at > 0 and reading.kinds[at - 1] in (Kind.LEAF, Kind.LEAF_LIST, Kind.FLAG, Kind.VALUE):
        parent = next((reading.nodes[i] for i in range(at - 2, -1, -1)
                       if reading.kinds[i] in (Kind.CONTAINER, Kind.KEY)), index.root)
    close = difflib.get_close_matches(word.text, list(index.children[parent]), n=1, cutoff=_CLOSE)
    if not close:
        return None
    return Diagnostic("FC110", Severity.WARNING, f"unknown statement {word.text} in [edit {where}]",
                      word.span, f"did you mean `{close[0]}`?")


def _multi_word(reading: Reading, i: int) -> bool:
    nxt = i + 1
    return nxt < len(reading.kinds) and reading.kinds[nxt] == Kind.VALUE and reading.nodes[nxt] < 0


def _bad_value(index: JunosSchema, leaf: int, word: Word) -> Diagnostic | None:
    text = word.text
    if text.startswith(("$junos-", "<", "(")) or ("*" in text and "<" in text):
        return None
    allowed = index.enum(leaf)
    if allowed is not None:
        if text in allowed or _NUMERIC.match(text) or "name" in allowed or index.has(leaf, LEAF_LIST):
            return None  # numbers and names stand beside the words in most of Junos' enums
        close = difflib.get_close_matches(text, sorted(allowed), n=1)
        hint = f"did you mean `{close[0]}`?" if close else "one of: " + ", ".join(sorted(allowed)[:12])
        return Diagnostic("FC111", Severity.WARNING, f"{text} is not a value Junos allows here", word.span, hint)
    pattern = index.pattern(leaf)
    if pattern is None:
        return None
    regex, negated = pattern
    if bool(regex.search(text)) != negated:
        return None
    rule = "must not match" if negated else "must match"
    return Diagnostic("FC112", Severity.WARNING, f"{text} is not a valid value here",
                      word.span, f"the value {rule} {regex.pattern}")
