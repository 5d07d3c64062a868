"""Sparse probing: which MLP neurons encode a feature of the world, one alone or several together?

Gurnee et al. (2023, "Finding Neurons in a Haystack") ask, for a binary feature (this prompt is about
a city; this person lives in Paris), how well the best ``k`` neurons of a layer predict it, for
``k = 1, 2, 4, ...``: neurons are ranked by the difference of their mean activation with and
without the feature, and a logistic regression on the top ``k`` is scored by F1 on held-out data.
A feature a single neuron predicts well is *monosemantically* represented there; one that needs
several neurons is spread over them (in superposition, if those neurons also do other work).

Probes are trained on some people and tested on others, so a probe must find the feature, not the
person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from emergent.knowledge.memories import mlp_keys
from emergent.knowledge.knowledge_base import OPENINGS, KnowledgeBase, Prompt, batch_prompts

K_VALUES = (1, 2, 4, 8, 16, 32)
MONOSEMANTIC_F1 = 0.9  # a single neuron this good at a feature counts as encoding it


def rank_neurons(activations: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Neuron indices, most telling first: by |mean with the feature - mean without it|."""
    activations, labels = np.asarray(activations, dtype=float), np.asarray(labels, dtype=bool)
    if activations.ndim != 2 or len(activations) != len(labels):
        raise ValueError(
            f"activations must be (examples, neurons) with one label per example; got "
            f"{activations.shape} and {labels.shape}."
        )
    if labels.all() or not labels.any():
        raise ValueError(
            "the labels must contain both classes: examples with the feature and without it."
        )
    gap = activations[labels].mean(0) - activations[~labels].mean(0)
    return np.argsort(-np.abs(gap), kind="stable")


def sparse_probe(train_x, train_y, test_x, test_y, k: int) -> tuple[float, np.ndarray]:
    """Test F1 of a class-balanced logistic regression on the ``k`` top-ranked neurons, and those neurons."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive number of neurons, got {k!r}.")
    train_x, test_x = np.asarray(train_x, dtype=float), np.asarray(test_x, dtype=float)
    if k > train_x.shape[1]:
        raise ValueError(f"k = {k} is more than the {train_x.shape[1]} neurons there are.")
    chosen = rank_neurons(train_x, train_y)[:k]
    probe = LogisticRegression(class_weight="balanced", max_iter=2000)
    probe.fit(train_x[:, chosen], np.asarray(train_y, dtype=bool))
    return float(f1_score(np.asarray(test_y, dtype=bool), probe.predict(test_x[:, chosen]))), chosen


def probe_curve(train_x, train_y, test_x, test_y, ks=K_VALUES) -> np.ndarray:
    """Test F1 at every ``k`` of ``ks``."""
    return np.array([sparse_probe(train_x, train_y, test_x, test_y, k)[0] for k in ks])


@torch.no_grad()
def activations_at(model, prompts: list[Prompt], pad_id: int, position: str) -> np.ndarray:
    """MLP neuron activations of every layer at the subject's last token or the prompt's last token.

    Returns ``(layers, prompts, d_ff)``.
    """
    if position not in ("subject", "last"):
        raise ValueError(f"position must be 'subject' or 'last', got {position!r}.")
    ids, last = batch_prompts(prompts, pad_id)
    where = torch.tensor([p.last_subject for p in prompts]) if position == "subject" else last
    rows = torch.arange(len(prompts))
    return np.stack(
        [mlp_keys(model, layer, ids)[rows, where].numpy() for layer in range(model.config.n_layer)]
    )


@dataclass(frozen=True)
class Feature:
    """A binary property of a prompt, read at one position."""

    name: str
    kind: str  # "concrete" (a token is there), "relation" or "attribute" (a fact about the subject)
    position: str  # "subject" or "last"

    def relevant(self, prompts: list[Prompt]) -> np.ndarray:
        """Which prompts the feature is probed on: at the last token, an attribute only where the prompt
        asks for it (has the answer been extracted?); everything else on every prompt."""
        what = self.name.split("=")[0]
        if self.kind == "attribute" and self.position == "last":
            return np.array([p.relation == what for p in prompts])
        return np.ones(len(prompts), dtype=bool)

    def labels(self, kb: KnowledgeBase, prompts: list[Prompt]) -> np.ndarray:
        what, value = self.name.split("=")
        if what == "opening":
            return np.array([OPENINGS[p.template.opening] == value for p in prompts])
        if what == "relation":
            return np.array([p.relation == value for p in prompts])
        return np.array([kb.attribute(p.entity, what) == value for p in prompts])


def world_features(kb: KnowledgeBase, per_relation: int = 2) -> list[Feature]:
    """The features probed: two of the neutral openings (concrete: words in the prompt, read at the
    subject's last token), each relation (at the last token), and the ``per_relation`` commonest values
    of each relation, at the subject's last token (has the subject been enriched with it?) and at the
    last token (has it been extracted?)."""
    features = [Feature(f"opening={o}", "concrete", "subject") for o in OPENINGS[1:3]]
    features += [Feature(f"relation={r}", "relation", "last") for r in kb.relations]
    for r in kb.relations:
        values, counts = np.unique(
            [kb.attribute(e, r) for e in range(kb.n_entities)], return_counts=True
        )
        for value in values[np.argsort(-counts)][:per_relation]:
            features += [
                Feature(f"{r}={value}", "attribute", position) for position in ("subject", "last")
            ]
    return features


def split_by_entity(prompts: list[Prompt], test_share: float = 0.3, seed: int = 0) -> np.ndarray:
    """True for the prompts of a random ``test_share`` of the entities (the probes' test set)."""
    entities = sorted({p.entity for p in prompts})
    rng = np.random.default_rng(seed)
    test = set(
        rng.choice(entities, size=max(1, int(test_share * len(entities))), replace=False).tolist()
    )
    return np.array([p.entity in test for p in prompts])
