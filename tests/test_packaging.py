"""Packaging traps: every sub-package and data folder must reach the wheel."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"grammar": "flowc.grammar", "compiler": "flowc.compiler", "runtime": "flowc.runtime"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _expected_packages() -> set[str]:
    found = set()
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *rel.parts]))
    return found


def test_packages_list_matches_the_folders() -> None:
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    assert listed == _expected_packages()


def test_every_package_has_a_package_dir() -> None:
    mapping = _pyproject()["tool"]["setuptools"]["package-dir"]
    for package in _pyproject()["tool"]["setuptools"]["packages"]:
        assert package in mapping, f"{package} has no package-dir entry"


def test_wheel_holds_grammars_schemas_and_templates(tmp_path: Path) -> None:
    # build from a copy: setuptools writes build/ and *.egg-info into the source tree
    source = tmp_path / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("grammar", "compiler", "runtime"):
        shutil.copytree(ROOT / name, source / name, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(tmp_path.glob("flowc-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data_files = [p for p in (ROOT / "grammar").glob("*.lark")]
    data_files += list((ROOT / "compiler" / "document" / "schemas").glob("*.json"))
    data_files += [p for p in (ROOT / "compiler" / "render" / "templates").rglob("*") if p.is_file()]
    data_files += [ROOT / "runtime" / "plan" / "plan.schema.json"]
    for path in data_files:
        folder = path.relative_to(ROOT).parts[0]
        inner = "/".join(path.relative_to(ROOT / folder).parts)
        assert f"flowc/{folder}/{inner}" in names, f"{path.relative_to(ROOT)} missing from the wheel"
    for package in _expected_packages():
        assert f"{package.replace('.', '/')}/__init__.py" in names
    modules = {n for n in names if n.endswith(".py")}
    assert modules == _expected_modules(), "the wheel's modules differ from the folders"


def _expected_modules() -> set[str]:
    """Every .py file of grammar/, compiler/ and runtime/ as its path inside the wheel."""
    found = set()
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            if "__pycache__" not in path.parts:
                found.add(f"flowc/{folder}/" + "/".join(path.relative_to(ROOT / folder).parts))
    return found
