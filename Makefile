# Two commands set everything up on a fresh machine with Python 3.11:
#   make book   - create .venv from requirements.txt, build the whole HTML book (strict)
#   make test   - the same set-up, the build, then the whole test suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
HTML := _build/html
PORT ?= 8000
SUBMISSIONS ?=

.PHONY: book test serve clean assignments grade bench linkcheck notebooks

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

## serve: serve the built book on localhost, gzip-compressed like a real host
serve: book
	$(BIN)/python _ext/gzip_server.py --port $(PORT) --bind 127.0.0.1 $(HTML)

## assignments: generate student notebooks and autograders into dist/assignments
assignments: $(STAMP)
	$(BIN)/python scripts/assignments.py build

## grade: grade a folder of submissions: make grade SUBMISSIONS=path/to/folder
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "Usage: make grade SUBMISSIONS=path/to/folder"; exit 2; }
	$(BIN)/python scripts/assignments.py grade "$(SUBMISSIONS)"

## bench: builds, page weights, first figure, Lighthouse (mobile, desktop) and the Nu HTML Checker
##        per page; BENCH_ARGS="--baseline main" measures main side by side in the same run
BENCH_ARGS ?=
bench: $(STAMP)
	@test -x node_modules/.bin/lighthouse -a -f node_modules/vnu-jar/build/dist/vnu.jar || npm ci --no-audit --no-fund
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

## linkcheck: check the external links of the book (needs the network; not part of the tests)
linkcheck: $(STAMP)
	$(BIN)/jupyter-book build . --builder linkcheck

## notebooks: write .ipynb copies of the chapters (for Colab; CI publishes them to the notebooks branch)
notebooks: $(STAMP)
	$(BIN)/python scripts/export_notebooks.py dist/notebooks

clean:
	rm -rf _build dist
