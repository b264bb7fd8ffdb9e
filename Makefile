# Every target that needs Python sets up .venv itself, so each is one command
# on a fresh machine with only Python 3.10+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SITE ?= site

SIZES ?= 10,100,1000
NAIVE_MAX ?= 100
SHEETS_MAX ?= 1000

.PHONY: demo test build bench reliability clean

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

# Quick by default (about 5 minutes); the 10^6-triple run of the README:
#   make bench SIZES=10,100,1000,10000 NAIVE_MAX=1000
bench: $(STAMP)
	$(BIN)/python scripts/bench.py --sizes $(SIZES) --naive-max $(NAIVE_MAX) --sheets-max $(SHEETS_MAX)

# Runs every fault and attack test and rewrites docs/reliability.md from the results.
reliability: $(STAMP)
	$(BIN)/python scripts/reliability_report.py

clean:
	rm -rf $(VENV) .diplokg
