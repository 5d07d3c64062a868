# Emergence, hands-on - build the book and run the tests on a fresh machine.
#
#   make book      create .venv, install the pinned requirements, execute every chapter, render _build/html
#   make test      create .venv if needed and run the test suite
#   make test-fast the tests that train no model (under a minute)
#   make chapter CH=grokking   execute one chapter (its ledger too); CH is a slug or a file name
#   make lint      ruff check and ruff format --check over the library, tests, scripts and chapters
#   make student   the student edition: the same site and notebooks with every solution left out
#   make site-check  open the built site in headless Chromium and check every page (see scripts/check_site.py)
#   make colab-check run every chapter notebook as Colab would, in a fresh environment (scripts/check_colab.py)
#
# On a machine whose pip would fetch a CUDA build of torch, use the CPU wheels:
#   make book TORCH_INDEX=https://download.pytorch.org/whl/cpu

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TORCH_INDEX ?=
PIP_EXTRA := $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)

.PHONY: book student test test-fast chapter lint benchmark site-check colab-check clean

$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PIP_EXTRA) -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# EMERGENT_STATIC=1: widgets draw static figures, since the web site has no live kernel.
# --warningiserror: any Sphinx warning (a broken reference, a missing citation) fails the build;
# --keep-going reports all of them first. Cell errors fail it too (see _config.yml).
book: $(INSTALLED)
	EMERGENT_STATIC=1 $(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "Open _build/html/index.html in a browser."

# The student edition: solutions hidden on the site (sphinx-exercise's hide_solutions) and removed
# from the generated notebooks; written to _build/student/_build/html for instructors to hand out.
student: $(INSTALLED)
	mkdir -p _build
	$(BIN)/python -c "import os, yaml; c = yaml.safe_load(open('_config.yml')); \
	  c['title'] += ' (student edition)'; c['sphinx']['config']['hide_solutions'] = True; \
	  c['sphinx']['local_extensions'] = {k: os.path.abspath(v) for k, v in c['sphinx']['local_extensions'].items()}; \
	  yaml.safe_dump(c, open('_build/student-config.yml', 'w'), sort_keys=False)"
	EMERGENT_STATIC=1 $(BIN)/jupyter-book build . --config _build/student-config.yml \
	  --path-output _build/student --warningiserror --keep-going
	@echo "Student edition: _build/student/_build/html/index.html"

test: $(INSTALLED)
	$(BIN)/python -m pytest

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -m "not slow" -q

# One chapter from a clean kernel, as the build runs it: `make chapter CH=grokking` (or CH=08_grokking).
chapter: $(INSTALLED)
	@test -n "$(CH)" || { echo "name a chapter: make chapter CH=grokking"; exit 2; }
	$(BIN)/python scripts/run_chapter.py $(CH)

lint: $(INSTALLED)
	$(BIN)/ruff check lib tests scripts book/_ext
	$(BIN)/ruff format --check lib tests scripts book/_ext
	$(BIN)/python scripts/lint_chapters.py
	$(BIN)/python scripts/page_stats.py --check

benchmark: $(INSTALLED)
	$(BIN)/python scripts/benchmark.py

# Needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver).
site-check: $(INSTALLED)
	$(BIN)/python scripts/check_site.py

colab-check: $(INSTALLED)
	$(BIN)/python scripts/check_colab.py

clean:
	rm -rf _build
