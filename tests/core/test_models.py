import pytest
from transformers import GPT2LMHeadModel

from emergent.core.models import TinyGPT2, count_parameters, tiny_gpt2


def test_factory_builds_a_gpt2_of_the_requested_shape():
    model = tiny_gpt2(TinyGPT2(vocab_size=20, n_positions=12, n_layer=3, n_head=2, n_embd=24))
    assert isinstance(model, GPT2LMHeadModel)
    assert len(model.transformer.h) == 3
    assert model.transformer.wte.weight.shape == (20, 24)


def test_parameter_count_matches_gpt2_formula():
    d, layers, vocab, ctx = 32, 2, 16, 8
    model = tiny_gpt2(
        TinyGPT2(vocab_size=vocab, n_positions=ctx, n_layer=layers, n_head=4, n_embd=d)
    )
    per_layer = (
        (4 * d * d + 4 * d) + (8 * d * d + 5 * d) + 4 * d
    )  # attention + MLP + two layer norms
    assert (
        count_parameters(model, embeddings=False) == layers * per_layer + 2 * d
    )  # + final layer norm
    assert (
        count_parameters(model) == count_parameters(model, embeddings=False) + vocab * d + ctx * d
    )


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


def test_real_gpt2_cell_is_skipped_in_the_site_build_and_can_be_forced(monkeypatch):
    from emergent.core.models import real_gpt2_available

    monkeypatch.delenv("EMERGENT_REAL_GPT2", raising=False)
    monkeypatch.setenv("EMERGENT_STATIC", "1")
    assert real_gpt2_available() is False  # the site build never reaches for the network
    monkeypatch.setenv("EMERGENT_REAL_GPT2", "1")
    assert real_gpt2_available() is True
    monkeypatch.setenv("EMERGENT_REAL_GPT2", "0")
    monkeypatch.delenv("EMERGENT_STATIC")
    assert real_gpt2_available() is False
