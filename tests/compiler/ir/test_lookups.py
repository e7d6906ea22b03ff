"""The ifAlias of an input (SPEC §4): the mo- unit's description, else its name, sanitised."""
from __future__ import annotations

import pytest

from flowc.compiler.ir.lookups import resolve_ifalias
from flowc.compiler.ir.model import FlowCollectorConfig, Interface, LogicalUnit

CONFIG = FlowCollectorConfig(interfaces=(
    Interface("mo-7/1/0", units=(LogicalUnit("mo-7/1/0.0", 0, "to core-1 a/b.c"), LogicalUnit("mo-7/1/0.1", 1),
                                 LogicalUnit("mo-7/1/0.2", 2, ""))),
))


@pytest.mark.parametrize(("name", "alias"), [
    ("mo-7/1/0.0", "to_core_1_a_b_c"),   # the description, `/ . -` and spaces made `_`
    ("mo-7/1/0", "to_core_1_a_b_c"),     # unit 0 by its bare interface name
    ("mo-7/1/0.1", "mo_7_1_0_1"),        # no description: the name
    ("mo-7/1/0.2", "mo_7_1_0_2"),        # an empty description counts as none
    ("mo-9/9/9.0", "mo_9_9_9_0"),        # not configured: the name as given
])
def test_resolve_ifalias(name: str, alias: str) -> None:
    assert resolve_ifalias(CONFIG, name) == alias
