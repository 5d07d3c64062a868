import pytest
import torch
from transformers import GPT2LMHeadModel

from emergent.models import TinyGPT2, count_parameters, tiny_gpt2, train_language_model
from emergent.zoo import copy_accuracy, copy_batch, copy_model


def test_factory_builds_a_gpt2_of_the_requested_shape():
    model = tiny_gpt2(TinyGPT2(vocab_size=20, n_positions=12, n_layer=3, n_head=2, n_embd=24))
    assert isinstance(model, GPT2LMHeadModel)
    assert len(model.transformer.h) == 3
    assert model.transformer.wte.weight.shape == (20, 24)


def test_parameter_count_matches_gpt2_formula():
    d, layers, vocab, ctx = 32, 2, 16, 8
    model = tiny_gpt2(TinyGPT2(vocab_size=vocab, n_positions=ctx, n_layer=layers, n_head=4, n_embd=d))
    per_layer = (4 * d * d + 4 * d) + (8 * d * d + 5 * d) + 4 * d  # attention + MLP + two layer norms
    assert count_parameters(model, embeddings=False) == layers * per_layer + 2 * d  # + final layer norm
    assert count_parameters(model) == count_parameters(model, embeddings=False) + vocab * d + ctx * d


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_embd": 30, "n_head": 4}, "divisible by n_head"),
        ({"n_layer": 0}, "positive integer"),
        ({"vocab_size": 2.5}, "positive integer"),
        ({"dropout": 1.0}, r"\[0, 1\)"),
    ],
)
def test_impossible_shapes_are_refused_with_advice(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TinyGPT2(**kwargs)


def test_trainer_learns_the_toy_task():
    torch.manual_seed(0)
    shape = TinyGPT2(vocab_size=16, n_positions=16, n_layer=2, n_head=2, n_embd=32)
    model = tiny_gpt2(shape)
    generator = torch.Generator().manual_seed(0)
    run = train_language_model(model, lambda s: copy_batch(32, 6, 16, generator), steps=300, progress=False)
    assert len(run.losses) == 300
    assert sum(run.losses[:20]) / 20 > 2.0  # starts near ln 15 = 2.7 nats: guessing
    assert sum(run.losses[-20:]) / 20 < 0.1  # ends nearly certain
    assert copy_accuracy(model, 16) > 0.99


def test_copy_model_refuses_problems_longer_than_the_context():
    with pytest.raises(ValueError, match="n_positions"):
        copy_model(TinyGPT2(vocab_size=16, n_positions=8), steps=1, length=6)


def test_copy_batch_hides_the_unpredictable_half():
    tokens, labels = copy_batch(4, 5, 10, torch.Generator().manual_seed(0))
    assert tokens.shape == labels.shape == (4, 11)
    assert (labels[:, :6] == -100).all() and torch.equal(labels[:, 6:], tokens[:, :5])
    with pytest.raises(ValueError, match="vocab_size"):
        copy_batch(1, 3, 2, torch.Generator())


def test_trainer_refuses_a_useless_budget():
    model = tiny_gpt2(TinyGPT2(n_layer=1, n_embd=16, n_head=2))
    with pytest.raises(ValueError, match="steps must be at least 1"):
        train_language_model(model, lambda s: None, steps=0)


def test_real_gpt2_cell_is_skipped_in_the_site_build_and_can_be_forced(monkeypatch):
    from emergent.models import real_gpt2_available

    monkeypatch.delenv("EMERGENT_REAL_GPT2", raising=False)
    monkeypatch.setenv("EMERGENT_STATIC", "1")
    assert real_gpt2_available() is False  # the site build never reaches for the network
    monkeypatch.setenv("EMERGENT_REAL_GPT2", "1")
    assert real_gpt2_available() is True
    monkeypatch.setenv("EMERGENT_REAL_GPT2", "0")
    monkeypatch.delenv("EMERGENT_STATIC")
    assert real_gpt2_available() is False
