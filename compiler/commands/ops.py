"""`flowc show|clear|request services flow-collector …`: Junos operational commands.

The words after `show`, `clear` or `request` are parsed here, as Junos spells them (a
keyword may be shortened to any unique prefix, options come in any order), turned into
one control request, sent to the running engine over its control socket, and the reply
printed as Junos-style text (`flowc.runtime.ops.show`) or JSON. Exit 0 on success, 1 when the
engine refuses (e.g. "Destination not configured"), 2 on bad words or no engine.

`request services flow-collector reload [PLAN|CONFIG] [--site SITE]` (live reload,
docs/reload.md) compiles a CONFIG or loads a PLAN here first: lint errors or an invalid
plan are printed and nothing is sent (exit 1); without a file the engine re-reads the
source it was started from.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flowc.compiler.diagnostics import UsageError

LEVELS = ("terse", "detail", "extensive")
INTERFACE = re.compile(r"^cp-\d+/\d+/\d+$")
DEFAULT_CONTROL = "./flowc.sock"
RELOAD_TIMEOUT = 200.0  # a reload waits for collectors to stop and start (the engine gives up at 180 s)
RELOAD_WORDS = {  # the reply's lists, in the order a reload applies them, and what they mean
    "stopped": "stopped (active files closed and published)",
    "restarted": "restarted with the new plan (active files closed and published first)",
    "started": "started",
    "export_only": "export settings changed (files not yet exported go to the new settings)",
    "unchanged": "unchanged",
}


@dataclass(slots=True)
class Command:
    """A parsed operational command: the control message and how to print its reply."""

    kind: str
    level: str
    message: dict[str, object] = field(default_factory=dict)  # a request's wire form (flowc.runtime.ops.codec)
    source: str | None = None  # `request … reload FILE`: the CONFIG/PLAN to compile first


class Words:
    """A cursor over the command words with Junos-style keyword matching."""

    def __init__(self, verb: str, words: list[str]) -> None:
        self.verb, self.words, self.pos = verb, words, 0

    def more(self) -> bool:
        return self.pos < len(self.words)

    def peek(self) -> str:
        return self.words[self.pos] if self.more() else ""

    def next(self, what: str) -> str:
        if not self.more():
            raise self.error(f"expected {what} after '{self.said()}'")
        self.pos += 1
        return self.words[self.pos - 1]

    def keyword(self, *choices: str) -> str:
        word = self.next(_alternatives(choices))
        return self.match(word, choices)

    def match(self, word: str, choices: tuple[str, ...]) -> str:
        if word in choices:
            return word
        hits = [c for c in choices if c.startswith(word)]
        if len(hits) == 1:
            return hits[0]
        self.pos -= 1
        what = "ambiguous" if hits else "unexpected"
        raise self.error(f"{what} word '{word}' after '{self.said()}': expected {_alternatives(choices)}")

    def interface(self, allow_all: bool) -> str:
        what = "'all' or an interface like cp-6/0/0" if allow_all else "an interface like cp-6/0/0"
        word = self.next(what)
        if (allow_all and word == "all") or INTERFACE.match(word):
            return word
        raise self.error(f"expected {what} after '{self.said(-1)}', got '{word}'")

    def said(self, back: int = 0) -> str:
        return " ".join([self.verb, *self.words[: self.pos + back]])

    def error(self, text: str) -> UsageError:
        return UsageError(text)

    def end(self) -> None:
        if self.more():
            raise self.error(f"unexpected word '{self.peek()}' after '{self.said()}'")


def _alternatives(choices: tuple[str, ...]) -> str:
    quoted = [f"'{c}'" for c in choices]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# ---------------------------------------------------------------- the three verbs

def parse_show(words: list[str]) -> Command:
    w = Words("show", words)
    w.keyword("services")
    w.keyword("flow-collector")
    if not w.more() or w.peek() in LEVELS:  # `show services flow-collector [detail]`
        return Command("interface", _level(w), {"op": "show", "what": "interface", "interface": "all"})
    what = w.keyword("interface", "input", "file")
    if what != "interface":
        w.keyword("interface")
    name = w.interface(allow_all=True)
    return Command(what, _level(w), {"op": "show", "what": what, "interface": name})


def _level(w: Words) -> str:
    level = w.keyword(*LEVELS) if w.more() else "terse"
    w.end()
    return level


def parse_clear(words: list[str]) -> Command:
    w = Words("clear", words)
    w.keyword("services")
    w.keyword("flow-collector")
    w.keyword("statistics")
    if w.peek() == "all":
        name = w.next("all")
    else:
        w.keyword("interface", "all")
        name = w.interface(allow_all=True)
    w.end()
    return Command("clear", "", {"op": "clear", "interface": name})


def parse_request(words: list[str]) -> Command:
    w = Words("request", words)
    w.keyword("services")
    w.keyword("flow-collector")
    action = w.keyword("change-destination", "test-file-transfer", "reload")
    if action == "change-destination":
        return _change_destination(w)
    if action == "reload":
        source = w.next("a file") if w.more() else None
        w.end()
        return Command("reload", "", {"op": "reload"}, source)
    return _test_file_transfer(w)


def _change_destination(w: Words) -> Command:
    found: dict[str, object] = {"how": "gracefully", "clear_files": False, "clear_logs": False}
    options = ("primary", "secondary", "interface", "immediately", "gracefully",
               "clear-files", "clear-logs")
    while w.more():
        word = w.keyword(*options)
        if word == "interface":
            _once(w, found, "interface", w.interface(allow_all=False))
        elif word in ("primary", "secondary"):
            _once(w, found, "role", word)
        elif word in ("immediately", "gracefully"):
            found["how"] = word
        else:
            found[word.replace("-", "_")] = True
    _require(w, found, "role", "'primary' or 'secondary'")
    _require(w, found, "interface", "'interface cp-x/y/z'")
    return Command("change-destination", "", {"op": "change-destination", **found})


def _test_file_transfer(w: Words) -> Command:
    filename = w.next("a test file name")
    found: dict[str, object] = {"filename": filename}
    while w.more():
        word = w.keyword("interface", "channel-zero", "channel-one", "primary", "secondary")
        if word == "interface":
            _once(w, found, "interface", w.interface(allow_all=True))
        elif word.startswith("channel-"):
            _once(w, found, "channel", 0 if word == "channel-zero" else 1)
        else:
            _once(w, found, "role", word)
    _require(w, found, "interface", "'interface cp-x/y/z'")
    _require(w, found, "channel", "'channel-zero' or 'channel-one'")
    _require(w, found, "role", "'primary' or 'secondary'")
    return Command("test-file-transfer", "", {"op": "test-file-transfer", **found})


def _once(w: Words, found: dict[str, object], key: str, value: object) -> None:
    if key in found:
        raise w.error(f"'{w.said()}': {key} given twice")
    found[key] = value


def _require(w: Words, found: dict[str, object], key: str, what: str) -> None:
    if key not in found:
        raise w.error(f"'{w.said()}' is incomplete: expected {what}")


PARSERS = {"show": parse_show, "clear": parse_clear, "request": parse_request}


# ---------------------------------------------------------------- argparse glue

def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `show`, `clear` and `request` to the `flowc` parser."""
    for verb, text in (("show", "show services flow-collector interface|input|file …"),
                       ("clear", "clear services flow-collector statistics interface (all|cp-x/y/z)"),
                       ("request", "request services flow-collector change-destination|test-file-transfer|"
                                   "reload …")):
        parser = sub.add_parser(verb, help=text, description=f"Junos operational command: {text}")
        parser.add_argument("--control", metavar="PATH", default=None,
                            help="the engine's control socket (default: the --site file's control, "
                                 "else $FLOWC_CONTROL, else ./flowc.sock)")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--site", metavar="SITE", default=None,
                            help="site file (YAML): its `control:` names the socket; for `request … reload "
                                 "CONFIG|PLAN` also the overlay applied to the new plan")
        parser.add_argument("words", nargs=argparse.REMAINDER, metavar="WORDS")
        parser.set_defaults(handler=handle, verb=verb)


