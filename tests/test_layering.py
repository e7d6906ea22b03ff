"""The layering contract of ARCHITECTURE.md §2, checked over every import of every module.

Every import counts, inside functions and under `if TYPE_CHECKING:` too. A unit (a stage
subpackage, or one of the few top-level modules) imports only units on rows below its own;
the compiler reaches the runtime only through `flowc.runtime.plan.*` (CLI handlers may import
more inside the function that needs it); the runtime never imports the compiler, lark or
jinja2; no two modules import each other, directly or round a longer loop.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"grammar": "flowc.grammar", "compiler": "flowc.compiler", "runtime": "flowc.runtime"}
FORBIDDEN_TOP = {"compiler", "runtime", "grammar"}

# Rows, top first: a unit may import only units on later rows (ARCHITECTURE.md §2).
COMPILER_ROWS: tuple[tuple[str, ...], ...] = (
    ("cli",), ("commands",), ("api",), ("render", "diff", "lint"), ("pipeline",), ("lowering", "fmt"),
    ("rules",), ("ir",), ("document",), ("parse",), ("diagnostics",), ("source",),
)
RUNTIME_ROWS: tuple[tuple[str, ...], ...] = (
    ("testbed",), ("engine",), ("processes",), ("collector",), ("ops", "export", "flows"),
    ("files", "ingest"), ("plan",), ("clock", "stats"), ("counters",),
)
CLI_UNITS = {"flowc.compiler.cli", "flowc.compiler.commands"}


@dataclass(frozen=True, slots=True)
class Import:
    """One imported module, where it was written and whether at module level."""

    source: str        # the importing module, dotted
    target: str        # the imported module, dotted (a submodule where `from pkg import mod`)
    line: int
    module_level: bool


def _dotted(path: Path) -> str:
    folder = path.relative_to(ROOT).parts[0]
    rel = path.relative_to(ROOT / folder).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PACKAGES[folder], *parts])


def _modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


ALL = [p for folder in PACKAGES for p in _modules(folder)]
KNOWN = {_dotted(p) for p in ALL}


def _targets(node: ast.ImportFrom) -> list[str]:
    base = node.module or ""
    subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in KNOWN]
    return subs if subs else [base]


def imports_of(path: Path) -> list[Import]:
    """Every import in a file, module-level or not."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    source = _dotted(path)
    found: list[Import] = []

    def visit(node: ast.AST, module_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = module_level and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend(Import(source, a.name, child.lineno, module_level) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                assert child.level == 0, f"{path}:{child.lineno}: relative import"
                found.extend(Import(source, t, child.lineno, module_level) for t in _targets(child))
            visit(child, inner)

    visit(tree, True)
    return found


def unit_of(module: str) -> tuple[str, int] | None:
    """(unit, row) of a flowc module: `flowc.compiler.parse.loader` -> (`flowc.compiler.parse`, 8)."""
    parts = module.split(".")
    if len(parts) < 3 or parts[0] != "flowc" or parts[1] not in ("compiler", "runtime"):
        return None
    rows = COMPILER_ROWS if parts[1] == "compiler" else RUNTIME_ROWS
    for index, row in enumerate(rows):
        if parts[2] in row:
            return ".".join(parts[:3]), index
    raise AssertionError(f"{module}: not in any row of the layering contract (add it to ARCHITECTURE.md §2)")


def violation(imp: Import) -> str | None:
    """Why this import breaks the contract, or None."""
    target = imp.target
    if target.split(".")[0] in FORBIDDEN_TOP:
        return f"import {target} without flowc."
    here = unit_of(imp.source)
    runtime_only = target.startswith("flowc.compiler") or target.split(".")[0] in {"lark", "lark_cython", "jinja2"}
    if imp.source.startswith("flowc.runtime") and runtime_only:
        return f"the runtime imports {target}"
    if imp.source.startswith("flowc.compiler") and target.startswith("flowc.runtime"):
        if target.startswith("flowc.runtime.plan.") or target == "flowc.runtime.plan":
            return None
        if here is not None and here[0] in CLI_UNITS and not imp.module_level:
            return None
        return f"the compiler may use only flowc.runtime.plan.* ({target}); CLI handlers may import more inside a function"
    there = unit_of(target)
    if here is None or there is None or here[0] == there[0] or target.split(".")[1] != imp.source.split(".")[1]:
        return None
    if there[1] <= here[1]:
        side = "a sibling on its own row" if there[1] == here[1] else "a unit above it"
        return f"{here[0]} imports {there[0]}: {side}"
    return None


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_import_follows_the_contract(path: Path) -> None:
    problems = [f"{path.relative_to(ROOT)}:{imp.line}: {why}"
                for imp in imports_of(path) if (why := violation(imp)) is not None]
    assert not problems, "\n".join(problems)


def test_no_import_cycles_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    for path in ALL:
        graph[_dotted(path)] = {i.target for i in imports_of(path) if i.target in KNOWN} - {_dotted(path)}
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                loop = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(loop))
            if nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)


