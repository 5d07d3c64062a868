"""The chapter's readings on small made-up records: no model is trained or loaded."""

import numpy as np
import pytest
from emergent.prediction import forecasts as fc
from emergent.prediction import readings
from emergent.prediction.evidence import Member


class History:
    """The one method of a training history that the memorisation readings use."""

    def __init__(self, **columns):
        self.columns = columns

    def column(self, name):
        return self.columns[name]


def test_every_forecast_method_has_a_source_and_the_line_is_not_informed():
    assert set(readings.SOURCES) == set(fc.METHODS)
    assert "naive_extrapolation" not in readings.INFORMED and len(readings.INFORMED) == 3


def test_names_or_none():
    assert readings.names_or_none(["(a)", "(b)"]) == "(a), (b)"
    assert readings.names_or_none([]) == "none"


def test_loss_law_recovers_an_exact_power_law():
    sizes, (E, A, alpha) = [300, 1_000, 3_000, 10_000, 30_000], (0.05, 40.0, 0.5)
    members = [
        Member(f"m{i}", n, ({"step": 1, "loss_5": E + A * n**-alpha},)) for i, n in enumerate(sizes)
    ]
    law = readings.loss_law(members, 5)
    assert law(100_000) == pytest.approx(E + A * 100_000**-alpha, rel=1e-3)


def test_other_low_data_limits_name_their_limit_and_need_the_members_runs():
    members = [Member("m0", 1_000, ({"step": 1},)), Member("m1", 3_000, ({"step": 1},))]
    finetuned = {
        "parameters": np.array([1_000, 3_000] * 2),
        "examples": np.array([100] * 2 + [1000] * 2),
        "exact": np.zeros(4),
    }  # no model shows the ability: the law cannot decide
    found = readings.other_low_data_limits(members, finetuned, 100_000, limits=(8, 512))
    assert [f.method for f in found] == ["finetuning_law, D0 = 8", "finetuning_law, D0 = 512"]
    assert not any(f.decided for f in found)
    with pytest.raises(ValueError, match="fine-tuned"):
        readings.other_low_data_limits([Member("x", 7, ({"step": 1},))], finetuned, 100_000, (8,))


def test_memorisation_readings_on_a_made_up_run():
    history = History(group_1=[0.0, 0.2, 0.5, 0.95], group_8=[0.0, 0.92, 1.0, 1.0])
    assert readings.frequency_gap(history) == pytest.approx(0.92 - 0.2)
    assert readings.exposures_by_group(history, [1, 8]) == [3, 8]
    runs = {(24, 0): (None, history), (24, 1): (None, History(group_1=[0.0, 0.5]))}
    exposures = readings.exposures_by_width(runs, [24], [0, 1])
    assert exposures == {24: [3, None]}
    assert readings.bounded_by_rounds(exposures, 60) == {24: [3, 61]}


def test_rounds_and_exposures():
    assert readings.rounds_and_exposures([10, 16, 24, 40], [1, 2, 4, 8]) == (True, True)
    assert readings.rounds_and_exposures([10, 8, 12, 16], [1, 2, 4, 8]) == (False, True)
    assert readings.rounds_and_exposures([10, None, 24, 40], [1, 2, 4, 8]) == (False, False)
