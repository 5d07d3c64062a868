"""Attention knockout: cut the edges from the last token to chosen positions, in chosen layers.

Geva et al. (2023, "Dissecting Recall of Factual Associations") found where information flows into
the last token of a factual prompt by blocking attention: the last token may no longer attend to a
set of earlier positions (the subject's tokens, or the rest of the prompt), in a window of layers,
and the drop in the answer's probability says how much of the answer came along those edges.
Their picture has three steps: early MLPs at the subject *enrich* its last token with its
attributes; the *relation* is moved to the last token by attention in early-to-middle layers; the
*attribute* is extracted from the subject by attention in upper layers.

Blocking an edge means adding minus infinity to its attention score before the softmax, in every
head of the layer, which is what the hook below does to the mask the layer receives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from transformers import GPT2LMHeadModel

from emergent.knowledge.hooks import check_gpt2, check_layer


def knockout_mask(length: int, blocked: list[int], query: int | None = None) -> torch.Tensor:
    """An additive attention mask ``(1, 1, T, T)``: causal, and ``query`` (default: the last position)
    may not attend to the ``blocked`` positions."""
    if not isinstance(length, int) or length < 1:
        raise ValueError(f"length must be a positive number of positions, got {length!r}.")
    query = length - 1 if query is None else query
    if not 0 <= query < length:
        raise ValueError(f"query must be a position in 0..{length - 1}, got {query}.")
    if any(not 0 <= b <= query for b in blocked):
        raise ValueError(
            f"blocked positions must lie in 0..{query} (a token attends only backwards), got {blocked}."
        )
    if query in blocked and len(set(blocked)) == query + 1:
        raise ValueError(
            "blocking every position the query sees leaves its attention nothing to normalise over."
        )
    allowed = torch.ones(length, length).tril().bool()
    allowed[query, list(blocked)] = False
    mask = torch.zeros(length, length).masked_fill(~allowed, float("-inf"))
    return mask[None, None]


def _with_mask(mask: torch.Tensor):
    """A forward pre-hook that hands an attention layer ``mask`` instead of the model's own."""

    def hook(module, args, kwargs):
        kwargs = dict(kwargs)
        kwargs["attention_mask"] = mask.to(
            args[0].device if args else kwargs["hidden_states"].device
        )
        return args, kwargs

    return hook


@torch.no_grad()
def answer_probability(
    model: GPT2LMHeadModel, ids, answer: int, blocked: list[int] = (), layers=()
) -> float:
    """p(answer) at the last position, with the last token's attention to ``blocked`` cut in ``layers``."""
    check_gpt2(model)
    ids = torch.as_tensor(ids, dtype=torch.long)
    for layer in layers:
        check_layer(model, layer)
    mask = knockout_mask(len(ids), list(blocked))
    handles = [
        model.transformer.h[layer].attn.register_forward_pre_hook(
            _with_mask(mask), with_kwargs=True
        )
        for layer in layers
    ]
    try:
        logits = (
            model(input_ids=ids[None].to(next(model.parameters()).device)).logits[0, -1].float()
        )
    finally:
        for handle in handles:
            handle.remove()
    return float(logits.softmax(-1)[int(answer)])


def windows(n_layer: int, size: int) -> list[list[int]]:
    """For each layer, the window of ``size`` layers centred on it (clipped at the ends)."""
    if not 1 <= size <= n_layer:
        raise ValueError(f"the window must hold 1 to {n_layer} layers, got {size}.")
    half = (size - 1) // 2
    return [
        list(
            range(
                max(0, min(l - half, n_layer - size)), max(0, min(l - half, n_layer - size)) + size
            )
        )
        for l in range(n_layer)
    ]


@dataclass
class Knockout:
    """Relative change of p(answer) (blocked / clean - 1) per prompt and layer window, for each kind of edge."""

    subject: np.ndarray  # (prompts, n_layer): the last token may not read the subject's tokens
    relation: (
        np.ndarray
    )  # (prompts, n_layer): ... nor the other tokens of the prompt (the relation's words)
    last: (
        np.ndarray
    )  # (prompts, n_layer): ... nor itself (a control that keeps the rest of the prompt)


def knockout_profile(model: GPT2LMHeadModel, prompts, window: int = 1) -> Knockout:
    """Geva et al.'s experiment on ``prompts`` (each with ``ids``, ``answer`` and a subject ``range``).

    The answer is the model's own first choice on the clean prompt, as in the paper. The first token
    (the beginning-of-text mark, which soaks up attention in small models too) is never blocked.
    """
    check_gpt2(model)
    spans = windows(model.config.n_layer, window)
    rows = {"subject": [], "relation": [], "last": []}
    for prompt in prompts:
        ids, subject = list(prompt.ids), list(prompt.subject)
        T = len(ids)
        with torch.no_grad():
            logits = model(
                input_ids=torch.tensor([ids]).to(next(model.parameters()).device)
            ).logits[0, -1]
        answer = int(logits.argmax())
        clean = float(logits.float().softmax(-1)[answer])
        groups = {
            "subject": subject,
            "relation": [t for t in range(1, T - 1) if t not in subject],
            "last": [T - 1],
        }
        for kind, blocked in groups.items():
            rows[kind].append(
                [
                    answer_probability(model, ids, answer, blocked, span) / clean - 1
                    for span in spans
                ]
            )
    return Knockout(**{kind: np.array(values) for kind, values in rows.items()})
