"""Does grokking explain emergence? A miniature test of the hypothesis.

The hypothesis (put forward in a 2023 talk on emergent abilities): a large language model's training
data is huge, but the share that teaches one particular task is small; grokking needs the task's own
data to cross a threshold; so an ability "emerges" at the scale where the task's data crosses it -
either because larger models are trained on more data (the simple version), or because larger
models memorise more of the same data (the complex version).

The miniature: one network is trained on a *mixture* of two tasks sharing one input format
``(task, a, b)``: modular addition (the "ability", which has a rule to find) and a random lookup
table (pure memorisation, no rule; the stand-in for everything else in the corpus). One thing is
varied at a time: the number of addition examples with the lookup examples held fixed, or the
number of lookup examples with the addition examples held fixed, each across network widths and
seeds; the score is accuracy on the addition pairs never seen in training.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from emergent.core.cache import load_or_train
from emergent.core.config import Config
from emergent.core.profiles import device as default_device
from emergent.core.progress import progress_bar
from emergent.core.seeding import seed_everything
from emergent.core.training import every, train
from emergent.grokking import modular_addition
from emergent.core.transitions import first_step_reaching
from emergent.grokking.modular_addition import shuffled_pairs


@dataclass(frozen=True)
class MixtureConfig(Config):
    """One run of the mixture experiment."""

    p: int = 31  # a small modulus keeps the grid of runs cheap
    task_examples: int = 400  # modular-addition pairs in the training set (the task's own data)
    lookup_examples: int = 400  # lookup-table pairs in the training set (the competing data)
    n_embd: int = 32
    hidden: int = 128  # the "model size" axis
    learning_rate: float = 3e-3
    weight_decay: float = 2.0
    steps: int = 2000
    eval_every: int = 20
    seed: int = 0

    def __post_init__(self):
        if not isinstance(self.p, int) or self.p < 3:
            raise ValueError(f"p must be an integer of at least 3, got {self.p!r}.")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be non-negative, got {self.weight_decay!r}.")
        if not 1 <= self.task_examples < self.p**2:
            raise ValueError(
                f"task_examples must lie between 1 and p*p-1 = {self.p**2 - 1} (some addition pairs "
                f"must be left to test on), got {self.task_examples}."
            )
        if not 0 <= self.lookup_examples <= self.p**2:
            raise ValueError(
                f"lookup_examples must lie between 0 and p*p = {self.p**2}, got {self.lookup_examples}."
            )


def mixture_data(config: MixtureConfig):
    """``(train_x, train_y, test_x, test_y)``; rows of ``*_x`` are ``(task, a, b)``, task 0 = addition.

    The test set is every addition pair not used for training; the lookup table's labels are
    random residues drawn once from the seed.
    """
    p = config.p
    generator = torch.Generator().manual_seed(config.seed)
    task_count, other_count = (
        config.task_examples,
        config.lookup_examples,
    )  # prefixes: grids are nested
    pairs, addition_y = shuffled_pairs(p, generator)  # (p*p, 2), (p*p,)
    addition = torch.cat([torch.zeros(p * p, 1, dtype=torch.long), pairs], dim=1)  # (p*p, 3)
    table = torch.randint(0, p, (p, p), generator=generator)  # the rule-less task
    lookup_pairs = pairs[torch.randperm(p * p, generator=generator)[:other_count]]
    lookup = torch.cat([torch.ones(other_count, 1, dtype=torch.long), lookup_pairs], dim=1)
    lookup_y = table[lookup_pairs[:, 0], lookup_pairs[:, 1]]
    train_x = torch.cat([addition[:task_count], lookup])
    train_y = torch.cat([addition_y[:task_count], lookup_y])
    return train_x, train_y, addition[task_count:], addition_y[task_count:]


class MixtureMLP(nn.Module):
    """Like :class:`emergent.grokking.ModularMLP`, with a task embedding concatenated to the operands'."""

    def __init__(self, p: int, n_embd: int, hidden: int, tasks: int = 2):
        super().__init__()
        self.embed = nn.Embedding(p, n_embd)  # residues, shared by both tasks
        self.task = nn.Embedding(tasks, n_embd)
        self.hidden = nn.Linear(3 * n_embd, hidden)
        self.out = nn.Linear(hidden, p)

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        x = torch.cat([self.task(rows[:, 0]), self.embed(rows[:, 1:]).flatten(1)], dim=1)  # (N, 3d)
        return self.out(F.relu(self.hidden(x)))  # (N, p)


