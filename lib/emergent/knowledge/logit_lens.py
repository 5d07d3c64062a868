"""The logit lens: what each layer of a GPT-2 already "knows", read by sending its residual
stream through the final layer norm and the unembedding."""

from __future__ import annotations

import numpy as np
import torch
from transformers import GPT2LMHeadModel

from emergent.knowledge.hooks import as_ids, check_gpt2, forward_hooks, hidden_state_of


@torch.no_grad()
def residual_stream(model: GPT2LMHeadModel, ids) -> torch.Tensor:
    """Hidden states after the embeddings and after each block.  (n_layer + 1, T, d)"""
    check_gpt2(model)
    ids = as_ids(ids)
    states = []
    pairs = [(model.transformer.drop, lambda m, i, o: states.append(hidden_state_of(o)[0].clone()))]
    pairs += [
        (b, lambda m, i, o: states.append(hidden_state_of(o)[0].clone()))
        for b in model.transformer.h
    ]
    dev = next(model.parameters()).device
    with forward_hooks(pairs):
        model(input_ids=ids[None].to(dev))
    return torch.stack(states).cpu()


@torch.no_grad()
def logit_lens(model: GPT2LMHeadModel, ids, answer: int, position: int = -1) -> dict:
    """Read the residual stream at ``position`` through the final layer norm and the unembedding after
    every layer (nostalgebraist 2020). Returns the answer's probability and rank (0 = top-1) per
    read-out point (0 = embeddings, l = after block l) and the top token at each.
    """
    check_gpt2(model)
    if not 0 <= int(answer) < model.config.vocab_size:
        raise ValueError(
            f"answer must be a token id below {model.config.vocab_size}, got {answer}."
        )
    states = residual_stream(model, ids)[:, position]  # (L+1, d)
    dev = next(model.parameters()).device
    logits = model.lm_head(model.transformer.ln_f(states.to(dev))).float().cpu()  # (L+1, V)
    probs = logits.softmax(-1)
    ranks = (logits > logits[:, [int(answer)]]).sum(-1)
    return {
        "probability": probs[:, int(answer)].numpy(),
        "rank": ranks.numpy(),
        "top": logits.argmax(-1).numpy(),
    }


def first_top1_layer(ranks) -> int:
    """The first read-out point from which the answer stays top-1 to the end (-1 if it never is)."""
    ranks = np.asarray(ranks)
    if ranks.ndim != 1 or ranks.size == 0:
        raise ValueError("Pass the 1-D array of ranks that logit_lens returns.")
    if ranks[-1] != 0:
        return -1
    point = len(ranks) - 1
    while point > 0 and ranks[point - 1] == 0:
        point -= 1
    return int(point)


def first_confident_layer(probabilities, level: float = 0.5) -> int:
    """The first read-out point from which p(answer) stays at or above ``level`` (-1 if it never does)."""
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 1 or probabilities.size == 0:
        raise ValueError("Pass the 1-D array of probabilities that logit_lens returns.")
    if not 0 < level <= 1:
        raise ValueError(f"level is a probability in (0, 1], got {level}.")
    above = probabilities >= level
    if not above[-1]:
        return -1
    point = len(above) - 1
    while point > 0 and above[point - 1]:
        point -= 1
    return int(point)


def recall_stages(ranks, probabilities, level: float = 0.5) -> tuple[int, int]:
    """Haviv et al.'s two stages of recall, read off one logit lens: the read-out point at which the
    answer becomes (and stays) the top guess, and the one at which its probability reaches ``level``."""
    return first_top1_layer(ranks), first_confident_layer(probabilities, level)
