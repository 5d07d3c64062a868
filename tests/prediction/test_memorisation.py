"""Memorisation is counted the way Tirumala et al. count it, on cases where the answer is known."""

import types

import numpy as np
import pytest
import torch

from emergent.core.checks import CheckFailed
from emergent.prediction import exercises
from emergent.prediction.memorisation import (
    FactBook,
    Memoriser,
    exposures_to_memorise,
    fact_text,
    learning_rate_for,
    memorised_fraction,
    steps_per_round,
)


class Oracle(torch.nn.Module):
    """Knows the value digits of the facts in ``known`` (by row); guesses '0' everywhere else."""

    def __init__(self, book: FactBook, known: np.ndarray):
        super().__init__()
        self.ids, _, _ = book.tokens()
        self.known = known
        self.anchor = torch.nn.Parameter(torch.zeros(1))  # gives the model a device

    def forward(self, input_ids):
        logits = torch.zeros(*input_ids.shape, 37)
        logits[..., 26] = 1.0  # the digit '0'
        for row in np.flatnonzero(self.known):
            following = self.ids[row, 1:]
            logits[row, torch.arange(len(following)), following] = 5.0
        return types.SimpleNamespace(logits=logits)


def test_memorised_fraction_counts_first_choices_group_by_group():
    book = FactBook(facts_per_group=8)
    _, _, group = book.tokens()
    fraction = memorised_fraction(Oracle(book, known=group == 2), book)
    assert fraction[2] == 1.0
    assert all(
        0.0 <= f < 0.5 for g, f in enumerate(fraction) if g != 2
    )  # only the '0' digits come right


def test_facts_are_distinct_random_and_seen_as_often_as_their_group_says():
    book = FactBook(facts_per_group=16)
    ids, labels, group = book.tokens()
    assert (
        len({tuple(r) for r in ids[:, : book.key_length].tolist()}) == book.facts
    )  # distinct keys
    assert (labels[:, : book.key_length + 1] == -100).all() and (
        labels[:, book.key_length + 1 :] >= 26
    ).all()
    counts = np.bincount(book.round_order(0, seed=0), minlength=book.facts)
    assert (counts == np.array(book.frequencies)[group]).all()
    assert steps_per_round(book, 32) == int(np.ceil(16 * 15 / 32))
    assert len(fact_text(book, 0)) == 11 and fact_text(book, 0)[4] == ":"


def test_exposures_count_rounds_times_frequency_at_the_first_crossing():
    curve = [0.0, 0.3, 0.92, 0.85, 0.97]
    assert exposures_to_memorise(curve, 1) == 2
    assert exposures_to_memorise(curve, 8) == 16
    assert exposures_to_memorise(curve, 1, q=0.95) == 4
    assert exposures_to_memorise([0.1, 0.2], 1) is None
    with pytest.raises(ValueError, match="fraction"):
        exposures_to_memorise([0.1, 1.2], 1)
    assert exercises.check_exposures_to_memorise(exposures_to_memorise)
    with pytest.raises(CheckFailed, match="Case"):
        exercises.check_exposures_to_memorise(
            lambda curve, f, q: int(np.argmax(np.array(curve) >= q))
        )


def test_bad_settings_say_what_to_fix():
    with pytest.raises(ValueError, match="frequencies must differ"):
        FactBook(frequencies=(1, 1))
    with pytest.raises(ValueError, match="too few distinct keys"):
        FactBook(key_length=1, facts_per_group=64)
    with pytest.raises(ValueError, match="stop_at"):
        Memoriser(stop_at=1.5)
    assert learning_rate_for(64) == pytest.approx(learning_rate_for(32) / 2)


@pytest.mark.slow
def test_a_wide_model_memorises_the_facts_in_fewer_exposures_than_a_narrow_one():
    from emergent.core.seeding import seed_everything
    from emergent.prediction.memorisation import memorisation_curve, memoriser_run

    seed_everything(0)
    book = FactBook(facts_per_group=16, frequencies=(1, 4))
    exposures = {}
    for width in (16, 64):
        _, history = memoriser_run(
            Memoriser(n_embd=width, rounds=60, learning_rate=learning_rate_for(width)),
            book,
            progress=False,
        )
        found = exposures_to_memorise(memorisation_curve(history, 1), 1)
        exposures[width] = 61 if found is None else found
    assert exposures[64] < exposures[16], exposures
