"""Figures of the compression chapter: the interval of arithmetic coding, and compressors side by side."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import matplotlib.pyplot as plt

from emergent.compression import arithmetic_coding as ac
from emergent.core.plots import PALETTE, labelled


def draw_interval(
    ax,
    trace: Sequence[tuple[Fraction, Fraction]],
    message: Sequence[int],
    table: Sequence,
    step: int,
    names: str = "abc",
) -> None:
    """The interval after ``step`` symbols, magnified to fill the axis, with the slices of the next
    symbol drawn inside it (the slice of the symbol that occurs is highlighted).

    ``trace`` is :func:`~emergent.compression.arithmetic_coding.interval_trace` of ``message``
    under the fixed ``table``; ``names`` labels the symbols.
    """
    if not 0 <= step < len(trace):
        raise ValueError(f"step must lie between 0 and {len(trace) - 1}, got {step}.")
    low, width = trace[step]
    ax.barh(0, 1, left=0, color="0.92", height=0.5)
    if step < len(message):
        start = 0.0
        for s, p in enumerate(ac.normalised(table)):
            ax.barh(
                0,
                float(p),
                left=start,
                height=0.5,
                color=PALETTE[s],
                alpha=0.85 if s == message[step] else 0.3,
            )
            ax.text(start + float(p) / 2, 0, names[s], ha="center", va="center")
            start += float(p)
    ax.set_xlim(0, 1)
    ax.set_yticks([])
    ends = f"{float(low):.4f}", f"{float(low + width):.4f}"
    labelled(ax, f"after {step} symbols", f"position in [{ends[0]}, {ends[1]})", "")
    ax.set_xticks([0, 1], list(ends))


def bar_chart(results: dict[str, float], title: str) -> None:
    """Bits per byte of each compressor as horizontal bars, top to bottom in the order given:
    the model's bar in one colour, the entropy limit in another, the classical compressors in a third."""
    if not results:
        raise ValueError("give at least one compressor's bits per byte.")
    _, ax = plt.subplots(figsize=(6.4, 3.2))
    names = list(results)
    colours = [
        PALETTE[3] if "GPT" in n else PALETTE[2] if "entropy" in n else PALETTE[0] for n in names
    ]
    ax.barh(names, list(results.values()), color=colours)
    for i, v in enumerate(results.values()):
        ax.text(v, i, f" {v:.2f}", va="center", fontsize=8)
    labelled(ax, title, "bits per byte (lower is better)", "")
    ax.invert_yaxis()
    plt.show()
