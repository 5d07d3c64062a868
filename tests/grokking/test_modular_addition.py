"""Grokking: the split, the Fourier analysis, the phases, the models - and that the default run groks."""

import numpy as np
import pytest
import torch

from emergent.core.checks import CheckFailed
from emergent.core.transitions import first_step_reaching
from emergent.grokking import exercises
from emergent.grokking.modular_addition import (
    GrokConfig,
    ModularMLP,
    grokking_run,
    modular_addition_split,
    phases,
    threshold_fraction,
)
from emergent.grokking.fourier import (
    fourier_gini,
    fourier_spectrum,
    gini,
    key_frequencies,
    synthetic_embedding,
    top_k_share,
)
from emergent.core.training import History
from emergent.grokking.mixture import MixtureConfig, MixtureMLP, mixture_data, mixture_grid
from emergent.grokking.transformer import ModularTransformer

# ---------------------------------------------------------------------------- the split


@pytest.mark.parametrize("p, fraction", [(7, 0.3), (59, 0.5), (97, 0.4)])
def test_split_never_leaks_and_covers_every_pair(p, fraction):
    train_x, train_y, test_x, test_y = modular_addition_split(p, fraction, seed=1)
    train = {tuple(r) for r in train_x.tolist()}
    test = {tuple(r) for r in test_x.tolist()}
    assert not train & test, "a test pair leaked into training"
    assert len(train) == len(train_x) == round(fraction * p * p)
    assert train | test == {(a, b) for a in range(p) for b in range(p)}
    assert torch.equal(train_y, train_x.sum(1) % p) and torch.equal(test_y, test_x.sum(1) % p)


def test_split_is_repeatable_and_depends_on_the_seed():
    first, second = modular_addition_split(11, 0.5, 3), modular_addition_split(11, 0.5, 3)
    assert all(torch.equal(a, b) for a, b in zip(first, second))
    assert not torch.equal(first[0], modular_addition_split(11, 0.5, 4)[0])


@pytest.mark.parametrize(
    "p, fraction", [(2, 0.5), (1, 0.5), (7.5, 0.5), (7, 0.0), (7, 1.0), (7, 1.3), (7, -0.1)]
)
def test_split_refuses_bad_input(p, fraction):
    with pytest.raises(ValueError, match="p must|fraction must"):
        modular_addition_split(p, fraction)


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"weight_decay": -1.0}, "weight_decay"),
        ({"p": 2}, "p must"),
        ({"fraction": 1.5}, "fraction"),
        ({"model": "rnn"}, "model must"),
        ({"steps": 0}, "steps"),
    ],
)
def test_config_refuses_bad_input(changes, words):
    with pytest.raises(ValueError, match=words):
        GrokConfig(**changes)


# ---------------------------------------------------------------------------- Fourier analysis


@pytest.mark.parametrize(
    "p, planted", [(59, [7]), (59, [3, 17, 25]), (113, [14, 35, 41, 42, 52]), (12, [2, 5])]
)
def test_fourier_analysis_finds_planted_frequencies(p, planted):
    clean = synthetic_embedding(p, planted, dim=32, seed=0)
    noisy = synthetic_embedding(p, planted, dim=32, noise=0.3, seed=0)
    assert key_frequencies(clean, len(planted)) == sorted(planted)
    assert key_frequencies(noisy, len(planted)) == sorted(planted)
    assert top_k_share(clean, len(planted)) == pytest.approx(1.0)
    assert fourier_spectrum(noisy).sum() == pytest.approx(1.0)


def test_spectrum_matches_parseval_and_sparsity_measures_order_correctly():
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(31, 8))
    centred = matrix - matrix.mean(0)
    energy = np.abs(np.fft.fft(centred, axis=0)) ** 2  # full DFT: both k and p - k
    assert fourier_spectrum(matrix)[2] == pytest.approx(
        (energy[3] + energy[28]).sum() / energy.sum()
    )
    sparse, spread = synthetic_embedding(31, [4]), rng.normal(size=(31, 32))
    assert fourier_gini(sparse) > 0.9 > 0.3 > fourier_gini(spread)
    assert gini([1, 1, 1, 1]) == pytest.approx(0.0) and gini([0, 0, 0, 1]) == pytest.approx(0.75)


def test_fourier_refuses_bad_input():
    with pytest.raises(ValueError, match="matrix"):
        fourier_spectrum(np.ones(7))
    with pytest.raises(ValueError, match="constant"):
        fourier_spectrum(np.ones((7, 3)))
    with pytest.raises(ValueError, match="k must"):
        key_frequencies(synthetic_embedding(11, [2]), 6)
    with pytest.raises(ValueError, match="frequencies"):
        synthetic_embedding(11, [6])


# ---------------------------------------------------------------------------- phases and threshold


def test_phases_are_read_off_the_log():
    rows = zip([0, 10, 20, 30, 40], [0, 0.5, 0.99, 1, 1], [0, 0, 0.3, 0.9, 0.995], [0, 1, 2, 3, 4])
    history = History(
        evaluations=[
            {"step": s, "train_acc": a, "test_acc": t, "seconds": c} for s, a, t, c in rows
        ]
    )
    assert phases(history) == {
        "steps_to_memorise": 20,
        "steps_to_generalise": 40,
        "seconds_to_generalise": 4,
        "plateau_ratio": 2.0,
    }
    assert first_step_reaching([1, 2], [0.1, 0.2]) is None
    assert threshold_fraction([0.5, 0.3, 0.4], [100, None, 300]) == 0.4
    assert threshold_fraction([0.3, 0.4], [None, None]) is None


