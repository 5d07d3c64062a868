"""A tiny GPT-2 that memorises the synthetic world of :mod:`emergent.knowledge.knowledge_base`.

Two designs of training data, the same facts:

- ``"facts"``: one fact per sequence. The model reads a training sentence ("<bos> it is known that
  Kavo Drennik lives in") and is trained to predict its last word, the answer ("oslo").
- ``"biographies"``: one person per sequence, every fact of theirs in a shuffled order, each in a
  random training template with the full name (Allen-Zhu and Li's "Physics of Language Models 3.1"
  data, at toy size). A fresh biography is drawn for every row of every batch.

Either way the loss counts the answer tokens only: the rest of a sentence (an opening, a made-up
name) cannot be predicted and would only slow the memorisation down. Recall is top-1 accuracy on
the answer of a single-sentence question, on training or held-out templates.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass

import numpy as np
import torch
from transformers import GPT2LMHeadModel

from emergent.core.cache import load_or_train
from emergent.core.config import Config, check_one_of
from emergent.core.models import TinyGPT2, tiny_gpt2
from emergent.core.profiles import choose, device
from emergent.core.training import train_language_model
from emergent.knowledge import knowledge_base
from emergent.knowledge.knowledge_base import (
    RELATIONS,
    KnowledgeBase,
    Prompt,
    WorldConfig,
    batch_prompts,
    make_knowledge_base,
)


@dataclass(frozen=True)
class FactRecipe(Config):
    n_layer: int = 4  # enough depth for a picture of "which layer" to mean something
    n_embd: int = 128
    n_head: int = 4
    steps: int = 1500  # ~40 passes over the training sentences; recall saturates before the end
    batch_size: int = 256
    learning_rate: float = 3e-3
    weight_decay: float = 0.01
    seed: int = 0
    design: str = "facts"  # or "biographies": see the module's docstring

    def __post_init__(self):
        check_one_of(self, "design", DESIGNS)


DESIGNS = ("facts", "biographies")


def sentence_batches(
    kb: KnowledgeBase, batch_size: int, seed: int, prompts: list[Prompt] | None = None
):
    """``step -> (input_ids, labels)``: rows drawn uniformly from ``prompts`` (default: every training
    sentence), each the question followed by its answer, only the answer labelled."""
    prompts = kb.prompts(held_out=False) if prompts is None else prompts
    if not prompts:
        raise ValueError("give at least one training sentence.")
    ids, last = batch_prompts(prompts, kb.pad_id)
    answers = torch.tensor([p.answer for p in prompts])
    # input = prompt + answer; label = answer at the last prompt position (shifted inside GPT-2)
    full = torch.cat([ids, torch.full((len(prompts), 1), kb.pad_id)], dim=1)
    full[torch.arange(len(prompts)), last + 1] = answers
    labels = torch.full_like(full, -100)
    labels[torch.arange(len(prompts)), last + 1] = answers
    generator = torch.Generator().manual_seed(seed)

    def batches(step: int):
        rows = torch.randint(len(prompts), (batch_size,), generator=generator)
        return full[rows], labels[rows]

    return batches


def _biography_batches(kb: KnowledgeBase, batch_size: int, seed: int):
    rng = random.Random(seed)

    def batches(step: int):
        texts = [kb.biography(rng.randrange(kb.n_entities), rng) for _ in range(batch_size)]
        ids = torch.full((batch_size, max(len(t) for t, _ in texts)), kb.pad_id)
        labels = torch.full_like(ids, -100)
        for row, (text, answers) in enumerate(texts):
            ids[row, : len(text)] = torch.tensor(text)
            labels[row, answers] = ids[row, answers]
        return ids, labels

    return batches


def context_length(kb: KnowledgeBase) -> int:
    """Positions a model needs for the longest biography (and so for every single question)."""
    longest_sentence = max(len(t.words(["x", "y"])) for t in kb.templates) + 2  # answer and "."
    return 1 + len(kb.relations) * longest_sentence


def train_fact_model(kb: KnowledgeBase, recipe: FactRecipe = FactRecipe(), progress: bool = True):
    """Train a fresh tiny GPT-2 on ``kb``; returns ``(model, history)``, the recall in ``history.extras``."""
    shape = TinyGPT2(
        vocab_size=len(kb.vocabulary),
        n_positions=context_length(kb),
        n_layer=recipe.n_layer,
        n_head=recipe.n_head,
        n_embd=recipe.n_embd,
    )
    model = tiny_gpt2(shape, seed=recipe.seed).to(device())
    make_batches = sentence_batches if recipe.design == "facts" else _biography_batches
    history = train_language_model(
        model,
        make_batches(kb, recipe.batch_size, recipe.seed),
        recipe.steps,
        learning_rate=recipe.learning_rate,
        weight_decay=recipe.weight_decay,
        warmup_steps=100,
        progress=progress,
        description="learning the facts",
    )
    model = model.cpu()
    history.extras.update(
        recall_train=recall(model, kb, kb.prompts(held_out=False)),
        recall_heldout=recall(model, kb, kb.prompts(held_out=True)),
    )
    return model, history


def book_world() -> WorldConfig:
    """The world of the knowledge chapter's pages, for the active profile."""
    return WorldConfig(
        n_entities=choose(default=200, full=400),
        n_first=40,
        n_last=40,
        relations=choose(default=("city", "job", "instrument"), full=tuple(RELATIONS)),
    )


