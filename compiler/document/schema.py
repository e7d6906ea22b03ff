"""The JSON Schemas of the validated hierarchies, and validation of a folded document.

`compiler/document/schemas/*.json` (draft 2020-12) are the single source of truth: custom keywords
`x-flowc-kind` (container | named | leaf | flag | leaf-list | words), `x-flowc-open` (unmodelled
statements inside are ignored), `x-flowc-skip` (optional keywords such as `variant`) tell
`flowc.compiler.document.fold` how statement words fold; the same files validate the folded
document with jsonschema. Validation errors become FC102..FC105 diagnostics located at
the exact word through the document's span index.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.source import NO_SPAN, Span

SCHEMA_FILES = (
    "services.json",
    "system.json",
    "chassis.json",
    "interfaces.json",
    "forwarding-options.json",
    "firewall.json",
    "class-of-service.json",
)
# Words that may stand in any container and are never folded (groups are applied before).
ALWAYS_IGNORED = frozenset({"apply-groups", "apply-groups-except", "apply-macro", "apply-path"})


@dataclass(slots=True, eq=False)
class Node:
    """One schema node, resolved and ready for folding."""

    kind: str
    schema: dict[str, Any]
    open: bool = False
    properties: dict[str, Node] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], Node]] = field(default_factory=list)
    entry: Node | None = None
    skip: frozenset[str] = frozenset()

    def child(self, word: str) -> tuple[Node, bool] | None:
        """The node a word selects: (node, is_keyword) or None when not modelled here."""
        node = self.properties.get(word)
        if node is not None:
            return node, True
        for pattern, node in self.patterns:
            if pattern.search(word):
                return node, False
        if self.entry is not None:
            return self.entry, False
        return None


@dataclass(frozen=True, slots=True)
class Root:
    """A top-level hierarchy (`services`, `interfaces`, …): its folding tree and validator."""

    name: str
    node: Node
    validator: Draft202012Validator


def _load(name: str) -> dict[str, Any]:
    text = resources.files("flowc.compiler.document").joinpath("schemas", name).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    resolved: dict[str, Any] = target
    return resolved


def _build(schema: dict[str, Any], document: dict[str, Any]) -> Node:
    schema = _resolve(schema, document)
    node = Node(
        kind=schema.get("x-flowc-kind", "container"),
        schema=schema,
        open=bool(schema.get("x-flowc-open", False)),
        skip=frozenset(schema.get("x-flowc-skip", ())),
    )
    for name, sub in schema.get("properties", {}).items():
        node.properties[name] = _build(sub, document)
    for pattern, sub in schema.get("patternProperties", {}).items():
        node.patterns.append((re.compile(pattern), _build(sub, document)))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        node.entry = _build(extra, document)
    return node


@cache
def roots() -> dict[str, Root]:
    """Every validated top-level hierarchy by its first word; compiled once per process."""
    out: dict[str, Root] = {}
    for name in SCHEMA_FILES:
        document = _load(name)  # the schemas themselves are checked by the tests
        validator = Draft202012Validator(document, format_checker=FormatChecker())
        out[document["x-flowc-root"]] = Root(document["x-flowc-root"], _build(document, document), validator)
    return out


def schema_documents() -> dict[str, dict[str, Any]]:
    """The raw schema documents by root word (for docs and tests)."""
    return {doc["x-flowc-root"]: doc for doc in (_load(name) for name in SCHEMA_FILES)}


Path = tuple[str, ...]


def validate(
    root: Root, data: dict[str, Any], spans: dict[Path, Span], keywords: dict[Path, Span]
) -> Iterator[Diagnostic]:
    """Validate one root's folded document; yield FC1xx diagnostics at exact words."""
    for error in root.validator.iter_errors(data):
        yield _diagnostic(root.name, error, spans, keywords)


def _locate(path: Path, spans: dict[Path, Span]) -> Span:
    """The span of the nearest indexed ancestor of `path` (itself first)."""
    for end in range(len(path), -1, -1):
        span = spans.get(path[:end])
        if span is not None:
            return span
    return NO_SPAN


def _diagnostic(
    root: str, error: ValidationError, spans: dict[Path, Span], keywords: dict[Path, Span]
) -> Diagnostic:
    path: Path = (root, *(str(p) for p in error.absolute_path))
    name = path[-1] if len(path) > 1 else root
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    kind = error.validator
    hint = schema.get("x-flowc-hint", "")
    if kind == "maxProperties":
        keys = list(value)
        limit = int(error.validator_value)
        extra = keys[limit] if len(keys) > limit else keys[-1]
        message = f"{name} has {len(keys)} entries; {schema.get('x-flowc-too-many', f'at most {limit}')}"
        return Diagnostic("FC105", Severity.ERROR, message, _locate((*path, extra), spans),
                          f"remove {name} {extra} (and any after it)")
    if kind == "propertyNames" or "propertyNames" in error.relative_schema_path:
        return Diagnostic("FC102", Severity.ERROR, f"{name} {value} is not a number",
                          _locate((*path, str(value)), spans), hint or f"{name} takes a number")
    span = _locate(path, spans)
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        unit = f" {schema['x-flowc-unit']}" if "x-flowc-unit" in schema else ""
        message = f"{name} {value} is out of range {low}..{high}{unit}"
        return Diagnostic("FC103", Severity.ERROR, message, span, hint or f"use a value from {low} to {high}")
    if kind in ("minLength", "maxLength"):
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        bound = f"{low}..{high}" if high is not None else f"at least {low}"
        message = f"{name} must be {bound} characters long (it has {len(str(value))})"
        return Diagnostic("FC103", Severity.ERROR, message, span, hint)
    if kind == "enum":
        return Diagnostic("FC104", Severity.ERROR, _enum_message(name, value, schema["enum"]), span,
                          hint or f"use one of: {', '.join(schema['enum'])}")
    if kind == "pattern":
        message = f"{name} {value!r} is not valid: {schema.get('x-flowc-message', 'wrong form')}"
        return Diagnostic("FC102", Severity.ERROR, message, span, hint)
    if kind == "format":
        return Diagnostic("FC102", Severity.ERROR, f"{name} {value} is not an IPv4 address", span,
                          hint or "write a dotted-quad IPv4 address such as 192.0.2.1")
    if kind == "type":
        expected = {"integer": "a number", "string": "a word", "boolean": "a flag",
                    "object": "a block of statements", "array": "a list"}.get(str(error.validator_value),
                                                                            str(error.validator_value))
        shown = value if not isinstance(value, dict) else "{…}"
        return Diagnostic("FC102", Severity.ERROR, f"{name} {shown} is not {expected}", span, hint)
    return Diagnostic("FC102", Severity.ERROR, f"{name}: {error.message}", span, hint)


def _enum_message(name: str, value: Any, choices: list[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(str(value), choices, n=1)
    guess = f"; did you mean {close[0]}?" if close else ""
    return f"{name} {value} is not one of: {', '.join(choices)}{guess}"
