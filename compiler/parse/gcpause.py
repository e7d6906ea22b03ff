"""The cyclic garbage collector paused while the parser builds many small objects.

Stage parse. A parse makes millions of small acyclic objects (tokens, spans, words,
statements). The cyclic collector, triggered by allocation counts, would rescan them over
and over (it doubled the time of a 100k-line parse); nothing the parser makes is a cycle,
so `gc_paused` pauses it. On the way out it also moves what was made meanwhile to the
oldest generation (`gc.freeze()` then `gc.unfreeze()`, both O(1)): else the first young
collection after the pause would walk every one of those objects once more (a tenth of
the parse time), to find no garbage.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector (a nested pause is part of the outer one)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
