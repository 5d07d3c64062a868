"""Readings of the toy models of superposition that the capacity page reports.

A phase diagram is trained as a grid of cells (densities × relative importances), each with a few
random starts laid out one after another (:func:`emergent.knowledge.superposition.phase_grid`).
These functions pick each cell's best start, ask whether a column of the grid changes in one jump
or gradually, and whether the starts of a cell agree.
"""

from __future__ import annotations

import numpy as np
import torch

from emergent.knowledge.superposition import feature_norms


def best_start_norms(
    W: torch.Tensor, losses: torch.Tensor, column: int, rows: int, columns: int, restarts: int = 3
) -> np.ndarray:
    """For each row (density) of one column of the grid, ‖W_0‖ + ‖W_1‖ of the cell's start with the
    lowest loss: about 1 when one feature is kept, 2 for an antipodal pair.

    ``W`` is ``(rows * columns * restarts, n_hidden, n_features)`` and ``losses`` one loss per
    instance, in the order of ``phase_grid`` (row by row, then column, then start)."""
    if len(W) != rows * columns * restarts or len(losses) != len(W):
        raise ValueError(
            f"{len(W)} models and {len(losses)} losses for a {rows} x {columns} grid "
            f"with {restarts} starts per cell."
        )
    norms = []
    for row in range(rows):
        first = (row * columns + column) * restarts
        best = min(range(first, first + restarts), key=lambda k: float(losses[k]))
        norms.append(float(feature_norms(W[best]).sum()))
    return np.array(norms)


def step_summary(values: np.ndarray, jump: float = 0.5) -> dict:
    """How a column of values changes along the grid: ``share``, the largest single step's share
    of the total movement; ``where``, the index of that step; ``one_step``, whether that share is
    over one half and the values fall by more than ``jump`` from first to last; ``up_and_down``,
    whether they both rise and fall by more than 0.1 somewhere."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        raise ValueError(f"need at least two values, got {len(values)}.")
    steps = np.abs(np.diff(values))
    share = float(steps.max() / max(steps.sum(), 1e-9))
    return {
        "share": share,
        "where": int(steps.argmax()),
        "one_step": bool(share > 0.5 and values[0] - values[-1] > jump),
        "up_and_down": bool((np.diff(values) > 0.1).any() and (np.diff(values) < -0.1).any()),
    }


def start_disagreement(
    W: torch.Tensor, losses: torch.Tensor, restarts: int = 3, tolerance: float = 0.3
) -> tuple[int, float]:
    """In how many cells the starts end in different geometries (total feature length differing by
    more than ``tolerance``), and the largest ratio of worst to best loss among a cell's starts."""
    if len(W) % restarts or len(losses) != len(W):
        raise ValueError(
            f"{len(W)} models and {len(losses)} losses do not make cells of {restarts}."
        )
    lengths = W.norm(dim=1).sum(-1).reshape(-1, restarts)  # total feature length, per start
    cell_losses = losses.reshape(-1, restarts)
    disagree = int(((lengths.max(1).values - lengths.min(1).values) > tolerance).sum())
    worst = float((cell_losses.max(1).values / cell_losses.min(1).values.clamp_min(1e-12)).max())
    return disagree, worst


def plateau_words(counts: dict[str, int]) -> str:
    """The features sharing a dimension at a clean fraction, in words ("2 at 1/2 of a dimension"),
    from :func:`~emergent.knowledge.superposition.dimension_plateaus`; features with a dimension
    of their own ("1") and those between plateaus ("other") are left out."""
    shared = {k: v for k, v in counts.items() if k not in ("1", "other") and v}
    if not shared:
        return "none of them at a clean fraction"
    return ", ".join(f"{v} at {k} of a dimension" for k, v in shared.items())
