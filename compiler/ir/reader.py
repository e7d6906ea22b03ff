"""Typed, located access to a folded document (used by the IR builders).

`Reader(document).str("system", "host-name")` is the value if it is a string, else None;
`.int(…)`, `.dict(…)`, `.list(…)` likewise; `.span(…)` is the span of the word a path stands for.
"""
from __future__ import annotations

import builtins
from typing import Any

from flowc.compiler.document.fold import Document
from flowc.compiler.source import NO_SPAN, Span


class Reader:
    """Typed access to the document with spans."""

    def __init__(self, document: Document) -> None:
        self.doc = document

    def dict(self, *path: builtins.str) -> dict[str, Any]:
        value = self.doc.get(*path)
        return value if isinstance(value, dict) else {}

    def list(self, *path: builtins.str) -> builtins.list[builtins.str]:
        value = self.doc.get(*path)
        return [v for v in value if isinstance(v, builtins.str)] if isinstance(value, builtins.list) else []

    def str(self, *path: builtins.str) -> builtins.str | None:
        value = self.doc.get(*path)
        return value if isinstance(value, str) else None

    def int(self, *path: builtins.str, default: builtins.int | None = None) -> builtins.int | None:
        value = self.doc.get(*path)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def span(self, *path: builtins.str) -> Span:
        return self.doc.spans.get(path, NO_SPAN)

    def opt_span(self, *path: builtins.str) -> Span | None:
        return self.doc.spans.get(path)
