"""`flowc ops` (placeholder until its issue lands)."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's commands to the `flowc` parser (to be written)."""
