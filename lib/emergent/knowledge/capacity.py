"""How much can a model hold? Bits of knowledge per parameter (Allen-Zhu and Li 2024, Physics of LMs 3.3).

A fact whose answer is one of ``V`` equally likely values carries ``log2 V`` bits. A model that gives
the true answer probability ``p`` has learned ``log2 V + log2 p`` of them (all when ``p = 1``, none
when it guesses uniformly); summed over the world's facts and divided by the model's parameters,
that is its *bits of knowledge per parameter*. Allen-Zhu and Li measured about 2 bits per parameter
for GPT-2 models that saw each fact about 1,000 times, and about 1 bit at 100 exposures, whenever
the world held more knowledge than the model could store.

The world's attributes are drawn uniformly (``make_knowledge_base``), so ``log2 V`` is exactly the
information each one carries.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from emergent.core.models import head_count
from emergent.knowledge.fact_model import FactRecipe, answer_logits, fact_model_run
from emergent.knowledge.knowledge_base import KnowledgeBase, WorldConfig, make_knowledge_base


def steps_for_exposures(kb: KnowledgeBase, exposures: int, batch_size: int) -> int:
    """Training steps of the one-fact-per-sentence design that show each fact about ``exposures`` times
    (rows are drawn uniformly from all training sentences, and every fact has as many of them)."""
    if isinstance(exposures, bool) or not isinstance(exposures, int) or exposures < 1:
        raise ValueError(f"exposures must be a positive whole number, got {exposures!r}.")
    facts = kb.n_entities * len(kb.relations)
    return max(1, math.ceil(exposures * facts / batch_size))


def bits_learned(probabilities, answers) -> float:
    """Total bits learned over facts: Σ_i max(0, log2 V_i + log2 p_i), for facts whose answers are uniform over
    ``answers[i]`` values and a model that gives the true answer probability ``probabilities[i]``."""
    p, v = np.asarray(probabilities, dtype=float), np.asarray(answers, dtype=float)
    if p.shape != v.shape or p.ndim != 1:
        raise ValueError(
            f"give one probability and one number of answers per fact, got shapes {p.shape} and {v.shape}."
        )
    if np.isnan(p).any() or (p <= 0).any() or (p > 1).any():
        raise ValueError("probabilities of the true answer must lie in (0, 1].")
    if (v < 2).any():
        raise ValueError("a fact needs at least two possible answers to carry information.")
    return float(np.maximum(0.0, np.log2(v) + np.log2(p)).sum())


@torch.no_grad()
def fact_bits(model, kb: KnowledgeBase, relations: list[str] | None = None) -> np.ndarray:
    """Bits learned per fact: ``max(0, log2 V + mean over training templates of log2 p(answer))``, the
    mean of log-probabilities being the fact's geometric-mean probability (see :func:`bits_learned`).

    The facts come grouped by relation (in the order of ``relations``, all of the world's by default),
    people in order within each relation: :func:`bits_by_relation` splits them."""
    prompts = kb.prompts(held_out=False, relations=relations)
    logits = answer_logits(model, prompts, kb.pad_id)
    log2_p = (
        logits.log_softmax(-1)[
            torch.arange(len(prompts)), torch.tensor([p.answer for p in prompts])
        ]
        / math.log(2)
    ).numpy()
    per_fact: dict[tuple[int, str], list[float]] = {}
    for prompt, value in zip(prompts, log2_p):
        per_fact.setdefault((prompt.entity, prompt.relation), []).append(float(value))
    return np.array(
        [
            bits_learned([2.0 ** np.mean(values)], [len(kb.answers(relation))])
            for (_, relation), values in per_fact.items()
        ]
    )


def bits_by_relation(bits: np.ndarray, kb: KnowledgeBase) -> np.ndarray:
    """:func:`fact_bits` of the whole world as a (relation, person) table, relations in ``kb.relations`` order."""
    bits = np.asarray(bits)
    if bits.shape != (len(kb.relations) * kb.n_entities,):
        raise ValueError(
            f"expected one value per fact of this world ({len(kb.relations)} relations x "
            f"{kb.n_entities} people), got an array of shape {bits.shape}: pass fact_bits(model, kb)."
        )
    return bits.reshape(len(kb.relations), kb.n_entities)


def world_bits(kb: KnowledgeBase) -> float:
    """The information the world's attributes hold: Σ over facts of log2 V."""
    return float(sum(kb.n_entities * math.log2(len(kb.answers(r))) for r in kb.relations))


def capacity_run(
    world: WorldConfig,
    n_layer: int,
    n_embd: int,
    exposures: int,
    batch_size: int = 256,
    learning_rate: float = 3e-3,
    seed: int = 0,
):
    """``(model, history)``: a one-fact-per-sentence model of ``n_layer`` blocks of width ``n_embd``,
    trained on ``world`` for about ``exposures`` sightings of each fact (cached like the chapter's
    other fact models)."""
    heads = head_count(n_embd)
    steps = steps_for_exposures(make_knowledge_base(world), exposures, batch_size)
    recipe = FactRecipe(
        n_layer=n_layer,
        n_embd=n_embd,
        n_head=heads,
        steps=steps,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        design="facts",
    )
    return fact_model_run(world, recipe)
