"""Lookups over the IR that more than one later stage needs (lint, lowering).

Stage ir. Input: a `FlowCollectorConfig`. Output: derived names, such as an input's ifAlias.
"""
from __future__ import annotations

import re

from flowc.compiler.ir.model import FlowCollectorConfig

_IFALIAS = re.compile(r"[/.\- ]")


def resolve_ifalias(ir: FlowCollectorConfig, input_name: str) -> str:
    """The ifAlias of an input (SPEC §4): the mo- logical unit's description, else its
    name, with `/`, `.`, `-` and spaces turned into `_`."""
    unit = ir.unit(input_name)
    text = unit.description if unit is not None and unit.description else input_name
    return _IFALIAS.sub("_", text)
