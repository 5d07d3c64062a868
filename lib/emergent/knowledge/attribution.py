"""Knowledge back to its training data: which sentences taught the model a fact?

Two ways to ask, on a small one-fact-per-sentence model trained here:

* **TracIn** (Pruthi et al. 2020): a training sentence z helped a test question z' as much as the
  steps taken on z lowered the loss on z'. To first order that is the dot product of their loss
  gradients, summed over checkpoints of the training run and weighted by the learning rate there:
  ``Σ_c η_c ∇ℓ(w_c, z) · ∇ℓ(w_c, z')``. No retraining; one gradient per sentence per checkpoint.
* **leaving sentences out**: train the same model, with the same seed, without them, and see whether
  the fact is still known. This is the ground truth TracIn approximates, and affordable only for
  small models.

Because the world is generated, the sentences that state a fact are known exactly; a good attribution
ranks them first.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch

from emergent.core.config import Config, check_positive, check_positive_int
from emergent.core.models import TinyGPT2, tiny_gpt2
from emergent.core.progress import progress_bar
from emergent.core.training import learning_rate_factor, next_token_loss, train
from emergent.knowledge.fact_model import context_length, recall, sentence_batches
from emergent.knowledge.knowledge_base import KnowledgeBase, Prompt, batch_prompts


@dataclass(frozen=True)
class SmallRecipe(Config):
    """A model small and quick enough to be trained several times over."""

    n_layer: int = 2
    n_embd: int = 32
    n_head: int = 4
    steps: int = 600
    batch_size: int = 64
    learning_rate: float = 3e-3
    checkpoints: int = (
        4  # TracIn's sum runs over this many evenly spaced moments of training (the last included)
    )
    seed: int = 0

    def __post_init__(self):
        check_positive_int(
            self, "n_layer", "n_embd", "n_head", "steps", "batch_size", "checkpoints"
        )
        check_positive(self, "learning_rate")


def train_small(
    kb: KnowledgeBase,
    recipe: SmallRecipe,
    sentences: list[Prompt] | None = None,
    progress: bool = True,
):
    """Train on ``sentences`` (default: every training sentence); returns the model and its checkpoints
    ``[(learning rate there, state dict)]`` for TracIn."""
    shape = TinyGPT2(
        vocab_size=len(kb.vocabulary),
        n_positions=context_length(kb),
        n_layer=recipe.n_layer,
        n_head=recipe.n_head,
        n_embd=recipe.n_embd,
    )
    model = tiny_gpt2(shape, seed=recipe.seed)
    every = max(1, recipe.steps // recipe.checkpoints)
    warmup_steps = max(1, recipe.steps // 20)
    snapshots = []

    def snapshot(m) -> dict:
        done = len(snapshots) * every + every
        rate = recipe.learning_rate * learning_rate_factor(
            min(done, recipe.steps - 1), recipe.steps, warmup_steps, 0.1
        )
        snapshots.append((rate, copy.deepcopy(m.state_dict())))
        return {}

    train(
        model,
        next_token_loss(sentence_batches(kb, recipe.batch_size, recipe.seed, sentences)),
        recipe.steps,
        learning_rate=recipe.learning_rate,
        weight_decay=0.01,
        warmup_steps=warmup_steps,
        decay_to=0.1,
        clip_grad_norm=1.0,
        evaluate=snapshot,
        evaluate_at=lambda done: done > 0 and done % every == 0,
        progress=progress,
        description="small fact model",
    )
    return model.eval(), snapshots[-recipe.checkpoints :]


def _loss_gradient(model, prompt: Prompt, pad_id: int) -> torch.Tensor:
    ids, last = batch_prompts([prompt], pad_id)
    model.zero_grad(set_to_none=True)
    logits = model(input_ids=ids).logits[0, int(last[0])]
    torch.nn.functional.cross_entropy(logits[None], torch.tensor([prompt.answer])).backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters() if p.grad is not None])


def tracin_scores(
    model,
    checkpoints,
    kb: KnowledgeBase,
    train_prompts: list[Prompt],
    test_prompts: list[Prompt],
    progress: bool = True,
) -> np.ndarray:
    """``(len(train_prompts), len(test_prompts))``: TracIn's influence of each training sentence on each question."""
    if not train_prompts or not test_prompts:
        raise ValueError("give at least one training sentence and one test question.")
    scores = np.zeros((len(train_prompts), len(test_prompts)))
    work = copy.deepcopy(model).train()
    for rate, state in checkpoints:
        work.load_state_dict(state)
        tests = torch.stack(
            [_loss_gradient(work, p, kb.pad_id) for p in test_prompts]
        )  # (tests, params)
        for i, prompt in enumerate(
            progress_bar(train_prompts, desc="TracIn", disable=not progress, leave=False)
        ):
            scores[i] += rate * (tests @ _loss_gradient(work, prompt, kb.pad_id)).numpy()
    return scores


def precision_at_own(
    scores: np.ndarray, train_prompts: list[Prompt], fact: tuple[int, str]
) -> float:
    """Of the top-``n`` sentences by score (``n`` = how many state the fact), the share that state it."""
    own = np.array([(p.entity, p.relation) == tuple(fact) for p in train_prompts])
    if not own.any():
        raise ValueError(f"no training sentence states the fact {fact}.")
    top = np.argsort(-np.asarray(scores), kind="stable")[: own.sum()]
    return float(own[top].mean())


def known(model, kb: KnowledgeBase, fact: tuple[int, str], held_out: bool = False) -> float:
    """Share of the fact's prompts (training or held-out templates) the model answers right."""
    entity, relation = fact
    return recall(model, kb, [kb.prompt(entity, t) for t in kb.templates_for(relation, held_out)])