def handle(args: argparse.Namespace) -> int:
    words, control, fmt, site = _split_options(list(args.words), args.control, args.format, args.site)
    command = PARSERS[args.verb](words)
    if command.source:  # compiled or loaded here; errors printed, nothing sent (FlowcError: exit 1)
        from flowc.compiler.api import reload_plan_text

        command.message["plan"] = reload_plan_text(command.source, site)
    return _send(command, control or _site_control(site) or os.environ.get("FLOWC_CONTROL") or DEFAULT_CONTROL, fmt)


def _site_control(site: str | None) -> str | None:
    """The control socket a site file names (`control:`), as `flowc run --site` uses it."""
    if site is None:
        return None
    from flowc.compiler.lowering.site import load_site

    return load_site(site).control


def _split_options(words: list[str], control: str | None, fmt: str,
                   site: str | None = None) -> tuple[list[str], str | None, str, str | None]:
    """Pick `--control PATH` / `--format F` / `--site SITE` out of the words (they may follow them)."""
    rest: list[str] = []
    while words:
        word = words.pop(0)
        name, eq, value = word.partition("=")
        if name in ("--control", "--format", "--site"):
            if not eq:
                if not words:
                    raise UsageError(f"{name} needs a value")
                value = words.pop(0)
            if name == "--control":
                control = value
            elif name == "--site":
                site = value
            elif value in ("text", "json"):
                fmt = value
            else:
                raise UsageError(f"--format must be text or json, not {value!r}")
        else:
            rest.append(word)
    return rest, control, fmt, site


def _send(command: Command, control: str, fmt: str) -> int:
    from flowc.runtime.ops.codec import VERSION
    from flowc.runtime.ops.control import ControlError, request
    from flowc.runtime.ops.show import render
    from flowc.runtime.ops.wire import MessageError

    try:
        timeout = RELOAD_TIMEOUT if command.kind == "reload" else 10.0
        reply = request(control, {**command.message, "version": VERSION}, timeout=timeout)
    except ControlError as exc:
        print(f"flowc: {exc}", file=sys.stderr)
        return 2
    ok = bool(reply.get("ok"))
    if fmt == "json":
        print(json.dumps(reply, indent=2))
        return 0 if ok else 1
    if command.kind == "reload":
        print(reload_text(reply), end="", file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    try:
        text = render(command.kind, command.level, reply)
    except MessageError as exc:
        print(f"flowc: the engine at {control} sent a reply this flowc cannot read: {exc}", file=sys.stderr)
        return 2
    print(text, end="", file=sys.stdout if ok or "interface" in reply else sys.stderr)
    return 0 if ok else 1


def reload_text(reply: Mapping[str, Any]) -> str:
    """A reload reply in the spirit of Junos `request` output: what happened per collector."""
    lines: list[str] = []
    error = str(reply.get("error", ""))
    if reply.get("ok") or "nothing was changed" not in error:
        for kind, words in RELOAD_WORDS.items():
            for interface in reply.get(kind, []):
                lines += [f"Flow collector interface: {interface}", f"Reload: {words}"]
    if reply.get("ok"):
        lines.append(f"Reload result: {reply.get('message', 'reload applied')}")
    else:
        lines.append(f"error: reload refused: {error or 'the engine refused the request'}")
    return "".join(f"{line}\n" for line in lines)
