"""The convergence check: a run cut off while its held-out loss still falls is flagged."""

import numpy as np
import pytest

from emergent.core.transitions import late_change, still_dropping


def test_a_run_still_dropping_at_the_end_is_flagged_and_a_flat_one_is_not():
    steps = np.arange(0, 1001, 100)
    flat = 0.1 + 2.0 * np.exp(-steps / 80)  # converged long before the end
    dropping = 2.0 * np.exp(-steps / 600)  # a knee the budget cuts off: still falling
    assert late_change(steps, flat) < 0.01 and not still_dropping(steps, flat)
    assert late_change(steps, dropping) > 0.05 and still_dropping(steps, dropping)


def test_a_solved_run_whose_tiny_loss_keeps_halving_is_not_flagged():
    steps = np.arange(0, 1001, 100)
    solved = 2.0 * np.exp(-steps / 60)  # 1e-7 at the end, still halving every 42 steps
    assert (solved[8] - solved[-1]) / solved[8] > 0.9  # a large relative change...
    assert not still_dropping(steps, solved)  # ...but no share of the whole fall


def test_a_late_jump_in_the_loss_counts_and_a_rise_does_not():
    steps = np.arange(0, 1001, 100)
    plateau_then_drop = np.array([2.0] * 9 + [1.0, 0.2])  # a knee in the last fifth
    overfitting = np.linspace(1.0, 1.2, 11)  # held-out loss rising: not dropping
    assert still_dropping(steps, plateau_then_drop)
    assert not still_dropping(steps, overfitting)


def test_bad_logs_are_refused_with_a_message():
    with pytest.raises(ValueError, match="one loss per evaluation step"):
        late_change([0, 1, 2], [1.0, 0.5])
    with pytest.raises(ValueError, match="tail is a fraction"):
        late_change([0, 1, 2], [1.0, 0.5, 0.4], tail=1.5)
    with pytest.raises(ValueError, match="no evaluation inside the tail"):
        late_change([0, 10, 1000], [1.0, 0.5, 0.4], tail=0.01)
