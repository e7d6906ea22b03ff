# flowc: `make demo` runs the main job on embedded defaults; `make test` passes the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOG    := $(VENV)/install.log

.PHONY: install test check demo bench clean

install: $(VENV)/.installed

# Installs quietly into .venv (idempotent); the pip log is kept and shown only on failure.
# The editable install also builds the compiled hot path in place (setup.py; optional).
$(VENV)/.installed: pyproject.toml setup.py runtime/ingest/_hotpath.pyx
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing flowc and its test dependencies into $(VENV) (log: $(LOG))"
	@$(BIN)/python -m pip install --upgrade pip >$(LOG) 2>&1 || { cat $(LOG); exit 1; }
	@$(BIN)/python -m pip install -e '.[test]' >>$(LOG) 2>&1 || { cat $(LOG); exit 1; }
	@$(BIN)/python -m pip install 'lark-cython>=0.0.15' >>$(LOG) 2>&1 \
		|| echo "note: lark-cython did not install; benchmarks compare with pure-Python Lark"
	@touch $@

# Static checks (ruff, then mypy --strict as configured in pyproject.toml), then the tests.
# mypy reads the package through a tree of links flowc/{compiler,runtime,grammar} -> the folders
# (the package-dir mapping of pyproject.toml), built in .venv/typecheck.
test: check
	$(BIN)/python -m pytest

check: install
	$(BIN)/ruff check compiler runtime grammar bench tests
	@mkdir -p $(VENV)/typecheck/flowc
	@for d in compiler runtime grammar; do ln -sfn "$(CURDIR)/$$d" $(VENV)/typecheck/flowc/$$d; done
	cd $(VENV)/typecheck && ../bin/mypy --config-file "$(CURDIR)/pyproject.toml" \
		--cache-dir ../mypy-cache --python-executable ../bin/python \
		-p flowc.compiler -p flowc.runtime -p flowc.grammar

demo: install
	$(BIN)/flowc demo

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache demo-run .bench runtime/ingest/_hotpath.c runtime/ingest/_hotpath.*.so