def book_recipe(design: str = "biographies") -> FactRecipe:
    """The knowledge chapter's fact model, for the active profile; ``design`` as in :class:`FactRecipe`."""
    return choose(
        default=FactRecipe(
            n_layer=4, n_embd=64, steps=2000, batch_size=64, learning_rate=3e-3, design=design
        ),
        full=FactRecipe(
            n_layer=6, n_embd=256, steps=6000, batch_size=256, learning_rate=1e-3, design=design
        ),
    )


def fact_model_run(world: WorldConfig = WorldConfig(), recipe: FactRecipe = FactRecipe()):
    """``(model, history)`` for a model trained on the world's knowledge base, loaded from the cache
    when trained before. The knowledge base itself is ``make_knowledge_base(world)``.

    ``history.extras`` holds the recall on training and on held-out templates, measured once
    after training."""
    kb = make_knowledge_base(world)
    model, history = load_or_train(
        "knowledge-facts",
        {"world": world.as_dict(), "recipe": recipe.as_dict()},
        lambda: train_fact_model(kb, recipe),
        code=[sys.modules[__name__], knowledge_base],
    )
    return model, history


@torch.no_grad()
def answer_logits(
    model: GPT2LMHeadModel, prompts: list[Prompt], pad_id: int, batch_size: int = 1024
) -> torch.Tensor:
    """Next-token logits at the end of each prompt.  (len(prompts), vocab)"""
    out = []
    dev = next(model.parameters()).device
    for start in range(0, len(prompts), batch_size):
        ids, last = batch_prompts(prompts[start : start + batch_size], pad_id)
        logits = model(input_ids=ids.to(dev)).logits  # (B, T, V)
        out.append(logits[torch.arange(len(last)), last.to(dev)].float().cpu())
    return torch.cat(out)


def predictions(model: GPT2LMHeadModel, kb: KnowledgeBase, prompts: list[Prompt]) -> torch.Tensor:
    """The model's top-1 next token for each prompt.  (len(prompts),)"""
    return answer_logits(model, prompts, kb.pad_id).argmax(-1)


def recall(model: GPT2LMHeadModel, kb: KnowledgeBase, prompts: list[Prompt]) -> float:
    """Fraction of prompts whose top-1 next token is the answer."""
    if not prompts:
        raise ValueError("Give at least one prompt to measure recall on.")
    answers = torch.tensor([p.answer for p in prompts])
    return float((predictions(model, kb, prompts) == answers).float().mean())


def known_prompts(
    model: GPT2LMHeadModel, kb: KnowledgeBase, count: int, seed: int = 0
) -> list[Prompt]:
    """``count`` training prompts (drawn with ``seed``) whose answer the model gets right: an analysis that
    restores or removes a fact needs a fact to be there."""
    prompts = kb.prompts()
    right = (predictions(model, kb, prompts) == torch.tensor([p.answer for p in prompts])).numpy()
    known = [p for p, ok in zip(prompts, right) if ok]
    if not known:
        raise ValueError("the model answers none of the training prompts: train it first.")
    picks = np.random.default_rng(seed).choice(len(known), min(count, len(known)), replace=False)
    return [known[i] for i in picks]
