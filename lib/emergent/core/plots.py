"""The house style for figures: readable on the site, labelled, with units and scales."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

# Colour-blind-safe palette (Okabe & Ito), in the order the book uses for model sizes, metrics...
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def use_house_style() -> None:
    """Apply the book's figure style to every later figure."""
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.8),
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "lines.linewidth": 1.8,
        }
    )


def labelled(ax, title: str, xlabel: str, ylabel: str, xlog: bool = False, ylog: bool = False):
    """Title, axis labels (with units) and log scales in one call, so no figure goes unlabelled."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if xlog:
        ax.set_xscale("log")
    if ylog:
        ax.set_yscale("log")
    return ax


def small_multiples(
    count: int, columns: int = 3, width: float = 3.2, height: float = 2.6, **kwargs
):
    """A grid of ``count`` axes (extra cells hidden), for static twins of widgets."""
    rows = -(-count // columns)
    columns = min(columns, count)
    fig, axes = plt.subplots(
        rows, columns, figsize=(width * columns, height * rows), squeeze=False, **kwargs
    )
    flat = axes.ravel()
    for ax in flat[count:]:
        ax.set_visible(False)
    return fig, list(flat[:count])
