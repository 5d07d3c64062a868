"""Toy models of superposition (Elhage et al., 2022): more features than dimensions.

A model must carry ``n_features`` numbers through a bottleneck of ``n_hidden < n_features``
dimensions and rebuild them on the other side:

    h  = W x                   (n_hidden,)   W has shape (n_hidden, n_features)
    x' = ReLU(Wᵀ h + b)        (n_features,)

Each feature is zero with probability ``sparsity`` and uniform on [0, 1] otherwise, and feature
``i`` matters ``importance_decay ** i`` in the loss. A linear model (no ReLU) can do no better than
keep the ``n_hidden`` most important features, one per dimension, like PCA. With the ReLU and sparse
inputs, the model packs *more* features than dimensions, at the price of some interference between
them: superposition. Reading it off the weights:

- the norm ``||W_i||`` of feature ``i``'s column says whether it is represented at all (about 1) or
  dropped (about 0);
- the *dimensions per feature* (each feature's share of a dimension) fall from 1 to 1/2, 2/5, ...
  as more features crowd into the same space.

With ``hidden_relu=True`` the hidden layer gets a ReLU too, ``h = ReLU(W x)``. Then each hidden unit
is a *neuron* with a basis of its own, and we can ask how many features load on each neuron:
one (monosemantic) or several (polysemantic).

The module trains many small models at once (an ``instances`` axis in every tensor), so a whole
sweep over sparsity is one training run.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import torch
from torch import nn

from emergent.core.cache import load_or_train
from emergent.core.config import Config
from emergent.core.seeding import seed_everything
from emergent.core.training import History, every, train


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToyModelConfig(Config):
    """The shape of the toy model and how it is trained."""

    n_features: int = 20  # Elhage et al.'s main demonstration squeezes 20 features ...
    n_hidden: int = 5  # ... into 5 dimensions: four times more features than room
    importance_decay: float = (
        0.7  # feature i weighs 0.7**i in the loss, as in the paper; 1.0 = all equal
    )
    hidden_relu: bool = (
        False  # False: the paper's "ReLU output model"; True: ReLU neurons in the middle too
    )
    steps: int = 4000  # enough for the loss to flatten at every sparsity of the book's sweeps
    batch_size: int = 1024  # the paper's batch size; sparse features need many samples per step
    learning_rate: float = 1e-3  # Adam's default, as in the paper
    seed: int = 0  # seeds the initial weights and the data stream

    def __post_init__(self):
        if self.n_features < 1 or self.n_hidden < 1:
            raise ValueError(
                f"n_features and n_hidden must be at least 1, got {self.n_features} and {self.n_hidden}."
            )
        if not 0 < self.importance_decay <= 1:
            raise ValueError(
                f"importance_decay must be in (0, 1] (1 = all features equally important), got {self.importance_decay}."
            )
        if self.steps < 1 or self.batch_size < 1 or self.learning_rate <= 0:
            raise ValueError("steps and batch_size must be at least 1 and learning_rate positive.")


def feature_importance(n_features: int, decay: float) -> torch.Tensor:
    """``decay ** i`` for i = 0 .. n_features-1: the weight of each feature in the loss.  (n_features,)"""
    if n_features < 1:
        raise ValueError(f"n_features must be at least 1, got {n_features}.")
    if not 0 < decay <= 1:
        raise ValueError(f"decay must be in (0, 1], got {decay}.")
    return decay ** torch.arange(n_features, dtype=torch.float32)


def _check_sparsities(sparsities) -> torch.Tensor:
    values = torch.as_tensor(sparsities, dtype=torch.float32).reshape(-1)
    if values.numel() == 0:
        raise ValueError("Give at least one sparsity.")
    if not bool(((values >= 0) & (values < 1)).all()):
        raise ValueError(
            f"Sparsities must lie in [0, 1): the probability that a feature is zero (1 would mean "
            f"no feature is ever present). Got {values.tolist()}."
        )
    return values


# --------------------------------------------------------------------------------------------
# Data and model
# --------------------------------------------------------------------------------------------


def sample_features(
    batch_size: int, sparsities: torch.Tensor, n_features: int, generator: torch.Generator
) -> torch.Tensor:
    """Sparse synthetic features, one column of models per sparsity.  Returns (batch, instances, n_features).

    Each feature is independently zero with probability ``sparsity`` and uniform on [0, 1] otherwise.
    """
    sparsities = _check_sparsities(sparsities)
    shape = (batch_size, len(sparsities), n_features)
    values = torch.rand(shape, generator=generator)
    present = torch.rand(shape, generator=generator) >= sparsities[None, :, None]
    return values * present


class ToyModels(nn.Module):
    """``instances`` independent toy models trained side by side, one per (sparsity, importance) pair."""

    def __init__(self, config: ToyModelConfig, sparsities, importance: torch.Tensor | None = None):
        super().__init__()
        self.config = config
        sparsities = _check_sparsities(sparsities)
        instances = len(sparsities)
        if importance is None:
            importance = feature_importance(config.n_features, config.importance_decay).expand(
                instances, -1
            )
        importance = torch.as_tensor(importance, dtype=torch.float32)
        if importance.shape != (instances, config.n_features):
            raise ValueError(
                f"importance must have shape (instances, n_features) = ({instances}, {config.n_features}), "
                f"got {tuple(importance.shape)}."
            )
        generator = torch.Generator().manual_seed(config.seed)
        weights = torch.empty(instances, config.n_hidden, config.n_features)  # (I, m, n)
        for w in weights:  # Xavier-normal per instance, as in the paper's code
            w.normal_(
                0.0, math.sqrt(2.0 / (config.n_hidden + config.n_features)), generator=generator
            )
        self.W = nn.Parameter(
            weights
        )  # (I, m, n): column i is feature i's direction in the hidden space
        self.b = nn.Parameter(torch.zeros(instances, config.n_features))  # (I, n)
        self.register_buffer("sparsities", sparsities.clone())  # (I,)
        self.register_buffer("importance", importance.clone())  # (I, n)

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        """(B, I, n) -> (B, I, m): the bottleneck activations."""
        h = torch.einsum("imn,bin->bim", self.W, x)
        return torch.relu(h) if self.config.hidden_relu else h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, I, n) -> (B, I, n): the reconstruction ReLU(Wᵀ h + b)."""
        out = torch.einsum("imn,bim->bin", self.W, self.hidden(x))
        return torch.relu(out + self.b)

    def loss_per_instance(self, x: torch.Tensor) -> torch.Tensor:
        """Importance-weighted squared error, averaged over the batch.  (I,)"""
        error = (self.importance * (x - self(x)) ** 2).sum(-1)  # (B, I)
        return error.mean(0)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def train_toy_models(
    config: ToyModelConfig,
    sparsities,
    importance: torch.Tensor | None = None,
    description: str = "toy models",
    progress: bool = True,
) -> tuple[ToyModels, History]:
    """Train one toy model per sparsity (all at once) with Adam, through the book's trainer.

    Returns the models and their history; every 50 steps, each evaluation row holds
    ``instance_losses``, the loss of every instance on a fixed evaluation batch.
    """
    generator = seed_everything(config.seed)
    model = ToyModels(config, sparsities, importance)
    held_out = sample_features(
        config.batch_size,
        model.sparsities,
        config.n_features,
        torch.Generator().manual_seed(config.seed + 1),
    )

    def loss_at(model, step: int) -> torch.Tensor:
        x = sample_features(config.batch_size, model.sparsities, config.n_features, generator)
        return model.loss_per_instance(
            x
        ).sum()  # instances share nothing: the sum trains each on its own loss

    history = train(
        model,
        loss_at,
        config.steps,
        learning_rate=config.learning_rate,
        evaluate=lambda model: {"instance_losses": model.loss_per_instance(held_out).tolist()},
        evaluate_at=every(50),
        progress=progress,
        description=description,
    )
    return model, history


