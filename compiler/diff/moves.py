"""The fewest moves that turn one order of a list into another, in O(n log n).

Stage diff. Input: the entries of an ordered list in their current order and in the order
wanted (the same entries). Output: the entries that stay where they are — a longest
increasing subsequence of their current positions taken in the wanted order — and, for
`insert` commands, each other entry with the entry it goes before (or after, at the end).
Moving the first of 2,000 terms to the end is one move, not 1,999.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def longest_increasing(values: Sequence[int]) -> list[int]:
    """The indexes (into `values`) of a longest strictly increasing subsequence (patience
    sorting: a binary search per value)."""
    tails: list[int] = []      # tails[k]: the least last value of an increasing run of k+1
    tail_at: list[int] = []    # the index of that value
    before = [-1] * len(values)
    for index, value in enumerate(values):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(index)
        else:
            tails[k] = value
            tail_at[k] = index
        before[index] = tail_at[k - 1] if k else -1
    out: list[int] = []
    index = tail_at[-1] if tail_at else -1
    while index >= 0:
        out.append(index)
        index = before[index]
    return out[::-1]


def staying(current: Sequence[K], wanted: Sequence[K]) -> set[K]:
    """The entries of `wanted` that keep their place: the others are moved (entries only on
    one side are left out of both)."""
    place = {entry: number for number, entry in enumerate(current)}
    common = [entry for entry in wanted if entry in place]
    return {common[i] for i in longest_increasing([place[entry] for entry in common])}


def moves(current: Sequence[K], wanted: Sequence[K]) -> list[tuple[K, str, K]]:
    """(entry, "before" | "after", reference) for each entry that must move so that
    `current` (the same entries as `wanted`) gets `wanted`'s order, applied in turn: the
    fewest there are (every entry outside a longest run kept in order moves once)."""
    stay = staying(current, wanted)
    if len(stay) == len(wanted):
        return []
    out: list[tuple[K, str, K]] = []
    last = current[-1]
    for number in range(len(wanted) - 1, -1, -1):  # right to left: the next one is placed
        entry = wanted[number]
        if entry in stay:
            continue
        if number + 1 < len(wanted):
            out.append((entry, "before", wanted[number + 1]))
        else:
            out.append((entry, "after", last))
    return out
