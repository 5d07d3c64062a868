"""The IsoFLOP sweep: fixed compute C, traded between size N and tokens D, on text.

Two accountings of C: ``"kaplan"`` (C = 6 N D, N without embeddings) and ``"true"`` (every matmul
counted, N all parameters). The runs are GPT-2 blocks of one or two layers with a 256-symbol byte
alphabet, trained with the family trainer's recipe for as many tokens as their budget buys. Their
widths go down to 4, so their heads follow the book's general rule (:func:`head_count`), not the
addition family's fixed head dimension.
"""

from __future__ import annotations

import sys

import emergent.core.family
from emergent.core.cache import load_or_train
from emergent.core.family import FamilyRecipe, train_member
from emergent.core.models import TinyGPT2, head_count, non_embedding_parameters
from emergent.core.profiles import choose
from emergent.core.progress import progress_bar
from emergent.scaling import flops, text_data
from emergent.scaling.laws import steps_for_budget


ACCOUNTINGS = ("kaplan", "true")
# True FLOPs per token are a few times 6 N over the grid's sizes (the scaling chapter prints the ratio
# for each, and their median): the true budgets are the Kaplan ones times a factor of that order, so
# that each budget's runs are about as long.
TRUE_BUDGET_FACTOR = 3.0


def isoflop_grid(accounting: str = "kaplan") -> dict[float, list[tuple[int, int]]]:
    """Compute budgets (FLOPs) and the (layers, width) tried at each, for the active profile.

    Each budget gets sizes around where its optimum is expected, so that loss against log N is a
    valley whose bottom the sweep brackets. The ``true`` accounting tries the same sizes at budgets
    :data:`TRUE_BUDGET_FACTOR` times larger.
    """
    if accounting not in ACCOUNTINGS:
        raise ValueError(f"accounting must be one of {', '.join(ACCOUNTINGS)}, got {accounting!r}.")
    factor = TRUE_BUDGET_FACTOR if accounting == "true" else 1.0
    return {factor * c: sizes for c, sizes in _kaplan_grid().items()}


def _kaplan_grid() -> dict[float, list[tuple[int, int]]]:
    return choose(
        # The two ends of one decade of compute, each budget's sizes straddling its optimum. The
        # sweep is an illustration (one seed per run), so it keeps no budget in between: a third
        # cost the chapter 80 s on the 2-core machine and could not decide a reading either.
        default={
            6e9: [(1, 4), (1, 8), (1, 16), (2, 16)],
            6e10: [(1, 12), (1, 16), (2, 16), (2, 24)],
        },
        full={
            1e11: [(1, 8), (1, 12), (1, 16), (2, 16), (2, 24)],
            4e11: [(1, 12), (1, 16), (2, 16), (2, 24), (2, 32)],
            1.6e12: [(1, 16), (2, 16), (2, 24), (2, 32), (2, 48)],
        },
    )


def isoflop_text_data():
    """The sweep's text: the full profile takes four times the rows per step (and so a quarter of the steps)."""
    return text_data.TextData(batch_size=choose(default=32, full=128))


def text_shape(n_layer: int, n_embd: int, data) -> TinyGPT2:
    """A byte-level GPT-2 for the text sweep: a 256-symbol alphabet, contexts of the text's length."""
    return TinyGPT2(
        vocab_size=text_data.VOCAB_SIZE,
        n_positions=data.n_positions,
        n_layer=n_layer,
        n_head=head_count(n_embd),
        n_embd=n_embd,
    )


def isoflop_run(
    compute: float,
    n_layer: int,
    n_embd: int,
    data=None,
    accounting: str = "kaplan",
    progress: bool = True,
):
    """``(model, history)`` for one run of the sweep: a ``n_layer`` x ``n_embd`` model trained on text
    for as many tokens as ``compute`` buys under ``accounting`` (cached)."""
    if accounting not in ACCOUNTINGS:
        raise ValueError(f"accounting must be one of {', '.join(ACCOUNTINGS)}, got {accounting!r}.")
    data = data or isoflop_text_data()
    shape = text_shape(n_layer, n_embd, data)
    n = non_embedding_parameters(shape)
    per_token = 6 * n if accounting == "kaplan" else flops.training_flops_per_token(shape)
    steps = steps_for_budget(
        compute, per_token / 6, data.tokens_per_batch
    )  # C = 6 (per_token / 6) D
    recipe = FamilyRecipe(steps=steps)
    config = {
        "kind": "text-isoflop",
        "shape": shape.as_dict(),
        "data": data.as_dict(),
        "recipe": recipe.as_dict(),
    }
    model, history = load_or_train(
        "text-isoflop",
        config,
        lambda: train_member(
            shape, data, recipe, progress, description=f"C={compute:.0e} L{n_layer} d{n_embd}"
        ),
        code=[sys.modules[__name__], text_data, emergent.core.family],
    )
    return model, history


def isoflop_point(
    compute: float,
    n_layer: int,
    n_embd: int,
    data=None,
    accounting: str = "kaplan",
    progress: bool = True,
) -> dict:
    """One row of the sweep (described in :func:`isoflop_sweep`) for the run of :func:`isoflop_run`."""
    data = data or isoflop_text_data()
    model, history = isoflop_run(compute, n_layer, n_embd, data, accounting, progress)
    shape = text_shape(n_layer, n_embd, data)
    n = non_embedding_parameters(shape)
    tokens = history.extras["tokens"]  # steps x tokens per batch, recorded by train_member
    steps = tokens // data.tokens_per_batch
    return {
        "compute": float(compute),
        "n_layer": n_layer,
        "n_embd": n_embd,
        "N": n,
        "N_total": flops.total_parameters(shape),
        "D": tokens,
        "steps": steps,
        "flops_kaplan": 6 * n * tokens,
        "flops_true": flops.training_flops_per_token(shape) * tokens,
        "loss": text_data.text_test_loss(model, data),
        "seconds": history.seconds,
    }


def isoflop_sweep(
    grid=None, data=None, progress: bool = True, accounting: str = "kaplan"
) -> list[dict]:
    """Train every (budget, size) pair of ``grid`` for as many tokens of text as the budget buys.

    ``accounting="kaplan"``: a token costs ``6 N`` FLOPs, N the non-embedding parameters.
    ``accounting="true"``: a token costs :func:`~emergent.scaling.flops.training_flops_per_token`,
    every matmul including the unembedding and the attention over the context.

    Each row holds the budget ``compute``, the non-embedding ``N`` and all parameters ``N_total``,
    tokens ``D``, the run's FLOPs under both accountings (``flops_kaplan``, ``flops_true``), training
    steps, and the held-out test loss (nats per byte). The recipe is the family's, with the run
    length set by the budget.
    """
    if accounting not in ACCOUNTINGS:
        raise ValueError(f"accounting must be one of {', '.join(ACCOUNTINGS)}, got {accounting!r}.")
    grid = isoflop_grid(accounting) if grid is None else grid
    if not grid:
        raise ValueError("the IsoFLOP grid is empty: give at least one budget with sizes.")
    pairs = [(c, size) for c, sizes in grid.items() for size in sizes]
    return [
        isoflop_point(compute, n_layer, n_embd, data, accounting, progress)
        for compute, (n_layer, n_embd) in progress_bar(
            pairs, desc="IsoFLOP sweep", disable=not progress
        )
    ]
