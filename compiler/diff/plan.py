"""Two plans compared as JSON trees: the changed paths (`flowc diff PLAN PLAN`).

List entries are matched by identity (interface, name, role, index, url, path), so a
path reads `collectors[cp-6/0/0].destinations[primary].target.url`. The `sources` list
(input file names and hashes) is left out: it differs whenever the text does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flowc.runtime.plan.model import Plan, plan_to_dict


@dataclass(frozen=True, slots=True)
class PlanChange:
    op: str  # "+", "-", "~"
    path: str
    old: Any = None
    new: Any = None


_IDENTITY = ("interface", "name", "role", "index", "url", "path")


def diff_plans(old: Plan, new: Plan) -> tuple[PlanChange, ...]:
    """Changed paths between two plans' JSON trees (sources ignored: they always differ)."""
    a, b = plan_to_dict(old), plan_to_dict(new)
    a.pop("sources", None)
    b.pop("sources", None)
    changes: list[PlanChange] = []
    _tree_diff(a, b, "", changes)
    return tuple(changes)


def _tree_diff(a: Any, b: Any, path: str, out: list[PlanChange]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(b) + [k for k in a if k not in b]:
            here = f"{path}.{key}" if path else key
            if key not in a:
                out.append(PlanChange("+", here, None, b[key]))
            elif key not in b:
                out.append(PlanChange("-", here, a[key], None))
            else:
                _tree_diff(a[key], b[key], here, out)
    elif isinstance(a, list) and isinstance(b, list) and _keyed(a + b):
        olds, news = _by_identity(a), _by_identity(b)
        for key in list(news) + [k for k in olds if k not in news]:
            here = f"{path}[{key}]"
            if key not in olds:
                out.append(PlanChange("+", here, None, news[key]))
            elif key not in news:
                out.append(PlanChange("-", here, olds[key], None))
            else:
                _tree_diff(olds[key], news[key], here, out)
    elif a != b:
        out.append(PlanChange("~", path, a, b))


def _keyed(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and _identity(i) for i in items)


def _identity(item: dict[str, Any]) -> str:
    for name in _IDENTITY:
        if isinstance(item.get(name), (str, int)):
            return str(item[name])
    return ""


def _by_identity(items: list[Any]) -> dict[str, Any]:
    return {_identity(i): i for i in items}


def plan_diff_text(changes: tuple[PlanChange, ...]) -> str:
    out = []
    for change in changes:
        if change.op == "~":
            out.append(f"~ {change.path}: {_short(change.old)} -> {_short(change.new)}")
        else:
            out.append(f"{change.op} {change.path}: {_short(change.new if change.op == '+' else change.old)}")
    return "".join(f"{line}\n" for line in out)


def _short(value: Any) -> str:
    return json.dumps(value, sort_keys=False, separators=(", ", ": "))


def plan_diff_json(changes: tuple[PlanChange, ...]) -> dict[str, Any]:
    return {
        "identical": not changes,
        "changes": [{"op": c.op, "path": c.path, "old": c.old, "new": c.new} for c in changes],
    }
