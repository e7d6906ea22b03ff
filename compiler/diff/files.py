"""`flowc diff`, loading: two configuration files -> statements as written and as they take
effect -> `flowc.compiler.diff.config.diff_statements`.

Parsing and group application are the pipeline's (`flowc.compiler.pipeline`: stage
STATEMENTS with blocks written twice kept apart, stage GROUPS); what is diff's own is the
shown view (the `groups` text kept where it was written, so a change inside a group shows
under the group and under every hierarchy that inherits it) and leaving out what both sides
write the same before parsing (`flowc.compiler.diff.unchanged`, `flowc.compiler.diff.mixedblanks`,
`flowc.compiler.diff.samelines`).
"""
from __future__ import annotations

from dataclasses import dataclass

from flowc.compiler.diagnostics import UsageError
from flowc.compiler.diff.blocks import Hidden
from flowc.compiler.diff.config import ConfigDiff, diff_statements
from flowc.compiler.diff.inputs import plain_form
from flowc.compiler.diff.mixedblanks import blank_mixed, verified
from flowc.compiler.diff.samelines import leave_out_same, leave_out_same_lines
from flowc.compiler.diff.unchanged import blank_unchanged
from flowc.compiler.document.groups import APPLY, EXCEPT, GROUPS
from flowc.compiler.parse.gcpause import gc_paused
from flowc.compiler.parse.statements import Statement
from flowc.compiler.pipeline import Options, Stage, apply_file_groups, read_file, run_source
from flowc.compiler.source import Source

__all__ = ["LoadedConfig", "diff_files", "load_config", "loaded", "parse_config", "shown"]

_AS_WRITTEN = Options(upto=Stage.STATEMENTS, merged=False)


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """A configuration as written (`raw`) and as it takes effect (`shown`: groups applied,
    the `groups` hierarchy itself kept so that a change inside a group shows twice)."""

    raw: tuple[Statement, ...]
    shown: tuple[Statement, ...]


def load_config(path: str, source: Source | None = None) -> LoadedConfig:
    """Parse a configuration file (or its `source`, read before); syntax errors raise
    UsageError (diff exits 2)."""
    source = source or read_file(path)
    return loaded(parse_config(path, source), source.text)


def parse_config(path: str, source: Source | None = None) -> tuple[Statement, ...]:
    """The statements of a configuration file as written (blocks written twice not merged:
    the diff trees merge them); syntax errors raise UsageError."""
    result = run_source(source or read_file(path), _AS_WRITTEN)
    errors = result.errors()
    if errors:
        listed = "\n".join(str(d) for d in errors[:10])
        raise UsageError(f"{path}: cannot compare a configuration with syntax errors:\n{listed}")
    return result.parsed.statements


def loaded(statements: tuple[Statement, ...], text: str) -> LoadedConfig:
    """The statements as written and as they take effect (`text`: what they were read from,
    or part of; without `groups` in it they are the same)."""
    if "groups" not in text:  # no `groups`, no `apply-groups`: as written
        return LoadedConfig(statements, statements)
    return LoadedConfig(statements, shown(statements))


def _group_text(statement: Statement) -> bool:
    return bool(statement.words) and (statement.words[0].text == GROUPS or any(
        w.text == APPLY or w.text == EXCEPT for w in statement.words))


def shown(statements: tuple[Statement, ...]) -> tuple[Statement, ...]:
    """The pipeline's groups applied, with the `groups` and `apply-groups` text put back
    where it was written (it is configuration too)."""
    if not any(_group_text(s) for s in statements):
        return statements
    applied = apply_file_groups(statements).statements
    index: dict[Statement, int] = {}
    for number, statement in enumerate(statements):
        index.setdefault(statement, number)
    pending = [(n, s) for n, s in enumerate(statements) if _group_text(s)]
    out: list[Statement] = []
    for statement in applied:
        here = index.get(statement) if statement.group is None else None
        while pending and here is not None and pending[0][0] < here:
            out.append(pending.pop(0)[1])
        out.append(statement)
    return tuple(out + [s for _, s in pending])


