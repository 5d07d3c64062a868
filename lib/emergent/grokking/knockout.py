"""Knocking frequencies out of a trained network's residue embedding, against a random control.

Nanda et al.'s causal test of the Fourier algorithm, in miniature: project the key frequencies out
of the embedding (see :func:`~emergent.grokking.progress_measures.accuracy_without`) and measure
test accuracy; as a control, take out as many frequencies drawn from the others, several times.
:func:`draw_knockout` draws one panel of the chapter's slider: the spectrum with the removed
frequencies greyed, and what is left of the accuracy.
"""

from __future__ import annotations

import numpy as np
import torch

from emergent.core.plots import labelled
from emergent.grokking import fourier
from emergent.grokking.progress_measures import accuracy_without, other_frequencies

KEPT, REMOVED = "#0072B2", "#BBBBBB"  # bar colours of the slider's spectrum


def knockout(
    model, p: int, keys, pairs: torch.Tensor, labels: torch.Tensor, seed: int, draws: int = 5
) -> tuple[float, float]:
    """``(accuracy without the keys, mean accuracy without as many other frequencies)`` on
    ``pairs``; the other frequencies are ``draws`` random sets drawn with ``seed``."""
    keys = list(keys)
    if not keys:
        raise ValueError("knockout needs at least one key frequency to take out.")
    without_keys = accuracy_without(model, p, keys, pairs, labels)
    others = other_frequencies(p, keys, len(keys), draws=draws, seed=seed)
    without_others = np.mean([accuracy_without(model, p, o, pairs, labels) for o in others])
    return without_keys, float(without_others)


def random_frequencies(ranked, count: int) -> list[int]:
    """``count`` of the ``ranked`` frequencies drawn at random (the same draw for the same count)."""
    if not 1 <= count <= len(ranked):
        raise ValueError(f"count must lie between 1 and {len(ranked)}, got {count}.")
    return sorted(np.random.default_rng(count).choice(ranked, size=count, replace=False).tolist())


def draw_knockout(
    ax, model, p: int, embedding, pairs: torch.Tensor, labels: torch.Tensor, removed: int
) -> None:
    """One panel: the embedding's spectrum with its ``removed`` strongest frequencies greyed, and
    the test accuracy without them (and without as many drawn at random) in the title."""
    spectrum = fourier.fourier_spectrum(embedding)
    ranked = fourier.strongest_first(embedding)
    gone = set(ranked[:removed])
    colours = [REMOVED if k in gone else KEPT for k in range(1, len(spectrum) + 1)]
    ax.bar(np.arange(1, len(spectrum) + 1), 100 * spectrum, color=colours)
    strongest = accuracy_without(model, p, sorted(gone), pairs, labels)
    drawn = accuracy_without(model, p, random_frequencies(ranked, removed), pairs, labels)
    labelled(
        ax,
        f"{removed} strongest out: {strongest:.0%} right\n({removed} at random out: {drawn:.0%})",
        "frequency k",
        "share of energy (%)",
    )
