"""Text -> folded document -> IR, through the stages' public functions (no lint facade)."""
from __future__ import annotations

import pytest

from flowc.compiler.document.fold import Document, fold, single_valued
from flowc.compiler.document.groups import apply_groups
from flowc.compiler.ir.build import build
from flowc.compiler.ir.model import FlowCollectorConfig
from flowc.compiler.parse.loader import parse_text


def document_of(text: str, name: str = "t.conf") -> Document:
    parsed = parse_text(text, name)
    assert parsed.diagnostics == (), [str(d) for d in parsed.diagnostics]
    statements, diagnostics = apply_groups(parsed.statements,
                                           single_valued=lambda path: single_valued(path) is True)
    assert diagnostics == ()
    return fold(statements)


@pytest.fixture
def ir_of():  # type: ignore[no-untyped-def]
    """`ir_of(text, name="t.conf")`: the IR of a configuration text."""
    def make(text: str, name: str = "t.conf") -> FlowCollectorConfig:
        return build(document_of(text, name))
    return make


@pytest.fixture
def document():  # type: ignore[no-untyped-def]
    """`document(text)`: the folded document of a configuration text."""
    return document_of
