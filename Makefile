# drillsim — every target does its own set-up: a fresh machine needs only Python 3.11 and make.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The editable install is a link tree (strict mode) that mypy/import-linter can read; a new
# module needs a re-install, so the stamp depends on the package folders' contents.
PKG_DIRS := sim agents analysis scenarios cli
PKG_FILES := $(shell find $(PKG_DIRS) -name '*.py' -o -name '*.yaml' -o -name '*.asc' -o -name '*.csv' 2>/dev/null)
STAMP := $(VENV)/.installed

.PHONY: demo test test-all lint bench clean help examples

help:
	@echo "make demo      set up, then run the flagship scenario end to end"
	@echo "make test      set up, then lint and run the test suite (slow verification excluded)"
	@echo "make test-all  the whole suite including slow verification runs"
	@echo "make bench     benchmarks (medians of several runs; the evacuation one takes ~5 min)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "drillsim needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(STAMP): $(BIN)/python pyproject.toml $(PKG_FILES)
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=strict
	@touch $@

demo: $(STAMP)
	$(BIN)/drillsim validate scenarios/examples/riverside-flood.yaml
	$(BIN)/drillsim run scenarios/examples/riverside-flood.yaml --out runs/demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -m "not slow" -q

test-all: lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench.evacuation
	$(BIN)/python -m bench --repeat 3

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache build *.egg-info

examples: $(STAMP)
	$(BIN)/python -c "from pathlib import Path; from drillsim.scenarios.synth import write_example_regions as w; print(*w(Path('scenarios/examples')), sep='\n')"
