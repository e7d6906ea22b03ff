"""Build the compiled hot path (`flowc.runtime.ingest._hotpath`, Cython) when it can be built.

Everything else is declared in pyproject.toml. The extension is optional: without Cython, or
when the C compiler fails, flowc installs anyway and runs its pure-Python twin (`flowc
--version` says which). FLOWC_PURE_PYTHON=1 at install time skips the build on purpose.
"""
from __future__ import annotations

import os

from setuptools import Extension, setup


def extensions() -> list[Extension]:
    if os.environ.get("FLOWC_PURE_PYTHON") == "1":
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("flowc: Cython is not installed; the compiled hot path is not built")
        return []
    hot = Extension("flowc.runtime.ingest._hotpath", ["runtime/ingest/_hotpath.pyx"],
                    extra_compile_args=["-O2"], optional=True)
    return list(cythonize([hot], language_level=3, quiet=True))


setup(ext_modules=extensions())
