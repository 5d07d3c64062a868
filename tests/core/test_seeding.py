import random

import numpy as np
import pytest
import torch

from emergent.core.models import TinyGPT2, tiny_gpt2
from emergent.core.seeding import seed_everything, set_threads
from emergent.zoo.copy_task import copy_run


def draws():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_same_seed_same_numbers():
    seed_everything(3)
    first = draws()
    seed_everything(3)
    assert draws() == first
    seed_everything(4)
    assert draws() != first


def test_same_seed_same_initial_model():
    shape = TinyGPT2(n_layer=1, n_embd=32)
    a, b = tiny_gpt2(shape, seed=5), tiny_gpt2(shape, seed=5)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_training_is_repeatable(monkeypatch, tmp_path):
    shape = TinyGPT2(vocab_size=8, n_positions=8, n_layer=1, n_head=2, n_embd=16)
    monkeypatch.setenv("EMERGENT_CACHE", str(tmp_path / "one"))
    _, first = copy_run(shape, steps=20, length=3)
    monkeypatch.setenv("EMERGENT_CACHE", str(tmp_path / "two"))
    _, second = copy_run(shape, steps=20, length=3)
    assert first.losses == second.losses


def test_bad_seed_and_threads_are_refused():
    with pytest.raises(ValueError, match="non-negative integer"):
        seed_everything(-1)
    with pytest.raises(ValueError, match="at least 1"):
        set_threads(0)
