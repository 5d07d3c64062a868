"""The family trainer: how every member of a model family is trained, whatever its task.

A *family* is a set of tiny GPT-2s of several sizes, trained with one recipe so that only the
shape changes. The addition family of the scaling chapter (scored again by the mirage and
prediction chapters), its text-trained IsoFLOP sweep, and the reasoning chapter's family all train
their members with :func:`train_member`; a change here retrains all of them (the cache names this
module among their training code).
"""

from __future__ import annotations

from dataclasses import dataclass

from emergent.core.config import Config
from emergent.core.models import TinyGPT2, tiny_gpt2, to_device
from emergent.core.training import every, train_language_model

CHECKPOINTS = 10  # evaluations per run with an ``evaluate``, besides the one before training


@dataclass(frozen=True)
class FamilyRecipe(Config):
    """How every member is trained. Identical across the family: only the shape changes."""

    steps: int = 1500
    learning_rate: float = 3e-3  # tiny models tolerate (and need) a large step
    weight_decay: float = 0.01
    warmup_fraction: float = 0.05  # of all steps; warm-up scales with run length
    seed: int = 0  # initial weights

    def __post_init__(self):
        if not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"steps must be a positive integer, got {self.steps!r}.")
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}.")


def train_member(
    shape: TinyGPT2,
    data,
    recipe: FamilyRecipe,
    progress: bool = True,
    description: str = "",
    evaluate=None,
):
    """Train one model of ``shape`` on ``data`` with the family's recipe; no cache.

    ``data`` is any task with ``batches()`` (an endless stream of ``(inputs, labels)``) and
    ``tokens_per_batch``. Returns ``(model, history)``. The warm-up is a fixed share of the run, so
    a run set by a compute budget warms up in proportion. ``evaluate(model)`` (optional) scores the
    model at :data:`CHECKPOINTS` evenly spaced moments of the run; the rows land in
    ``history.evaluations``.
    """
    model = to_device(tiny_gpt2(shape, seed=recipe.seed))
    history = train_language_model(
        model,
        data.batches(),
        steps=recipe.steps,
        learning_rate=recipe.learning_rate,
        weight_decay=recipe.weight_decay,
        warmup_steps=max(1, int(recipe.warmup_fraction * recipe.steps)),
        progress=progress,
        description=description or f"L{shape.n_layer} d{shape.n_embd}",
        evaluate=evaluate,
        evaluate_at=None if evaluate is None else every(max(1, recipe.steps // CHECKPOINTS)),
    )
    history.extras["tokens"] = recipe.steps * data.tokens_per_batch
    return model, history
