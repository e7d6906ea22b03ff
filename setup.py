"""Build the compiled hot path (`flowc.runtime.ingest._hotpath`, Cython) when it can be built.

Everything else is declared in pyproject.toml. The extension is optional: without Cython, or
when the C compiler is missing or fails, flowc installs anyway and runs its pure-Python twin
(`flowc --version` says which). FLOWC_PURE_PYTHON=1 at install time skips the build on purpose.
"""
from __future__ import annotations

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext that warns instead of failing: the pure-Python twin is always there."""

    failed: set[str] = set()

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # no compiler, no headers, a compile error: install anyway
            print(f"flowc: not building {ext.name} ({exc}); flowc runs its pure-Python hot path",
                  file=sys.stderr)
            self.failed.add(ext.name)

    def copy_extensions_to_source(self) -> None:  # editable installs: only what was built
        self.extensions = [e for e in self.extensions if e.name not in self.failed]
        super().copy_extensions_to_source()

    def get_outputs(self) -> list[str]:
        return [path for path in super().get_outputs() if os.path.exists(path)]


def extensions() -> list[Extension]:
    if os.environ.get("FLOWC_PURE_PYTHON") == "1":
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("flowc: Cython is not installed; the compiled hot path is not built", file=sys.stderr)
        return []
    hot = Extension("flowc.runtime.ingest._hotpath", ["runtime/ingest/_hotpath.pyx"],
                    extra_compile_args=["-O2"])
    return list(cythonize([hot], language_level=3, quiet=True))


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
