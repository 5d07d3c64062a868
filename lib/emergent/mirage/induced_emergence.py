"""Emergence made to order: a smooth vision task turned "emergent" by an all-or-nothing metric.

Schaeffer et al. (2023) show the mirage runs both ways: pick a discontinuous metric and abilities
that grow smoothly appear to jump. Here: one-hidden-layer networks of growing width classify
scikit-learn's bundled 8x8 handwritten digits (no download). Per-image accuracy grows smoothly with
width; the metric "all K of K images in a group classified right" stays near zero, then leaps.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from emergent.core.cache import load_or_train
from emergent.core.config import Config
from emergent.core.training import train


@dataclass(frozen=True)
class DigitsRecipe(Config):
    """How every width is trained: full-batch Adam on a fixed split of the 1,797 digits."""

    steps: int = 300
    learning_rate: float = 1e-2
    test_fraction: float = 1 / 3
    seed: int = 0


def digits_split(test_fraction: float = 1 / 3, seed: int = 0):
    """Standardised features and labels: ``(x_train, y_train, x_test, y_test)`` as tensors."""
    from sklearn.datasets import load_digits

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}.")
    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(len(x) * (1 - test_fraction))
    train, test = order[:cut], order[cut:]
    mean, std = x[train].mean(0), x[train].std(0) + 1e-6
    to = lambda a: torch.tensor((a - mean) / std, dtype=torch.float32)  # noqa: E731
    return to(x[train]), torch.tensor(y[train]), to(x[test]), torch.tensor(y[test])


def mlp(width: int) -> nn.Module:
    """64 pixels -> ``width`` ReLU units -> 10 classes."""
    if not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive integer, got {width!r}.")
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, 10))


def train_width(width: int, recipe: DigitsRecipe = DigitsRecipe()):
    """Train one network of the sweep with the book's trainer (full-batch Adam); no cache."""
    torch.manual_seed(recipe.seed)
    model = mlp(width)
    x, y, _, _ = digits_split(recipe.test_fraction, recipe.seed)
    history = train(
        model,
        lambda model, step: nn.functional.cross_entropy(model(x), y),
        recipe.steps,
        learning_rate=recipe.learning_rate,
        progress=False,
    )
    return model, history


def digits_run(width: int, recipe: DigitsRecipe = DigitsRecipe()):
    """``(model, history)`` for one width, trained once and then read from the cache."""
    config = {"kind": "digits-mlp", "width": width, "recipe": recipe.as_dict()}
    return load_or_train(
        "digits-mlp",
        config,
        lambda: train_width(width, recipe),
        code=[sys.modules[__name__]],
        build=lambda: mlp(width),
    )


def all_k_correct(correct, k: int, shuffles: int = 50, seed: int = 0) -> float:
    """Fraction of groups of ``k`` test images with every image right (averaged over random groupings)."""
    correct = np.asarray(correct, dtype=bool)
    if not isinstance(k, int) or not 1 <= k <= len(correct):
        raise ValueError(
            f"k must be an integer from 1 to the number of test images ({len(correct)}), got {k!r}."
        )
    rng = np.random.default_rng(seed)
    groups = len(correct) // k
    fractions = []
    for _ in range(shuffles):
        picked = rng.permutation(len(correct))[: groups * k].reshape(groups, k)
        fractions.append(correct[picked].all(axis=1).mean())
    return float(np.mean(fractions))


def width_sweep(widths, k: int = 20, recipe: DigitsRecipe = DigitsRecipe()) -> dict:
    """Test metrics for each width: accuracy, probability of the right class, and all-``k``-of-``k``."""
    widths = list(widths)
    if not widths:
        raise ValueError("give at least one width.")
    _, _, x_test, y_test = digits_split(recipe.test_fraction, recipe.seed)
    out = {"width": widths, "parameters": [], "accuracy": [], "p_correct": [], "all_k_correct": []}
    for width in widths:
        model, _ = digits_run(width, recipe)
        with torch.no_grad():
            probs = torch.softmax(model(x_test), dim=-1)
        correct = (probs.argmax(-1) == y_test).numpy()
        out["parameters"].append(sum(p.numel() for p in model.parameters()))
        out["accuracy"].append(float(correct.mean()))
        out["p_correct"].append(float(probs[torch.arange(len(y_test)), y_test].mean()))
        out["all_k_correct"].append(all_k_correct(correct, k))
    out["test_items"] = len(y_test)
    return {key: np.asarray(value) for key, value in out.items()}


def vision_resolution(sweep: dict) -> float:
    """The test set's resolution, one image in how many: the floor of both vision metrics'
    emergence scores, so that the two are compared on the same footing."""
    if "test_items" not in sweep:
        raise KeyError("the sweep has no 'test_items': pass the dict width_sweep returns.")
    return 1 / int(sweep["test_items"])
