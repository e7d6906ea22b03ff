"""What a `flowc diff` input is, told by its content: a Junos configuration (brace, set or
`| display json` form) or a plan (`.json`/`.yaml`); which form a configuration text is in.

A `.json` file is a plan unless it is Junos JSON: an object whose first key is
`configuration` (what `show configuration | display json` prints). The suffix alone
cannot tell them apart.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from flowc.compiler.parse.jsonform import looks_like_json
from flowc.compiler.parse.loader import detect_format
from flowc.compiler.parse.netconf import looks_wrapped
from flowc.compiler.parse.transcript import blank_session_lines

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


def plain_form(text: str) -> Literal["brace", "set"] | None:
    """The form of a configuration text read as one piece (None: Junos JSON, a NETCONF reply,
    or a pasted CLI session, read in parts). A set text may still hold other commands than `set`."""
    if looks_like_json(text) or looks_wrapped(text) or blank_session_lines(text) is not text:
        return None
    return detect_format(text)
