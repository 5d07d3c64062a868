"""Embedding share of a GPT-2 and a measured figure against a published band."""

import pytest
from emergent.knowledge import capacity_readings
from transformers import GPT2Config, GPT2LMHeadModel


def test_embedding_share_of_a_tiny_gpt2():
    config = GPT2Config(vocab_size=10, n_positions=4, n_embd=8, n_layer=1, n_head=2)
    model = GPT2LMHeadModel(config)
    total = sum(p.numel() for p in model.parameters())
    embeddings = 10 * 8 + 4 * 8  # token and position tables (the output layer shares the tokens')
    assert capacity_readings.embedding_share(model) == pytest.approx(embeddings / total)


@pytest.mark.parametrize("value, words", [(2.0, "close to"), (0.4, "well below"), (3.1, "above")])
def test_compared_with(value, words):
    assert capacity_readings.compared_with(value, 1.5, 2.5) == words


def test_compared_with_refuses_an_empty_band():
    with pytest.raises(ValueError):
        capacity_readings.compared_with(1.0, 2.0, 2.0)
