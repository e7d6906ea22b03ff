"""What a `flowc diff` input is, told by its content: a Junos configuration (brace, set or
`| display json` form) or a plan (`.json`/`.yaml`).

A `.json` file is a plan unless it is Junos JSON: an object whose first key is
`configuration` (what `show configuration | display json` prints). The suffix alone
cannot tell them apart.
"""
from __future__ import annotations

import re
from pathlib import Path

PLAN_SUFFIXES = (".json", ".yaml", ".yml")
_JUNOS_JSON = re.compile(r'\s*\{\s*"configuration"\s*:')
_HEAD = 4096


def is_junos_json(path: str | Path) -> bool:
    """The file holds `show configuration | display json` output (unreadable: False)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return False
    return _JUNOS_JSON.match(head.lstrip("\ufeff")) is not None


def is_plan_input(path: str | Path) -> bool:
    """A plan file: a plan suffix and not a Junos JSON configuration."""
    return Path(path).suffix.lower() in PLAN_SUFFIXES and not is_junos_json(path)
