"""Figures of the mirage chapter that take more than a few lines to draw.

Each function draws one figure from numbers the chapter has already measured, and measures
nothing itself.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from emergent.core.plots import PALETTE, labelled, small_multiples
from emergent.mirage.carry_reading import CarryCircuit


def prediction_against_measurement(scale, lengths, greedy, from_accuracy, sampled, from_theorem):
    """Left: each p^L against the exact match it predicts (o: per-token accuracy against greedy
    answers; x: the theorem's p against sampled answers); right: both errors against model size.
    Arrays are (models, lengths)."""
    fig, axes = small_multiples(2, columns=2, width=4.2, height=3.2)
    for j, L in enumerate(lengths):
        axes[0].plot(greedy[:, j], from_accuracy[:, j], "o", color=PALETTE[j], label=f"L = {L}")
        axes[0].plot(sampled[:, j], from_theorem[:, j], "x", color=PALETTE[j])
        axes[1].plot(scale, from_accuracy[:, j] - greedy[:, j], "o-", ms=3, color=PALETTE[j])
        axes[1].plot(scale, from_theorem[:, j] - sampled[:, j], "x--", ms=4, color=PALETTE[j])
    axes[0].plot([0, 1], [0, 1], color="grey", lw=1, ls="--")
    axes[0].legend(fontsize=7)
    labelled(
        axes[0],
        "Prediction vs measurement (o: greedy, x: sampled)",
        "measured exact match",
        "predicted $p^L$",
    )
    labelled(
        axes[1],
        "Error of each prediction (o: greedy, x: sampled)",
        "non-embedding parameters N",
        "$p^L$ − measured",
        xlog=True,
    )
    fig.tight_layout()
    plt.show()


def carry_circuit(found: CarryCircuit, counts, strongest, drawn, n_head: int):
    """Left: the effect of patching each head, with the share of its attention on a_{i-1}, b_{i-1};
    right: the share of the gap moved by the strongest and by random neurons of the carry layer."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    table = found.head_table
    image = left.imshow(table, cmap="Blues", vmin=0, vmax=max(0.5, table.max()))
    for (layer, head), value in np.ndenumerate(table):
        lower = found.shares[layer, head, 2] + found.shares[layer, head, 3]
        left.text(
            head,
            layer,
            f"{value:.2f}\nreads {lower:.0%}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if value > 0.3 else "black",
        )
    left.set_xticks(range(n_head)), left.set_yticks(range(len(table)))
    left.set_yticklabels([f"layer {layer + 1}" for layer in range(len(table))])
    left.grid(False)
    fig.colorbar(image, ax=left, shrink=0.8)
    labelled(
        left, "Effect of patching each head\n(and its attention to a_{i-1}, b_{i-1})", "head", ""
    )
    right.plot(counts, strongest, "o-", label="strongest neurons (chosen on the other half)")
    right.plot(counts, drawn, "s--", label="random neurons (mean of 3 draws)")
    right.axhline(0.8, color="grey", ls=":", lw=1)
    right.legend(fontsize=8)
    labelled(
        right,
        f"Patching neurons of the layer-{found.carry_layer + 1} MLP",
        f"neurons patched (of {found.mlp_width})",
        "share of the gap moved",
        xlog=True,
    )
    plt.show()
