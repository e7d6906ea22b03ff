"""CLI transcript lines: what a pasted Junos session adds around the configuration.

Stage parse. Input: configuration text as pasted. `SESSION_LINE` matches prompts, banners,
`{master:0}` states, commit/load messages and the pager; `blank_session_lines` turns them into
spaces (lines and columns stay put), keeping the command of a configuration-mode prompt.
"""
from __future__ import annotations

import re

# Lines copied from a Junos CLI session along with the configuration, each from column 1:
# a `{master:0}` / `{primary:node0}` state, an `[edit …]` banner (or `[Type ^D at a new
# line to end input]`), a `user@host> command` or `user@host# command` prompt (`root>` where
# the router has no host-name yet; a state may
# precede a banner or a prompt), the messages Junos prints around a commit, a load or a
# save, and the pager's `---(more 40%)---`.
# Junos never writes a statement like that, so the readers skip them as they skip blank
# lines, except the command of a `user@host# set …` prompt (configuration mode), which is
# kept: a pasted session of `set` commands reads as those commands.
_PROMPT = r"[\w.-]+(?:@[\w.-]+(?::[\w.-]+)*)?(?P<mode>[>#%])(?![^ \t\r\n])(?P<command>[^\r\n]*)"
_BANNER = r"\[(?:edit|Type \^D)[^\]\r\n]*\]"
_MESSAGE = (r"(?:Entering|Exiting) configuration mode|configuration check succeeds|commit complete"
            r"|load complete|\^D|Wrote \d+ lines? of configuration to [^\r\n]*")
# the pager's prompt: what follows it on the same line (after a `\r`) is the next line
_PAGER = r"---\(more[^)\r\n]*\)---[ \t\r]*"
_STATE = r"\{[A-Za-z][\w:.-]*\}"
SESSION_LINE = re.compile(
    rf"(?m)^(?:(?:(?:{_STATE})?(?:{_BANNER}|{_PROMPT}|{_MESSAGE})|{_STATE})[ \t]*(?=\r?\n|\Z)|{_PAGER})")
# configuration-mode commands whose text a prompt line keeps
_KEPT = frozenset(("set", "delete", "deactivate", "activate", "insert", "protect", "unprotect", "annotate",
                   "rename", "copy", "top", "up"))


def blank_session_lines(text: str) -> str:
    """`text` with every CLI session line (see SESSION_LINE) turned into spaces, so that
    lines and columns stay where they were."""
    if "@" not in text and ">" not in text and "\n{" not in text and "\n[" not in text and text[:1] not in ("{", "[") \
            and "complete" not in text and "configuration mode" not in text and "^D" not in text \
            and "---(more" not in text and "Wrote " not in text:
        return text  # the common case, without a regex scan
    if SESSION_LINE.search(text) is None:
        return text
    return SESSION_LINE.sub(_blank, text)


def kept_command(m: re.Match[str]) -> bool:
    """Is this SESSION_LINE match a configuration-mode prompt whose command is kept?"""
    if m.group("mode") != "#":
        return False
    words = m.group("command").split()
    return bool(words) and (words[0] in _KEPT or (words[0] == "edit" and len(words) > 1))


def _blank(m: re.Match[str]) -> str:
    line = m.group(0)
    if kept_command(m):
        keep = m.start("command") - m.start(0)
        return " " * keep + line[keep:]
    return " " * len(line)
