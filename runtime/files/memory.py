"""The memory budget of one collector, in blocks (SPEC §4, "No memory").

A block holds up to `block_size` bytes of formatted, not yet compressed lines of one
open file. The writer takes a block when a file starts buffering and gives it back once
the block is compressed and written (at most a second later, or sooner when full). When
the budget (`plan.memory_budget`, less a fixed reserve for the receive buffer) has no
block left, the packet is dropped and counted under "No memory" and
"Blocks unavailable": the collector never grows without bound.
"""
from __future__ import annotations

from flowc.runtime.stats import CounterSink

DEFAULT_BLOCK_SIZE = 128 * 1024
RECEIVE_RESERVE = 64 * 1024


class MemoryPool:
    """Counts blocks in use against a byte budget."""

    __slots__ = ("_stats", "block_size", "budget", "capacity", "in_use", "reserve")

    def __init__(self, budget: int, stats: CounterSink, block_size: int = DEFAULT_BLOCK_SIZE,
                 reserve: int = RECEIVE_RESERVE) -> None:
        if block_size <= 0 or budget < reserve + block_size:
            raise ValueError(f"memory budget {budget} holds no {block_size}-byte block")
        self.budget = budget
        self.block_size = block_size
        self.reserve = reserve
        self.capacity = (budget - reserve) // block_size
        self.in_use = 0
        self._stats = stats

    def allocate(self) -> bool:
        """Take one block; False (and Blocks unavailable counted) when none is left."""
        if self.in_use >= self.capacity:
            self._stats.add("blocks_unavailable")
            return False
        self.in_use += 1
        self._stats.add("blocks_allocated")
        return True

    def release(self) -> None:
        if self.in_use:
            self.in_use -= 1
            self._stats.add("blocks_freed")

    @property
    def used(self) -> int:
        return self.reserve + self.in_use * self.block_size

    @property
    def free(self) -> int:
        return self.budget - self.used
