# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_SCENARIO ?= scenarios/baoshan_medical_devices.yaml

.PHONY: demo test lint lab bench clean docs fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The package with JupyterLab and the notebook kernel (the notebooks are the negotiators'
# main tool), so `make lab` works right after `make demo`.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev,lab,docs]"
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/consortium validate $(DEMO_SCENARIO)
	$(BIN)/consortium shares $(DEMO_SCENARIO) --shares-only
	$(BIN)/consortium shares $(DEMO_SCENARIO) --shares-only --percent
	$(BIN)/consortium check $(DEMO_SCENARIO) --profile baoshan
	@echo "Next: '. $(BIN)/activate' for the tour in README.md; 'make lab' opens the notebooks."

test: $(VENV)/.installed-dev
	$(BIN)/python -m ruff check sharing_models agreements tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m mypy --strict sharing_models
	MPLBACKEND=Agg $(BIN)/python -m pytest -q
	$(MAKE) docs

# The mutation fuzzer at length (tests/fuzzing.py): 20,000 mutated scenarios, profiles and
# sweep specs through every command; `make test` runs 2,000. FUZZ_FAILURES=dir keeps
# each failing input.
FUZZ_MUTANTS ?= 20000
fuzz: $(VENV)/.installed-dev
	FUZZ_MUTANTS=$(FUZZ_MUTANTS) FUZZ_CHUNKS=40 MPLBACKEND=Agg $(BIN)/python -m pytest -q -p no:randomly \
		-o timeout=0 tests/test_fuzz.py -k mutants

lint: $(VENV)/.installed-dev
	$(BIN)/python -m ruff check sharing_models agreements tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m mypy --strict sharing_models

# The API reference (Sphinx + numpydoc + autosummary; the Markdown guides via MyST) in
# docs/_build/html. Warnings are errors, numpydoc validates every public docstring.
docs: $(VENV)/.installed-dev
	rm -rf docs/api/generated
	$(BIN)/python -m sphinx -W --keep-going -b html -q docs docs/_build/html

lab: $(VENV)/.installed
	$(BIN)/jupyter lab notebooks/

# Speed against peer libraries (Rust coopgame-py, powerindex), in one run.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet coopgame-py powerindex
	MPLBACKEND=Agg $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info

# The notebooks are committed without outputs: clear them after running one in JupyterLab.
.PHONY: notebooks-clear
notebooks-clear: $(VENV)/.installed-dev
	$(BIN)/jupyter nbconvert --clear-output --inplace notebooks/*.ipynb

# JupyterLab in headless Chromium (tests/browser): Run All on every notebook, no error
# shown, and a what-if widget control that changes its output. Installs Debian's chromium
# and chromium-driver when they are missing and this runs as root.
.PHONY: browser-test
browser-test: $(VENV)/.installed-dev
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
		else \
			echo "browser-test needs: sudo apt-get install -y chromium chromium-driver" >&2; exit 1; \
		fi; \
	fi
	@$(BIN)/python -c "import selenium" 2>/dev/null || $(BIN)/python -m pip install --quiet "selenium>=4.10"
	CONSORTIUM_BROWSER_TEST=1 $(BIN)/python -m pytest -q -s tests/browser

# One truth (issue 18): every bundled scenario through every output (shares table/CSV/
# JSON, clause documents in six formats, HTML report, waterfall, simulate, formation);
# the same shown figure for each member and rule, every shown column summing exactly.
.PHONY: truth
truth: $(VENV)/.installed-dev
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests/test_one_truth.py
