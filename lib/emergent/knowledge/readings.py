"""Readings of the fact models that the first knowledge page reports: recall per fact, how fast
the training loss falls, and the model's training text as one padded batch.

Each function turns a model or a loss curve into the few numbers a sentence of the page states, so
that the page shows the call and the number, not the bookkeeping.
"""

from __future__ import annotations

import numpy as np
import torch

from emergent.knowledge.fact_model import predictions
from emergent.knowledge.knowledge_base import KnowledgeBase


def recall_per_fact(model, kb: KnowledgeBase, held_out: bool = False) -> np.ndarray:
    """For each fact (one person and one relation), the share of its prompts that ``model`` answers
    right (top-1), on the training templates or, with ``held_out``, on the held-out ones."""
    prompts = kb.prompts(held_out=held_out)
    if not prompts:
        raise ValueError("the knowledge base has no prompts of that kind.")
    right = (predictions(model, kb, prompts) == torch.tensor([p.answer for p in prompts])).numpy()
    facts: dict[tuple[int, str], list[bool]] = {}
    for prompt, ok in zip(prompts, right):
        facts.setdefault((prompt.entity, prompt.relation), []).append(bool(ok))
    return np.array([np.mean(v) for v in facts.values()])


def first_step_below(losses, level: float, window: int = 50) -> int | None:
    """The first step at which the running mean (over ``window`` steps) of the training loss is below
    ``level``, counted as the step that ends the window; None if it never gets there."""
    losses = np.asarray(losses, dtype=float)
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}.")
    if len(losses) < window:
        raise ValueError(f"need at least {window} losses for a running mean, got {len(losses)}.")
    smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
    below = np.flatnonzero(smooth < level)
    return int(below[0]) + window if below.size else None


def relative_pace(first_step: int | None, second_step: int | None) -> str:
    """How fast a model that reaches a loss level at ``first_step`` learns, compared with one that
    reaches it at ``second_step`` (None: never): "far faster" (3 times or more, or only the first
    gets there), "faster" (over 1.2 times), "about as fast" (or neither gets there), or "more
    slowly"."""
    for step in (first_step, second_step):
        if step is not None and step <= 0:
            raise ValueError(f"a step must be positive (or None for never), got {step}.")
    if first_step is None:
        return "about as fast" if second_step is None else "more slowly"
    if second_step is None:
        return "far faster"
    ratio = second_step / first_step
    if ratio >= 3:
        return "far faster"
    if ratio > 1.2:
        return "faster"
    return "about as fast" if ratio >= 1 / 1.2 else "more slowly"


def reached_by(step: int | None, steps: int) -> str:
    """ "by step N" for a level reached at step N, or "not within the S steps" for None."""
    return f"by step {step}" if step is not None else f"not within the {steps} steps"


def padded_batch(sequences: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token sequences of different lengths as one ``(sequences, longest)`` tensor padded with
    ``pad_id`` on the right, and the length of each."""
    if not sequences:
        raise ValueError("give at least one sequence.")
    lengths = torch.tensor([len(s) for s in sequences])
    batch = torch.full((len(sequences), int(lengths.max())), pad_id)
    for row, sequence in enumerate(sequences):
        batch[row, : len(sequence)] = torch.tensor(sequence)
    return batch, lengths


def parameter_table(rows: dict[str, dict]) -> str:
    """A plain-text table of :func:`~emergent.knowledge.parameters.parameter_share` results,
    one model per row."""
    lines = [
        f"{'model':22s} {'total':>14s} {'attention':>14s} {'MLP':>14s} {'MLP share':>10s} {'of all':>8s}"
    ]
    for name, s in rows.items():
        lines.append(
            f"{name:22s} {s['total']:14,d} {s['attention']:14,d} {s['mlp']:14,d} "
            f"{s['mlp_share']:10.1%} {s['mlp_share_of_total']:8.1%}"
        )
    return "\n".join(lines)
