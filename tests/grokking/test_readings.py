"""Readings of a grokking run's log: exact on a small constructed History, and 'not measured'
where the run never got there."""

import pytest
from emergent.core import claims
from emergent.core.chapter import NotMeasured
from emergent.core.training import History
from emergent.grokking import readings


def logged(rows):
    """A History whose evaluations are ``rows`` (dicts with the columns the readings use)."""
    return History(evaluations=[dict(row) for row in rows])


def run(train_acc, test_acc, test_loss, restricted_loss, excluded_loss, every=100):
    rows = zip(train_acc, test_acc, test_loss, restricted_loss, excluded_loss)
    return logged(
        {
            "step": i * every,
            "seconds": i * 0.5,
            "train_acc": a,
            "test_acc": b,
            "test_loss": c,
            "restricted_loss": d,
            "excluded_loss": e,
        }
        for i, (a, b, c, d, e) in enumerate(rows)
    )


# memorised at step 100, restricted loss under 1 nat at 200, test loss at 400, generalised at 400
GROKKED = run(
    train_acc=[0.1, 1.0, 1.0, 1.0, 1.0],
    test_acc=[0.0, 0.0, 0.1, 0.5, 1.0],
    test_loss=[4.0, 5.0, 4.0, 2.0, 0.5],
    restricted_loss=[4.0, 3.0, 0.9, 0.5, 0.2],
    excluded_loss=[4.0, 0.1, 0.3, 1.0, 2.5],
)
# memorises, never generalises, and its restricted loss never falls below 1 nat
STUCK = run(
    train_acc=[0.1, 1.0, 1.0],
    test_acc=[0.0, 0.0, 0.0],
    test_loss=[4.0, 5.0, 6.0],
    restricted_loss=[4.0, 3.0, 2.0],
    excluded_loss=[4.0, 0.1, 0.1],
)


def test_exact_or_missing_gives_an_exact_estimate_or_the_reason():
    assert readings.exact_or_missing(212, "never") == claims.exact(212)
    assert readings.exact_or_missing(None, "not reached in 300 steps") == claims.Missing(
        "not reached in 300 steps"
    )
    with pytest.raises(ValueError):
        readings.exact_or_missing(None, "")


def test_phase_line_reads_steps_and_seconds():
    line = readings.phase_line(
        2, {"steps_to_memorise": 100, "steps_to_generalise": 400, "seconds_to_generalise": 2.0}
    )
    assert line == (
        "seed 2: memorised at step 100, generalised at step 400 (2.0 s of training on this machine)"
    )
    never = {"steps_to_memorise": 100, "steps_to_generalise": None, "seconds_to_generalise": None}
    assert readings.phase_line(0, never).endswith("generalised at step None (not in budget)")
    with pytest.raises(KeyError, match="grokking.phases"):
        readings.phase_line(0, {"steps_to_memorise": 100})


def test_first_below_and_excluded_at():
    assert readings.first_below(GROKKED, "restricted_loss") == 200
    assert readings.first_below(GROKKED, "test_loss") == 400
    assert readings.first_below(GROKKED, "test_loss", level=5.0) == 0
    assert readings.first_below(STUCK, "restricted_loss") is None
    assert readings.excluded_at(GROKKED, 300) == 1.0
    with pytest.raises(ValueError, match="not evaluated"):
        readings.excluded_at(GROKKED, 250)


def test_progress_reading_of_a_run_that_grokked():
    reading = readings.progress_reading(GROKKED)
    assert reading["lead"] == pytest.approx(400 / 200)
    assert reading["excluded_at_memorise"] == 0.1 and reading["excluded_at_generalise"] == 2.5
    assert reading["rise"] == pytest.approx(2.4)
    assert (reading["restricted_end"], reading["test_end"]) == (0.2, 0.5)
    assert readings.describe_progress(reading) == (
        "test loss < 1 nat at step 400, restricted loss at step 200; "
        "excluded loss 0.100 at memorisation -> 2.500 at generalisation"
    )


def test_progress_reading_of_a_run_that_never_got_there_is_none():
    reading = readings.progress_reading(STUCK)
    assert reading["lead"] is None and reading["rise"] is None
    assert readings.describe_progress(reading).endswith("it did not both memorise and generalise")
    leads = [readings.progress_reading(h)["lead"] for h in (GROKKED, STUCK)]
    assert claims.over_seeds(leads, missing="some seed never got there") == claims.Missing(
        "some seed never got there"
    )


def test_measured_text_for_prose():
    seeds = claims.Claim(
        "k", "says", "", claims.Estimate(1.5, 1.25, 1.75, "seeds", 3), "x", claims.new(), "new"
    )
    assert readings.measured_text(seeds) == "1.50 (90% interval 1.25 to 1.75)"
    assert readings.measured_text(seeds, 1, signed=True, unit="nats") == (
        "+1.5 nats (90% interval +1.2 to +1.8)"
    )
    exact = claims.Claim("k", "says", "", claims.exact(212), "steps", claims.new(), "new")
    assert readings.measured_text(exact, digits=0) == "212"
    missing = NotMeasured("k", "says", "", "not reached in 300 steps")
    assert readings.measured_text(missing) == "not measured (not reached in 300 steps)"
    with pytest.raises(TypeError):
        readings.measured_text(1.5)
