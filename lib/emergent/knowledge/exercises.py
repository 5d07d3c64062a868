"""Checks for the exercises of the chapter "Where knowledge lives".

Each check runs the student's function on fixed and edge cases and compares it with the library's
reference in :mod:`emergent.knowledge.parameters`, :mod:`emergent.knowledge.editing` and :mod:`emergent.knowledge.superposition`.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from emergent.core.checks import CheckFailed, check_function
from emergent.knowledge import editing, parameters, superposition


def check_block_parameters(student) -> bool:
    """``student(d, d_ff=None) -> {"attention": ..., "mlp": ..., "layer_norm": ...}`` for one GPT-2 block."""
    cases = [(64,), (768,), (1600,), (10, 10), (128, 1024), (1,)]
    return check_function(
        student,
        parameters.block_parameters,
        cases,
        hint="Attention: W_QKV is d × 3d plus a 3d bias, W_O is d × d plus a d bias. MLP: d × d_ff plus d_ff, "
        "then d_ff × d plus d (d_ff defaults to 4d). Two layer norms with a scale and a shift of size d each.",
        raises=[(0,), (-5,)],
    )


def _cases_rank_one():
    generator = torch.Generator().manual_seed(7)
    cases = []
    for d_ff, d in [(6, 3), (8, 2), (5, 5)]:
        W = torch.randn(d_ff, d, generator=generator)
        k = torch.randn(d_ff, generator=generator)
        A = torch.randn(d_ff, d_ff, generator=generator)
        C_inv = torch.linalg.inv(A @ A.T + torch.eye(d_ff))
        v = torch.randn(d, generator=generator)
        cases.append((W, C_inv @ k, k, v))
    return cases


def check_rank_one_update(student) -> bool:
    """``student(W, C_inv_k, k, v) -> ΔW`` with k @ (W + ΔW) = v and ΔW = outer(C⁻¹k, Λ)."""
    cases = _cases_rank_one()
    for index, (W, u, k, v) in enumerate(cases, start=1):
        got = torch.as_tensor(student(W, u, k, v), dtype=torch.float32)
        if got.shape != W.shape:
            raise CheckFailed(
                f"Case {index}: ΔW has shape {tuple(got.shape)}, expected {tuple(W.shape)} (same as W)."
            )
        if not torch.allclose(k @ (W + got), v, atol=1e-4):
            raise CheckFailed(
                f"Case {index}: k @ (W + ΔW) is not v: the edited layer must map the key to the new value."
                "\nHint: Λ = (v − k W) / (C⁻¹k · k)."
            )
    return check_function(
        student,
        editing.rank_one_update,
        cases,
        rtol=1e-4,
        atol=1e-5,
        hint="ΔW = outer(C⁻¹k, Λ) is rank one; any other ΔW that hits v disturbs other keys more.",
    )


def _weights():
    angles = torch.arange(5) * 2 * math.pi / 5
    return [
        (torch.eye(3),),
        (torch.tensor([[1.0, -1.0, 0.0]]),),
        (torch.stack([angles.cos(), angles.sin()]),),
        (torch.tensor([[0.8, 0.3, 0.0, 0.1], [0.1, -0.9, 0.0, 0.4]]),),
    ]


def check_dimensions_per_feature(student) -> bool:
    """``student(W) -> (n_features,)`` each feature's share of a dimension, ||W_i||² / Σ_j (Ŵ_i · W_j)²."""
    return check_function(
        student,
        lambda W: superposition.dimensions_per_feature(W),
        _weights(),
        rtol=1e-4,
        atol=1e-5,
        hint="Normalise each column to Ŵ_i, square its dot products with every column W_j (including itself), "
        "and divide ||W_i||² by their sum. A dropped feature (zero column) has 0 dimensions.",
    )


def check_knockout_mask(student) -> bool:
    """``student(length, blocked)`` returns the (1, 1, T, T) additive mask: causal, and the last position
    may not attend to ``blocked``."""
    from emergent.knowledge.knockout import knockout_mask

    return check_function(
        student,
        lambda length, blocked: knockout_mask(length, blocked).numpy(),
        cases=[(3, []), (4, [1, 2]), (5, [0]), (2, [1])],
        hint="Start from a lower-triangular matrix of allowed edges (a token sees itself and what came before), "
        "forbid row T-1's blocked columns, and put -inf where an edge is forbidden and 0 elsewhere; add two "
        "leading axes of size 1. Refuse a blocked position after the last with ValueError.",
        raises=[(3, [5]), (0, [])],
    )


def check_rank_neurons(student) -> bool:
    """``student(activations, labels)`` orders neurons by |mean with the feature - mean without|, largest first."""
    from emergent.knowledge.neurons import rank_neurons

    x = np.array([[0.0, 1.0, 5.0], [0.1, 1.0, 4.0], [2.0, 1.1, 0.0], [2.1, 0.9, 0.5]])
    return check_function(
        student,
        rank_neurons,
        cases=[
            (x, [True, True, False, False]),
            (x, [False, False, True, True]),
            (x[:, ::-1], [True, False, True, False]),
        ],
        hint="For each neuron take the mean activation over examples with the feature minus the mean over the "
        "others, and sort neurons by the absolute value of that gap, largest first (np.argsort of minus it). "
        "Refuse labels of one class only with ValueError.",
        raises=[(x, [True, True, True, True])],
    )


def check_mass_update(student) -> bool:
    """``student(keys, residual, preserve)`` returns MEMIT's (P + KᵀK)⁻¹ Kᵀ R."""
    from emergent.knowledge.mass_editing import mass_update

    rng = np.random.default_rng(0)
    keys, residual = rng.normal(size=(3, 6)), rng.normal(size=(3, 4))
    A = rng.normal(size=(6, 6))
    cases = [
        (keys, residual, A @ A.T),
        (keys, residual, 10 * np.eye(6)),
        (keys[:1], residual[:1], np.eye(6)),
        (keys, residual, 1e-9 * np.eye(6)),
    ]

    def as_array(k, r, p):  # a student may return a tensor or an array
        return np.asarray(student(k, r, p), dtype=float)

    as_array.__name__ = getattr(student, "__name__", "mass_update")
    return check_function(
        as_array,
        lambda k, r, p: mass_update(k, r, p).numpy(),
        cases,
        rtol=1e-5,
        atol=1e-8,
        hint="Solve (P + K^T K) Δ = K^T R with np.linalg.solve (no explicit inverse); K is (n, d_ff), R (n, d). "
        "Refuse shapes that do not fit with ValueError.",
        raises=[(keys, residual[:2], np.eye(6)), (keys, residual, np.eye(5))],
    )


def check_bits_learned(student) -> bool:
    """``student(probabilities, answers)``: Σ max(0, log2 V + log2 p) over facts."""
    from emergent.knowledge.capacity import bits_learned

    return check_function(
        student,
        bits_learned,
        cases=[
            ([1.0], [8]),
            ([0.5], [8]),
            ([0.125], [8]),
            ([0.01], [8]),
            ([1.0, 1.0, 0.1], [10, 10, 8]),
            ([0.3, 0.9], [2, 4]),
        ],
        hint="A uniform answer among V carries log2 V bits; a model giving the truth probability p has learned "
        "log2 V + log2 p of them, never fewer than 0 (a model worse than guessing has learned nothing).",
        raises=[([0.0], [8]), ([1.2], [8]), ([0.5], [1]), ([0.5, 0.5], [8])],
    )
