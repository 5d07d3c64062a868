"""Figures of the chapter "Can emergence be predicted?" that take more than a few lines to draw.

Each function draws one figure from numbers the chapter has already measured, and measures
nothing itself.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from emergent.core.plots import PALETTE, labelled, small_multiples
from emergent.prediction.memorisation import memorisation_curve


def loss_knee(everyone, seen_names, law, grid, digits: int):
    """Per-digit loss (with the power law through the members seen) and exact match against size;
    members the forecaster saw in blue, the others in red."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for m in everyone:
        style = {"color": PALETTE[0] if m.name in seen_names else PALETTE[3], "ms": 6}
        axes[0].plot(m.parameters, m.score(f"loss_{digits}"), "o", **style)
        axes[1].plot(m.parameters, m.score(f"exact_{digits}"), "o", **style)
    axes[0].plot(grid, law(grid), color=PALETTE[0], label="power law through the members seen")
    axes[0].legend(fontsize=8)
    labelled(
        axes[0],
        f"Per-digit loss, {digits}-digit additions (blue: seen, red: not)",
        "non-embedding parameters N",
        "loss (nats per digit)",
        xlog=True,
        ylog=True,
    )
    labelled(
        axes[1],
        f"Exact match, {digits}-digit additions",
        "non-embedding parameters N",
        "exact match",
        xlog=True,
    )
    fig.tight_layout()
    plt.show()


def memorisation_curves(runs: dict, widths, frequencies, seed: int = 0):
    """For each width (columns): each group's memorised fraction against rounds (top row) and
    against exposures (bottom row), for the run with ``seed``; a guess's one digit in ten dotted."""
    fig, axes = small_multiples(2 * len(widths), columns=len(widths), width=3.4, height=2.6)
    for col, w in enumerate(widths):
        history = runs[w, seed][1]
        top, bottom = axes[col], axes[len(widths) + col]
        for colour, f in zip(PALETTE, frequencies):
            curve = memorisation_curve(history, f)
            top.plot(np.arange(len(curve)), curve, color=colour, label=f"seen {f}x a round")
            bottom.plot(np.arange(len(curve)) * f, curve, color=colour)
        for ax in (top, bottom):
            ax.axhline(0.1, color="grey", ls=":", lw=1)  # a guess gets one digit in ten
        labelled(top, f"width {w}: against rounds", "rounds", "fraction of digits memorised")
        labelled(
            bottom,
            f"width {w}: against exposures",
            "exposures (log scale)",
            "fraction of digits memorised",
            xlog=True,
        )
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    plt.show()
