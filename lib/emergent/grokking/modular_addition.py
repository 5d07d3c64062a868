"""Grokking: a network that memorises modular addition first and understands it much later.

The story, top to bottom:

1. **Data** - every pair ``(a, b)`` with ``0 <= a, b < p`` and its label ``(a + b) mod p``; a random
   share ``fraction`` of the ``p**2`` pairs is the training set, the rest the test set. The split is
   a permutation of pair indices, so no test pair can leak into training.
2. **Models** - a two-layer MLP on the concatenated embeddings of ``a`` and ``b`` (fast on a CPU),
   and the one-layer transformer of Nanda et al. (2023) (in :mod:`emergent.grokking.transformer`).
   Both map a batch of pairs ``(N, 2)`` to logits ``(N, p)``, and both keep their residue
   embedding in ``.embed``, which the Fourier analysis (:mod:`emergent.grokking.fourier`) reads.
3. **Training** - full-batch AdamW with decoupled weight decay, through the book's trainer; a log
   of train/test loss and accuracy, weight norm and the Fourier progress measures, on a schedule
   dense enough for a log-step axis.
4. **Phases** - memorisation and generalisation are read off the log (first step with train,
   resp. test, accuracy >= 99%), never marked by hand.
5. **Cached runs** - :func:`grokking_run` trains a configuration once and keeps it on disk.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from emergent.core.cache import load_or_train
from emergent.core.config import Config, check_positive_int
from emergent.core.profiles import device as default_device
from emergent.core.progress import progress_bar
from emergent.core.seeding import seed_everything
from emergent.core.transitions import first_step_reaching
from emergent.core.training import History, every, train
from emergent.grokking import fourier, progress_measures, transformer
from emergent.grokking.fourier import fourier_gini, top_k_share

# --------------------------------------------------------------------------------------------
# 1. Data: all pairs (a, b), split once by a seeded permutation
# --------------------------------------------------------------------------------------------


def _check_modulus(p) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 3:
        raise ValueError(
            f"p must be an integer of at least 3 (a prime such as 59, 97 or 113 is usual), got {p!r}."
        )


def _check_fraction(fraction) -> None:
    if not isinstance(fraction, (int, float)) or not 0.0 < fraction < 1.0:
        raise ValueError(
            f"fraction must lie strictly between 0 and 1 (the share of all p*p pairs used for training), got {fraction!r}."
        )


def modular_addition_split(p: int, fraction: float, seed: int = 0):
    """Split all ``p*p`` sums ``(a + b) mod p`` into a training and a test set.

    Pair number ``i`` is ``(a, b) = (i // p, i % p)``. A permutation of ``0..p*p-1`` drawn with
    ``torch.Generator().manual_seed(seed)`` decides the order; the first ``round(fraction * p*p)``
    pairs train, the rest test. Returns ``(train_x, train_y, test_x, test_y)`` with ``*_x`` of shape
    ``(N, 2)`` (int64) and ``*_y`` of shape ``(N,)``.
    """
    _check_modulus(p)
    _check_fraction(fraction)
    p = int(p)
    count = round(fraction * p * p)
    if not 1 <= count < p * p:
        raise ValueError(
            f"fraction={fraction} leaves {count} of {p * p} pairs for training; pick a larger or smaller fraction."
        )
    pairs, labels = shuffled_pairs(p, torch.Generator().manual_seed(seed))
    return pairs[:count], labels[:count], pairs[count:], labels[count:]


def shuffled_pairs(p: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """All ``p*p`` pairs ``(a, b)`` in an order drawn from ``generator``, and their sums mod ``p``.

    Returns ``pairs`` of shape ``(p*p, 2)`` and ``labels`` of shape ``(p*p,)``; pair number ``i`` of
    the unshuffled list is ``(i // p, i % p)``.
    """
    order = torch.randperm(p * p, generator=generator)
    pairs = torch.stack([order // p, order % p], dim=1)  # (p*p, 2): (a, b) in permuted order
    return pairs, pairs.sum(dim=1) % p


# --------------------------------------------------------------------------------------------
# 2. The fast model: an MLP on embedded operands
# --------------------------------------------------------------------------------------------


class ModularMLP(nn.Module):
    """Embed ``a`` and ``b`` with one shared table, concatenate, one ReLU layer, read out ``p`` logits."""

    def __init__(self, p: int, n_embd: int = 64, hidden: int = 128):
        super().__init__()
        self.embed = nn.Embedding(
            p, n_embd
        )  # (p, d): row r is residue r; the Fourier analysis reads it
        self.hidden = nn.Linear(2 * n_embd, hidden)
        self.out = nn.Linear(hidden, p)

    def forward(self, pairs: torch.Tensor) -> torch.Tensor:
        return self.out(self.neurons(pairs))  # (N, p)

    def neurons(self, pairs: torch.Tensor) -> torch.Tensor:
        """The hidden ReLU activations ``(N, hidden)``: what the progress measures read."""
        x = self.embed(pairs).flatten(1)  # (N, 2d): [embed(a), embed(b)]
        return F.relu(self.hidden(x))

    def readout(self) -> torch.Tensor:
        """The ``(hidden, p)`` map from neurons to logits (the bias is a constant per class)."""
        return self.out.weight.T


# --------------------------------------------------------------------------------------------
# 3. Training: full-batch AdamW, with a log dense enough for a log-step axis
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrokConfig(Config):
    """One grokking run, described completely (it is also the cache key)."""

    p: int = 59  # modulus; 59*59 = 3481 pairs is small enough for full-batch steps of a few ms
    fraction: float = 0.5  # share of pairs used for training; below a threshold nothing generalises
    model: str = "mlp"  # "mlp" (CPU-fast) or "transformer" (Nanda et al.'s one-layer recipe)
    n_embd: int = 64  # width of the residue embedding (the transformer's residual stream)
    hidden: int = 128  # MLP hidden units (d_mlp for the transformer)
    heads: int = 4  # transformer only
    learning_rate: float = 2e-3  # high enough to memorise in ~100 steps
    weight_decay: float = 2.0  # strong decoupled decay: the force that ends the plateau
    beta2: float = 0.98  # as in Nanda et al.; 0.999 makes full-batch training jumpier
    warmup_steps: int = 10  # linear learning-rate warm-up
    steps: int = 3000  # step budget
    stop_after: float = (
        0.0  # stop this many times the generalisation step after generalising (0: never)
    )
    eval_every: int = 10  # log every step up to 100, then every eval_every steps
    top_k: int = 4  # frequencies counted by the top-k Fourier share
    progress_frequencies: tuple = ()  # key frequencies for Nanda's restricted / excluded loss (none: not logged)
    seed: int = 0

    def __post_init__(self):
        _check_modulus(self.p)
        _check_fraction(self.fraction)
        if self.model not in ("mlp", "transformer"):
            raise ValueError(f"model must be 'mlp' or 'transformer', got {self.model!r}.")
        if not isinstance(self.weight_decay, (int, float)) or self.weight_decay < 0:
            raise ValueError(
                f"weight_decay must be a non-negative number (0 switches it off), got {self.weight_decay!r}."
            )
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}.")
        check_positive_int(self, "n_embd", "hidden", "heads", "steps", "eval_every", "top_k")
        if self.stop_after < 0:
            raise ValueError(f"stop_after must be >= 0, got {self.stop_after}.")
        if self.progress_frequencies:
            progress_measures.sum_waves(
                self.p, self.progress_frequencies
            )  # refuses frequencies out of range


def build_model(config: GrokConfig) -> nn.Module:
    """A freshly initialised model of the configured kind (same seed, same weights)."""
    torch.manual_seed(config.seed)
    if config.model == "mlp":
        return ModularMLP(config.p, config.n_embd, config.hidden)
    return transformer.ModularTransformer(config.p, config.n_embd, config.heads, config.hidden)


def weight_norm(model: nn.Module) -> float:
    """Euclidean norm of all parameters together: weight decay's target."""
    return math.sqrt(sum(float(w.detach().pow(2).sum()) for w in model.parameters()))


def residue_embedding(model: nn.Module, p: int) -> np.ndarray:
    """The ``(p, d)`` embedding of the residues 0..p-1 (the transformer's extra "=" row left out)."""
    return model.embed.weight.detach()[:p].cpu().double().numpy()


def train_grokking(config: GrokConfig, progress: bool = True):
    """Train one model on modular addition with the book's trainer; returns ``(model, history)``.

    Each evaluation row (every step up to 100, then every ``eval_every`` steps) holds
    ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc``, ``weight_norm``, ``fourier_gini``,
    ``top_k_share`` and ``seconds`` (training time so far, evaluations excluded); with
    ``progress_frequencies`` set, also Nanda's ``restricted_loss`` and ``excluded_loss``.
    ``history.extras`` keeps the residue embedding at the memorisation step
    (``embed_at_memorise``) and at the end (``embed_final``).
    """
    device = default_device()
    seed_everything(config.seed)
    train_x, train_y, test_x, test_y = (
        t.to(device) for t in modular_addition_split(config.p, config.fraction, config.seed)
    )
    model = build_model(config).to(device)
    snapshot = {}

    def loss_at(model, step: int) -> torch.Tensor:
        return F.cross_entropy(
            model(train_x), train_y
        )  # full batch: every training pair, every step

    def evaluate(model) -> dict:
        row = _accuracy_and_loss(model, train_x, train_y, test_x, test_y)
        embedding = residue_embedding(model, config.p)
        if "embed_at_memorise" not in snapshot and row["train_acc"] >= 0.99:
            snapshot["embed_at_memorise"] = embedding.tolist()
        if config.progress_frequencies:
            row.update(
                progress_measures.progress_losses(
                    model, config.p, config.progress_frequencies, train_x
                )
            )
        return {
            **row,
            "weight_norm": weight_norm(model),
            "fourier_gini": fourier_gini(embedding),
            "top_k_share": top_k_share(embedding, config.top_k),
        }

    def generalised_long_enough(history) -> bool:
        if not config.stop_after:
            return False
        generalised = first_step_reaching(history.column("step"), history.column("test_acc"))
        return generalised is not None and history.evaluations[-1][
            "step"
        ] >= config.stop_after * max(generalised, 1)

    history = train(
        model,
        loss_at,
        config.steps,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        betas=(0.9, config.beta2),
        warmup_steps=config.warmup_steps,
        evaluate=evaluate,
        evaluate_at=every(config.eval_every, dense_until=100),
        stop=generalised_long_enough,
        progress=progress,
        description=f"{config.model}, fraction {config.fraction:g}, wd {config.weight_decay:g}",
        show=("train_acc", "test_acc"),
    )
    history.extras = {
        "embed_at_memorise": snapshot.get("embed_at_memorise"),
        "embed_final": residue_embedding(model, config.p).tolist(),
    }
    return model, history


@torch.no_grad()
def _accuracy_and_loss(model, train_x, train_y, test_x, test_y) -> dict:
    row = {}
    for name, x, y in (("train", train_x, train_y), ("test", test_x, test_y)):
        logits = model(x)
        row[f"{name}_loss"] = float(F.cross_entropy(logits, y))
        row[f"{name}_acc"] = float((logits.argmax(-1) == y).float().mean())
    return row


# --------------------------------------------------------------------------------------------
# 4. Phases, read off the log
# --------------------------------------------------------------------------------------------


def phases(history: History, level: float = 0.99) -> dict:
    """Memorisation and generalisation steps (and seconds), and the plateau ratio between them.

    Memorised: first step with train accuracy >= ``level``. Generalised: first step with test
    accuracy >= ``level``. ``plateau_ratio`` = generalise / memorise steps (None if either is missing).
    """
    steps = history.column("step")
    memorise = first_step_reaching(steps, history.column("train_acc"), level)
    generalise = first_step_reaching(steps, history.column("test_acc"), level)
    seconds = None if generalise is None else history.column("seconds")[steps.index(generalise)]
    ratio = None if memorise is None or generalise is None else generalise / max(memorise, 1)
    return {
        "steps_to_memorise": memorise,
        "steps_to_generalise": generalise,
        "seconds_to_generalise": seconds,
        "plateau_ratio": ratio,
    }


def threshold_fraction(fractions, generalised) -> float | None:
    """The smallest fraction from which every larger fraction generalised (None if the largest did not).

    ``generalised`` is a list of booleans (or steps-to-generalise, with ``None`` for "did not"),
    one per fraction.
    """
    if len(fractions) != len(generalised) or len(fractions) == 0:
        raise ValueError("fractions and generalised must be non-empty lists of the same length.")
    order = np.argsort(fractions)
    ok = [generalised[i] is not None and generalised[i] is not False for i in order]
    if not ok[-1]:
        return None
    index = len(ok) - 1
    while index > 0 and ok[index - 1]:
        index -= 1
    return float(np.asarray(fractions, dtype=float)[order][index])


# --------------------------------------------------------------------------------------------
# 5. Cached runs
# --------------------------------------------------------------------------------------------


def grokking_run(config: GrokConfig, progress: bool = True):
    """``(model, history)`` for ``config``, trained once and then loaded from the cache."""
    return load_or_train(
        f"grokking-{config.model}",
        config.as_dict(),
        lambda: train_grokking(config, progress=progress),
        code=[sys.modules[__name__], fourier, progress_measures, transformer],
        build=lambda: build_model(config),
    )


def sweep(base: GrokConfig, field: str, values, progress: bool = True) -> dict:
    """Run ``base`` with ``field`` set to each of ``values``; returns ``{value: history}`` (cached runs)."""
    if field not in base.as_dict():
        raise ValueError(
            f"{field!r} is not a GrokConfig field; choose one of {sorted(base.as_dict())}."
        )
    runs = {}
    for value in progress_bar(list(values), desc=f"sweep over {field}", disable=not progress):
        runs[value] = grokking_run(base.with_(**{field: value}), progress=progress)[1]
    return runs


# --------------------------------------------------------------------------------------------
# 6. Drawing a run: curves on a log-step axis, with the phases shaded from the data
# --------------------------------------------------------------------------------------------

PHASE_COLOURS = {"memorisation": "#E69F00", "plateau": "#999999", "generalisation": "#009E73"}


def shade_phases(ax, history: History, level: float = 0.99) -> None:
    """Shade memorisation (start -> train acc >= level), plateau, generalisation (test acc >= level -> end)."""
    found = phases(history, level)
    steps = history.column("step")
    first, last = max(steps[1], 1), steps[-1]
    memorise, generalise = found["steps_to_memorise"], found["steps_to_generalise"]
    spans = [("memorisation", first, memorise or last)]
    if memorise is not None:
        spans.append(("plateau", memorise, generalise or last))
    if generalise is not None:
        spans.append(("generalisation", generalise, last))
    for name, start, end in spans:
        if end > start:
            ax.axvspan(start, end, color=PHASE_COLOURS[name], alpha=0.12, lw=0, label=name)


def draw_run(
    ax, history: History, metric: str = "acc", phases_shaded: bool = True, legend: bool = True
) -> None:
    """Train and test accuracy (``metric="acc"``) or loss (``"loss"``) against step on a log axis."""
    if metric not in ("acc", "loss"):
        raise ValueError(f"metric must be 'acc' or 'loss', got {metric!r}.")
    steps = np.asarray(history.column("step"))
    keep = steps >= 1  # a log axis cannot show step 0
    for split, colour in (("train", "#0072B2"), ("test", "#D55E00")):
        values = np.asarray(history.column(f"{split}_{metric}"))
        ax.plot(
            steps[keep], values[keep] * (100 if metric == "acc" else 1), color=colour, label=split
        )
    if phases_shaded:
        shade_phases(ax, history)
    ax.set_xscale("log")
    if metric == "loss":
        ax.set_yscale("log")
    if legend:
        ax.legend(loc="best", fontsize=8)
