# Two commands set everything up on a fresh machine:
#   make demo   install, extract the bundled corpus into out/, score it against gold/ (out/report.html)
#   make test   install, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/msc-extract run corpus/ --out out/
	$(BIN)/msc-extract score --gold gold/ --pred out/ --report out/report.html

test: setup
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) out .pytest_cache
