"""A sealed forecast is written before the target exists, and the forecaster never trains or reads it."""

import json

import pytest

from emergent.core.seeding import seed_everything
from emergent.prediction import forecasts as fc
from emergent.prediction.evidence import Member, observe
from emergent.prediction.sealing import Target, open_seal, seal, sealed_value
from emergent.scaling.addition import AdditionData
from emergent.core.family import FamilyRecipe
from emergent.scaling.family import (
    family_runs,
    member_is_trained,
    member_shape,
    non_embedding_parameters,
)


@pytest.mark.slow
def test_forecasts_are_made_and_sealed_while_the_target_is_absent_from_the_cache():
    seed_everything(0)
    data, recipe = AdditionData(min_digits=1, max_digits=3, batch_size=16), FamilyRecipe(steps=20)
    seen_sizes, target_shape = (
        [(1, 4), (1, 8), (2, 8), (2, 12)],
        member_shape(2, 32, AdditionData(max_digits=3)),
    )
    assert not member_is_trained(target_shape, data, recipe)
    members = observe(family_runs(seen_sizes, data, recipe, progress=False))
    target = non_embedding_parameters(target_shape)
    forecasts = [
        fc.loss_extrapolation(members, target, digits=3, bootstrap=100),
        fc.loss_threshold(members, target, digits=3, bootstrap=100),
        fc.naive_extrapolation(members, target, digits=3, bootstrap=100),
    ]
    record = seal(
        forecasts, members, [Target("2x32", target, member_is_trained(target_shape, data, recipe))]
    )
    assert not member_is_trained(
        target_shape, data, recipe
    )  # forecasting and sealing trained nothing
    assert record["targets"][0]["trained_before_seal"] is False
    assert [m["name"] for m in record["seen"]] == ["1x4", "1x8", "2x8", "2x12"]
    assert open_seal() == json.loads(json.dumps(record))
    assert sealed_value(open_seal(), "naive_extrapolation", target)["value"] == forecasts[2].value
    family_runs([(2, 32)], data, recipe, progress=False)
    assert member_is_trained(
        target_shape, data, recipe
    )  # and the same check does see it once trained


def test_a_seal_refuses_targets_the_forecaster_has_seen():
    seen = [
        Member("small", 1_000, ({"step": 1, "loss": 1.0},)),
        Member("big", 5_000, ({"step": 1, "loss": 0.5},)),
    ]
    forecast = fc.Forecast("naive_extrapolation", 5_000, 0.2, None, 2)
    with pytest.raises(ValueError, match="larger than every model the forecaster saw"):
        seal([forecast], seen, [Target("big", 5_000, True)])
    with pytest.raises(ValueError, match="not among the targets"):
        seal([forecast], seen, [Target("bigger", 9_000, False)])
    with pytest.raises(ValueError, match="nothing to seal"):
        seal([], seen, [Target("bigger", 9_000, False)])
