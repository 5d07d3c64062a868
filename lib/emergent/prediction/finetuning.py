"""Fine-tuning a family member on the task it is forecast on: the data behind Snell et al.'s law.

A member of the model family (pre-trained on additions of every length) is trained further, on the
longest problems only, for a few steps. More fine-tuning data lets smaller models do the task; how
far the onset moves with the amount of data is what :func:`emergent.prediction.forecasts.finetuning_law`
extrapolates back to none.
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass

import numpy as np

import emergent.core.family
from emergent.core.cache import load_or_train
from emergent.core.config import Config, check_positive, check_positive_int
from emergent.core.models import TinyGPT2, to_device
from emergent.core.training import train_language_model
from emergent.scaling import addition, family
from emergent.scaling.addition import AdditionData
from emergent.core.family import FamilyRecipe
from emergent.scaling.family import answer_probabilities, member_config, member_run

EVALUATION_SEED = 1234  # the test problems every chapter scores exact match on


@dataclass(frozen=True)
class FineTuning(Config):
    """Further training on the longest problems only. Every field goes into the cache key."""

    steps: int = 100  # the amount of task data is steps x batch_size problems
    batch_size: int = 64  # the default profile's pre-training batch
    learning_rate: float = 1e-3  # a third of pre-training's peak: the model is already trained
    seed: int = 1  # a stream of problems other than pre-training's

    def __post_init__(self):
        check_positive_int(self, "steps", "batch_size")
        check_positive(self, "learning_rate")

    @property
    def examples(self) -> int:
        """How many task problems the fine-tuning shows (the D of Snell et al.)."""
        return self.steps * self.batch_size


def task_data(data: AdditionData, tuning: FineTuning) -> AdditionData:
    """The fine-tuning stream: problems of the family's longest length, laid out as in pre-training."""
    return AdditionData(
        min_digits=data.max_digits,
        max_digits=data.max_digits,
        batch_size=tuning.batch_size,
        seed=tuning.seed,
    )


def exact_match_scores(model, data: AdditionData, count: int = 500) -> np.ndarray:
    """Per held-out problem of the longest length: 1 if every answer digit is right (greedy), else 0."""
    scored = answer_probabilities(model, data.max_digits, data.width, count, seed=EVALUATION_SEED)
    return (scored["argmax"] == scored["target"]).all(axis=1).astype(float)


def finetune_run(
    shape: TinyGPT2,
    data: AdditionData,
    recipe: FamilyRecipe,
    tuning: FineTuning,
    progress: bool = True,
):
    """``(model, history)`` of one member after fine-tuning; ``history.extras["exact_match"]`` is its
    exact match on 500 held-out problems of the longest length. Cached; the member is trained first
    if it is not in the cache yet."""
    config = {
        "kind": "prediction-finetune",
        "base": member_config(shape, data, recipe),
        "tuning": tuning.as_dict(),
    }

    def train():
        base, _ = member_run(shape, data, recipe, progress=progress)
        model = to_device(copy.deepcopy(base))
        history = train_language_model(
            model,
            task_data(data, tuning).batches(),
            steps=tuning.steps,
            learning_rate=tuning.learning_rate,
            weight_decay=recipe.weight_decay,
            warmup_steps=max(1, tuning.steps // 10),
            progress=progress,
            description=f"fine-tune L{shape.n_layer} d{shape.n_embd}, {tuning.examples:,} problems",
        )
        history.extras["exact_match"] = float(exact_match_scores(model, data).mean())
        return model, history

    return load_or_train(
        "prediction-finetune",
        config,
        train,
        code=[sys.modules[__name__], family, addition, emergent.core.family],
    )


def finetuning_table(
    family, data: AdditionData, recipe: FamilyRecipe, amounts, progress: bool = True
) -> dict:
    """Exact match of every member of ``family`` (``(shape, model, history)`` triples) after no fine-tuning
    and after each number of fine-tuning steps in ``amounts``: arrays ``parameters``, ``examples``, ``exact``."""
    amounts = list(amounts)
    if not amounts or any(isinstance(a, bool) or not isinstance(a, int) or a < 1 for a in amounts):
        raise ValueError(
            f"amounts must be a non-empty list of positive step counts, got {amounts!r}."
        )
    rows = []  # (parameters, fine-tuning examples, exact match)
    for shape, model, history in family:
        n = int(history.extras["non_embedding_parameters"])
        rows.append((n, 0, float(exact_match_scores(model, data).mean())))
        for steps in amounts:
            tuning = FineTuning(steps=steps)
            _, tuned = finetune_run(shape, data, recipe, tuning, progress=progress)
            rows.append((n, tuning.examples, tuned.extras["exact_match"]))
    parameters, examples, exact = (np.array(column, dtype=float) for column in zip(*rows))
    return {"parameters": parameters, "examples": examples, "exact": exact}
