"""The rule callbacks Lark's LALR parser calls on each reduction, without a parse tree.

Stage parse, part of the Lark backend (`backend.py` hands this module the parser's callback
table; nothing here reads a private attribute). Lark wraps every rule callback of
`transformer=` in its tree builder: a rule whose name starts with `_` (`_value`, `_item`)
and the helper rules of `x+` / `x*` (`__statement_plus_1`) each become a `Tree` that the
rule above takes apart again, and every reduction goes through a Python wrapper. `prepare`
replaces those callbacks, in the table the parser calls, by direct ones that give the rule
callbacks the same children lists (`_`-rules spliced in, filtered tokens left out), so that:

* an inline rule of one child (`_value: WORD | STRING`, `_end`, `_item`) is that child,
  with no call of Python code (`operator.itemgetter`);
* a helper of `x+` / `x*` is a `Seq` (a list, named after its rule like a `Tree`'s data:
  the error recovery reads them), grown in place;
* a named rule calls the method of that name of the builder `bind` gives it (one fresh
  builder per parse; `unbind` lets it go).

It also makes the rule objects hash and compare by identity (the parser looks each one up
on every reduction) and their names plain strings: the same parse, less Python per token.
When Lark's tables are not shaped as expected (another Lark version), `prepare` changes
nothing and returns None.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from lark.grammar import Rule, Terminal

Callback = Callable[[list[Any]], Any]
# (index in the rule's expansion, splice: the child is a list whose items are spliced in)
Plan = tuple[tuple[int, bool], ...]


class Seq(list[Any]):
    """The children of a helper rule (`x+`, `x*`) or of an inline `_`-rule, not reduced yet."""

    __slots__ = ()
    rule = ""


class _IdentityRule(Rule):
    """A Rule that hashes and compares by identity (after the parse table is built, a rule
    is only ever looked up as itself)."""

    __slots__ = ()
    __hash__ = object.__hash__
    __eq__ = object.__eq__
    __ne__ = object.__ne__


@dataclass(frozen=True, slots=True)
class Shapes:
    """What `prepare` learnt of a parser's callback table: the callbacks that need no builder
    (inline rules, `x+` helpers) and, per named rule, how to hand its children over."""

    fixed: tuple[tuple[Rule, Callback], ...]
    named: tuple[tuple[Rule, str, Plan, int], ...]


def prepare(table: dict[Any, Any]) -> Shapes | None:
    """Make the rule keys of a parser's callback table identity-hashed and plain-named, and
    learn the shape of each rule; None (the table unchanged) when it is not shaped as
    expected (another Lark version)."""
    rules = [key for key in table if isinstance(key, Rule)]
    if not rules or any(type(r) not in (Rule, _IdentityRule) or r.options.expand1 for r in rules):
        return None
    singles = _single_child_inlines(rules)
    seqs: dict[str, type[Seq]] = {}
    fixed, named = [], []
    for rule in rules:
        name = str(rule.alias or rule.origin.name)
        if name in singles or _inline(name):
            fixed.append((rule, _fixed(rule, name, singles, seqs)))
        else:
            named.append((rule, name, _plan(rule, singles), len(rule.expansion)))
    for rule in rules:
        del table[rule]
        rule.origin.name = str(rule.origin.name)
        rule.__class__ = _IdentityRule
    for rule, callback in fixed:  # hashed anew (by identity)
        table[rule] = callback
    shapes = Shapes(tuple(fixed), tuple(named))
    unbind(table, shapes)
    return shapes


def bind(table: dict[Any, Any], shapes: Shapes, builder: object) -> None:
    """Point the named rules of `table` at `builder`'s methods of those names."""
    for rule, name, plan, size in shapes.named:
        table[rule] = _named(builder, name, plan, size)


def unbind(table: dict[Any, Any], shapes: Shapes) -> None:
    """Point the named rules of `table` at nothing (no builder is kept alive by a parser)."""
    for rule, _name, _plan, _size in shapes.named:
        table[rule] = _idle


def _idle(children: list[Any]) -> Any:
    raise RuntimeError("a parser was run without a statement builder bound to it")


def _kept(rule: Rule) -> list[tuple[int, Any]]:
    keep_all = rule.options.keep_all_tokens
    return [(i, sym) for i, sym in enumerate(rule.expansion)
            if keep_all or not (isinstance(sym, Terminal) and sym.filter_out)]


def _inline(name: str) -> bool:
    return name.startswith("_")


def _single_child_inlines(rules: Sequence[Rule]) -> set[str]:
    """The inline rules each of whose expansions keeps one child that is itself one value."""
    by_name: dict[str, list[Rule]] = {}
    for rule in rules:
        by_name.setdefault(str(rule.origin.name), []).append(rule)
    singles = {name for name in by_name if _inline(name) and not name.startswith("__")}
    changed = True
    while changed:  # drop those with a child that is a list (spliced), until nothing changes
        changed = False
        for name in sorted(singles):
            for rule in by_name[name]:
                kept = _kept(rule)
                if len(kept) != 1 or (not kept[0][1].is_term and _inline(kept[0][1].name)
                                      and kept[0][1].name not in singles):
                    singles.discard(name)
                    changed = True
                    break
    return singles


def _plan(rule: Rule, singles: set[str]) -> Plan:
    return tuple((i, not sym.is_term and _inline(sym.name) and sym.name not in singles)
                 for i, sym in _kept(rule))


def _fixed(rule: Rule, name: str, singles: set[str], seqs: dict[str, type[Seq]]) -> Callback:
    plan = _plan(rule, singles)
    if name in singles:
        return itemgetter(plan[0][0])
    cls = seqs.get(name)
    if cls is None:
        cls = seqs[name] = type(name, (Seq,), {"__slots__": (), "rule": name})
    return _collector(plan, len(rule.expansion), cls)


def _named(builder: object, name: str, plan: Plan, size: int) -> Callback:
    method: Callback | None = getattr(builder, name, None)
    if method is None:
        raise LookupError(f"the grammar's rule `{name}` has no callback in {type(builder).__name__}")
    if all(not splice for _i, splice in plan) and len(plan) == size:
        return method  # the children as the parser hands them (a fresh list)
    if plan == ((0, True), (1, False)) and size == 2:
        def grown(children: list[Any]) -> Any:  # `x+ y`, the most common shape: one call
            values = children[0]
            values.append(children[1])
            return method(values)
        return grown
    collect = _collector(plan, size, list)
    return lambda children: method(collect(children))


def _collector(plan: Plan, size: int, cls: type[list[Any]]) -> Callback:
    """children -> the list `plan` makes of them (as a `cls`)."""
    if plan == ((0, True), (1, False)) and size == 2:
        return _append  # `helper x`: the helper's list, grown by one (left recursion)
    if plan == ((0, True),) and size == 1:
        return itemgetter(0)
    if all(not splice for _i, splice in plan) and len(plan) == size:
        return cls  # every child, none spliced: a copy as `cls`

    # left recursion (`helper x y`): the helper's list, grown in place
    grow = bool(plan) and plan[0][1]
    first, rest = (plan[0][0], plan[1:]) if grow else (0, plan)

    def collect(children: list[Any]) -> Any:
        if grow and type(children[first]) is cls:
            out = children[first]
            todo = rest
        else:
            out, todo = cls(), plan
        for i, splice in todo:
            if splice:
                out += children[i]
            else:
                out.append(children[i])
        return out
    return collect


def _append(children: list[Any]) -> Any:
    values = children[0]
    values.append(children[1])
    return values
