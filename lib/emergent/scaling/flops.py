"""Counting compute the way it must be counted at small scale.

``C = 6 N D`` with N the non-embedding parameters (Kaplan et al., 2020) leaves out two costs that
are negligible for a large model and large for a tiny one (Pearce & Song, 2024; Porian et al.,
2024): the unembedding, a ``d x V`` matrix applied to every token, and the attention over the
context, ``T`` keys for every query. With a 256-symbol alphabet and widths of 4 to 32, each is
comparable to ``6 N D`` itself.

:func:`training_flops_per_token` counts every matrix multiplication of one GPT-2 block stack, per
token, forward and backward. It leaves out layer norms, softmaxes, biases and the embedding
lookups: each costs O(d) per token, against O(d^2) or O(d T) for the matmuls.
"""

from __future__ import annotations

from emergent.core.models import TinyGPT2, count_parameters, tiny_gpt2

BACKWARD_FACTOR = (
    2  # the backward pass costs about twice the forward: gradients for inputs and weights
)


def block_weights(shape: TinyGPT2) -> int:
    """Weights of the matmuls inside the blocks: ``12 L d^2`` (QKV 3d^2, projection d^2, MLP 8d^2)."""
    return 12 * shape.n_layer * shape.n_embd**2


def forward_flops_per_token(shape: TinyGPT2, context: int | None = None) -> dict[str, int]:
    """Forward FLOPs for one token, by part (a multiply-add counts 2).

    ``context`` is the number of keys each query is scored against; it defaults to the model's
    ``n_positions``, as a dense causal attention computes every score before masking.
    """
    context = shape.n_positions if context is None else context
    if context < 1:
        raise ValueError(f"context must be at least 1 token, got {context}.")
    d = shape.n_embd
    return {
        "blocks": 2 * block_weights(shape),
        "attention_context": shape.n_layer
        * (2 * context * d + 2 * context * d),  # scores q.k, then sum of v
        "unembedding": 2 * d * shape.vocab_size,
    }


def training_flops_per_token(shape: TinyGPT2, context: int | None = None) -> int:
    """Forward and backward FLOPs for one training token: three times the forward count."""
    return (1 + BACKWARD_FACTOR) * sum(forward_flops_per_token(shape, context).values())


def total_parameters(shape: TinyGPT2) -> int:
    """Every weight a reader would count: blocks, the token table (tied with the unembedding) and
    the position table, with biases and layer norms (counted on a fresh model)."""
    return count_parameters(tiny_gpt2(shape))
