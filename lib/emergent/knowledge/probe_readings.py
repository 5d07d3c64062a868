"""Sparse-probe results read layer by layer: which properties get a neuron of their own, and where.

The probes themselves are :mod:`emergent.knowledge.neurons`; here their test F1 scores, kept as
``{(feature name, position): (layers, len(K_VALUES)) array}``, are turned into the comparisons the
first knowledge page judges.
"""

from __future__ import annotations

import numpy as np

from emergent.knowledge.neurons import MONOSEMANTIC_F1, probe_curve


def probe_scores(features, acts: dict, kb, prompts, is_test: np.ndarray) -> dict:
    """Test F1 of the sparse probes for every feature, layer and k: ``{(name, position): (layers, k)}``.

    ``acts[position]`` holds each layer's activations ``(layers, prompts, d_ff)``; the probes are
    fitted on the prompts not in ``is_test`` and scored on the others."""
    is_test = np.asarray(is_test, dtype=bool)
    if len(is_test) != len(prompts):
        raise ValueError(f"is_test has {len(is_test)} entries for {len(prompts)} prompts.")
    f1 = {}
    for f in features:
        use, y = f.relevant(prompts), f.labels(kb, prompts)
        train, test = use & ~is_test, use & is_test
        f1[f.name, f.position] = np.array(
            [probe_curve(x[train], y[train], x[test], y[test]) for x in acts[f.position]]
        )
    return f1


def single_neuron_shift(f1: dict, features, to_layer: int, from_layer: int) -> np.ndarray:
    """Per feature, the best single neuron's F1 in ``to_layer`` minus that in ``from_layer``."""
    if not features:
        raise ValueError("give at least one feature.")
    return np.array(
        [
            f1[f.name, f.position][to_layer, 0] - f1[f.name, f.position][from_layer, 0]
            for f in features
        ]
    )


def monosemantic_counts(f1: dict, features, threshold: float = MONOSEMANTIC_F1) -> dict[int, int]:
    """Per layer, how many features one neuron predicts with F1 at least ``threshold``."""
    layers = next(iter(f1.values())).shape[0]
    return {
        layer: int(sum(f1[f.name, f.position][layer, 0] >= threshold for f in features))
        for layer in range(layers)
    }


def spread_counts(f1: dict, features, threshold: float = MONOSEMANTIC_F1) -> dict[int, int]:
    """Per layer, how many features reach F1 ``threshold`` only with more than one neuron."""
    layers = next(iter(f1.values())).shape[0]
    return {
        layer: int(
            sum(
                f1[f.name, f.position][layer, 0] < threshold <= f1[f.name, f.position][layer].max()
                for f in features
            )
        )
        for layer in range(layers)
    }
