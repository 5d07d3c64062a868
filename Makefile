# Emergence, hands-on - build the book and run the tests on a fresh machine.
#
#   make book      create .venv, install the pinned requirements, execute every chapter, render _build/html
#   make test      create .venv if needed and run the test suite
#
# On a machine whose pip would fetch a CUDA build of torch, use the CPU wheels:
#   make book TORCH_INDEX=https://download.pytorch.org/whl/cpu

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TORCH_INDEX ?=
PIP_EXTRA := $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)

.PHONY: book test benchmark notebooks clean

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

test: $(INSTALLED)
	$(BIN)/python -m pytest

benchmark: $(INSTALLED)
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf _build
