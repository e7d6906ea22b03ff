"""`flowc diff`'s three output forms of a `ConfigDiff`: `show | compare` text, set commands, JSON."""
from __future__ import annotations

from typing import Any

from flowc.compiler.diff.config import ConfigDiff


def compare_text(diff: ConfigDiff) -> str:
    """The Junos `show | compare` form."""
    out = []
    for section in diff.sections:
        out.append(f"[edit {' '.join(section.edit)}]" if section.edit else "[edit]")
        out += [f"{line.op}   {line.text}".rstrip() for line in section.lines]
    return "".join(f"{line}\n" for line in out)


def set_text(diff: ConfigDiff) -> str:
    return "".join(f"{command}\n" for command in diff.commands)


def config_diff_json(diff: ConfigDiff) -> dict[str, Any]:
    return {
        "identical": diff.identical,
        "sections": [
            {"edit": list(s.edit), "lines": [{"op": ln.op, "text": ln.text} for ln in s.lines]}
            for s in diff.sections
        ],
        "commands": list(diff.commands),
    }
