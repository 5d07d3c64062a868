"""The MLP as key-value memory (Geva et al. 2021): which inputs turn a neuron on (its key) and
which tokens its output row promotes (its value)."""

from __future__ import annotations

import torch
from transformers import GPT2LMHeadModel

from emergent.knowledge.hooks import check_gpt2, check_layer, forward_hooks


@torch.no_grad()
def mlp_keys(model: GPT2LMHeadModel, layer: int, sequences: torch.Tensor) -> torch.Tensor:
    """Activation of every MLP neuron ("memory key") of ``layer`` at every position of ``sequences`` (B, T).
    Returns (B, T, d_ff): the coefficients with which the values are added to the residual stream."""
    check_gpt2(model)
    check_layer(model, layer)
    mlp = model.transformer.h[layer].mlp
    keys = []
    with (
        forward_hooks([(mlp.act, lambda m, i, o: keys.append(o.clone()))])
        if hasattr(mlp, "act")
        else forward_hooks([])
    ):
        model(input_ids=sequences.to(next(model.parameters()).device))
    if not keys:
        raise TypeError("This GPT-2's MLP has no 'act' module to read the neuron activations from.")
    return keys[0].cpu()


@torch.no_grad()
def value_tokens(model: GPT2LMHeadModel, layer: int, neuron: int, k: int = 5) -> list[int]:
    """The tokens a neuron's value vector promotes most: its row of the MLP's output matrix read out
    through the unembedding (Geva et al. project values onto the output embeddings)."""
    check_gpt2(model)
    check_layer(model, layer)
    W = model.transformer.h[layer].mlp.c_proj.weight  # Conv1D: (d_ff, d)
    if not 0 <= neuron < W.shape[0]:
        raise ValueError(f"neuron must be in 0..{W.shape[0] - 1}, got {neuron}.")
    scores = model.lm_head.weight @ W[neuron]  # (V,)
    return scores.topk(k).indices.tolist()


@torch.no_grad()
def memory_agreement(
    model: GPT2LMHeadModel,
    layer: int,
    sequences: torch.Tensor,
    lengths: torch.Tensor,
    top_triggers: int = 25,
    seed: int = 0,
) -> dict:
    """Geva et al.'s agreement: for each neuron, does the top token of its value vector equal the next
    token after one of the ``top_triggers`` prefixes that activate its key most? Returned with the
    same rate for values paired with other neurons' triggers at random (chance).

    ``sequences`` (B, T) are full sentences; ``lengths`` (B,) their true lengths (padding excluded).
    """
    keys = mlp_keys(model, layer, sequences)  # (B, T, F)
    B, T, F = keys.shape
    valid = torch.arange(T)[None, :] < (lengths[:, None] - 1)  # positions that have a next token
    flat = keys.masked_fill(~valid[..., None], float("-inf")).reshape(B * T, F)
    next_tokens = torch.cat([sequences[:, 1:], sequences[:, -1:]], 1).reshape(B * T)
    top = flat.topk(top_triggers, dim=0).indices  # (top_triggers, F)
    followers = next_tokens[top]  # (top_triggers, F)
    W = model.transformer.h[layer].mlp.c_proj.weight
    value_top = (W @ model.lm_head.weight.T).argmax(-1).cpu()  # (F,)
    hits = (followers == value_top[None]).any(0).float()
    generator = torch.Generator().manual_seed(seed)
    shuffled = value_top[torch.randperm(F, generator=generator)]
    chance = (followers == shuffled[None]).any(0).float()
    return {
        "agreement": float(hits.mean()),
        "chance": float(chance.mean()),
        "value_top": value_top,
        "followers": followers,
    }
