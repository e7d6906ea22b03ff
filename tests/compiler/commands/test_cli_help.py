"""The CLI as a user meets it: `--version` on stdout, help on every option of every
command, the grammar of show/clear/request in their `--help`, `fmt` on a folder."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowc.compiler.cli import build_parser

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def flowc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *args], capture_output=True, text=True,
                          timeout=120)


def parsers(parser: argparse.ArgumentParser, path: str = "flowc") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += parsers(child, f"{path} {name}")
    return found


def test_version_goes_to_stdout() -> None:
    done = flowc("--version")
    assert done.returncode == 0 and done.stdout.startswith("flowc ") and done.stderr == ""


def test_every_option_has_help() -> None:
    missing = [f"{path} {action.option_strings or action.dest}"
               for path, parser in parsers(build_parser()) for action in parser._actions
               if not isinstance(action, argparse._SubParsersAction | argparse._HelpAction) and not action.help]
    assert missing == []


@pytest.mark.parametrize("verb, words", [
    ("show", "show services flow-collector input interface (all|cp-x/y/z)"),
    ("clear", "clear services flow-collector statistics interface (all|cp-x/y/z)"),
    ("request", "request services flow-collector reload [PLAN|CONFIG]"),
])
def test_operational_help_prints_the_grammar(verb: str, words: str) -> None:
    done = flowc(verb, "--help")
    assert done.returncode == 0 and words in done.stdout


def test_fmt_takes_a_folder_like_lint(tmp_path: Path) -> None:
    for name in ("single", "groups"):
        (tmp_path / name).mkdir()
        shutil.copy(EXAMPLES / name / "router.conf", tmp_path / name / "router.conf")
    done = flowc("fmt", str(tmp_path), "--to", "set")
    assert done.returncode == 0, done.stderr
    assert f"# {tmp_path / 'groups' / 'router.conf'}" in done.stdout
    assert f"# {tmp_path / 'single' / 'router.conf'}" in done.stdout
    assert flowc("fmt", str(tmp_path / "nothing-here")).returncode == 2
