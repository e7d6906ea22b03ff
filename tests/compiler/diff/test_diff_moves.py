"""The fewest moves between two orders (`flowc.compiler.diff.moves`), checked against
applying them to a list."""
from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from flowc.compiler.diff.moves import longest_increasing, moves


def _apply(order: list[int], steps: list[tuple[int, str, int]]) -> list[int]:
    out = list(order)
    for entry, where, reference in steps:
        out.remove(entry)
        at = out.index(reference)
        out.insert(at if where == "before" else at + 1, entry)
    return out


def _lis_size(values: list[int]) -> int:
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


@given(st.permutations(list(range(9))))
def test_moves_give_the_wanted_order_with_the_fewest_steps(wanted: list[int]) -> None:
    current = list(range(9))
    steps = moves(current, wanted)
    assert _apply(current, steps) == wanted
    assert len(steps) == len(wanted) - _lis_size(wanted)


@given(st.lists(st.integers(0, 50), max_size=30))
def test_longest_increasing_is_increasing_and_longest(values: list[int]) -> None:
    picked = longest_increasing(values)
    chosen = [values[i] for i in picked]
    assert picked == sorted(picked) and all(a < b for a, b in pairwise(chosen))
    assert len(picked) == _lis_size(values)


def test_the_first_entry_to_the_end_is_one_move() -> None:
    current = list(range(2000))
    assert moves(current, current[1:] + current[:1]) == [(0, "after", 1999)]