def toy_models_run(
    config: ToyModelConfig,
    sparsities,
    importance: torch.Tensor | None = None,
    name: str = "superposition",
) -> tuple[ToyModels, History]:
    """``(models, history)`` of :func:`train_toy_models`, from the cache when an identical sweep was trained before."""
    sparsities = _check_sparsities(sparsities)
    key = {
        "model": config.as_dict(),
        "sparsities": [round(s, 8) for s in sparsities.tolist()],
        "importance": None if importance is None else torch.as_tensor(importance).tolist(),
    }
    return load_or_train(
        name,
        key,
        lambda: train_toy_models(config, sparsities, importance, description=name),
        code=[sys.modules[__name__]],
        build=lambda: ToyModels(config, sparsities, importance),
    )


# --------------------------------------------------------------------------------------------
# Reading superposition off the weights
# --------------------------------------------------------------------------------------------


def _check_weights(W: torch.Tensor) -> torch.Tensor:
    W = torch.as_tensor(W, dtype=torch.float32)
    if W.ndim != 2:
        raise ValueError(
            f"Pass one model's weight matrix of shape (n_hidden, n_features), e.g. models.W[i]; got shape {tuple(W.shape)}."
        )
    return W.detach()


def feature_norms(W: torch.Tensor) -> torch.Tensor:
    """||W_i|| for each feature's column: about 1 if represented, about 0 if dropped.  (n,)"""
    return _check_weights(W).norm(dim=0)


