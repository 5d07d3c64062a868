"""Three shapes of scaling, each from a small model of how a task is solved.

A task's accuracy, plotted against model scale (training FLOPs, on a log axis), has one of three
shapes in the BIG-Bench and inverse-scaling data (Srivastava et al., 2022; Wei et al., 2023):

- **smooth**: knowledge-intensive tasks improve steadily with scale;
- **emergent**: near chance for a long time, then a sharp rise; many such tasks need several steps;
- **U-shaped**: worse with scale at first, then better.

Each shape below is built from the same ingredient, a *skill* whose probability of success rises
smoothly (a logistic curve) in log-scale, combined in a different way:

- smooth = one skill;
- emergent = ``k`` independent skills that must all succeed (:func:`multistep_accuracy`);
- U-shaped = a *true task* and a *distractor task* that is learned earlier and, once learned,
  pulls the answer away from the right one (:func:`u_shaped_accuracy`).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from emergent.emergence.thresholds import task_success


def _check_slope(slope: float) -> None:
    if not np.isfinite(slope) or slope <= 0:
        raise ValueError(f"slope must be a positive number (per decade of scale), got {slope!r}.")


def _check_chance(chance: float) -> None:
    if not 0 <= chance <= 1:
        raise ValueError(
            f"chance must lie in [0, 1] (e.g. 0.5 for a two-way choice), got {chance!r}."
        )


def skill(log_scale, midpoint: float, slope: float = 1.0):
    """Probability that a model of scale ``10 ** log_scale`` has a skill: a logistic in log-scale.

    ``midpoint`` is the log10 scale at which the skill succeeds half the time; ``slope`` how many
    e-folds of odds it gains per decade of scale.
    """
    _check_slope(slope)
    x = np.asarray(log_scale, dtype=float)
    return 1.0 / (1.0 + np.exp(-slope * (x - midpoint)))


def smooth_accuracy(log_scale, midpoint: float = 22.0, slope: float = 0.6, chance: float = 0.25):
    """A knowledge-intensive task: one slowly improving skill, from chance towards 1."""
    _check_chance(chance)
    return chance + (1 - chance) * skill(log_scale, midpoint, slope)


def multistep_accuracy(
    log_scale, k: int = 5, midpoint: float = 22.0, slope: float = 0.6, chance: float = 0.0
):
    """A task of ``k`` independent sub-steps, each a smooth skill; right only if all are right.

    The per-step curve is the same smooth logistic as in :func:`smooth_accuracy`; raising it to
    the power ``k`` makes the task curve sit near ``chance`` for longer and then rise steeply.
    """
    _check_chance(chance)
    step = skill(log_scale, midpoint, slope)
    return chance + (1 - chance) * task_success(step, k)


def u_shaped_accuracy(
    log_scale,
    true_midpoint: float = 23.5,
    distractor_midpoint: float = 20.5,
    slope: float = 1.2,
    chance: float = 0.5,
):
    """A task hiding a *distractor task* (Wei et al., 2023, "Inverse scaling can become U-shaped").

    A model that has the true skill answers right. Otherwise, a model that has the distractor skill
    follows the distractor and answers wrong; a model with neither guesses (``chance``)::

        accuracy = t + (1 - t) * (1 - d) * chance,   t = skill(true), d = skill(distractor)

    Small models guess, medium models are misled (accuracy falls below chance), large models
    solve the true task: a U.
    """
    _check_chance(chance)
    t = skill(log_scale, true_midpoint, slope)
    d = skill(log_scale, distractor_midpoint, slope)
    return t + (1 - t) * (1 - d) * chance


def u_shape_bottom(
    true_midpoint: float = 23.5,
    distractor_midpoint: float = 20.5,
    slope: float = 1.2,
    chance: float = 0.5,
) -> tuple[float, float]:
    """``(log_scale, accuracy)`` at the bottom of the U of :func:`u_shaped_accuracy`.

    The minimum lies between the two midpoints when the distractor is learned first; if the
    distractor comes *after* the true task there is no U and ValueError says so.
    """
    if distractor_midpoint >= true_midpoint:
        raise ValueError(
            f"no U-shape: the distractor (midpoint {distractor_midpoint}) must be learned before the true "
            f"task (midpoint {true_midpoint}), i.e. distractor_midpoint < true_midpoint."
        )
    _check_slope(slope)
    _check_chance(chance)
    span = true_midpoint - distractor_midpoint
    result = minimize_scalar(
        lambda x: float(u_shaped_accuracy(x, true_midpoint, distractor_midpoint, slope, chance)),
        bounds=(distractor_midpoint - 2 * span - 5 / slope, true_midpoint + 5 / slope),
        method="bounded",
        options={"xatol": 1e-8},
    )
    return float(result.x), float(result.fun)
