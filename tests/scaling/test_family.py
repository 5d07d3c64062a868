"""The addition family's shape rule: along the size axis only the width (and with it the head count)
changes, never the heads' size or the depth."""

import pytest

from emergent.scaling.family import (
    HEAD_DIM,
    default_data,
    default_recipe,
    family_seeds,
    family_sizes,
    member_shape,
    seeded,
)


@pytest.mark.parametrize("name", ["default", "full"])
def test_family_shapes_have_one_head_dimension_and_one_depth(name, monkeypatch):
    monkeypatch.setenv("EMERGENT_PROFILE", name)
    data = default_data()
    shapes = [member_shape(n_layer, n_embd, data) for n_layer, n_embd in family_sizes()]
    seeds = family_seeds()
    assert {shape.n_embd // shape.n_head for shape in shapes} == {HEAD_DIM}
    assert all(shape.n_embd % shape.n_head == 0 for shape in shapes)
    assert len({shape.n_layer for shape in shapes}) == 1, "one depth for the whole family"
    widths = [shape.n_embd for shape in shapes]
    assert widths == sorted(widths) and len(set(widths)) == len(widths), (
        "smallest first, no repeats"
    )
    assert len(seeds) >= 3, "every member is trained with at least three seeds"


def test_a_width_that_is_not_a_whole_number_of_heads_is_refused():
    data = default_data()
    with pytest.raises(ValueError, match="multiple of 4"):
        member_shape(2, 30, data)
    with pytest.raises(ValueError, match="at least 4"):
        member_shape(2, 2, data)


def test_each_seed_draws_its_own_batches_and_weights():
    data, recipe = seeded(default_data(), default_recipe(), 2)
    assert (data.seed, recipe.seed) == (2, 2)
    assert data.with_(seed=0) == default_data() and recipe.with_(seed=0) == default_recipe()
    with pytest.raises(ValueError, match="seed"):
        seeded(default_data(), default_recipe(), -1)
