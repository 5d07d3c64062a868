"""Reading a jump off a curve: when a logged quantity rose, how fast, and how abruptly.

The emergence, grokking and mirage chapters all ask these questions of a training log (a list of
evaluated steps and a value at each): when the score had made half its change
(:func:`phase_change_step`, :func:`formation_step`), how many steps the rise from 10% to 90% took
(:func:`transition_width`), which window of training held most of it (:func:`steepest_rise`), and
when a value first reached a level (:func:`first_step_reaching`). The convergence check asks the
opposite of a loss: whether it was still falling when training stopped (:func:`late_change`,
:func:`still_dropping`).
"""

from __future__ import annotations

import math

import numpy as np


def phase_change_step(eval_steps, icl_scores, fraction: float = 0.5) -> int:
    """First evaluated step at which the ICL score has reached ``fraction`` of its final value.

    The score starts near 0 and falls (more negative is better), so "reached" means
    ``score <= fraction * final``. Raises ValueError if the final score is not negative.
    """
    if len(eval_steps) != len(icl_scores) or not eval_steps:
        raise ValueError("eval_steps and icl_scores must be non-empty and of equal length.")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must lie in (0, 1], got {fraction}.")
    final = icl_scores[-1]
    if final >= 0:
        raise ValueError(
            f"the final ICL score is {final:.3f} >= 0: the model never learned to use its context."
        )
    for step, score in zip(eval_steps, icl_scores):
        if score <= fraction * final:
            return int(step)
    return int(eval_steps[-1])  # unreachable: the last score always qualifies


def formation_step(eval_steps, values, fraction: float = 0.5) -> int:
    """First evaluated step at which ``values`` (e.g. a head's prefix-matching score) has made
    ``fraction`` of its change from the first evaluation to the last, in either direction."""
    if len(eval_steps) != len(values) or not eval_steps:
        raise ValueError("eval_steps and values must be non-empty and of equal length.")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must lie in (0, 1], got {fraction}.")
    start, change = values[0], values[-1] - values[0]
    if change == 0:
        raise ValueError(
            "the values did not change over training: there is no formation to locate."
        )
    for step, value in zip(eval_steps, values):
        if (value - start) / change >= fraction:
            return int(step)
    return int(eval_steps[-1])


def transition_width(eval_steps, icl_scores, low: float = 0.1, high: float = 0.9) -> int:
    """Training steps between reaching ``low`` and ``high`` of the final ICL score (how abrupt the rise is)."""
    return phase_change_step(eval_steps, icl_scores, high) - phase_change_step(
        eval_steps, icl_scores, low
    )


def steepest_rise(eval_steps, icl_scores, window: int) -> tuple[int, float]:
    """``(start, share)``: the window of ``window`` training steps in which the ICL score fell most,
    and the share of the whole fall (first evaluation to last) that happened inside it.

    A share near 1 for a window that is a small part of training is what "abrupt" means here.
    """
    if len(eval_steps) != len(icl_scores) or len(eval_steps) < 2:
        raise ValueError(
            "eval_steps and icl_scores must be of equal length, with at least two evaluations."
        )
    if window <= 0:
        raise ValueError(f"window must be a positive number of steps, got {window}.")
    total = icl_scores[0] - icl_scores[-1]
    if total <= 0:
        raise ValueError("the ICL score did not fall over training: there is no rise to locate.")
    best_start, best_fall = int(eval_steps[0]), -math.inf
    for i, start in enumerate(eval_steps):
        # last evaluation no more than `window` steps after this one
        j = max(k for k in range(i, len(eval_steps)) if eval_steps[k] - start <= window)
        fall = icl_scores[i] - icl_scores[j]
        if fall > best_fall:
            best_start, best_fall = int(start), fall
    return best_start, float(best_fall / total)


def first_step_reaching(steps, values, level: float = 0.99):
    """The first logged step whose value is at least ``level``; ``None`` if it never gets there."""
    if len(steps) != len(values):
        raise ValueError(
            f"steps and values must have the same length, got {len(steps)} and {len(values)}."
        )
    for step, value in zip(steps, values):
        if value >= level:
            return int(step)
    return None


def late_change(steps, losses, tail: float = 0.2) -> float:
    """The share of a run's whole fall in loss made over its last ``tail`` of training:
    ``(L(start of tail) - L(end)) / (L(first evaluation) - L(end))``, with the tail's start read at
    the evaluation nearest to it.

    A converged run gives about 0; a run cut off while its loss still drops gives more. A share of
    the whole fall, not a relative change of the loss: a solved run whose loss keeps halving at 0.001
    is not mid-drop in any sense that matters, and a run that did not fall at all (or rose) gives 0.
    The book's convergence check (:func:`still_dropping`) flags a run whose late change exceeds a
    tolerance. Only what happened within the run can be read: a loss flat at the end may still fall
    later, in a transition the budget never reached.
    """
    steps, losses = np.asarray(steps, dtype=float), np.asarray(losses, dtype=float)
    if steps.shape != losses.shape or steps.ndim != 1 or len(steps) < 2:
        raise ValueError("give one loss per evaluation step, at least two of them.")
    if not 0 < tail < 1:
        raise ValueError(f"tail is a fraction of training in (0, 1), got {tail}.")
    start = steps[-1] - tail * (steps[-1] - steps[0])
    at = int(np.argmin(np.abs(steps - start)))
    if at == len(steps) - 1:
        raise ValueError("no evaluation inside the tail: evaluate the run more often.")
    whole = losses[0] - losses[-1]
    if whole <= 0:
        return 0.0
    return float(max(0.0, losses[at] - losses[-1]) / whole)


LATE_CHANGE_TOLERANCE = 0.05  # over 5% of the whole fall made in the last fifth of training


def still_dropping(
    steps, losses, tail: float = 0.2, tolerance: float = LATE_CHANGE_TOLERANCE
) -> bool:
    """Whether a run's held-out loss was still falling when training stopped (see :func:`late_change`)."""
    return late_change(steps, losses, tail) > tolerance
