"""Readings of the capacity models: how much of a model is embeddings, and how a measured number
of bits per parameter compares with a published one."""

from __future__ import annotations


def embedding_share(model) -> float:
    """The share of a GPT-2's parameters in its token and position embeddings (``wte``, ``wpe``)."""
    total = sum(p.numel() for p in model.parameters())
    if total == 0:
        raise ValueError("the model has no parameters.")
    rest = sum(p.numel() for n, p in model.named_parameters() if "wte" not in n and "wpe" not in n)
    return 1 - rest / total


def compared_with(value: float, low: float, high: float) -> str:
    """ "close to" a published figure whose band is [low, high], "well below" or "above" it."""
    if not low < high:
        raise ValueError(f"need low < high, got {low} and {high}.")
    if low <= value <= high:
        return "close to"
    return "well below" if value < low else "above"