def diff_files(old: str, new: str, *, unchanged_blanked: bool = True) -> ConfigDiff:
    """Compare two configuration files. What both write the same is left out before
    parsing unless `unchanged_blanked` is false: blocks of two brace files
    (`flowc.compiler.diff.unchanged`), plain brace blocks a set file writes the same
    (`flowc.compiler.diff.mixedblanks`), set lines of a plain set file that the other side
    has the same (`flowc.compiler.diff.samelines`)."""
    sources = read_file(old), read_file(new)
    hidden: Hidden = set()
    if unchanged_blanked:
        a, b = _load_pair(old, new, *sources, hidden)
    else:
        a, b = load_config(old, sources[0]), load_config(new, sources[1])
    with gc_paused():  # the trees are millions of small acyclic objects (see gcpause.py)
        return diff_statements(a.raw, b.raw, shown_old=a.shown, shown_new=b.shown, left_out=hidden)
def _load_pair(old: str, new: str, old_source: Source, new_source: Source,
               hidden: Hidden) -> tuple[LoadedConfig, LoadedConfig]:
    """Both sides loaded, what they write the same left out (its keywords in `hidden`):
    blocks of two brace texts; the lines of plain set texts that make blocks the other side
    has the same (a set side is read after a side in another form)."""
    forms = plain_form(old_source.text), plain_form(new_source.text)
    if forms == ("brace", "brace"):
        old_text, new_text = blank_unchanged(old_source.text, new_source.text, hidden)
        return _loaded_texts(old, new, old_source, new_source, (old_text, new_text))
    if forms == ("set", "set"):
        texts = leave_out_same_lines(old_source.text, new_source.text, hidden)
        return _loaded_texts(old, new, old_source, new_source, texts)
    if forms[1] == "set":
        return _set_side_last((old, old_source), (new, new_source), hidden)
    if forms[0] == "set":
        new_loaded, old_loaded = _set_side_last((new, new_source), (old, old_source), hidden)
        return old_loaded, new_loaded
    return load_config(old, old_source), load_config(new, new_source)


def _set_side_last(first: tuple[str, Source], set_side: tuple[str, Source],
                   hidden: Hidden) -> tuple[LoadedConfig, LoadedConfig]:
    """The side in another form parsed first, then the plain set side without its lines
    that make the blocks the first has the same (both are left without those blocks)."""
    first_source, set_path = first[1], set_side[0]
    statements, set_source = _brace_blanked(first, set_side, hidden)
    cut = leave_out_same(set_source.text, statements, hidden)
    if cut is None:
        return loaded(statements, first_source.text), load_config(set_path, set_source)
    return (loaded(cut[1], first_source.text),
            load_config(set_path, Source(set_source.name, cut[0])))


def _brace_blanked(first: tuple[str, Source], set_side: tuple[str, Source],
                   hidden: Hidden) -> tuple[tuple[Statement, ...], Source]:
    """The first side's statements and the set side's source, without the plain brace
    blocks the set side writes the same (`flowc.compiler.diff.mixedblanks`) when the
    first is brace text; else the first side parsed whole."""
    (first_path, first_source), (_, set_source) = first, set_side
    found: Hidden = set()
    blanked = None
    if plain_form(first_source.text) == "brace":
        blanked = blank_mixed(first_source.text, set_source.text, found)
    if blanked is not None:
        statements = parse_config(first_path, Source(first_source.name, blanked.brace))
        if verified(blanked, statements):
            hidden |= found
            return statements, Source(set_source.name, blanked.set_text)
    return parse_config(first_path, first_source), set_source


def _loaded_texts(old: str, new: str, old_source: Source, new_source: Source,
                  texts: tuple[str, str] | None) -> tuple[LoadedConfig, LoadedConfig]:
    if texts is None:
        return load_config(old, old_source), load_config(new, new_source)
    return (load_config(old, Source(old_source.name, texts[0])),
            load_config(new, Source(new_source.name, texts[1])))
