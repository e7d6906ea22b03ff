"""Property tests: generated configurations parse to the statements they were built from,
and survive brace -> set -> brace, set -> brace and a second `fmt` unchanged."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowc.compiler.fmt.printer import quote, to_brace, to_set
from flowc.compiler.parse.loader import parse_text
from flowc.compiler.parse.statements import Word

WORDS = ["unit", "0", "1", "family", "inet", "ge-0/0/0", "10.0.0.1/24", "description", "term", "t1",
         "filter", "x", "Zürich", "<*>", "$9$dQbwgGUjq.5F", "a b", 'quo"te', "back\\slash", "semi;colon",
         "{brace}", "#hash", "", "inactive:", "/*x*/", "2001:db8::1/64", "ftp://u@h/p", "[", "]"]


@dataclass(frozen=True)
class Node:
    words: tuple[str, ...]
    inactive: bool
    children: tuple[Node, ...] = ()   # a block when not empty
    values: tuple[str, ...] = ()      # a `[ list ]` leaf when not empty


word = st.sampled_from(WORDS)


def nodes(depth: int) -> st.SearchStrategy[tuple[Node, ...]]:
    leaf = st.builds(Node, st.lists(word, min_size=1, max_size=3).map(tuple), st.booleans())
    listed = st.builds(lambda w, i, v: Node(w, i, values=v), st.lists(word, min_size=1, max_size=2).map(tuple),
                       st.booleans(), st.lists(word, min_size=1, max_size=3, unique=True).map(tuple))
    kinds = [leaf, listed]
    if depth > 0:
        kinds.append(st.builds(lambda w, i, c: Node(w, i, c), st.lists(word, min_size=1, max_size=2).map(tuple),
                               st.booleans(), nodes(depth - 1).filter(bool)))
    return st.lists(st.one_of(kinds), max_size=4, unique_by=lambda n: n.words[0]).map(tuple)


def brace_text(children: tuple[Node, ...], level: int = 0) -> str:
    out = []
    for node in children:
        pad = "  " * level + ("inactive: " if node.inactive else "")
        head = " ".join(quote(Word(w)) for w in node.words)
        if node.children:
            out.append(f"{pad}{head} {{\n{brace_text(node.children, level + 1)}{'  ' * level}}}\n")
        elif node.values:
            out.append(f"{pad}{head} [ {' '.join(quote(Word(v)) for v in node.values)} ];\n")
        else:
            out.append(f"{pad}{head};\n")
    return "".join(out)


def expected(children: tuple[Node, ...], prefix: tuple[str, ...] = (), inactive_at: int = 0) -> list:
    result = []
    for node in children:
        path = prefix + node.words
        at = inactive_at or (len(path) if node.inactive else 0)
        if node.children:
            result += expected(node.children, path, at)
        elif node.values:
            result += [(path + (v,), at) for v in node.values]
        else:
            result.append((path, at))
    return result


def meaning(statements) -> list:
    return [(s.path, s.inactive_at) for s in statements]


def dedupe(items: list) -> list:
    seen, out = set(), []
    for path, at in items:
        if path not in seen:
            seen.add(path)
            out.append((path, at))
    return out


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(nodes(3))
def test_brace_text_parses_to_the_statements_it_was_built_from(tree: tuple[Node, ...]) -> None:
    parsed = parse_text(brace_text(tree), "gen.conf", "brace")
    assert parsed.diagnostics == ()
    assert meaning(parsed.statements) == dedupe(expected(tree))


@SETTINGS
@given(nodes(3))
def test_brace_set_brace_keeps_the_meaning(tree: tuple[Node, ...]) -> None:
    brace = parse_text(brace_text(tree), "gen.conf", "brace")
    as_set = parse_text(to_set(brace.statements), "gen.set", "set")
    assert as_set.diagnostics == ()
    assert meaning(as_set.statements) == meaning(brace.statements)
    back = parse_text(to_brace(as_set.statements), "back.conf", "brace")
    assert back.diagnostics == ()
    assert sorted(meaning(back.statements)) == sorted(meaning(brace.statements))


@SETTINGS
@given(nodes(3))
def test_fmt_is_idempotent_and_keeps_the_meaning(tree: tuple[Node, ...]) -> None:
    brace = parse_text(brace_text(tree), "gen.conf", "brace")
    once = to_brace(brace.statements)
    again = parse_text(once, "once.conf", "brace")
    assert again.diagnostics == ()
    assert meaning(again.statements) == meaning(brace.statements)
    assert to_brace(again.statements) == once
    as_set = to_set(brace.statements)
    assert to_set(parse_text(as_set, "x.set", "set").statements) == as_set


NOISE_PIECES = list('ab1 \t\n\r;{}[]"#/*\\:é') + [
    "inactive:", "protect:", "delete:", "replace:", "set ", "delete ", "insert ", " before ", "deactivate "]
NOISE = st.lists(st.sampled_from(NOISE_PIECES), max_size=80).map("".join)


@settings(max_examples=400, deadline=None)
@given(NOISE)
def test_any_text_parses_without_raising(text: str) -> None:
    for fmt in ("brace", "set"):
        parsed = parse_text(text, "noise", fmt)
        for d in parsed.diagnostics:
            assert d.code.startswith("FC0") and d.span.line >= 1 and d.span.column >= 1
        if parsed.ok:
            to_brace(parsed.statements)
            to_set(parsed.statements)


@settings(max_examples=300, deadline=None)
@given(NOISE)
def test_whatever_parses_survives_set_and_brace(text: str) -> None:
    parsed = parse_text(text, "noise", "brace")
    if not parsed.ok:
        return
    flags = [(s.path, s.inactive_at, s.protected_at) for s in parsed.statements]
    as_set = parse_text(to_set(parsed.statements), "noise.set", "set")
    assert as_set.ok and [(s.path, s.inactive_at, s.protected_at) for s in as_set.statements] == flags
    brace = to_brace(parsed.statements)
    again = parse_text(brace, "noise.conf", "brace")
    assert again.ok and sorted((s.path, s.inactive_at, s.protected_at) for s in again.statements) == sorted(flags)
    assert to_brace(again.statements) == brace
