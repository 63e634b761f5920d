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
test: book node_modules/.installed
	$(BIN)/python -m pytest

# The pinned npm tools (package-lock.json): the Nu HTML Checker for the tests, Lighthouse for make bench.
# Without npm the HTML test is skipped (and says so); CI installs Node.js and Java first (.ci/run).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the HTML validity test will be skipped (apt-get install nodejs npm default-jre-headless)"; fi

## check: the fast tier while writing: data, domain, logic, exercises (no build, no browser; seconds)
check: $(STAMP)
	$(BIN)/python -m pytest -q -m "not build and not browser and not slow"

## serve: serve the built book on localhost, gzip-compressed like a real host
serve: book
	$(BIN)/python _ext/gzip_server.py --port $(PORT) --bind 127.0.0.1 $(HTML)

## assignments: generate student notebooks and autograders into dist/assignments
assignments: $(STAMP)
	$(BIN)/python scripts/assignments.py build

## grade: grade a folder of submissions in a sandbox: make grade SUBMISSIONS=folder [JOBS=2] [TIMEOUT=300]
##        (UNSAFE=1 grades without bubblewrap: only for work you trust)
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "Usage: make grade SUBMISSIONS=path/to/folder [JOBS=2] [TIMEOUT=300]"; exit 2; }
	@test -f dist/assignments/summary.json || $(MAKE) --no-print-directory assignments
	$(BIN)/python scripts/assignments.py grade "$(SUBMISSIONS)" --jobs "$(JOBS)" --timeout "$(TIMEOUT)" $(if $(UNSAFE),--unsafe-no-sandbox)

## bench: builds, page weights, first figure, Lighthouse (mobile, desktop) and the Nu HTML Checker
##        per page; BENCH_ARGS="--baseline main" measures main side by side in the same run
BENCH_ARGS ?=
bench: $(STAMP) node_modules/.installed
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

## linkcheck: check the external links of the book (needs the network; not part of the tests)
linkcheck: $(STAMP)
	$(BIN)/jupyter-book build . --builder linkcheck

## notebooks: write .ipynb copies of the chapters (for Colab; CI publishes them to the notebooks branch)
notebooks: $(STAMP)
	$(BIN)/python scripts/export_notebooks.py dist/notebooks

clean:
	rm -rf _build dist
