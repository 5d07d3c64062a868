"""Readings of the fact models: recall per fact, the pace of training, padded batches."""

from types import SimpleNamespace

import pytest
import torch
from emergent.knowledge import readings
from emergent.knowledge.knowledge_base import WorldConfig, make_knowledge_base


class AlwaysSays(torch.nn.Module):
    """A stand-in model whose next-token guess is always ``token``."""

    def __init__(self, token: int, vocab: int):
        super().__init__()
        self.token, self.vocab = token, vocab
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids):
        logits = torch.zeros(*input_ids.shape, self.vocab)
        logits[..., self.token] = 1.0
        return SimpleNamespace(logits=logits)


def test_recall_per_fact_counts_each_fact_once():
    kb = make_knowledge_base(
        WorldConfig(n_entities=6, n_first=3, n_last=3, relations=("city", "job"))
    )
    answer = kb.prompts()[0].answer
    recall = readings.recall_per_fact(AlwaysSays(answer, len(kb.vocabulary)), kb)
    assert len(recall) == 6 * 2  # one value per (person, relation)
    facts = {(p.entity, p.relation): p.answer == answer for p in kb.prompts()}
    assert sorted(recall.tolist()) == sorted(float(v) for v in facts.values())


def test_first_step_below_uses_the_running_mean():
    losses = [1.0] * 10 + [0.0] * 10
    # window 4: the mean first drops below 0.3 once three zeros are in the window
    assert readings.first_step_below(losses, 0.3, window=4) == 9 + 4
    assert readings.first_step_below(losses, -1.0, window=4) is None
    with pytest.raises(ValueError):
        readings.first_step_below([1.0, 0.5], 0.1, window=4)


@pytest.mark.parametrize(
    "first, second, word",
    [
        (100, 300, "far faster"),
        (100, None, "far faster"),
        (100, 150, "faster"),
        (100, 100, "about as fast"),
        (None, None, "about as fast"),
        (300, 100, "more slowly"),
        (None, 50, "more slowly"),
    ],
)
def test_relative_pace(first, second, word):
    assert readings.relative_pace(first, second) == word


def test_relative_pace_refuses_a_non_positive_step():
    with pytest.raises(ValueError):
        readings.relative_pace(0, 10)


def test_reached_by():
    assert readings.reached_by(120, 500) == "by step 120"
    assert readings.reached_by(None, 500) == "not within the 500 steps"


def test_padded_batch():
    batch, lengths = readings.padded_batch([[1, 2, 3], [4]], pad_id=0)
    assert batch.tolist() == [[1, 2, 3], [4, 0, 0]]
    assert lengths.tolist() == [3, 1]
    with pytest.raises(ValueError):
        readings.padded_batch([], pad_id=0)


def test_parameter_table_has_a_row_per_model():
    row = {"total": 100, "attention": 30, "mlp": 60, "mlp_share": 2 / 3, "mlp_share_of_total": 0.6}
    table = readings.parameter_table({"a": row, "b": row}).splitlines()
    assert len(table) == 3 and "66.7%" in table[1] and table[2].startswith("b")
