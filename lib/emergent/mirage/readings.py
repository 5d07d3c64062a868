"""Readings of the family's scores: how emergent each metric makes the same answers look.

The mirage chapter scores one family of models under several metrics
(:func:`emergent.mirage.metrics.score_family`). This module turns those scores into the numbers the
chapter compares:

- :func:`oriented_metrics`: each metric turned so that higher is better (edit distance negated);
- :func:`emergence_table`: the BIG-bench emergence score of every metric at every answer length;
- :func:`step_share_gap`: how much more of its change exact match makes in one step than edit
  distance, one number per trained family (so that seeds give its interval);
- :func:`largest_step_share`: the share of a curve's movement made in its largest step, a shape
  measure with no resolution floor;
- :func:`first_above`: the first member whose score passes a level (the knee of a curve);
- :func:`local_exponents` and :func:`steepest_to_typical`: the theorem's premise tested on the loss
  itself, since a power law falls with one exponent at every size.
"""

from __future__ import annotations

import numpy as np

from emergent.mirage.metrics import emergence_score

# name shown in the chapter -> (key in the scores of score_family, sign that makes higher better)
ORIENTED = {
    "exact match": ("exact_match", 1),
    "per-digit accuracy": ("per_digit_accuracy", 1),
    "- edit distance": ("edit_distance", -1),
    "log P(target)": ("log_probability", 1),
    "carry-free digits, all right": ("carry_free_exact_match", 1),
    "carry-free digits, fraction": ("carry_free_accuracy", 1),
}


def oriented_metrics(scores: dict) -> dict[str, np.ndarray]:
    """Every metric of ``scores`` as a (models, lengths) array in which higher is better."""
    missing = [key for key, _ in ORIENTED.values() if key not in scores]
    if missing:
        raise KeyError(f"scores lack {', '.join(missing)}: pass the dict score_family returns.")
    return {name: sign * scores[key] for name, (key, sign) in ORIENTED.items()}


def emergence_table(
    scale, oriented: dict[str, np.ndarray], resolution: float
) -> dict[str, list[float]]:
    """The emergence score of every metric at every answer length (one column of ``oriented`` each)."""
    return {
        name: [
            emergence_score(scale, values[:, j], resolution=resolution)
            for j in range(values.shape[1])
        ]
        for name, values in oriented.items()
    }


def format_table(table: dict[str, list[float]], lengths) -> str:
    """``table`` as text: one row per metric, one column per answer length."""
    lines = [f"{'metric':>29}" + "".join(f"{'L=' + str(L):>8}" for L in lengths)]
    lines += [f"{name:>29}" + "".join(f"{s:8.1f}" for s in row) for name, row in table.items()]
    return "\n".join(lines)


def step_share_gap(scores: dict, length_index: int) -> float:
    """How much more of its change exact match makes in its largest step between neighbouring
    members than token edit distance does, at one answer length (:func:`largest_step_share` of
    each, 0 to 1 each): one number per trained family, so that seeds give its interval."""
    em = largest_step_share(scores["exact_match"][:, length_index])
    ed = largest_step_share(-scores["edit_distance"][:, length_index])
    return em - ed


def per_token_loss(scores: dict, length_index: int) -> np.ndarray:
    """Each member's cross-entropy per answer token (nats) at one answer length: minus the log of
    the theorem's p, the geometric mean of the right digit's probability that
    :func:`~emergent.mirage.metrics.score_family` records as ``p_geometric``."""
    return -np.log(scores["p_geometric"][:, length_index])


def largest_step_share(values) -> float:
    """The share of a curve's total movement made in its largest step between neighbours.

    ``values`` are one metric's scores of models sorted by size. 1 means the whole change happens
    in one step; a straight line over n models gives 1 / (n - 1). Unlike the emergence score, it
    needs no floor for steps of zero, so no test-set resolution enters it; a flat curve gives 0.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"give one score per model for at least two models, got {values.shape}.")
    steps = np.abs(np.diff(values))
    total = steps.sum()
    return float(steps.max() / total) if total > 0 else 0.0


def largest_step(values) -> int:
    """Index i of the largest step between neighbours, from model i to model i + 1."""
    values = np.asarray(values, dtype=float)
    return int(np.argmax(np.abs(np.diff(values))))


def first_above(values, level: float) -> int:
    """Index of the first value above ``level`` (the knee of a rising curve); an error if none is."""
    values = np.asarray(values, dtype=float)
    above = np.flatnonzero(values > level)
    if len(above) == 0:
        raise ValueError(
            f"no value exceeds {level}: the curve never rises past it ({values.tolist()})."
        )
    return int(above[0])


FLATTEST_SLOPE = 0.01  # a loss falling by 1% per e-fold of size, or less, is flat for this purpose


def local_exponents(scale, loss) -> np.ndarray:
    """The slope of log loss against log scale between each pair of neighbouring models.

    A power law ``loss = (N / c)^alpha`` has the same slope, ``alpha``, between every pair.
    """
    scale, loss = np.asarray(scale, dtype=float), np.asarray(loss, dtype=float)
    if scale.ndim != 1 or scale.shape != loss.shape or len(scale) < 3:
        raise ValueError(
            f"give one size and one loss per model for at least three models, got shapes "
            f"{scale.shape} and {loss.shape}."
        )
    if (scale <= 0).any() or (loss <= 0).any() or (np.diff(scale) <= 0).any():
        raise ValueError("sizes must be positive and increasing, and losses positive.")
    return np.diff(np.log(loss)) / np.diff(np.log(scale))


def steepest_to_typical(scale, loss) -> float:
    """How many times steeper the loss falls in its steepest step than in its median step.

    1 for a power law, whatever its exponent; a knee, where the loss drops far faster over one step
    than elsewhere, gives much more. The median step is taken by size of slope, so a step in which
    the loss rose counts as a slope of zero, not a negative one, and a median under
    :data:`FLATTEST_SLOPE` counts as that (a loss flat within noise would otherwise divide by zero).
    """
    falls = np.clip(-local_exponents(scale, loss), 0, None)
    return float(falls.max() / max(float(np.median(falls)), FLATTEST_SLOPE))
