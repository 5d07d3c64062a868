"""The chapter's exercise checks pass the reference and catch wrong answers with a useful message."""

import pytest
import torch

from emergent.knowledge import editing
from emergent.knowledge import parameters
from emergent.knowledge import superposition
from emergent.core.checks import CheckFailed
from emergent.knowledge import exercises as knowledge


def test_block_parameters_check():
    assert knowledge.check_block_parameters(parameters.block_parameters)

    def forgot_biases(d, d_ff=None):
        d_ff = d_ff or 4 * d
        if d < 1:
            raise ValueError("d")
        return {"attention": 4 * d * d, "mlp": 2 * d * d_ff, "layer_norm": 4 * d}

    with pytest.raises(CheckFailed, match="Case 1"):
        knowledge.check_block_parameters(forgot_biases)


def test_rank_one_update_check():
    assert knowledge.check_rank_one_update(editing.rank_one_update)

    def no_whitening(W, C_inv_k, k, v):  # hits v, but along k instead of C⁻¹k
        return torch.outer(k, (v - k @ W) / (k @ k))

    with pytest.raises(CheckFailed, match="Case 1"):
        knowledge.check_rank_one_update(no_whitening)
    with pytest.raises(CheckFailed, match="new value"):
        knowledge.check_rank_one_update(lambda W, u, k, v: torch.zeros_like(W))


def test_dimensions_per_feature_check():
    assert knowledge.check_dimensions_per_feature(superposition.dimensions_per_feature)
    with pytest.raises(CheckFailed, match="Case"):
        knowledge.check_dimensions_per_feature(lambda W: W.norm(dim=0))
