"""Memorisation with scale: how many exposures a model needs to learn random facts by heart.

Tirumala et al. (2022) call a training context memorised when the model's first choice for
its next token is the true one, and write ``T(N, q)`` for the number of times a model of size N must
see its training data before a fraction q of it is memorised; they found ``T`` to fall with N.

The miniature's facts are random: a four-letter key, a colon and six random digits, so nothing but
memory can produce the digits. The facts come in groups seen 1, 2, 4 or 8 times per round, which also
measures the *frequency effect*: how a fact's accuracy depends on how often it was seen.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np
import torch

from emergent.core.cache import load_or_train
from emergent.core.config import Config, check_positive, check_positive_int
from emergent.core.models import TinyGPT2, head_count, tiny_gpt2, to_device
from emergent.core.tokens import CharTokenizer
from emergent.core.training import train

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789:"
TOKENIZER = CharTokenizer(ALPHABET)
COLON = ALPHABET.index(":")
IGNORE = -100


@dataclass(frozen=True)
class FactBook(Config):
    """The facts to memorise. Every field goes into the cache key of a model trained on them."""

    frequencies: tuple = (1, 2, 4, 8)  # times per round each group's facts are seen
    facts_per_group: int = 32  # 128 facts in all: enough to fill the smallest model, quick to train
    key_length: int = 4  # 26^4 keys: collisions are rare and are redrawn
    value_length: int = 6  # 10^6 values: nothing to guess, only to remember
    seed: int = 0

    def __post_init__(self):
        check_positive_int(self, "facts_per_group", "key_length", "value_length")
        if not self.frequencies or any(
            isinstance(f, bool) or not isinstance(f, int) or f < 1 for f in self.frequencies
        ):
            raise ValueError(
                f"FactBook.frequencies must be positive integers (times seen per round), got {self.frequencies!r}."
            )
        if len(set(self.frequencies)) != len(self.frequencies):
            raise ValueError(
                f"FactBook.frequencies must differ from group to group, got {self.frequencies!r}."
            )
        if 26**self.key_length < 4 * self.facts_per_group * len(self.frequencies):
            raise ValueError(
                f"key_length {self.key_length} leaves too few distinct keys for "
                f"{self.facts_per_group * len(self.frequencies)} facts; use longer keys."
            )

    @property
    def facts(self) -> int:
        return self.facts_per_group * len(self.frequencies)

    @property
    def sequence_length(self) -> int:
        return self.key_length + 1 + self.value_length

    def tokens(self) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
        """``(ids, labels, group)``: each fact as ``key:value``; labels only on the value digits."""
        rng = np.random.default_rng([self.seed, 7])
        keys: set[tuple[int, ...]] = set()
        while len(keys) < self.facts:
            keys.add(tuple(rng.integers(0, 26, self.key_length).tolist()))
        keys_array = np.array(sorted(keys))[rng.permutation(self.facts)]
        values = rng.integers(26, 36, size=(self.facts, self.value_length))  # the digits' token ids
        ids = np.concatenate([keys_array, np.full((self.facts, 1), COLON), values], axis=1)
        labels = np.full_like(ids, IGNORE)
        labels[:, self.key_length + 1 :] = values
        group = np.repeat(np.arange(len(self.frequencies)), self.facts_per_group)
        return torch.from_numpy(ids), torch.from_numpy(labels), group

    def round_order(self, round_index: int, seed: int) -> np.ndarray:
        """Which fact each training row of a round shows: each fact as often as its group says, shuffled."""
        times = np.repeat(np.array(self.frequencies), self.facts_per_group)
        rows = np.repeat(np.arange(self.facts), times)
        return np.random.default_rng([seed, round_index]).permutation(rows)


def fact_text(book: FactBook, index: int) -> str:
    """Fact ``index`` as text, e.g. ``'qzkd:403917'``."""
    ids, _, _ = book.tokens()
    return TOKENIZER.decode(ids[index])


def learning_rate_for(n_embd: int) -> float:
    """4e-3 at width 32, inversely proportional to the width ``n_embd``: as in Tirumala et al.'s runs,
    a larger model gets a smaller step (one rate for all sizes trains the widest models too fast to
    stay stable)."""
    if isinstance(n_embd, bool) or not isinstance(n_embd, int) or n_embd < 1:
        raise ValueError(f"n_embd must be a positive integer, got {n_embd!r}.")
    return 4e-3 * 32 / n_embd


@dataclass(frozen=True)
class Memoriser(Config):
    """One model and how it is trained on the facts. Every field goes into the cache key."""

    n_embd: int = 32  # the width
    n_layer: int = 2
    rounds: int = (
        60  # at most this many passes over the facts; a run stops once every group is memorised
    )
    batch_size: int = 32
    learning_rate: float = (
        4e-3  # constant after warm-up, so an exposure counts the same early and late
    )
    seed: int = 0  # initial weights and the order of the rows
    stop_at: float = 0.9  # the run ends when every group's memorised fraction has reached this

    def __post_init__(self):
        check_positive_int(self, "n_embd", "n_layer", "rounds", "batch_size")
        check_positive(self, "learning_rate")
        if not 0 < self.stop_at <= 1:
            raise ValueError(f"Memoriser.stop_at is a fraction in (0, 1], got {self.stop_at!r}.")

    def shape(self, book: FactBook) -> TinyGPT2:
        heads = head_count(self.n_embd)
        return TinyGPT2(
            vocab_size=len(ALPHABET),
            n_positions=book.sequence_length,
            n_layer=self.n_layer,
            n_head=heads,
            n_embd=self.n_embd,
        )


def steps_per_round(book: FactBook, batch_size: int) -> int:
    return math.ceil(sum(book.frequencies) * book.facts_per_group / batch_size)


@torch.no_grad()
def memorised_fraction(model, book: FactBook) -> np.ndarray:
    """Per group: the fraction of value digits whose model's first choice is the true digit."""
    ids, labels, group = book.tokens()
    dev = next(model.parameters()).device
    logits = model(input_ids=ids.to(dev)).logits.float().cpu()
    guess = logits[:, book.key_length : -1].argmax(-1)  # predicts positions key_length + 1 ..
    right = (guess == labels[:, book.key_length + 1 :]).float().mean(dim=1).numpy()  # per fact
    return np.array([right[group == g].mean() for g in range(len(book.frequencies))])


