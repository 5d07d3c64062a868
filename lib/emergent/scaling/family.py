"""The book's model family: tiny GPT-2s of many sizes, trained the same way on the same additions.

The scaling-laws chapter fits power laws to their test losses and runs an IsoFLOP sweep with the same
code; the metric-mirage chapter scores the same models with different metrics. Every model is cached
under a description of its shape, data and recipe, so the second chapter finds them trained.
"""

from __future__ import annotations

import sys

import numpy as np
import torch
import torch.nn.functional as F

import emergent.core.family
from emergent.core.cache import is_cached, load_or_train
from emergent.core.family import CHECKPOINTS, FamilyRecipe, train_member
from emergent.core.models import TinyGPT2, count_parameters
from emergent.core.models import non_embedding_parameters  # noqa: F401 (chapters import it)
from emergent.core.profiles import choose
from emergent.core.progress import progress_bar
from emergent.scaling import addition
from emergent.scaling.addition import (
    VOCAB_SIZE,
    AdditionData,
    answer_length,
    answer_start,
    make_batch,
    held_out_problems,
)


HEAD_DIM = 4  # every member's heads have 4 dimensions, so the head count grows with the width


def member_shape(n_layer: int, n_embd: int, data: AdditionData) -> TinyGPT2:
    """A family member: ``n_layer`` blocks of width ``n_embd``, in heads of :data:`HEAD_DIM` each.

    One head dimension for every member, so that along the family's size axis the head count grows
    with the width and nothing else jumps (a rule that capped the head count would change the heads'
    size at some width, and a knee there could not be told from the change of shape).
    """
    if isinstance(n_embd, bool) or not isinstance(n_embd, int) or n_embd < HEAD_DIM:
        raise ValueError(f"n_embd must be a whole number of at least {HEAD_DIM}, got {n_embd!r}.")
    if n_embd % HEAD_DIM:
        raise ValueError(
            f"n_embd must be a multiple of {HEAD_DIM} (the family's head dimension), got {n_embd}."
        )
    return TinyGPT2(
        vocab_size=VOCAB_SIZE,
        n_positions=data.n_positions,
        n_layer=n_layer,
        n_head=n_embd // HEAD_DIM,
        n_embd=n_embd,
    )


def family_sizes() -> list[tuple[int, int]]:
    """(layers, width) of each member, smallest first, for the active profile: one depth for all."""
    return choose(
        default=[(2, 4), (2, 8), (2, 12), (2, 16), (2, 24), (2, 32)],
        full=[(4, 8), (4, 16), (4, 24), (4, 32), (4, 48), (4, 64), (4, 96)],
    )


def family_seeds() -> tuple[int, ...]:
    """The training seeds of every member: each seed draws other initial weights and batches."""
    return choose(default=(0, 1, 2), full=(0, 1, 2, 3, 4))


def default_data() -> AdditionData:
    """Additions of 1 to 5 digits (7 in the full profile), all lengths equally often."""
    return AdditionData(
        min_digits=1,
        max_digits=choose(default=5, full=7),
        batch_size=choose(default=64, full=128),
        seed=0,
    )


def default_recipe() -> FamilyRecipe:
    """2,000 steps (6,000 in the full profile): long enough for the members past the knee to settle,
    which the scaling chapter checks member by member and seed by seed."""
    return FamilyRecipe(steps=choose(default=2000, full=6000))


