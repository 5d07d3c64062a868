"""Knocking frequencies out of an embedding: on a network that adds angles at one known frequency,
taking that frequency out leaves a constant guess, and taking out any other leaves it perfect."""

import math

import matplotlib.pyplot as plt
import pytest
import torch
from emergent.grokking import knockout
from emergent.grokking import progress_measures as measures
from matplotlib.colors import to_hex
from torch import nn

P, KEY = 13, 3


class AngleAdder(nn.Module):
    """(a + b) mod p by adding angles at one frequency: row r of the embedding is the unit vector
    at angle w r, and the logit of class c is cos(w (a + b - c))."""

    def __init__(self, p: int, frequency: int):
        super().__init__()
        angles = 2 * math.pi * frequency * torch.arange(p, dtype=torch.double) / p
        self.embed = nn.Embedding(p, 2).double()
        self.embed.weight.data = torch.stack([angles.cos(), angles.sin()], dim=1)

    def forward(self, pairs: torch.Tensor) -> torch.Tensor:
        z = torch.view_as_complex(self.embed.weight.contiguous())  # (p,)
        return (z[pairs[:, 0]] * z[pairs[:, 1]])[:, None].mul(z.conj()[None, :]).real


def test_knockout_of_the_key_leaves_a_constant_guess_and_of_others_nothing():
    pairs, labels = measures.all_pairs(P)
    model = AngleAdder(P, KEY)
    assert float((model(pairs).argmax(-1) == labels).double().mean()) == 1.0
    without_keys, without_others = knockout.knockout(model, P, [KEY], pairs, labels, seed=0)
    assert without_keys < 2 / P  # all logits (numerically) zero: a guess among ties
    assert without_others == 1.0
    assert model.embed.weight.abs().sum() > 0  # the model itself is left as it was


def test_knockout_refuses_no_keys():
    pairs, labels = measures.all_pairs(P)
    with pytest.raises(ValueError, match="at least one key"):
        knockout.knockout(AngleAdder(P, KEY), P, [], pairs, labels, seed=0)


def test_random_frequencies_are_one_draw_per_count():
    ranked = [3, 1, 2, 6, 5, 4]
    first, again = knockout.random_frequencies(ranked, 3), knockout.random_frequencies(ranked, 3)
    assert first == again == sorted(first) and len(set(first)) == 3 and set(first) <= set(ranked)
    assert knockout.random_frequencies(ranked, 6) == sorted(ranked)
    with pytest.raises(ValueError):
        knockout.random_frequencies(ranked, 7)


def test_draw_knockout_greys_the_strongest_and_reports_the_accuracy():
    pairs, labels = measures.all_pairs(P)
    model = AngleAdder(P, KEY)
    embedding = model.embed.weight.detach().numpy()
    fig, ax = plt.subplots()
    knockout.draw_knockout(ax, model, P, embedding, pairs, labels, removed=1)
    colours = [to_hex(bar.get_facecolor()) for bar in ax.patches]
    assert colours[KEY - 1] == knockout.REMOVED.lower()
    assert colours.count(knockout.KEPT.lower()) == (P - 1) // 2 - 1
    strongest, drawn = ax.get_title().split("\n")
    assert strongest.startswith("1 strongest out: ") and strongest.endswith("% right")
    assert int(strongest.split(": ")[1].split("%")[0]) < 200 / P  # near a guess
    assert drawn == "(1 at random out: 100%)"  # any other frequency: nothing lost
    plt.close(fig)
