# Every target that needs Python sets up .venv itself, so each is one command
# on a fresh machine with only Python 3.10+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SITE ?= site

.PHONY: demo test build reliability clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/diplokg build
	$(BIN)/diplokg ask "Which alliances did Armenia leave?" --format table
	$(BIN)/diplokg sheets -o $(SITE)
	@echo "Fact sheets: open $(SITE)/index.html in a browser (works offline)."

build: $(STAMP)
	$(BIN)/diplokg build

test: $(STAMP)
	$(BIN)/python -m pytest

# Runs every fault and attack test and rewrites docs/reliability.md from the results.
reliability: $(STAMP)
	$(BIN)/python scripts/reliability_report.py

clean:
	rm -rf $(VENV) .diplokg
