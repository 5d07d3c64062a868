"""Sparse-probe scores read by layer, on constructed activations and scores."""

from types import SimpleNamespace

import numpy as np
import pytest
from emergent.knowledge import probe_readings


class Property:
    """A stand-in for neurons.Feature: relevant everywhere, labels given."""

    def __init__(self, name, labels, position="last"):
        self.name, self.position, self._labels = name, position, np.asarray(labels)

    def relevant(self, prompts):
        return np.ones(len(prompts), dtype=bool)

    def labels(self, kb, prompts):
        return self._labels


def test_a_neuron_that_is_the_label_gives_a_perfect_single_neuron_probe():
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 2 == 0
    layer = rng.normal(size=(40, 40))  # as many neurons as the largest k needs
    layer[:, 3] = labels * 5.0  # neuron 3 fires exactly on the property
    prompts = [SimpleNamespace() for _ in range(40)]
    is_test = np.arange(40) >= 28
    f1 = probe_readings.probe_scores(
        [Property("p", labels)], {"last": layer[None]}, None, prompts, is_test
    )
    assert f1["p", "last"].shape[0] == 1 and f1["p", "last"][0, 0] == 1.0
    with pytest.raises(ValueError):
        probe_readings.probe_scores(
            [Property("p", labels)], {"last": layer[None]}, None, prompts, is_test[:5]
        )


def test_shifts_and_counts_by_layer():
    a, b = Property("a", []), Property("b", [])
    # (layers, k): a has a single neuron only in layer 1; b needs two neurons in layer 0
    f1 = {
        ("a", "last"): np.array([[0.5, 0.6], [0.95, 0.97]]),
        ("b", "last"): np.array([[0.4, 0.92], [0.3, 0.5]]),
    }
    assert np.allclose(
        probe_readings.single_neuron_shift(f1, [a, b], to_layer=1, from_layer=0), [0.45, -0.1]
    )
    assert probe_readings.monosemantic_counts(f1, [a, b]) == {0: 0, 1: 1}
    assert probe_readings.spread_counts(f1, [a, b]) == {0: 1, 1: 0}
    with pytest.raises(ValueError):
        probe_readings.single_neuron_shift(f1, [], 1, 0)
