# The book's entry points. A thin front: the logic lives in the package src/book/ (each
# command is a module with --help: python -m book.<name> --help).
#   make book    build every edition (HTML, EPUB, PDF of every published language)
#   make test    build what is out of date, then run the tests
.DEFAULT_GOAL := help
.PHONY: help book html epub pdf test test-quick serve lint clean lock venv node system-base system-build \
	system-test \
	catalogs add-language check-catalogs stats review lint-prose linkcheck bench dist fuzz

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
LANG_ARGS := $(foreach l,$(LANGS),--lang $(l))
# The set-up runs with the system's Python, before .venv (and the installed package) exists.
SETUP  := PYTHONPATH=src $(PYTHON) -m book.setup_env

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'
	@echo "Set LANGS='ja en' to build only some languages."

venv: ## create .venv from requirements.lock (automatic)
	@$(SETUP) venv

system-base: ## install msgfmt, which every build needs (automatic)
	@$(SETUP) system --for base

system-build: ## install the TeX Live and fonts the PDFs need (automatic)
	@$(SETUP) system --for build

system-test: ## install what the tests need: poppler, epubcheck, Chromium (automatic)
	@$(SETUP) system --for test

book: venv system-build ## build the whole book into build/site/
	$(VPY) -m book.build all $(LANG_ARGS)

html: venv system-base ## build the HTML editions only
	$(VPY) -m book.build html $(LANG_ARGS)

epub: venv system-base ## build the EPUB editions only
	$(VPY) -m book.build epub $(LANG_ARGS)

pdf: venv system-build ## build the PDF editions only
	$(VPY) -m book.build pdf $(LANG_ARGS)

dist: book ## one archive of the site, downloads and checksums for any static host → dist/
	$(VPY) -m book.dist

node: ## install the outside checkers of the tests into node_modules/ (automatic)
	@$(SETUP) node

test: venv system-test node book ## build what is out of date, then run every test (what CI runs)
	$(VPY) -m pytest

test-quick: venv system-test node book ## the quick tier (under 2 min after make book): every test not marked slow
	$(VPY) -m pytest -m "not slow"

fuzz: venv book ## the hostile-translation fuzzer, long: 5,000 generated msgstrs (make test runs 300)
	BOOK_FUZZ_EXAMPLES=5000 $(VPY) -m pytest -s tests/test_fuzz_catalogs.py

serve: venv ## live preview at http://127.0.0.1:8000 (Japanese; TAG=en for another language)
	$(VPY) -m book.serve --lang $(or $(TAG),ja)

catalogs: venv ## refresh every catalog after the Japanese source changed
	$(VPY) -m book.catalogs update

# TAG, not LANG: the environment's LANG (the locale) would leak into the command.
add-language: venv ## add a language: make add-language TAG=de (needs a row in languages.toml)
	@test -n "$(TAG)" || { echo "usage: make add-language TAG=<tag>" >&2; exit 2; }
	$(VPY) -m book.catalogs add $(TAG)

check-catalogs: venv ## check every catalog (syntax, markup, facts, Unicode, terminology)
	$(VPY) -m book.catalogs check

stats: venv ## translation statistics per language
	$(VPY) -m book.catalogs stats

review: venv ## review page of a translation → build/site/review/<tag>.html (TAG=en; none: all)
	$(VPY) -m book.review $(TAG)

# Both lints read their file lists from one place each: ruff finds the project's Python files
# itself (pyproject.toml [tool.ruff]); the prose lint is tests/test_prose.py, whose list of
# pages is the book's (book.pages).
lint: venv ## ruff on every Python file of the project (the package, the tests, conf.py)
	$(VPY) -m ruff check
	$(VPY) -m ruff format --check

bench: venv system-test node ## benchmark of the pipeline (median of 3 runs) → build/bench.json
	$(VPY) -m book.bench

linkcheck: venv ## check the external links (needs the network; not part of `make test`)
	$(VPY) -m sphinx -b linkcheck -n -q docs build/work/linkcheck

lint-prose: venv node ## textlint on every page of the Japanese source (docs/**/*.md)
	$(VPY) -m pytest -q tests/test_prose.py

lock: venv ## re-resolve requirements.lock from pyproject.toml
	$(SETUP) lock

clean: ## remove build/ and dist/ (keeps .venv)
	rm -rf build dist
