"""Checks for the exercises of the chapter "Where knowledge lives".

Each check runs the student's function on fixed and edge cases and compares it with the library's
reference in :mod:`emergent.knowledge.interpretability`, :mod:`emergent.knowledge.editing` and :mod:`emergent.knowledge.superposition`.
"""

from __future__ import annotations

import math

import torch

from emergent.core.checks import CheckFailed, check_function
from emergent.knowledge import editing, interpretability, superposition


def check_block_parameters(student) -> bool:
    """``student(d, d_ff=None) -> {"attention": ..., "mlp": ..., "layer_norm": ...}`` for one GPT-2 block."""
    cases = [(64,), (768,), (1600,), (10, 10), (128, 1024), (1,)]
    return check_function(
        student, interpretability.block_parameters, cases,
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
            raise CheckFailed(f"Case {index}: ΔW has shape {tuple(got.shape)}, expected {tuple(W.shape)} (same as W).")
        if not torch.allclose(k @ (W + got), v, atol=1e-4):
            raise CheckFailed(f"Case {index}: k @ (W + ΔW) is not v: the edited layer must map the key to the new value."
                              "\nHint: Λ = (v − k W) / (C⁻¹k · k).")
    return check_function(
        student, editing.rank_one_update, cases, rtol=1e-4, atol=1e-5,
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
        student, lambda W: superposition.dimensions_per_feature(W), _weights(), rtol=1e-4, atol=1e-5,
        hint="Normalise each column to Ŵ_i, square its dot products with every column W_j (including itself), "
             "and divide ||W_i||² by their sum. A dropped feature (zero column) has 0 dimensions.",
    )