def interference(W: torch.Tensor) -> torch.Tensor:
    """Σ_{j≠i} (Ŵ_i · W_j)²: how much other features leak into feature i's direction.  (n,)

    Zero when feature i has a direction to itself; large when it shares one (superposition).
    """
    W = _check_weights(W)
    unit = W / W.norm(dim=0, keepdim=True).clamp_min(1e-8)  # (m, n)
    overlaps = (unit.T @ W) ** 2  # (n, n): [i, j] = (Ŵ_i · W_j)²
    return overlaps.sum(1) - overlaps.diagonal()


def dimensions_per_feature(W: torch.Tensor) -> torch.Tensor:
    """Each feature's share of a dimension, D_i = ||W_i||² / Σ_j (Ŵ_i · W_j)².  (n,)

    1 for a feature with a dimension to itself, 1/2 for each of an antipodal pair, 2/5 for each
    corner of a pentagon, 0 for a dropped feature. (Elhage et al. 2022, "feature dimensionality".)
    """
    W = _check_weights(W)
    norms = W.norm(dim=0)  # (n,)
    unit = W / norms.clamp_min(1e-8)
    shares = (unit.T @ W) ** 2  # (n, n)
    return torch.where(
        norms > 1e-8, norms**2 / shares.sum(1).clamp_min(1e-12), torch.zeros_like(norms)
    )


def dimensions_per_represented_feature(W: torch.Tensor) -> float:
    """m / ||W||²_F: hidden dimensions per (norm-weighted) represented feature, for the whole model.

    1 when each represented feature has a dimension to itself; below 1 in superposition.
    """
    W = _check_weights(W)
    return W.shape[0] / float((W**2).sum().clamp_min(1e-12))


PLATEAUS = {
    "1": 1.0,
    "1/2": 1 / 2,
    "2/5": 2 / 5,
    "1/3": 1 / 3,
}  # the sticky values of Elhage et al.'s figure


def dimension_plateaus(W: torch.Tensor, tolerance: float = 0.03) -> dict[str, int]:
    """How many represented features sit at each of :data:`PLATEAUS` (within ``tolerance``), and
    ``"other"``: how many represented features sit at none of them."""
    if not 0 < tolerance < 0.05:
        raise ValueError(
            f"tolerance must lie in (0, 0.05) so that the plateaus stay apart, got {tolerance}."
        )
    dims = dimensions_per_feature(W)[feature_norms(W) > 0.5]
    counts = {
        name: int(((dims - value).abs() <= tolerance).sum()) for name, value in PLATEAUS.items()
    }
    counts["other"] = len(dims) - sum(counts.values())
    return counts


