"""Readings of the family's scores: how emergent each metric makes the same answers look.

The mirage chapter scores one family of models under several metrics
(:func:`emergent.mirage.metrics.score_family`). This module turns those scores into the numbers the
chapter compares:

- :func:`oriented_metrics`: each metric turned so that higher is better (edit distance negated);
- :func:`emergence_table`: the BIG-bench emergence score of every metric at every answer length;
- :func:`item_columns` and :class:`EmergenceRatios`: the per-item scores laid side by side, and the
  ratios of emergence scores computed from them, ready for a bootstrap over test items (all models
  resampled together);
- :func:`largest_step_share`: the share of a curve's movement made in its largest step, a shape
  measure with no resolution floor;
- :func:`first_above`: the first member whose score passes a level (the knee of a curve).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emergent.mirage.metrics import emergence_score

# name shown in the chapter -> (key in the scores of score_family, sign that makes higher better)
ORIENTED = {
    "exact match": ("exact_match", 1),
    "per-digit accuracy": ("per_digit_accuracy", 1),
    "- edit distance": ("edit_distance", -1),
    "log P(target)": ("log_probability", 1),
    "control: carry-free all right": ("carry_free_exact_match", 1),
    "control: carry-free digits": ("carry_free_accuracy", 1),
}

# the per-item blocks behind the two ratios, in the order item_columns lays them side by side
ITEM_BLOCKS = (
    "exact_match_items",
    "edit_distance_items",
    "carry_free_exact_match_items",
    "carry_free_accuracy_items",
)


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


def item_columns(scores: dict, length_index: int) -> np.ndarray:
    """(test items, 4 x models): the per-item scores of :data:`ITEM_BLOCKS` at one answer length,
    side by side, so that one bootstrap row resamples the same item under every metric and model."""
    return np.concatenate([scores[block][:, length_index].T for block in ITEM_BLOCKS], axis=1)


@dataclass(frozen=True)
class EmergenceRatios:
    """Emergence scores computed from rows of :func:`item_columns` (a bootstrap's resampled items).

    ``scale`` is the models' sizes and ``resolution`` the test set's (one item in how many).
    """

    scale: np.ndarray
    resolution: float

    @property
    def models(self) -> int:
        return len(self.scale)

    def score(self, items, sign: int = 1) -> float:
        """The emergence score of the per-model means of ``items`` (test items, models)."""
        items = np.asarray(items, dtype=float)
        if items.ndim != 2 or items.shape[1] != self.models:
            raise ValueError(
                f"items must be (test items, {self.models} models), got shape {items.shape}."
            )
        return emergence_score(self.scale, sign * items.mean(axis=0), resolution=self.resolution)

    def block(self, rows, which: int) -> np.ndarray:
        """Block ``which`` (0: exact match, 1: edit distance, 2, 3: the carry-free controls) of ``rows``."""
        m = self.models
        return np.asarray(rows)[:, which * m : (which + 1) * m]

    def exact_match(self, rows) -> float:
        return self.score(self.block(rows, 0))

    def edit_distance(self, rows) -> float:
        """The emergence score of token edit distance, negated so that higher is better."""
        return self.score(self.block(rows, 1), sign=-1)

    def sharp_to_smooth(self, rows) -> float:
        """Exact match's emergence score over token edit distance's."""
        return self.exact_match(rows) / self.edit_distance(rows)

    def step_share_gap(self, rows) -> float:
        """How much more of its change exact match makes in its largest step between neighbouring
        models than token edit distance does (:func:`largest_step_share` of each; 0 to 1 each)."""
        em = largest_step_share(self.block(rows, 0).mean(axis=0))
        ed = largest_step_share(-self.block(rows, 1).mean(axis=0))
        return em - ed


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
