"""The shared causal attention: it never looks ahead, and it is what the hand-built models compute."""

import math

import pytest
import torch

from emergent.core.attention import causal_attention


def test_pattern_is_causal_and_normalised():
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 5, 8) for _ in range(3))
    mixed, pattern = causal_attention(q, k, v, heads=2)
    assert mixed.shape == (2, 5, 8) and pattern.shape == (2, 2, 5, 5)
    assert torch.all(pattern.triu(diagonal=1) == 0)  # no position attends to a later one
    assert torch.allclose(pattern.sum(-1), torch.ones(2, 2, 5))
    assert torch.allclose(mixed[:, 0, :4], v[:, 0, :4])  # the first position can only read itself


def test_one_head_matches_the_textbook_formula():
    torch.manual_seed(1)
    q, k, v = (torch.randn(1, 4, 6) for _ in range(3))
    scores = q[0] @ k[0].T / math.sqrt(6)
    scores = scores.masked_fill(torch.ones(4, 4, dtype=torch.bool).triu(1), float("-inf"))
    expected = scores.softmax(-1) @ v[0]
    mixed, _ = causal_attention(q, k, v, heads=1)
    assert torch.allclose(mixed[0], expected, atol=1e-6)


def test_width_must_split_into_heads():
    with pytest.raises(ValueError, match="divisible"):
        causal_attention(*(torch.zeros(1, 3, 5) for _ in range(3)), heads=2)
