"""Causal multi-head attention, the computation every hand-built transformer in the book shares.

The book's GPT-2s use the attention of ``transformers``; the small models built by hand for one
experiment (the attention-only model of the induction-head section, the one-layer transformer of
the grokking chapter) keep their own projections, so each keeps the initialisation its paper
used, and call :func:`causal_attention` for the rest. The compressor's bit-exact replay of GPT-2
(:mod:`emergent.compression.lm_compressor`) is the one exception: it must repeat GPT-2's own
arithmetic, operation for operation.
"""

from __future__ import annotations

import math

import torch


def causal_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Queries, keys and values ``(B, T, C)`` of ``heads`` heads side by side -> ``(mixed, pattern)``.

    ``mixed`` is ``(B, T, C)``: each head's weighted sum of values, heads side by side again.
    ``pattern`` is ``(B, heads, T, T)``: row ``t`` says where position ``t`` looks (never ahead).
    """
    B, T, C = q.shape
    if C % heads:
        raise ValueError(f"the width {C} must be divisible by the number of heads ({heads}).")
    q, k, v = (z.view(B, T, heads, C // heads).transpose(1, 2) for z in (q, k, v))  # (B, H, T, C/H)
    scores = q @ k.transpose(-2, -1) / math.sqrt(C // heads)  # (B, H, T, T)
    future = ~torch.ones(T, T, dtype=torch.bool, device=q.device).tril()
    pattern = scores.masked_fill(future, float("-inf")).softmax(dim=-1)  # (B, H, T, T)
    mixed = (pattern @ v).transpose(1, 2).reshape(B, T, C)  # (B, T, C)
    return mixed, pattern
