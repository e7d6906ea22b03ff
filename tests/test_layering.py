"""The import rules of ARCHITECTURE.md §2, checked over every module of the package."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"grammar": "flowc.grammar", "compiler": "flowc.compiler", "runtime": "flowc.runtime"}
FORBIDDEN_TOP = {"compiler", "runtime", "grammar"}


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, level, at_module_level) for every import in a file."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found: list[tuple[str, int, bool]] = []
    top = {id(node) for node in tree.body}

    def visit(node: ast.AST, module_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = module_level and not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, 0, module_level) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                found.append((child.module or "", child.level, module_level))
            visit(child, inner)

    visit(tree, True)
    del top
    return found


ALL = [p for folder in PACKAGES for p in _modules(folder)]


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_are_absolute_and_prefixed(path: Path) -> None:
    for module, level, _ in _imports(path):
        assert level == 0, f"{path}: relative import"
        assert module.split(".")[0] not in FORBIDDEN_TOP, f"{path}: import {module} without flowc."


@pytest.mark.parametrize("path", _modules("runtime"), ids=lambda p: p.name)
def test_runtime_never_imports_compiler_lark_or_jinja(path: Path) -> None:
    for module, _, _ in _imports(path):
        root = module.split(".")[0]
        assert not module.startswith("flowc.compiler"), f"{path} imports {module}"
        assert root not in {"lark", "lark_cython", "jinja2"}, f"{path} imports {module}"


@pytest.mark.parametrize("path", _modules("compiler"), ids=lambda p: str(p.relative_to(ROOT)))
def test_compiler_uses_only_the_plan_from_runtime(path: Path) -> None:
    is_cli = path.parent.name == "commands" or path.name == "cli.py"
    for module, _, module_level in _imports(path):
        if not module.startswith("flowc.runtime") or module == "flowc.runtime.plan":
            continue
        assert is_cli and not module_level, (
            f"{path} imports {module}: the compiler may use only flowc.runtime.plan; "
            "CLI handlers may import the engine inside the function that needs it")


def test_grammar_holds_no_logic() -> None:
    for path in _modules("grammar"):
        tree = ast.parse(path.read_text("utf-8"))
        body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        assert path.name == "__init__.py" and not body, f"{path} holds Python logic"
