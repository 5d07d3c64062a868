"""Shared test set-up: a private model cache and results folder for every test session."""

import os

import pytest

from emergent.seeding import set_threads


@pytest.fixture(autouse=True)
def _private_folders(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("EMERGENT_CACHE", str(root / "model-cache"))
    monkeypatch.setenv("EMERGENT_RESULTS", str(root / "results"))
    monkeypatch.setenv("EMERGENT_THREADS", os.environ.get("EMERGENT_THREADS", "2"))
    monkeypatch.delenv("EMERGENT_PROFILE", raising=False)
    monkeypatch.delenv("EMERGENT_STATIC", raising=False)
    set_threads()  # every test with the same, fixed number of torch threads