# ---------------------------------------------------------------------------- models


def test_models_map_pairs_to_logits_and_expose_the_residue_embedding():
    pairs = torch.tensor([[1, 2], [3, 4], [0, 0]])
    mlp, transformer = ModularMLP(13, 8, 16), ModularTransformer(13, 16, 4, 32)
    assert mlp(pairs).shape == transformer(pairs).shape == (3, 13)
    assert mlp.embed.weight.shape == (13, 8) and transformer.embed.weight.shape == (
        14,
        16,
    )  # + the "=" token


def test_mixture_data_counts_and_no_leak():
    config = MixtureConfig(p=11, task_examples=30, lookup_examples=70)
    train_x, train_y, test_x, test_y = mixture_data(config)
    addition = train_x[train_x[:, 0] == 0]
    assert len(addition) == 30 and len(train_x) == 100 and len(test_x) == 121 - 30
    assert not {tuple(r) for r in addition.tolist()} & {tuple(r) for r in test_x.tolist()}
    assert torch.equal(test_y, test_x[:, 1:].sum(1) % 11)
    assert MixtureMLP(11, 4, 8)(train_x).shape == (100, 11)
    with pytest.raises(ValueError, match="task_examples"):
        MixtureConfig(p=11, task_examples=121)


def test_mixture_grids_vary_one_thing_at_a_time():
    # more competing data leaves the task's own examples exactly as they were (and vice versa)
    few, many = (
        mixture_data(MixtureConfig(p=11, task_examples=30, lookup_examples=n)) for n in (10, 60)
    )
    assert torch.equal(few[0][few[0][:, 0] == 0], many[0][many[0][:, 0] == 0])
    small, large = (
        mixture_data(MixtureConfig(p=11, task_examples=n, lookup_examples=40)) for n in (20, 50)
    )
    assert torch.equal(small[0][small[0][:, 0] == 1], large[0][large[0][:, 0] == 1])
    assert torch.equal(
        small[0][:20], large[0][:20]
    )  # the smaller task set is a prefix of the larger
    with pytest.raises(ValueError, match="seeds="):
        mixture_grid(MixtureConfig(p=11, task_examples=30, lookup_examples=30), seed=[0, 1])


# ---------------------------------------------------------------------------- the phenomenon


@pytest.mark.slow
def test_the_books_run_groks_with_a_plateau(book_models):
    with book_models():  # the grokking chapter's main run, from (or into) the book's cache
        _, history = grokking_run(GrokConfig(stop_after=1.5), progress=False)
    found = phases(history)
    assert found["steps_to_generalise"] is not None, "the default configuration must grok"
    assert history.column("test_acc")[-1] >= 0.99
    assert found["plateau_ratio"] >= 5, found
    memorised = history.column("step").index(found["steps_to_memorise"])
    assert history.column("test_acc")[memorised] < 0.1, (
        "at memorisation the test accuracy should still be near chance"
    )
    after = history.column("top_k_share")[-1]
    before = history.column("top_k_share")[memorised]
    assert after > before + 0.1, (
        "the embedding should concentrate on a few frequencies after grokking"
    )


@pytest.mark.slow
def test_without_weight_decay_it_memorises_but_does_not_generalise(book_models):
    with book_models():  # the grokking chapter's ablation, from (or into) the book's cache
        _, history = grokking_run(GrokConfig(stop_after=1.5, weight_decay=0.0), progress=False)
    assert max(history.column("train_acc")) >= 0.99
    assert history.column("test_acc")[-1] < 0.5


# ---------------------------------------------------------------------------- exercise checks


def _wrong_split(p, fraction, seed):
    train_x, train_y, test_x, test_y = modular_addition_split(p, fraction, seed)
    return (
        train_x,
        train_y,
        torch.cat([test_x, train_x[:1]]),
        torch.cat([test_y, train_y[:1]]),
    )  # leaks one pair


def test_check_split():
    assert exercises.check_split(modular_addition_split)
    with pytest.raises(CheckFailed, match="also in the training set"):
        exercises.check_split(_wrong_split)
    with pytest.raises(CheckFailed, match="Bad-input"):
        exercises.check_split(
            lambda p, f, s: modular_addition_split(max(p, 3), min(max(f, 0.1), 0.9), s)
        )


def test_check_first_step_reaching():
    assert exercises.check_first_step_reaching(first_step_reaching)

    def strict(steps, values, level=0.99):  # uses > instead of >=, and never validates lengths
        return next((s for s, v in zip(steps, values) if v > level), None)

    with pytest.raises(CheckFailed, match="Case 1"):
        exercises.check_first_step_reaching(
            lambda s, v, l=0.99: strict(s, v, l) if len(s) == len(v) else 1 / 0
        )


def test_check_key_frequencies():
    assert exercises.check_key_frequencies(key_frequencies)

    def with_mean(embedding, k):  # forgets to drop frequency 0
        energy = (np.abs(np.fft.rfft(np.asarray(embedding, float) + 5, axis=0)) ** 2).sum(1)
        return sorted(int(i) for i in np.argsort(energy)[::-1][:k])

    with pytest.raises(CheckFailed, match="(?s)Case 1.*Hint"):
        exercises.check_key_frequencies(with_mean)


def test_check_threshold_fraction():
    assert exercises.check_threshold_fraction(threshold_fraction)

    def smallest_that_worked(fractions, generalised):
        worked = [f for f, g in zip(fractions, generalised) if g]
        return min(worked) if worked else None

    with pytest.raises(CheckFailed, match="Case 3"):
        exercises.check_threshold_fraction(smallest_that_worked)
