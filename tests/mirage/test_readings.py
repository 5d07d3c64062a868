import numpy as np
import pytest
from emergent.mirage import readings
from emergent.mirage.metrics import emergence_score


def _scores(models=4, lengths=2, items=10):
    """Scores shaped as score_family returns them: (models, lengths) means and per-item arrays."""
    rng = np.random.default_rng(0)
    per_item = {block: rng.random((models, lengths, items)) for block in readings.ITEM_BLOCKS}
    means = {key: rng.random((models, lengths)) for key, _ in readings.ORIENTED.values()}
    return {**means, **per_item}


def test_oriented_metrics_negate_edit_distance_only():
    scores = _scores()
    oriented = readings.oriented_metrics(scores)
    assert np.array_equal(oriented["- edit distance"], -scores["edit_distance"])
    assert np.array_equal(oriented["exact match"], scores["exact_match"])
    with pytest.raises(KeyError, match="score_family"):
        readings.oriented_metrics({"exact_match": scores["exact_match"]})


def test_emergence_table_scores_every_length():
    scale = [1, 2, 3, 4]
    jump = np.array(
        [[0.0, 0.0], [0.0, 0.1], [0.0, 0.2], [1.0, 0.3]]
    )  # a jump, then a straight line
    table = readings.emergence_table(scale, {"m": jump}, resolution=0.01)
    assert table["m"][0] == pytest.approx(
        100.0
    )  # all in one step; the median step is floored at 0.01
    assert table["m"][1] == pytest.approx(3.0)  # a straight line over n models scores n - 1
    assert "L=2" in readings.format_table(table, [2, 3])


def test_item_columns_and_ratios_agree_with_the_scores_of_the_means():
    scores, models = _scores(), 4
    rows = readings.item_columns(scores, 1)
    assert rows.shape == (10, 4 * models)
    ratios = readings.EmergenceRatios(np.arange(1, models + 1), resolution=0.1)
    exact = emergence_score(ratios.scale, scores["exact_match_items"][:, 1].mean(axis=1), 0.1)
    edit = emergence_score(ratios.scale, -scores["edit_distance_items"][:, 1].mean(axis=1), 0.1)
    assert ratios.exact_match(rows) == pytest.approx(exact)
    assert ratios.edit_distance(rows) == pytest.approx(edit)
    assert ratios.sharp_to_smooth(rows) == pytest.approx(exact / edit)
    with pytest.raises(ValueError, match="models"):
        ratios.score(rows)


def test_first_above_finds_the_knee_and_refuses_a_flat_curve():
    assert readings.first_above([0.0, 0.01, 0.3, 0.9], 0.05) == 2
    with pytest.raises(ValueError, match="never rises"):
        readings.first_above([0.0, 0.01], 0.05)


def test_largest_step_share_tells_a_jump_from_a_line_without_a_floor():
    from emergent.mirage.readings import largest_step, largest_step_share

    assert largest_step_share([0, 0, 0, 1]) == 1.0  # all in one step
    assert largest_step_share([0, 1, 2, 3, 4]) == pytest.approx(0.25)  # a line: 1 / (n - 1)
    assert largest_step_share([0.5, 0.5, 0.5]) == 0.0
    assert largest_step([0.1, 0.5, 0.98, 1.0]) == 1
    with pytest.raises(ValueError, match="at least two models"):
        largest_step_share([1.0])


def test_step_share_gap_is_positive_when_exact_match_jumps_and_edit_distance_falls_steadily():
    from emergent.mirage.readings import EmergenceRatios

    ratios = EmergenceRatios(np.array([1.0, 2.0, 4.0, 8.0]), resolution=0.01)
    exact = np.array([[0, 0, 0, 1]] * 5, dtype=float)  # (items, models)
    edit = np.array([[3, 2, 1, 0]] * 5, dtype=float)  # falls by one each step
    rows = np.concatenate([exact, edit, exact, exact], axis=1)
    assert ratios.step_share_gap(rows) == pytest.approx(1 - 1 / 3)
