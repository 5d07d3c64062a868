"""Nanda's progress measures and the frequency knockout: exact on planted cases, and on the book's run."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from emergent.core.checks import CheckFailed
from emergent.grokking import exercises, fourier
from emergent.grokking import progress_measures as measures
from emergent.grokking.modular_addition import (
    GrokConfig,
    ModularMLP,
    grokking_run,
    modular_addition_split,
)
from emergent.grokking.transformer import ModularTransformer


def planted_logits(p, keys, scale=4.0):
    """Logits sum_k scale * cos(w_k (a + b - c)): a perfect Fourier circuit at the planted keys."""
    pairs, labels = measures.all_pairs(p)
    answers = torch.arange(p, dtype=torch.double)
    logits = sum(
        scale * torch.cos(2 * torch.pi * k * (pairs.sum(1, keepdim=True).double() - answers) / p)
        for k in keys
    )
    return logits, labels


def test_sum_waves_are_orthonormal_and_orthogonal_to_the_constant():
    waves = measures.sum_waves(13, [1, 4, 6])
    assert torch.allclose(waves.T @ waves, torch.eye(6, dtype=torch.double), atol=1e-12)
    assert torch.allclose(waves.sum(0), torch.zeros(6, dtype=torch.double), atol=1e-10)


def test_excluding_the_planted_keys_leaves_a_uniform_guess():
    logits, labels = planted_logits(31, [2, 7, 11])
    assert F.cross_entropy(logits, labels) < 0.5
    excluded = measures.excluded_logits(logits, 31, [2, 7, 11])
    assert torch.allclose(excluded, torch.zeros_like(excluded), atol=1e-9)
    assert math.isclose(float(F.cross_entropy(excluded, labels)), math.log(31), rel_tol=1e-9)
    untouched = measures.excluded_logits(
        logits, 31, [1, 3, 5]
    )  # other frequencies: nothing to take out
    assert torch.allclose(untouched, logits, atol=1e-9)


def test_restricting_to_the_planted_keys_keeps_everything_and_to_others_nothing():
    logits, labels = planted_logits(31, [2, 7, 11])
    identity = torch.eye(31, dtype=torch.double)
    kept = measures.restricted_logits(logits, identity, logits, 31, [2, 7, 11])
    assert torch.allclose(kept, logits, atol=1e-9)
    flat = measures.restricted_logits(logits, identity, logits, 31, [1, 3, 5])
    assert math.isclose(float(F.cross_entropy(flat, labels)), math.log(31), rel_tol=1e-9)


def test_removing_planted_frequencies_from_an_embedding():
    embedding = (
        fourier.synthetic_embedding(29, [3, 8], dim=16, seed=2) + 0.7
    )  # a mean that must survive
    emptied = measures.without_frequencies(embedding, [3, 8])
    assert np.allclose(emptied, embedding.mean(axis=0), atol=1e-9)  # only the mean is left
    assert np.allclose(measures.without_frequencies(embedding, [1, 5, 13]), embedding, atol=1e-9)


def test_neurons_and_readout_reproduce_the_models_logits():
    pairs, _ = measures.all_pairs(11)
    mlp = ModularMLP(11, 8, 16)
    assert torch.allclose(mlp(pairs), mlp.neurons(pairs) @ mlp.readout() + mlp.out.bias, atol=1e-5)
    transformer = ModularTransformer(11, 16, 4, 32)
    direct = (
        transformer._after_attention(pairs)[:, -1] + transformer.mlp_out.bias
    ) @ transformer.unembed
    assert torch.allclose(
        transformer(pairs), transformer.neurons(pairs) @ transformer.readout() + direct, atol=1e-5
    )


def test_bad_input_is_refused_with_what_to_fix():
    with pytest.raises(ValueError, match="1..5"):
        measures.sum_waves(11, [6])
    with pytest.raises(ValueError, match="at least one"):
        measures.sum_waves(11, [])
    with pytest.raises(ValueError, match="distinct"):
        measures.sum_waves(11, [2, 2])
    with pytest.raises(ValueError, match="all_pairs"):
        measures.excluded_logits(torch.zeros(10, 11), 11, [1])
    with pytest.raises(ValueError, match="progress|1..29"):
        GrokConfig(progress_frequencies=(30,))
    with pytest.raises(ValueError, match="count"):
        measures.other_frequencies(11, [1, 2], count=4, draws=1)


def test_control_sets_avoid_the_keys():
    for chosen in measures.other_frequencies(59, [3, 5, 20], count=3, draws=10, seed=1):
        assert len(chosen) == 3 and not set(chosen) & {3, 5, 20}


def test_check_restricted_logits():
    assert exercises.check_restricted_logits(measures.restricted_logits)

    def no_bias_shift(neurons, readout, logits, p, frequencies):
        waves = measures.sum_waves(p, frequencies)
        mean = neurons.mean(0, keepdim=True)
        return (mean + waves @ (waves.T @ (neurons - mean))) @ readout

    with pytest.raises(CheckFailed, match="Case 1"):
        exercises.check_restricted_logits(no_bias_shift)


@pytest.mark.slow
def test_the_books_run_needs_its_strongest_frequencies(book_models):
    config = GrokConfig(stop_after=1.5)
    with book_models():  # the grokking chapter's main run, from (or into) the book's cache
        model, history = grokking_run(config, progress=False)
    _, _, test_x, test_y = modular_addition_split(config.p, config.fraction, config.seed)
    ranked = fourier.strongest_first(np.array(history.extras["embed_final"]))
    intact = measures.accuracy_without(
        model, config.p, [ranked[-1]], test_x, test_y
    )  # the weakest one: no harm
    strongest = measures.accuracy_without(model, config.p, ranked[:10], test_x, test_y)
    others = [
        measures.accuracy_without(model, config.p, o, test_x, test_y)
        for o in measures.other_frequencies(config.p, ranked[:10], 10, draws=3)
    ]
    assert intact >= 0.99
    assert strongest < 0.3, "without its ten strongest frequencies the model should lose the rule"
    assert min(others) > strongest + 0.3, "as many other frequencies should matter far less"
    train_x, _, _, _ = modular_addition_split(config.p, config.fraction, config.seed)
    losses = measures.progress_losses(model, config.p, ranked[:10], train_x)
    assert losses["restricted_loss"] < 0.1, (
        "the strongest frequencies alone should carry the prediction"
    )
    assert losses["excluded_loss"] > 1.0, "without them the training pairs should be lost too"


@pytest.mark.slow
def test_logging_the_progress_measures_does_not_change_the_run(book_models):
    config = GrokConfig(stop_after=1.5)
    with book_models():
        _, plain = grokking_run(config, progress=False)
        keys = fourier.frequencies_above(np.array(plain.extras["embed_final"]), 2 / 29)
        _, watched = grokking_run(
            config.with_(progress_frequencies=tuple(sorted(keys))), progress=False
        )
    assert watched.column("test_loss") == plain.column("test_loss")
    restricted = watched.column("restricted_loss")
    assert restricted[-1] < restricted[0] - 1.0, (
        "the restricted loss should fall as the circuit forms"
    )
