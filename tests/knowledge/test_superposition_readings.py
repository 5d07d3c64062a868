"""Readings of a phase-diagram grid of toy models, on hand-made weights and losses."""

import numpy as np
import pytest
import torch
from emergent.knowledge import superposition_readings as sr


def grid():
    """A 2 x 1 grid with 2 starts per cell: W of shape (4, 1, 2), and a loss per start."""
    W = torch.tensor(
        [
            [[1.0, 0.0]],  # row 0, start 0: one feature kept (length 1)
            [[1.0, -1.0]],  # row 0, start 1: antipodal pair (length 2), lower loss
            [[1.0, 0.0]],  # row 1, start 0: one feature kept, lower loss
            [[0.2, 0.0]],
        ]
    )  # row 1, start 1: almost nothing
    losses = torch.tensor([0.5, 0.1, 0.2, 0.9])
    return W, losses


def test_best_start_norms_pick_the_lowest_loss():
    W, losses = grid()
    assert np.allclose(
        sr.best_start_norms(W, losses, column=0, rows=2, columns=1, restarts=2), [2.0, 1.0]
    )
    with pytest.raises(ValueError):
        sr.best_start_norms(W, losses, column=0, rows=3, columns=1, restarts=2)


def test_start_disagreement_counts_cells_and_loss_ratio():
    W, losses = grid()
    disagree, worst = sr.start_disagreement(W, losses, restarts=2)
    assert disagree == 2 and worst == pytest.approx(5.0)


def test_step_summary_tells_a_jump_from_a_slope():
    jump = sr.step_summary([2.0, 2.0, 1.0, 1.0])
    assert jump["one_step"] and jump["where"] == 1 and jump["share"] == pytest.approx(1.0)
    slope = sr.step_summary([2.0, 1.75, 1.5, 1.25, 1.0])
    assert (
        not slope["one_step"] and not slope["up_and_down"] and slope["share"] == pytest.approx(0.25)
    )
    assert sr.step_summary([1.0, 2.0, 1.0])["up_and_down"]
    with pytest.raises(ValueError):
        sr.step_summary([1.0])


def test_plateau_words():
    assert (
        sr.plateau_words({"1": 3, "1/2": 2, "2/5": 0, "1/3": 0, "other": 1})
        == "2 at 1/2 of a dimension"
    )
    assert sr.plateau_words({"1": 5, "1/2": 0, "other": 0}) == "none of them at a clean fraction"
