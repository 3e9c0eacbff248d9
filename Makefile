# Two commands set everything up on a fresh machine:
#   make demo   install, extract the bundled corpus into out/, score it against gold/ (out/report.html)
#   make test   install, then run the test suite
#   make bench  throughput and memory of batch extraction (printed figures)
#   make devscore  scores on the development, held-out and abstract-case sets (devset/)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test bench devscore clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/msc-extract run corpus/ --out out/
	$(BIN)/msc-extract score --gold gold/ --pred out/

test: setup
	$(BIN)/python -m pytest -q

devscore: setup
	for set in dev dev2 dev3 dev4 dev5 dev6 heldout heldout2; do \
		$(BIN)/msc-extract run devset/$$set/papers --out out/devset-$$set && \
		$(BIN)/msc-extract score --gold devset/$$set/gold --pred out/devset-$$set || exit 1; \
	done
	$(BIN)/msc-extract run tests/data/abstract_cases --out out/devset-abstracts
	$(BIN)/msc-extract score --gold tests/data/abstract_cases --pred out/devset-abstracts

bench: setup
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) out .pytest_cache
