# flowc: `make demo` runs the main job on embedded defaults; `make test` passes the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install test demo bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	-$(BIN)/python -m pip install -q 'lark-cython>=0.0.15'
	touch $@

test: install
	$(BIN)/python -m pytest

demo: install
	$(BIN)/flowc demo

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache demo-run .bench
