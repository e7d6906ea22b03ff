"""Renderers for lint findings: text, json, sarif (2.1.0), github (annotations), junit.

Input: the pipeline's `Run` (`flowc.compiler.pipeline`). Output: one string per format, deterministic (same input, same
bytes). No secret is ever shown in clear: a `$9$` password stays as written, every other
password (known from the IR, or spotted after `password`/`secret`-like keywords in a shown
source line) becomes `********`, and so does the password of any URL (`ftp://u:********@h/`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

from flowc.compiler.diagnostics import Diagnostic, Severity
from flowc.compiler.pipeline import Run
from flowc.compiler.rules.registry import REGISTRY
from flowc.compiler.source import Source
from flowc.runtime.plan.secret import mask_url_passwords

MASK = "********"
FORMATS = ("text", "json", "sarif", "github", "junit")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/flowc/flowc"
_SECRET_WORD = re.compile(
    r'(\b(?:password|secret|simple-password|authentication-key|pre-shared-key|hello-authentication-key)'
    r'\s+)("(?:[^"\\]|\\.)*"|[^\s;{}]+)')


class Redactor:
    """Removes clear-text secrets from anything about to be shown."""

    def __init__(self, secrets: frozenset[str]) -> None:
        self.secrets = sorted((s for s in secrets if s), key=len, reverse=True)

    def text(self, text: str) -> str:
        for value in self.secrets:
            text = text.replace(value, MASK)
        return mask_url_passwords(text)

    def line(self, line: str) -> str:
        def mask(match: re.Match[str]) -> str:
            value = match.group(2)
            bare = value.strip('"')
            return match.group(0) if bare.startswith("$9$") else f'{match.group(1)}"{MASK}"'

        return self.text(_SECRET_WORD.sub(mask, line))


def render(result: Run, fmt: str) -> str:
    """The findings of `result` in format `fmt` (one of FORMATS)."""
    renderers: dict[str, Callable[[Run, Redactor], str]] = {
        "text": render_text, "json": render_json, "sarif": render_sarif,
        "github": render_github, "junit": render_junit,
    }
    return renderers[fmt](result, Redactor(result.secrets))


def rule_name(code: str) -> str:
    rule = REGISTRY.get(code)
    if rule is not None:
        return rule.name
    if code.startswith("FC3"):
        return "lowering"
    return _syntax_names().get(code, "internal" if code.startswith("FC9") else "syntax")


def _syntax_names() -> dict[str, str]:
    from flowc.compiler.parse.loader import ERROR_CODES

    return {code: "syntax." + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") for code, text in ERROR_CODES.items()}


def _level(severity: Severity) -> str:
    return {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}[severity]


# --- text ---------------------------------------------------------------------------------


def render_text(result: Run, redact: Redactor) -> str:
    sources = {file.name: file.source for file in result.files}
    blocks = [_text_block(d, sources.get(d.span.file), redact) for d in result.diagnostics]
    blocks.append(summary(result))
    return "\n".join(blocks) + "\n"


def _text_block(d: Diagnostic, source: Source | None, redact: Redactor) -> str:
    head = f"{d.span}: {d.severity} {d.code} {redact.text(d.message)} [{rule_name(d.code)}]"
    lines = [head]
    if source is not None and d.span.line > 0:
        raw = source.line(d.span.line).expandtabs(1)
        text = redact.line(raw)
        number = str(d.span.line)
        start = max(d.span.column - 1, 0)
        end = d.span.end_column - 1 if d.span.end_line == d.span.line else len(text)
        width = max(1, min(end, len(text)) - start)
        masked = f'"{MASK}"'
        if text[start:start + len(masked)] == masked:
            width = len(masked)
        elif mask_url_passwords(raw[start:end]) != raw[start:end]:  # a URL whose password is masked
            width = len(mask_url_passwords(raw[start:end]))
        lines.append(f" {number} | {text}")
        lines.append(f" {' ' * len(number)} | {' ' * start}{'^' * width}")
    if d.hint:
        lines.append(f"  hint: {redact.text(d.hint)}")
    for related in d.related:
        lines.append(f"  note: {related.span}: {redact.text(related.message)}")
    return "\n".join(lines)


def summary(result: Run) -> str:
    counts = {s: sum(1 for d in result.diagnostics if d.severity == s) for s in Severity}
    files = len(result.files)
    where = f"in {files} file{'s' if files != 1 else ''}"
    parts = [f"{counts[s]} {word}{'s' if counts[s] != 1 else ''}"
             for s, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "note"))
             if counts[s] or s != Severity.INFO]
    if not result.diagnostics:
        return f"no problems {where}"
    return f"{', '.join(parts)} {where}"


# --- json ---------------------------------------------------------------------------------


def _as_dict(d: Diagnostic, redact: Redactor) -> dict[str, object]:
    return {
        "code": d.code,
        "name": rule_name(d.code),
        "severity": str(d.severity),
        "message": redact.text(d.message),
        "hint": redact.text(d.hint),
        "file": d.span.file,
        "line": d.span.line,
        "column": d.span.column,
        "end_line": d.span.end_line,
        "end_column": d.span.end_column,
        "related": [{"file": r.span.file, "line": r.span.line, "column": r.span.column,
                     "message": redact.text(r.message)} for r in d.related],
    }


def render_json(result: Run, redact: Redactor) -> str:
    counts = {str(s): sum(1 for d in result.diagnostics if d.severity == s) for s in Severity}
    document = {
        "version": 1,
        "files": [file.name for file in result.files],
        "diagnostics": [_as_dict(d, redact) for d in result.diagnostics],
        "summary": {"files": len(result.files), **counts},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- sarif --------------------------------------------------------------------------------


def _uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return path.as_posix()


def _display_path(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _sarif_rules() -> list[dict[str, object]]:
    from flowc.compiler.parse.loader import ERROR_CODES

    rules: list[dict[str, object]] = []
    for code, text in sorted(ERROR_CODES.items()):
        rules.append({
            "id": code, "name": rule_name(code),
            "shortDescription": {"text": text[:1].upper() + text[1:]},
            "fullDescription": {"text": f"Syntax: {text}."},
            "help": {"text": f"Junos syntax: {text}. See docs/diagnostics.md."},
            "defaultConfiguration": {"level": "error"},
        })
    for rule in REGISTRY.values():
        rules.append({
            "id": rule.code, "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary},
            "help": {"text": rule.documentation, "markdown": _help_markdown(rule.documentation)},
            "defaultConfiguration": {"level": _level(rule.severity)},
            "properties": {"tags": [rule.name.split(".")[0]]},
        })
    return rules


def _help_markdown(doc: str) -> str:
    out, in_code = [], False
    for line in doc.splitlines():
        if line.rstrip().endswith(":") and line.strip() in ("Bad:", "Good:"):
            if in_code:
                out.append("```")
            out.append(f"**{line.strip()[:-1]}**")
            out.append("```junos")
            in_code = True
        else:
            out.append(line[4:] if in_code and line.startswith("    ") else line)
    if in_code:
        out.append("```")
    return "\n".join(out)


def render_sarif(result: Run, redact: Redactor) -> str:
    rules = _sarif_rules()
    index = {str(r["id"]): n for n, r in enumerate(rules)}
    results = []
    for d in result.diagnostics:
        entry: dict[str, object] = {
            "ruleId": d.code,
            "level": _level(d.severity),
            "message": {"text": redact.text(d.message + (f" (hint: {d.hint})" if d.hint else ""))},
        }
        if d.code in index:
            entry["ruleIndex"] = index[d.code]
        if d.span.line > 0:
            entry["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(d.span.file)},
                "region": {"startLine": d.span.line, "startColumn": max(d.span.column, 1),
                           "endLine": max(d.span.end_line, d.span.line),
                           "endColumn": max(d.span.end_column, d.span.column + 1)},
            }}]
            entry["partialFingerprints"] = {
                "flowcFinding/v1": f"{d.code}:{_uri(d.span.file)}:{d.span.line}:{d.span.column}"}
        results.append(entry)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "flowc", "informationUri": INFORMATION_URI,
                                "version": _version(), "rules": rules}},
            "artifacts": [{"location": {"uri": _uri(p.name)}} for p in result.files],
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flowc")
    except PackageNotFoundError:
        return "0"


# --- github -------------------------------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: Run, redact: Redactor) -> str:
    lines = []
    for d in result.diagnostics:
        kind = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[d.severity]
        props = [f"file={_escape_property(_display_path(d.span.file))}"]
        if d.span.line > 0:
            props += [f"line={d.span.line}", f"col={d.span.column}",
                      f"endLine={max(d.span.end_line, d.span.line)}"]
            if d.span.end_line == d.span.line:
                props.append(f"endColumn={d.span.end_column}")
        props.append(f"title={_escape_property(f'{d.code} {rule_name(d.code)}')}")
        message = redact.text(d.message + (f"\nhint: {d.hint}" if d.hint else ""))
        lines.append(f"::{kind} {','.join(props)}::{_escape_data(message)}")
    return "".join(f"{line}\n" for line in lines)


# --- junit --------------------------------------------------------------------------------


def render_junit(result: Run, redact: Redactor) -> str:
    by_file: dict[str, list[Diagnostic]] = {p.name: [] for p in result.files}
    for d in result.diagnostics:
        by_file.setdefault(d.span.file, []).append(d)
    failing = sum(1 for found in by_file.values() if any(d.severity >= Severity.ERROR for d in found))
    suites = ET.Element("testsuites", name="flowc lint", tests=str(len(by_file)), failures=str(failing))
    suite = ET.SubElement(suites, "testsuite", name="flowc lint", tests=str(len(by_file)),
                          failures=str(failing), errors="0", skipped="0")
    for file, found in by_file.items():
        case = ET.SubElement(suite, "testcase", classname="flowc.lint", name=file)
        errors = [d for d in found if d.severity >= Severity.ERROR]
        if errors:
            failure = ET.SubElement(case, "failure", type=errors[0].code,
                                    message=f"{len(errors)} error(s): {redact.text(errors[0].message)}")
            failure.text = "\n".join(redact.text(f"{d.span}: {d.severity} {d.code} {d.message}") for d in found)
        elif found:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(redact.text(f"{d.span}: {d.severity} {d.code} {d.message}") for d in found)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
