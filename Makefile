# Two commands set everything up on a fresh machine with Python 3.11:
#   make book   - create .venv from requirements.txt, build the whole HTML book (strict)
#   make test   - the same set-up, the build, then the whole test suite
#   make check  - the fast tests only (data, logic, exercises): no build, no browser
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
HTML := _build/html
PORT ?= 8000
SUBMISSIONS ?=
JOBS ?= 2
TIMEOUT ?= 300
UNSAFE ?=

.PHONY: book test check serve clean assignments grade bench linkcheck notebooks

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is needed, found {sys.version.split()[0]} at {sys.executable}"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

## book: build the whole book strictly (warnings are errors, notebooks must run)
book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at $(HTML)/index.html  (make serve to read it on http://127.0.0.1:$(PORT))"

## test: build the book, then run every test (data, exercises, assignments, built HTML, browser)
test: book
	$(BIN)/python -m pytest

## check: the fast tier while writing: data, domain, logic, exercises (no build, no browser; seconds)
check: $(STAMP)
	$(BIN)/python -m pytest -q -m "not build and not browser and not slow"

## serve: serve the built book on localhost
serve: book
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

## assignments: generate student notebooks and autograders into dist/assignments
assignments: $(STAMP)
	$(BIN)/python scripts/assignments.py build

## grade: grade a folder of submissions in a sandbox: make grade SUBMISSIONS=folder [JOBS=2] [TIMEOUT=300]
##        (UNSAFE=1 grades without bubblewrap: only for work you trust)
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "Usage: make grade SUBMISSIONS=path/to/folder [JOBS=2] [TIMEOUT=300]"; exit 2; }
	@test -f dist/assignments/summary.json || $(MAKE) --no-print-directory assignments
	$(BIN)/python scripts/assignments.py grade "$(SUBMISSIONS)" --jobs "$(JOBS)" --timeout "$(TIMEOUT)" $(if $(UNSAFE),--unsafe-no-sandbox)

## bench: cold build, warm rebuild, rebuild after a data edit, page weights, time to first figure
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

## linkcheck: check the external links of the book (needs the network; not part of the tests)
linkcheck: $(STAMP)
	$(BIN)/jupyter-book build . --builder linkcheck

## notebooks: write .ipynb copies of the chapters (for Colab; CI publishes them to the notebooks branch)
notebooks: $(STAMP)
	$(BIN)/python scripts/export_notebooks.py dist/notebooks

clean:
	rm -rf _build dist
