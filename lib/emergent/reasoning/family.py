"""The chapter's model family: tiny GPT-2s that compose permutations, with and without a scratchpad.

Every member reads the same mixture of prompts: half are to be answered at once, half with a
scratchpad, and a prompt's first token says which, so one model can be asked the same question with
and without room to think, as chain-of-thought prompting asks one model. Members differ in width
(the size axis) or in depth (the serial-depth axis); everything else is shared and cached like the
other families of the book.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import torch

import emergent.core.family
from emergent.core.cache import load_or_train
from emergent.core.config import Config, check_positive_int
from emergent.core.models import TinyGPT2, count_parameters, head_count
from emergent.core.profiles import choose
from emergent.reasoning import tasks
from emergent.reasoning.tasks import (
    FORMATS,
    PAD,
    ALPHABET,
    composition_answer,
    composition_prompt,
    encode,
    parse_answer,
    random_composition,
)
from emergent.core.family import FamilyRecipe, train_member

IGNORE = -100


@dataclass(frozen=True)
class Mixture(Config):
    """The prompts every member trains on. Every field goes into the cache key."""

    batch_size: int = 32  # small batches keep a step cheap; problems are fresh every step
    seed: int = 0

    def __post_init__(self):
        check_positive_int(self, "batch_size")

    @property
    def n_positions(self) -> int:
        """The longest prompt and answer: a composition with its scratchpad."""
        problem = random_composition(np.random.default_rng(0), tasks.STEPS)
        return len(
            composition_prompt(problem, "scratchpad") + composition_answer(problem, "scratchpad")
        )

    @property
    def tokens_per_batch(self) -> float:
        return float(self.batch_size * self.n_positions)

    def example(self, rng: np.random.Generator) -> tuple[str, str]:
        """One training prompt (1 to 8 steps, either format, equally often) and the answer to learn."""
        problem = random_composition(rng, int(rng.integers(1, tasks.STEPS + 1)))
        form = FORMATS[int(rng.integers(0, 2))]
        return composition_prompt(problem, form), composition_answer(problem, form)

    def batches(self):
        """``step -> (input_ids, labels)``: the same batch for the same step; only answers are labelled."""

        def batch(step: int):
            rng = np.random.default_rng([self.seed, step])
            return rows([self.example(rng) for _ in range(self.batch_size)], self.n_positions)

        return batch


def rows(pairs: list[tuple[str, str]], width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids and labels for ``(prompt, answer)`` pairs, padded on the right to ``width``;
    only the answer's tokens are labelled."""
    ids = torch.full((len(pairs), width), PAD, dtype=torch.long)
    labels = torch.full((len(pairs), width), IGNORE, dtype=torch.long)
    for row, (prompt, answer) in enumerate(pairs):
        tokens = torch.tensor(encode(prompt + answer))
        if len(tokens) > width:
            raise ValueError(
                f"prompt and answer take {len(tokens)} tokens, more than the {width} positions."
            )
        ids[row, : len(tokens)] = tokens
        labels[row, len(prompt) : len(tokens)] = tokens[len(prompt) :]
    return ids, labels


def member_shape(n_layer: int, n_embd: int, mixture: Mixture) -> TinyGPT2:
    heads = head_count(n_embd)
    return TinyGPT2(
        vocab_size=len(ALPHABET),
        n_positions=mixture.n_positions,
        n_layer=n_layer,
        n_head=heads,
        n_embd=n_embd,
    )


DEPTH_WIDTH = 32  # the depth axis is taken at this width, where the scratchpad already works


def widths() -> list[int]:
    """The size axis: two-layer members of these widths."""
    return choose(default=[16, 24, 32, 48], full=[16, 24, 32, 48, 64, 96])


def depths() -> list[int]:
    """The depth axis: members of width :data:`DEPTH_WIDTH` with these numbers of layers."""
    return choose(default=[1, 2, 4], full=[1, 2, 4, 8])


def default_recipe() -> FamilyRecipe:
    """The family's recipe (warm-up, then cosine decay); twice the steps in the full profile."""
    return FamilyRecipe(steps=choose(default=2000, full=4000), learning_rate=3e-3)


def reasoner_run(
    n_layer: int,
    n_embd: int,
    mixture: Mixture | None = None,
    recipe: FamilyRecipe | None = None,
    progress: bool = True,
):
    """``(model, history)`` for one member, trained once and then read from the cache."""
    mixture, recipe = mixture or Mixture(), recipe or default_recipe()
    shape = member_shape(n_layer, n_embd, mixture)
    config = {
        "kind": "reasoner",
        "shape": shape.as_dict(),
        "mixture": mixture.as_dict(),
        "recipe": recipe.as_dict(),
    }
    model, history = load_or_train(
        "reasoner",
        config,
        lambda: train_member(
            shape, mixture, recipe, progress, description=f"reasoner L{n_layer} d{n_embd}"
        ),
        code=[sys.modules[__name__], tasks, emergent.core.family],
    )
    history.extras["parameters"] = count_parameters(model, embeddings=False)
    return model, history


# --- reading what the models write ----------------------------------------------------------------


@torch.no_grad()
def greedy(model, prompts: list[str], new_tokens: int) -> list[str]:
    """What ``model`` writes after each prompt, choosing its most likely token ``new_tokens`` times.

    The prompts must have equal length (they are batched without padding).
    """
    if len({len(p) for p in prompts}) != 1:
        raise ValueError(
            "greedy() batches prompts of one length; group the prompts by length first."
        )
    dev = next(model.parameters()).device
    running = torch.tensor([encode(p) for p in prompts], device=dev)
    for _ in range(new_tokens):
        running = torch.cat(
            [running, model(input_ids=running).logits[:, -1].argmax(-1, keepdim=True)], dim=1
        )
    return [tasks.decode(row[-new_tokens:]) for row in running.cpu()]


def composition_problems(length: int, count: int, seed: int = 2024) -> list:
    """``count`` fixed test problems of ``length`` steps (the same for every model and format)."""
    if count < 1:
        raise ValueError(
            f"count is the number of test problems to draw; it must be at least 1, got {count}."
        )
    rng = np.random.default_rng([seed, length])
    return [random_composition(rng, length) for _ in range(count)]


def composition_scores(model, form: str, length: int, count: int = 200) -> dict:
    """A model's answers to the test problems of ``length`` steps in one format.

    Returns the problems, what was ``written`` (parsed), ``correct`` (the answer is right, one 0/1 per
    problem) and ``faithful`` (answer and every line right; equals ``correct`` for the direct format).
    """
    problems = composition_problems(length, count)
    expected = [composition_answer(p, form) for p in problems]
    outputs = greedy(model, [composition_prompt(p, form) for p in problems], len(expected[0]))
    written = [parse_answer(text, form) for text in outputs]
    correct = np.array([w.answer == p.answer for w, p in zip(written, problems)], dtype=float)
    faithful = np.array([text == e for text, e in zip(outputs, expected)], dtype=float)
    return {"problems": problems, "written": written, "correct": correct, "faithful": faithful}