def seeded(data: AdditionData, recipe: FamilyRecipe, seed: int):
    """``(data, recipe)`` of training seed ``seed``: its own stream of batches and initial weights."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}.")
    return data.with_(seed=seed), recipe.with_(seed=seed)


CHECKPOINT_PROBLEMS = 200  # held-out problems per length at each checkpoint
CHECKPOINT_SEED = 4321  # not the test sets' seed: the chapters' final scores use other problems


def checkpoint_scores(data: AdditionData, count: int = CHECKPOINT_PROBLEMS):
    """An ``evaluate`` for addition runs: per answer length, the held-out loss and exact match.

    The row holds ``loss_<n>`` (nats per answer token) and ``exact_<n>`` (fraction of answers with
    every digit right under greedy decoding) for ``n``-digit problems, and ``loss``, the mean over
    every answer token of every length: the quantity the scaling chapter calls test loss.
    """

    def evaluate(model) -> dict:
        row, total, tokens = {}, 0.0, 0
        for digits in range(data.min_digits, data.max_digits + 1):
            scored = answer_probabilities(model, digits, data.width, count, seed=CHECKPOINT_SEED)
            nats = -np.log(np.clip(scored["p_correct"], 1e-12, None))
            row[f"loss_{digits}"] = float(nats.mean())
            row[f"exact_{digits}"] = float(
                (scored["argmax"] == scored["target"]).all(axis=1).mean()
            )
            total, tokens = total + float(nats.sum()), tokens + nats.size
        row["loss"] = total / tokens
        return row

    return evaluate


def member_config(shape: TinyGPT2, data: AdditionData, recipe: FamilyRecipe) -> dict:
    """The complete description of one member: its cache key, with the code that trains it."""
    return {
        "kind": "addition-family",
        "shape": shape.as_dict(),
        "data": data.as_dict(),
        "recipe": recipe.as_dict(),
        "checkpoints": {
            "every": max(1, recipe.steps // CHECKPOINTS),
            "problems": CHECKPOINT_PROBLEMS,
            "seed": CHECKPOINT_SEED,
        },
    }


def member_is_trained(shape: TinyGPT2, data: AdditionData, recipe: FamilyRecipe) -> bool:
    """Is this member in the cache already? (Nothing is loaded or trained.)"""
    return is_cached(
        "addition-family",
        member_config(shape, data, recipe),
        code=[sys.modules[__name__], addition, emergent.core.family],
    )


def member_run(shape: TinyGPT2, data: AdditionData, recipe: FamilyRecipe, progress: bool = True):
    """``(model, history)`` for one family member, trained once and then read from the cache.

    ``history.extras`` holds the member's parameter counts (with and without embeddings) and the
    tokens it was trained on; ``history.evaluations`` its :func:`checkpoint_scores` during training.
    """
    model, history = load_or_train(
        "addition-family",
        member_config(shape, data, recipe),
        lambda: train_member(shape, data, recipe, progress, evaluate=checkpoint_scores(data)),
        code=[sys.modules[__name__], addition, emergent.core.family],
    )
    history.extras.update(
        non_embedding_parameters=count_parameters(model, embeddings=False),
        parameters=count_parameters(model),
    )
    return model, history


def family_runs(
    sizes=None,
    data: AdditionData | None = None,
    recipe: FamilyRecipe | None = None,
    seed: int = 0,
    progress: bool = True,
):
    """Every member of the family for one training seed, smallest first: a list of
    ``(shape, model, history)`` (cached runs)."""
    sizes = family_sizes() if sizes is None else list(sizes)
    if not sizes:
        raise ValueError("The family needs at least one (layers, width) pair; got an empty list.")
    data, recipe = seeded(data or default_data(), recipe or default_recipe(), seed)
    members = []
    for n_layer, n_embd in progress_bar(
        sizes, desc=f"model family, seed {seed}", disable=not progress
    ):
        shape = member_shape(n_layer, n_embd, data)
        model, history = member_run(shape, data, recipe, progress=progress)
        members.append((shape, model, history))
    return members


def family_by_seed(sizes=None, data=None, recipe=None, seeds=None, progress: bool = True):
    """``{seed: family_runs(..., seed=seed)}`` for every training seed (:func:`family_seeds`)."""
    seeds = family_seeds() if seeds is None else tuple(seeds)
    if not seeds:
        raise ValueError("give at least one training seed.")
    return {seed: family_runs(sizes, data, recipe, seed, progress) for seed in seeds}


# ---------------------------------------------------------------------------------------------
# Evaluation on held-out problems


@torch.no_grad()
def answer_probabilities(
    model, digits: int, width: int, count: int = 500, seed: int = 1234
) -> dict:
    """Teacher-forced look at the answer of ``count`` held-out ``digits``-digit problems.

    Returns arrays of shape ``(count, L)`` with ``L = digits + 1``: ``target`` digits, ``p_correct``
    (probability the model gives the right digit, given the right digits before it) and ``argmax``
    (the model's most likely digit there). Greedy decoding gets the whole answer right exactly when
    every teacher-forced argmax is right, so exact match can be read off ``argmax`` too.
    """
    a, b = held_out_problems(digits, count, seed=seed)
    ids, _ = make_batch(a, b, np.full(count, digits), width)
    start, length = answer_start(width), answer_length(digits)
    dev = next(model.parameters()).device
    logits = model(input_ids=ids.to(dev)).logits.float().cpu()  # (count, T, vocab)
    log_probs = F.log_softmax(
        logits[:, start - 1 : start - 1 + length], dim=-1
    )  # predicts positions start..
    target = ids[:, start : start + length]
    p_correct = log_probs.gather(-1, target.unsqueeze(-1)).squeeze(-1).exp()
    return {
        "target": target.numpy(),
        "p_correct": p_correct.numpy(),
        "argmax": log_probs.argmax(-1).numpy(),
    }


@torch.no_grad()
def greedy_answers(
    model, digits: int, width: int, count: int = 500, seed: int = 1234
) -> tuple[np.ndarray, np.ndarray]:
    """What the model writes, one token at a time, after ``a+b=``: ``(generated, target)``, each ``(count, L)``."""
    a, b = held_out_problems(digits, count, seed=seed)
    ids, _ = make_batch(a, b, np.full(count, digits), width)
    start, length = answer_start(width), answer_length(digits)
    dev = next(model.parameters()).device
    running = ids[:, :start].to(dev)
    for _ in range(length):
        next_token = model(input_ids=running).logits[:, -1].argmax(-1, keepdim=True)
        running = torch.cat([running, next_token], dim=1)
    return running[:, start:].cpu().numpy(), ids[:, start : start + length].numpy()


@torch.no_grad()
def test_loss(model, data: AdditionData, count: int = 400, seed: int = 1234) -> float:
    """Mean cross-entropy (nats per answer token) on held-out problems of every trained length."""
    total, tokens = 0.0, 0
    for digits in range(data.min_digits, data.max_digits + 1):
        probs = answer_probabilities(model, digits, data.width, count, seed)["p_correct"]
        total += float(-np.log(np.clip(probs, 1e-12, None)).sum())
        tokens += probs.size
    return total / tokens


@torch.no_grad()
def multiple_choice(
    model, digits: int, width: int, count: int = 300, options: int = 4, seed: int = 1234
):
    """A multiple-choice version of the task: the right sum and ``options - 1`` near misses.

    Each wrong option changes one digit of the right answer. The model scores an option by the
    log-probability of its tokens after ``a+b=``. Returns ``(scores, correct_index)`` with scores of
    shape ``(count, options)``, for :func:`emergent.mirage.multiple_choice_grade` and
    :func:`emergent.mirage.brier_score`.
    """
    if not isinstance(options, int) or options < 2:
        raise ValueError(f"a multiple-choice question needs at least 2 options, got {options!r}.")
    a, b = held_out_problems(digits, count, seed=seed)
    ids, _ = make_batch(a, b, np.full(count, digits), width)
    start, length = answer_start(width), answer_length(digits)
    rng = np.random.default_rng([seed, digits, options])
    correct_index = rng.integers(0, options, size=count)
    candidates = ids.unsqueeze(1).repeat(1, options, 1)  # (count, options, T)
    for item in range(count):
        used = {tuple(ids[item, start:].tolist())}
        for option in range(options):
            if option == correct_index[item]:
                continue
            while True:
                wrong = ids[item, start:].clone()
                position = rng.integers(0, length)
                wrong[position] = (wrong[position] + rng.integers(1, 10)) % 10
                if tuple(wrong.tolist()) not in used:
                    break
            used.add(tuple(wrong.tolist()))
            candidates[item, option, start:] = wrong
    flat = candidates.reshape(count * options, -1)
    dev = next(model.parameters()).device
    log_probs = F.log_softmax(model(input_ids=flat.to(dev)).logits.float().cpu(), dim=-1)
    picked = (
        log_probs[:, start - 1 : start - 1 + length]
        .gather(-1, flat[:, start:].unsqueeze(-1))
        .squeeze(-1)
    )
    return picked.sum(-1).reshape(count, options).numpy(), correct_index
