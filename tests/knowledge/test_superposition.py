"""The toy model of superposition: sparse features crowd into fewer dimensions; measures on known W."""

import math

import pytest
import torch

from emergent.knowledge import superposition as sp


def test_measures_on_hand_made_geometries():
    # two features on their own axes, one dropped
    W = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert sp.feature_norms(W).tolist() == [1.0, 1.0, 0.0]
    assert sp.dimensions_per_feature(W).tolist() == [1.0, 1.0, 0.0]
    assert sp.represented_features(W) == 2
    assert sp.interference(W).abs().max() < 1e-6
    # an antipodal pair shares one dimension: half a dimension each
    pair = torch.tensor([[1.0, -1.0]])
    assert torch.allclose(sp.dimensions_per_feature(pair), torch.tensor([0.5, 0.5]))
    assert math.isclose(sp.dimensions_per_represented_feature(pair), 0.5)
    # a pentagon in two dimensions: 2/5 of a dimension each
    angles = torch.arange(5) * 2 * math.pi / 5
    pentagon = torch.stack([angles.cos(), angles.sin()])
    assert torch.allclose(sp.dimensions_per_feature(pentagon), torch.full((5,), 0.4), atol=1e-5)


def test_roles_of_neurons():
    W = torch.tensor([[1.0, 0.0, 0.0, 0.9], [0.0, 1.0, 0.0, 0.0]])
    assert sp.features_per_neuron(W).tolist() == [2, 1]
    assert sp.feature_roles(W) == ["polysemantic", "monosemantic", "dropped", "polysemantic"]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="n_hidden"):
        sp.ToyModelConfig(n_hidden=0)
    with pytest.raises(ValueError, match="Sparsities"):
        sp.ToyModels(sp.ToyModelConfig(), [1.0])
    with pytest.raises(ValueError, match="shape"):
        sp.feature_norms(torch.zeros(3))
    with pytest.raises(ValueError, match="threshold"):
        sp.represented_features(torch.eye(2), threshold=2.0)


def test_sparse_features_go_into_superposition():
    config = sp.ToyModelConfig(n_features=20, n_hidden=5, steps=1500, batch_size=512)
    models, history = sp.train_toy_models(config, [0.0, 0.95])
    dense, sparse = models.W[0].detach(), models.W[1].detach()
    # dense features: a PCA-like solution, one feature per dimension
    assert sp.represented_features(dense) == 5
    assert sp.dimensions_per_represented_feature(dense) > 0.9
    # sparse features: more features than dimensions, each with about half a dimension or less
    assert sp.represented_features(sparse) >= 8
    assert sp.dimensions_per_represented_feature(sparse) < 0.6
    losses = history.column("instance_losses")
    assert losses[-1][0] < losses[0][0]


def test_phase_grid_and_classification():
    sparsities, importance = sp.phase_grid([1.0, 0.1], [0.5, 2.0], restarts=2)
    assert len(sparsities) == 8 and importance.shape == (8, 2)
    assert sp.classify_phase(torch.tensor([[1.0, 0.0]])) == "not represented"
    assert sp.classify_phase(torch.tensor([[0.0, 1.0]])) == "dedicated dimension"
    assert sp.classify_phase(torch.tensor([[1.0, -1.0]])) == "superposition"
    with pytest.raises(ValueError, match="densities"):
        sp.phase_grid([0.0], [1.0])


def test_cached_sweep_round_trips():
    config = sp.ToyModelConfig(n_features=4, n_hidden=2, steps=50, batch_size=64)
    first, _ = sp.toy_models_run(config, [0.5, 0.9])
    second, _ = sp.toy_models_run(config, [0.5, 0.9])
    assert torch.equal(first.W, second.W)


def test_plateau_counts_find_pairs_and_pentagons():
    angles = torch.arange(5) * 2 * math.pi / 5
    pentagon = torch.stack([angles.cos(), angles.sin()])  # five features in two dimensions
    pair = torch.tensor([[1.0, -1.0]])
    W = torch.block_diag(pentagon, pair, torch.tensor([[1.0]]))  # (4, 8): pentagon, pair, one alone
    counts = sp.dimension_plateaus(torch.cat([W, torch.zeros(4, 1)], 1))  # and one dropped feature
    assert counts == {"1": 1, "1/2": 2, "2/5": 5, "1/3": 0, "other": 0}
    with pytest.raises(ValueError, match="tolerance"):
        sp.dimension_plateaus(W, tolerance=0.2)
