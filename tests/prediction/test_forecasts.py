"""The four forecasts recover known answers from synthetic records, refuse to look backwards, and say
when they cannot decide; the forecaster never touches the model it forecasts."""

import numpy as np
import pytest

from emergent.core.checks import CheckFailed
from emergent.core.claims import from_draws
from emergent.prediction import exercises
from emergent.prediction import forecasts as fc
from emergent.prediction.evidence import Member
from emergent.scaling.laws import power_law

SIZES = [300, 1_000, 3_000, 10_000, 30_000]
TARGET = 100_000


def members_from(loss_5, exact_5, overall=None, checkpoints=None):
    """Members whose final scores are given; ``checkpoints[i]`` adds earlier rows of member i."""
    overall = loss_5 if overall is None else overall
    result = []
    for i, n in enumerate(SIZES):
        rows = list(checkpoints[i]) if checkpoints else []
        rows.append({"step": 1000, "loss": overall[i], "loss_5": loss_5[i], "exact_5": exact_5[i]})
        result.append(Member(f"m{i}", n, tuple(rows)))
    return result


def test_loss_extrapolation_recovers_p_to_the_L_of_an_exact_power_law():
    truth = (0.05, 40.0, 0.5)  # E, A, alpha
    loss = power_law(np.array(SIZES), *truth)
    forecast = fc.loss_extrapolation(members_from(loss, [0.0] * 5), TARGET, digits=5)
    expected = np.exp(-6 * power_law(TARGET, *truth))
    assert forecast.value == pytest.approx(expected, rel=0.02)
    estimate = forecast.estimate()
    assert estimate.low <= forecast.value <= estimate.high and estimate.high - estimate.low < 0.05


def test_loss_threshold_recovers_a_planted_hinge():
    threshold, slope = 1.0, 1.5
    truth = (0.0, 60.0, 0.45)
    final = power_law(np.array(SIZES), *truth)
    checkpoints = []
    for f in final:  # each member's loss falls from 3 to its final value over four checkpoints
        losses = np.linspace(3.0, f, 5)[:-1]
        checkpoints.append(
            [
                {
                    "step": 200 * (k + 1),
                    "loss": x,
                    "loss_5": x,
                    "exact_5": float(fc.hinge(x, threshold, slope)),
                }
                for k, x in enumerate(losses)
            ]
        )
    members = members_from(
        final, [float(fc.hinge(x, threshold, slope)) for x in final], checkpoints=checkpoints
    )
    forecast = fc.loss_threshold(members, TARGET, digits=5, bootstrap=100)
    assert forecast.decided
    assert forecast.value == pytest.approx(
        float(fc.hinge(power_law(TARGET, *truth), threshold, slope)), abs=0.03
    )


def test_loss_threshold_cannot_decide_before_any_checkpoint_crosses_and_says_so():
    final = [
        2.4,
        2.2,
        2.0,
        1.7,
        1.4,
    ]  # steeply falling: the target's loss lies below every loss seen
    forecast = fc.loss_threshold(members_from(final, [0.0] * 5), TARGET, digits=5, bootstrap=100)
    assert not forecast.decided and "cannot say" in forecast.note
    assert (forecast.estimate().low, forecast.estimate().high) == (0.0, 1.0)


def test_finetuning_law_recovers_the_onset_it_was_made_from():
    onset, shift, slope, reference = 5.0, 0.5, 1.2, 64.0
    sizes = np.repeat([1e3, 3e3, 1e4, 3e4], 4)
    examples = np.tile([0, 1e3, 1e4, 1e5], 4)
    exact = fc.emergence_law(np.log10(sizes), examples, onset, shift, slope, reference)
    forecast = fc.finetuning_law(sizes, examples, exact, TARGET, reference=reference, bootstrap=50)
    assert forecast.value == pytest.approx(
        float(fc.emergence_law(5.0, 0, onset, shift, slope, reference)), abs=0.05
    )
    assert fc.fit_emergence_law(np.log10(sizes), examples, exact, reference)[0] == pytest.approx(
        onset, abs=0.1
    )


def test_naive_extrapolation_continues_the_line_through_the_last_three():
    x = np.log10(SIZES)
    exact = np.clip(0.2 * (x - x[0]), 0, 1)
    forecast = fc.naive_extrapolation(members_from([1.0] * 5, exact), TARGET, digits=5)
    assert forecast.value == pytest.approx(min(1.0, 0.2 * (np.log10(TARGET) - x[0])), abs=1e-9)


def test_forecasts_look_ahead_only_and_name_what_is_missing():
    members = members_from([1.0] * 5, [0.0] * 5)
    with pytest.raises(ValueError, match="must be larger than every model"):
        fc.loss_extrapolation(members, 10_000, digits=5)
    abstained = fc.loss_extrapolation(members[:3], TARGET, digits=5)
    assert not abstained.decided and "fewer than four sizes" in abstained.note
    assert not fc.loss_threshold(members[:3], TARGET, digits=5).decided
    with pytest.raises(KeyError, match="exact_3"):
        fc.naive_extrapolation(members, TARGET, digits=3)
    with pytest.raises(ValueError, match="at least 1 token"):
        fc.exact_match_from_loss(0.2, 0)
    with pytest.raises(ValueError, match="no checkpoints"):
        Member("empty", 100, ())


def test_error_interval_covers_both_uncertainties():
    members = members_from(power_law(np.array(SIZES), 0.05, 40.0, 0.5), [0.0] * 5)
    forecast = fc.loss_extrapolation(members, TARGET, digits=5)
    measured_draws = np.random.default_rng(0).binomial(500, 0.8, 2000) / 500
    measured = from_draws(0.8, measured_draws, 500)
    error = forecast.error(measured, measured_draws)
    assert error.value == pytest.approx(forecast.value - 0.8)
    assert error.high - error.low > measured.high - measured.low - 1e-9


def test_exercise_checks_accept_the_reference_and_name_a_wrong_case():
    assert exercises.check_extrapolate_power_law(fc.extrapolate_power_law)
    assert exercises.check_exact_match_from_loss(fc.exact_match_from_loss)
    with pytest.raises(CheckFailed, match="Case"):
        exercises.check_exact_match_from_loss(lambda loss, tokens: np.exp(-loss) * tokens)