def represented_features(W: torch.Tensor, threshold: float = 0.5) -> int:
    """How many features have ||W_i|| above ``threshold`` (of the 1 a fully represented one has)."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie in (0, 1), got {threshold}.")
    return int((feature_norms(W) > threshold).sum())


# --------------------------------------------------------------------------------------------
# Neurons: monosemantic or polysemantic
# --------------------------------------------------------------------------------------------


def features_per_neuron(W: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """For each hidden neuron (a row of W), how many features load on it with |weight| > threshold.  (m,)

    Meaningful for ``hidden_relu=True`` models, whose neurons have a basis of their own.
    One feature: a monosemantic neuron; two or more: polysemantic; none: unused.
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie in (0, 1), got {threshold}.")
    return (_check_weights(W).abs() > threshold).sum(1)


def feature_roles(W: torch.Tensor, threshold: float = 0.5) -> list[str]:
    """Per feature: 'dropped', 'monosemantic' (it loads only on neurons no other feature uses) or 'polysemantic'."""
    W = _check_weights(W)
    loads = W.abs() > threshold  # (m, n)
    crowd = features_per_neuron(W, threshold)  # (m,)
    roles = []
    for i in range(W.shape[1]):
        neurons = loads[:, i]
        if not bool(neurons.any()):
            roles.append("dropped")
        elif bool((crowd[neurons] == 1).all()):
            roles.append("monosemantic")
        else:
            roles.append("polysemantic")
    return roles


# --------------------------------------------------------------------------------------------
# The phase change: one extra feature and a single dimension
# --------------------------------------------------------------------------------------------

PHASES = ("not represented", "dedicated dimension", "superposition")


def phase_grid(
    densities, relative_importances, restarts: int = 3
) -> tuple[list[float], torch.Tensor]:
    """Sparsities and importances for the n=2, m=1 phase diagram.  Returns (sparsities, importance (I, 2)).

    Feature 0 has importance 1, feature 1 the relative importance; instances run over
    densities × importances × restarts (restarts differ only in their random initial weights).
    """
    sparsities, importance = [], []
    for density in densities:
        if not 0 < density <= 1:
            raise ValueError(f"Feature densities (1 - sparsity) must lie in (0, 1], got {density}.")
        for r in relative_importances:
            if r <= 0:
                raise ValueError(f"Relative importances must be positive, got {r}.")
            for _ in range(restarts):
                sparsities.append(1.0 - density)
                importance.append([1.0, r])
    return sparsities, torch.tensor(importance)


def classify_phase(W: torch.Tensor, threshold: float = 0.5) -> str:
    """Where the extra feature (column 1) of a one-dimensional, two-feature model stands.  One of PHASES."""
    norms = feature_norms(W)
    if norms[1] < threshold:
        return PHASES[0]
    if norms[0] < threshold:
        return PHASES[1]
    return PHASES[2]


def phase_diagram(
    models: ToyModels, densities, relative_importances, restarts: int = 3
) -> torch.Tensor:
    """Phase index (into PHASES) of the best restart in each cell.  (len(densities), len(importances))"""
    with torch.no_grad():
        generator = torch.Generator().manual_seed(12345)
        x = sample_features(20_000, models.sparsities, 2, generator)
        losses = models.loss_per_instance(x)  # (I,)
    grid = torch.empty(len(densities), len(relative_importances), dtype=torch.long)
    index = 0
    for row in range(len(densities)):
        for col in range(len(relative_importances)):
            block = range(index, index + restarts)
            best = min(block, key=lambda k: float(losses[k]))
            grid[row, col] = PHASES.index(classify_phase(models.W[best]))
            index += restarts
    return grid
