"""In-context learning against model size: the induction models of the emergence chapter, at several widths.

A prompt that repeats a random segment of tokens is the simplest "mapping given only in the prompt":
which token follows which is decided afresh for every prompt, so nothing learned in training can
predict it, only what the prompt showed. Each earlier copy of the segment is one example of the
mapping. :func:`accuracy_by_examples` measures how often a model's first choice is the right next
token at the positions of copy ``k``, having seen ``k`` examples; copy 0 has none, so it measures
the guess.

The models are the emergence chapter's two-layer attention-only transformers, trained on its
repeated segments, at widths from tiny to that chapter's own.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import torch

import emergent.core.attention
from emergent.core.cache import load_or_train
from emergent.core.profiles import choose
from emergent.emergence import induction
from emergent.emergence.induction import (
    AttentionOnlyTransformer,
    default_setup,
    induction_run,
    train_induction,
)


def icl_widths() -> list[int]:
    """The size axis of the in-context experiment: widths of two-layer attention-only models."""
    return choose(default=[4, 8, 16, 32, 64], full=[4, 8, 16, 32, 64, 128])


def icl_member_run(n_embd: int, progress: bool = True):
    """``(model, history)`` for the two-layer induction model of width ``n_embd``, with the emergence chapter's
    data and recipe (evaluated less often: only the end is used here). Cached; at that chapter's own
    width it is that chapter's model."""
    shape, data, recipe = default_setup(2)
    if n_embd == shape.n_embd:
        return induction_run(2, progress=progress)
    shape = replace(shape, n_embd=n_embd, n_head=min(shape.n_head, max(1, n_embd // 2)))
    recipe = replace(recipe, evaluate_every=recipe.steps // 10)
    config = {
        "task": "repeated-segments, independent uniform tokens",
        "model": shape.as_dict(),
        "data": data.as_dict(),
        "recipe": recipe.as_dict(),
    }
    return load_or_train(
        "icl-width",
        config,
        lambda: train_induction(shape, data, recipe, progress=progress),
        code=[sys.modules[__name__], induction, emergent.core.attention],
        build=lambda: AttentionOnlyTransformer(shape),
    )


def repeated_prompts(
    count: int, period: int, copies: int, vocab_size: int, seed: int = 7
) -> torch.Tensor:
    """``(count, period * copies)`` prompts: a random segment of ``period`` distinct tokens, written ``copies`` times."""
    for name, value in (("count", count), ("period", period), ("copies", copies)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if period > vocab_size:
        raise ValueError(
            f"a segment of {period} distinct tokens needs a vocabulary of at least {period}, got {vocab_size}."
        )
    generator = torch.Generator().manual_seed(seed)
    segments = torch.rand(count, vocab_size, generator=generator).argsort(dim=1)[
        :, :period
    ]  # distinct tokens
    return segments.repeat(1, copies)


@torch.no_grad()
def accuracy_by_examples(
    model: AttentionOnlyTransformer,
    period: int = 16,
    copies: int = 4,
    count: int = 300,
    seed: int = 7,
) -> np.ndarray:
    """``(count, copies)``: per prompt and copy ``k``, the fraction of the copy's positions at which the
    model's first choice for the next token is right. A position in copy ``k`` holds a token seen ``k``
    times before, each time with its successor: it is answered with ``k`` examples of the mapping. The
    default period, 16, is the shortest the models were trained on (``RepeatData.min_period``).
    """
    tokens = repeated_prompts(count, period, copies, model.shape.vocab_size, seed)
    if tokens.shape[1] > model.shape.context:
        raise ValueError(
            f"{copies} copies of {period} tokens exceed the model's context of {model.shape.context}."
        )
    right = (
        model(tokens)[:, :-1].argmax(-1) == tokens[:, 1:]
    ).float()  # (count, T - 1): position t predicts t + 1
    copy_of = (
        torch.arange(tokens.shape[1] - 1) // period
    )  # the copy each predicting position lies in
    return torch.stack([right[:, copy_of == k].mean(dim=1) for k in range(copies)], dim=1).numpy()
