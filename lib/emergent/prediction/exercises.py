"""Checks for the exercises of the chapter "Can emergence be predicted?"."""

from __future__ import annotations

from emergent.core.checks import check_function
from emergent.prediction.forecasts import exact_match_from_loss, extrapolate_power_law
from emergent.prediction.memorisation import exposures_to_memorise


def check_extrapolate_power_law(student) -> bool:
    """``student(x, y, x_new)`` fits ``y = k x^a`` on log-log axes and reads it at ``x_new``."""
    cases = [
        ([1, 10, 100], [2.0, 0.2, 0.02], 1000),  # a = -1 exactly
        ([100, 200, 400, 800], [3.0, 2.4, 1.9, 1.55], 3200),  # noisy loss against size
        ([1e3, 1e4, 1e5], [1.0, 1.0, 1.0], 1e7),  # flat: a = 0
        ([2, 4, 8], [1.0, 4.0, 16.0], [16, 32]),  # growing, several points at once
    ]
    return check_function(
        student,
        extrapolate_power_law,
        cases,
        rtol=1e-6,
        hint="Fit a straight line to (log x, log y) with np.polyfit(..., 1): its slope is a and exp(intercept) "
        "is k. Refuse non-positive x or y (and a non-positive x_new) with ValueError.",
        raises=[([1, 10, 100], [1.0, 0.0, 0.5], 1000), ([1, 10, 100], [1.0, 0.5, 0.2], -5)],
    )


def check_exact_match_from_loss(student) -> bool:
    """``student(loss_per_token, tokens)`` is ``exp(-tokens * loss)``: p^L with p = exp(-loss)."""
    cases = [(0.0, 6), (0.1, 1), (0.1, 6), (0.5, 6), (2.3, 3), (0.02, 30)]
    return check_function(
        student,
        exact_match_from_loss,
        cases,
        hint="p = exp(-loss) is the geometric-mean probability of the right token; L independent tokens "
        "are all right with probability p**L. Refuse a negative loss and fewer than 1 token.",
        raises=[(-0.1, 6), (0.3, 0)],
    )


def check_exposures_to_memorise(student) -> bool:
    """``student(curve, frequency, q)``: exposures (rounds x frequency) until ``curve`` first reaches q, else None."""
    cases = [
        ([0.0, 0.2, 0.5, 0.91, 0.95], 1, 0.9),  # reached after 3 rounds
        ([0.0, 0.2, 0.5, 0.91, 0.95], 4, 0.9),  # seen 4 times a round: 12 exposures
        ([0.0, 0.95, 0.85, 0.99], 2, 0.9),  # the first time counts, even if it dips afterwards
        ([0.0, 0.3, 0.6, 0.8], 1, 0.9),  # never reached: None
        ([0.1, 0.5, 0.9], 1, 0.9),  # reaching exactly q counts
        ([1.0, 1.0], 8, 0.5),  # already there before training: 0
    ]
    return check_function(
        student,
        exposures_to_memorise,
        cases,
        hint="curve[r] is the fraction memorised after r rounds; find the first r with curve[r] >= q and "
        "multiply by how many times per round the fact is seen. Return None if it never gets there.",
        raises=[([0.2, 1.4], 1, 0.9), ([0.2, 0.5], 0, 0.9), ([0.2, 0.5], 1, 0.0)],
    )