@pytest.mark.parametrize("path", [p for p in ALL if p.name == "__init__.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_init_files_hold_a_docstring_only(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    assert ast.get_docstring(tree), f"{path}: no docstring"
    assert not body, f"{path} holds code or re-exports"


def test_top_level_modules_are_only_the_named_ones() -> None:
    assert {p.stem for p in (ROOT / "compiler").glob("*.py")} == {"__init__", "source", "diagnostics", "api", "cli", "pipeline"}
    assert {p.stem for p in (ROOT / "runtime").glob("*.py")} == {"__init__", "clock", "stats", "counters", "collector", "engine"}


@pytest.mark.parametrize("line, source, why", [
    ("from flowc.compiler.lint.check import check_files", "flowc.compiler.parse.loader", "a unit above it"),
    ("from flowc.compiler.diff.config import quote", "flowc.compiler.lint.check", "a sibling on its own row"),
    ("from flowc.compiler.lint.check import check_files", "flowc.compiler.pipeline", "a unit above it"),
    ("from flowc.runtime.files.spool import SpoolDirs", "flowc.compiler.render.context", "only flowc.runtime.plan"),
    ("from flowc.compiler.parse.loader import parse_text", "flowc.runtime.collector", "the runtime imports"),
    ("from flowc.runtime.engine import run_plan", "flowc.runtime.files.writer", "a unit above it"),
])
def test_the_checker_catches_a_bad_import(line: str, source: str, why: str) -> None:
    node = ast.parse(line).body[0]
    assert isinstance(node, ast.ImportFrom)
    imp = Import(source, _targets(node)[0], 1, True)
    problem = violation(imp)
    assert problem is not None and why in problem


def test_a_handler_may_import_the_engine_inside_its_function() -> None:
    assert violation(Import("flowc.compiler.commands.run", "flowc.runtime.engine", 1, False)) is None
    assert violation(Import("flowc.compiler.commands.run", "flowc.runtime.engine", 1, True)) is not None


def test_grammar_holds_no_logic() -> None:
    for path in _modules("grammar"):
        tree = ast.parse(path.read_text("utf-8"))
        body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        assert path.name == "__init__.py" and not body, f"{path} holds Python logic"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_re_exports_what_it_imports(path: Path) -> None:
    """Every name has one home: `__all__` lists only the module's own names, and no import
    is an explicit re-export (`import x as x`)."""
    tree = ast.parse(path.read_text("utf-8"))
    imported: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                assert alias.asname != alias.name, f"{path}: `{alias.name} as {alias.name}` re-exports it"
                imported.add(alias.asname or alias.name)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            assert isinstance(node.value, (ast.List, ast.Tuple))
            names = {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
            assert not names & imported, f"{path}: __all__ re-exports {sorted(names & imported)}"