def train_mixture(config: MixtureConfig, progress: bool = True):
    """Train one mixture model with the book's trainer; returns ``(model, history)`` whose
    evaluations hold per-task training accuracy and the test accuracy on unseen additions."""
    device = default_device()
    seed_everything(config.seed)
    train_x, train_y, test_x, test_y = (t.to(device) for t in mixture_data(config))
    is_task = train_x[:, 0] == 0
    model = MixtureMLP(config.p, config.n_embd, config.hidden).to(device)

    def loss_at(model, step: int) -> torch.Tensor:
        return F.cross_entropy(model(train_x), train_y)  # full batch

    def evaluate(model) -> dict:
        right = model(train_x).argmax(-1) == train_y
        return {
            "task_train_acc": float(right[is_task].float().mean()),
            "lookup_train_acc": float(right[~is_task].float().mean())
            if config.lookup_examples
            else float("nan"),
            "test_acc": float((model(test_x).argmax(-1) == test_y).float().mean()),
        }

    def generalised(history) -> bool:  # nothing more to learn about this cell of the grid
        return history.evaluations[-1]["test_acc"] >= 0.99

    history = train(
        model,
        loss_at,
        config.steps,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        betas=(0.9, 0.98),
        evaluate=evaluate,
        evaluate_at=every(config.eval_every),
        stop=generalised,
        progress=progress,
        description=f"{config.task_examples} + {config.lookup_examples} examples, hidden {config.hidden}",
    )
    history.extras["parameters"] = sum(w.numel() for w in model.parameters())
    return model, history


def mixture_run(config: MixtureConfig, progress: bool = True):
    """``(model, history)`` of one run, from the cache when it was trained before."""
    return load_or_train(
        "grokking-mixture",
        config.as_dict(),
        lambda: train_mixture(config, progress),
        code=[sys.modules[__name__], modular_addition],
        build=lambda: MixtureMLP(config.p, config.n_embd, config.hidden),
    )


def mixture_grid(base: MixtureConfig, seeds=(0,), progress: bool = True, **axes) -> list[dict]:
    """One row per cell of the grid spanned by ``axes`` (field name -> values, e.g.
    ``task_examples=[...], hidden=[...]``) and ``seeds``: the cell's settings, final accuracies and
    steps to generalise. Fields not named keep ``base``'s values."""
    unknown = set(axes) - set(base.as_dict())
    if unknown or "seed" in axes:
        raise ValueError(
            f"Vary fields of MixtureConfig other than seed (pass seeds=...), got {sorted(unknown) or ['seed']}."
        )
    if not axes or any(len(v) == 0 for v in axes.values()):
        raise ValueError("Give at least one field to vary, each with at least one value.")
    names = list(axes)
    cells = list(itertools.product(*axes.values(), seeds))
    rows = []
    for *values, seed in progress_bar(cells, desc="mixture grid", disable=not progress):
        config = base.with_(**dict(zip(names, values)), seed=seed)
        _, history = mixture_run(config, progress=False)
        last = history.evaluations[-1]
        rows.append(
            {
                **dict(zip(names, values)),
                "seed": seed,
                "parameters": history.extras["parameters"],
                "task_train_acc": last["task_train_acc"],
                "lookup_train_acc": last["lookup_train_acc"],
                "test_acc": last["test_acc"],
                "steps_to_generalise": first_step_reaching(
                    history.column("step"), history.column("test_acc"), 0.99
                ),
            }
        )
    return rows
