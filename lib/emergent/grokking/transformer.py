"""The one-layer transformer of Nanda et al. (2023), "Progress measures for grokking via mechanistic
interpretability".

Their recipe: ``p = 113``, inputs are the three tokens ``a b =`` (the ``=`` token is number ``p``),
the answer is read from the logits at the last position; one block of 4-head attention
(``d_head = 32``) and a ReLU MLP (``d_mlp = 512``) on a ``d_model = 128`` residual stream, *no*
LayerNorm; full-batch AdamW with learning rate 1e-3, weight decay 1.0, betas (0.9, 0.98), 30% of the
pairs for training. It generalises after roughly ten thousand full-batch steps. Initialisation
follows their code: Gaussian weights scaled by ``1 / sqrt(fan_in)`` (or ``1 / sqrt(d_vocab)`` for the
unembedding), no biases except in the MLP.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from emergent.core.attention import causal_attention


def _gaussian(*shape: int, scale: float) -> nn.Parameter:
    return nn.Parameter(torch.randn(*shape) * scale)


class ModularTransformer(nn.Module):
    """Embed ``[a, b, =]``, one attention + MLP block on the residual stream, unembed the last position."""

    def __init__(self, p: int, n_embd: int = 128, heads: int = 4, d_mlp: int = 512):
        super().__init__()
        if n_embd % heads:
            raise ValueError(f"n_embd ({n_embd}) must be divisible by heads ({heads}).")
        self.p, self.heads, self.d_head = p, heads, n_embd // heads
        root = 1 / math.sqrt(n_embd)
        self.embed = nn.Embedding(p + 1, n_embd)  # rows 0..p-1 are residues, row p is "="
        with torch.no_grad():
            self.embed.weight.normal_(0, root)
        self.position = _gaussian(3, n_embd, scale=root)
        self.query = _gaussian(
            n_embd, n_embd, scale=root
        )  # all heads side by side: (n_embd, heads * d_head)
        self.key = _gaussian(n_embd, n_embd, scale=root)
        self.value = _gaussian(n_embd, n_embd, scale=root)
        self.attn_out = _gaussian(n_embd, n_embd, scale=root)
        self.mlp_in = nn.Linear(n_embd, d_mlp)
        self.mlp_out = nn.Linear(d_mlp, n_embd)
        with torch.no_grad():
            self.mlp_in.weight.normal_(0, root)
            self.mlp_in.bias.zero_()
            self.mlp_out.weight.normal_(0, root)
            self.mlp_out.bias.zero_()
        self.unembed = _gaussian(n_embd, p, scale=1 / math.sqrt(p + 1))

    def forward(self, pairs: torch.Tensor) -> torch.Tensor:
        x = self._after_attention(pairs)
        x = x + self.mlp_out(F.relu(self.mlp_in(x)))
        return x[:, -1] @ self.unembed  # (N, p): logits at the "=" position

    def _after_attention(self, pairs: torch.Tensor) -> torch.Tensor:
        N = pairs.shape[0]
        equals = torch.full((N, 1), self.p, dtype=pairs.dtype, device=pairs.device)
        x = self.embed(torch.cat([pairs, equals], dim=1)) + self.position  # (N, 3, d_model)
        mixed, _ = causal_attention(
            x @ self.query, x @ self.key, x @ self.value, self.heads
        )  # (N, 3, d_model)
        return x + mixed @ self.attn_out

    def neurons(self, pairs: torch.Tensor) -> torch.Tensor:
        """The MLP's ReLU activations at the "=" position, ``(N, d_mlp)``: what the progress measures read."""
        return F.relu(self.mlp_in(self._after_attention(pairs)[:, -1]))

    def readout(self) -> torch.Tensor:
        """The ``(d_mlp, p)`` map from neurons to logits through the residual stream."""
        return self.mlp_out.weight.T @ self.unembed
