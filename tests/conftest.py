"""Shared test set-up: a private model cache and results folder for every test run, and the
book's own cache for the few tests that check a phenomenon on the very models the book trains.

Those tests (the induction pair, the default grokking run, the scaling family, a member of the
reasoning family) train exactly the configurations a chapter trains, into the book's cache
(``$EMERGENT_CACHE``, else ``_build/model-cache``): ``make test`` followed by ``make book`` trains
each of them once, not twice.
The cache key holds the training code, so a model found there was trained by the code under test.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from emergent.core.seeding import set_threads

ROOT = Path(__file__).resolve().parent.parent
BOOK_CACHE = Path(os.environ.get("EMERGENT_CACHE") or ROOT / "_build" / "model-cache")
BOOK_THREADS = os.environ.get("EMERGENT_THREADS")  # what a chapter run from this shell would use


@pytest.fixture(autouse=True)
def _private_folders(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("EMERGENT_CACHE", str(root / "model-cache"))
    monkeypatch.setenv("EMERGENT_RESULTS", str(root / "results"))
    monkeypatch.setenv("EMERGENT_THREADS", os.environ.get("EMERGENT_THREADS", "2"))
    monkeypatch.delenv("EMERGENT_PROFILE", raising=False)
    monkeypatch.delenv("EMERGENT_STATIC", raising=False)
    set_threads()  # every test with the same, fixed number of torch threads


@contextmanager
def _book_models():
    """Inside: the book's cache and the book's default profile and thread count, as a chapter has them."""
    saved = {
        name: os.environ.get(name)
        for name in ("EMERGENT_CACHE", "EMERGENT_THREADS", "EMERGENT_PROFILE")
    }
    os.environ["EMERGENT_CACHE"] = str(BOOK_CACHE)
    os.environ.pop("EMERGENT_PROFILE", None)
    if BOOK_THREADS is None:
        os.environ.pop("EMERGENT_THREADS", None)  # the chapters' default (see seeding.set_threads)
    else:
        os.environ["EMERGENT_THREADS"] = BOOK_THREADS
    set_threads()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        set_threads()


@pytest.fixture(scope="session")
def book_models():
    """A context manager: models trained inside it are the book's, from the book's cache."""
    return _book_models