def train_memoriser(run: Memoriser, book: FactBook, progress: bool = True):
    """Train on the facts round by round; ``history.evaluations`` has the memorised fraction per group
    (``group_<frequency>``) before training and after every round, until every group has reached
    ``run.stop_at`` or the rounds run out."""
    ids, labels, _ = book.tokens()
    per_round = steps_per_round(book, run.batch_size)
    orders: dict[int, np.ndarray] = {}

    def loss_at(model, step: int) -> torch.Tensor:
        round_index, within = divmod(step, per_round)
        if round_index not in orders:
            orders.clear()  # one round's order at a time
            orders[round_index] = book.round_order(round_index, run.seed)
        rows = orders[round_index][within * run.batch_size : (within + 1) * run.batch_size]
        dev = next(model.parameters()).device
        return model(input_ids=ids[rows].to(dev), labels=labels[rows].to(dev)).loss

    def evaluate(model) -> dict:
        return {
            f"group_{f}": float(m)
            for f, m in zip(book.frequencies, memorised_fraction(model, book))
        }

    model = to_device(tiny_gpt2(run.shape(book), seed=run.seed))

    def all_memorised(history) -> bool:
        return min(history.evaluations[-1][f"group_{f}"] for f in book.frequencies) >= run.stop_at

    history = train(
        model,
        loss_at,
        per_round * run.rounds,
        learning_rate=run.learning_rate,
        warmup_steps=per_round,
        evaluate=evaluate,
        evaluate_at=lambda done: done % per_round == 0,
        stop=all_memorised,
        progress=progress,
        description=f"memorise, width {run.n_embd}, seed {run.seed}",
    )
    return model, history


def memoriser_run(run: Memoriser, book: FactBook, progress: bool = True):
    """``(model, history)`` of :func:`train_memoriser`, trained once and then read from the cache."""
    config = {"kind": "memoriser", "run": run.as_dict(), "book": book.as_dict()}
    return load_or_train(
        "memoriser",
        config,
        lambda: train_memoriser(run, book, progress),
        code=[sys.modules[__name__]],
    )


def memorisation_curve(history, frequency: int) -> np.ndarray:
    """The memorised fraction of the group seen ``frequency`` times per round, after 0, 1, 2, ... rounds."""
    return np.array(history.column(f"group_{frequency}"), dtype=float)


def exposures_to_memorise(curve, frequency: int, q: float = 0.9) -> int | None:
    """``T(N, q)`` from one group's curve: exposures (rounds x ``frequency``) until the memorised fraction
    first reaches ``q``; None if it never does. ``curve[r]`` is the fraction after ``r`` rounds."""
    curve = np.asarray(curve, dtype=float)
    if curve.ndim != 1 or len(curve) == 0:
        raise ValueError(
            f"curve must be a non-empty 1-D sequence of fractions, got shape {curve.shape}."
        )
    if np.isnan(curve).any() or (curve < 0).any() or (curve > 1).any():
        raise ValueError("curve holds fractions memorised, each in [0, 1].")
    if isinstance(frequency, bool) or not isinstance(frequency, (int, np.integer)) or frequency < 1:
        raise ValueError(
            f"frequency is how many times per round a fact is seen, at least 1; got {frequency!r}."
        )
    if not 0 < q <= 1:
        raise ValueError(f"q is a fraction in (0, 1], got {q!r}.")
    reached = np.flatnonzero(curve >= q)
    return None if len(reached) == 0 else int(reached[0]) * int(frequency)
