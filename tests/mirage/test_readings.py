import numpy as np
import pytest
from emergent.mirage import readings


def _scores(models=4, lengths=2, items=10):
    """Scores shaped as score_family returns them: (models, lengths) means and per-item arrays."""
    rng = np.random.default_rng(0)
    means = {key: rng.random((models, lengths)) for key, _ in readings.ORIENTED.values()}
    return {**means, "p_geometric": rng.random((models, lengths))}


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
    scores = {
        "exact_match": np.array([[0, 0, 0, 1]], dtype=float).T,  # (models, lengths)
        "edit_distance": np.array([[3, 2, 1, 0]], dtype=float).T,  # falls by one each step
    }
    assert readings.step_share_gap(scores, 0) == pytest.approx(1 - 1 / 3)


def test_per_token_loss_is_minus_the_log_of_the_geometric_mean_probability():
    scores = _scores()
    assert np.allclose(readings.per_token_loss(scores, 1), -np.log(scores["p_geometric"][:, 1]))


def test_a_power_law_has_one_local_exponent_and_a_knee_does_not():
    n = np.geomspace(1e3, 1e5, 6)
    smooth = 5.0 * n**-0.3
    assert np.allclose(readings.local_exponents(n, smooth), -0.3)
    assert readings.steepest_to_typical(n, smooth) == pytest.approx(1.0)
    knee = np.array([2.0, 1.9, 1.8, 0.05, 0.045, 0.04])  # one step holds most of the fall
    assert readings.steepest_to_typical(n, knee) > 10
    flat_then_drop = np.array([1.0, 1.0, 1.0, 1.0, 0.1, 0.1])  # median fall 0: floored, not inf
    assert np.isfinite(readings.steepest_to_typical(n, flat_then_drop))
    with pytest.raises(ValueError, match="increasing"):
        readings.local_exponents(n[::-1], smooth)
