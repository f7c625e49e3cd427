# The README's two commands: `make run` and `make test`. Each does all set-up it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-fast bench setup macaulay2 clean

run: setup
	$(BIN)/m2bridge sweep cases/seed.toml
	$(BIN)/m2bridge report --sweep seed --format md
	$(BIN)/m2bridge report --sweep seed --conjectures

test: setup
	$(BIN)/pytest -q

# Skips the tests marked slow.
test-fast: setup
	$(BIN)/pytest -q -m "not slow"

bench: setup
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[bench]'
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

setup: macaulay2 $(STAMP)

macaulay2:
	@scripts/install-macaulay2.sh

# Re-installs only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .m2bridge
