"""The model zoo's copying task: the batch hides the unpredictable half, bad sizes are refused."""

import pytest
import torch

from emergent.core.models import TinyGPT2
from emergent.zoo.copy_task import copy_batch, copy_run


def test_copy_run_refuses_problems_longer_than_the_context():
    with pytest.raises(ValueError, match="n_positions"):
        copy_run(TinyGPT2(vocab_size=16, n_positions=8), steps=1, length=6)


def test_copy_batch_hides_the_unpredictable_half():
    tokens, labels = copy_batch(4, 5, 10, torch.Generator().manual_seed(0))
    assert tokens.shape == labels.shape == (4, 11)
    assert (labels[:, :6] == -100).all() and torch.equal(labels[:, 6:], tokens[:, :5])
    with pytest.raises(ValueError, match="vocab_size"):
        copy_batch(1, 3, 2, torch.Generator())
