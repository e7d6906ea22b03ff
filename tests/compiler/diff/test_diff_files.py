"""diff/files: loading through the pipeline; the shown view is the pipeline's group
application with the group text put back where it was written."""
from __future__ import annotations

from pathlib import Path

import pytest

from flowc.compiler.diagnostics import UsageError
from flowc.compiler.diff.files import load_config, parse_config
from flowc.compiler.pipeline import Options, Stage, run_paths

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.mark.parametrize("name", ["router.conf", "router.set"])
def test_the_shown_view_is_what_lint_sees_plus_the_group_text(name: str) -> None:
    path = EXAMPLES / "groups" / name
    loaded = load_config(str(path))
    effective = run_paths([path], Options(upto=Stage.GROUPS)).files[0].effective
    group_text = [s for s in loaded.shown if s.words[0].text == "groups" or "apply-groups" in s.path]
    assert group_text and [s for s in loaded.shown if s not in group_text] == list(effective)
    assert len(loaded.shown) > len(loaded.raw) - len(group_text)  # something was inherited


def test_blocks_written_twice_are_kept_apart_for_the_diff_trees(tmp_path: Path) -> None:
    path = tmp_path / "twice.conf"
    path.write_text("system { host-name a; }\ninterfaces { lo0; }\nsystem { domain-name b; }\n", "utf-8")
    assert [s.words[0].text for s in parse_config(str(path))] == ["system", "interfaces", "system"]


def test_a_syntax_error_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.conf"
    path.write_text("system {\n", "utf-8")
    with pytest.raises(UsageError, match="cannot compare a configuration with syntax errors"):
        load_config(str(path))
