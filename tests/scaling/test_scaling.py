import math

import numpy as np
import pytest

from emergent.scaling import laws as scaling
from emergent.core.checks import CheckFailed
from emergent.scaling import exercises


def test_power_law_fit_recovers_known_parameters_with_honest_error_bars():
    n = np.geomspace(1e3, 1e6, 8)
    noise = np.exp(np.random.default_rng(0).normal(0, 0.01, len(n)))
    loss = scaling.power_law(n, 0.5, 30.0, 0.4) * noise
    fit = scaling.fit_power_law(n, loss, bootstrap=100)
    assert abs(fit.alpha - 0.4) < 3 * fit.alpha_err + 0.02
    assert abs(fit.E - 0.5) < 0.1
    assert fit.alpha_interval[0] < fit.alpha < fit.alpha_interval[1]
    assert 0 < fit.alpha_err < 0.2


def test_pure_power_law_slope():
    a, k = scaling.fit_pure_power_law([1, 10, 100], [2, 20, 200])
    assert a == pytest.approx(1.0) and k == pytest.approx(2.0)


def test_published_allocations():
    n, d = scaling.kaplan_allocation(10)
    assert n == pytest.approx(10**0.73) and n * d == pytest.approx(10)
    assert 5.0 < n < 5.6 and 1.7 < d < 2.0  # "5.5x parameters, 1.8x data"
    n, d = scaling.allocate(10, 0.5)
    assert n == pytest.approx(math.sqrt(10)) == d  # Chinchilla's equal split: 3.16x each
    assert scaling.chinchilla_exponent() == pytest.approx(0.28 / 0.62)


def test_chinchilla_closed_form_is_the_minimum_on_the_isoflop_line():
    compute = 5.76e23
    n_opt, d_opt = scaling.chinchilla_optimum(compute)
    assert 6 * n_opt * d_opt == pytest.approx(compute)
    grid = np.geomspace(n_opt / 10, n_opt * 10, 2001)
    losses = scaling.chinchilla_loss(grid, compute / (6 * grid))
    assert grid[np.argmin(losses)] == pytest.approx(n_opt, rel=0.01)


def test_isoflop_parabola_finds_the_valley_and_refuses_a_hill():
    n = np.geomspace(1e3, 1e5, 5)
    loss = 0.3 * (np.log(n) - np.log(8e3)) ** 2 + 1.0
    n_opt, l_opt = scaling.isoflop_optimum(n, loss)
    assert n_opt == pytest.approx(8e3, rel=1e-6) and l_opt == pytest.approx(1.0)
    with pytest.raises(ValueError, match="convex"):
        scaling.isoflop_optimum(n, -loss + 5)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least 4"):
        scaling.fit_power_law([1, 2, 3], [3, 2, 1])
    with pytest.raises(ValueError, match="positive"):
        scaling.fit_power_law([1, 2, 3, 4], [3, 2, 0, 1])
    with pytest.raises(ValueError, match="n_exponent"):
        scaling.allocate(10, 1.2)
    with pytest.raises(ValueError, match="compute"):
        scaling.chinchilla_optimum(-1)
    with pytest.raises(ValueError):
        scaling.steps_for_budget(1e10, 0, 100)


def test_exercise_checks_pass_the_reference_and_catch_mistakes():
    assert exercises.check_fit_power_law(scaling.fit_pure_power_law)
    assert exercises.check_allocate(scaling.allocate)
    assert exercises.check_chinchilla_optimum(scaling.chinchilla_optimum)

    def two_point(x, y):  # uses only the end points
        a = math.log(y[-1] / y[0]) / math.log(x[-1] / x[0])
        return a, y[0] / x[0] ** a

    with pytest.raises(CheckFailed, match="Case [23]"):
        exercises.check_fit_power_law(two_point)
    with pytest.raises(CheckFailed, match="multiply"):
        exercises.check_allocate(lambda f, a: (f**a, f**a))
    with pytest.raises(CheckFailed, match="Case 1"):
        exercises.check_chinchilla_optimum(lambda c: (math.sqrt(c / 120), math.sqrt(c / 120) * 20))


@pytest.mark.slow
def test_bigger_models_learn_text_faster_and_the_sweep_spends_its_budget(tmp_path):
    from emergent.scaling.isoflop import isoflop_sweep
    from emergent.core.seeding import seed_everything

    seed_everything(0)  # fixes torch threads: oversubscribed cores make tiny models crawl
    from emergent.scaling.text_data import TextData

    data = TextData(block=32, batch_size=16, train_bytes=200_000, test_bytes=20_000)
    rows = isoflop_sweep({6e7: [(1, 4), (2, 32)]}, data, progress=False)
    for row in rows:
        one_step = 6 * row["N"] * data.tokens_per_batch
        assert (
            abs(6 * row["N"] * row["D"] - 6e7) <= one_step / 2 + 1
        )  # C = 6 N D, to the nearest step
        assert 0 < row["loss"] < math.log(256)
    equal_steps = isoflop_sweep({6 * 25472 * 512 * 60: [(2, 32)]}, data, progress=False)
    small = isoflop_sweep({6 * 252 * 512 * 60: [(1, 4)]}, data, progress=False)
    assert equal_steps[0]["steps"] == small[0]["steps"] == 60
    assert equal_steps[0]["loss"] < small[0]["loss"] - 0.2  # same data, bigger model, lower loss
    with pytest.raises(ValueError, match="empty"):
        isoflop_sweep({}, data)


def test_lack_of_fit_tells_a_bent_curve_from_seed_noise():
    rng = np.random.default_rng(0)
    n = np.geomspace(1e3, 1e5, 6)
    smooth = scaling.power_law(n, 0.1, 50.0, 0.5)
    noisy = smooth * np.exp(rng.normal(0, 0.05, (3, len(n))))  # three seeds around one law
    fit = scaling.fit_power_law(n, noisy.mean(axis=0), bootstrap=0)
    assert scaling.lack_of_fit(n, noisy, fit)[1] > 0.05
    knee = np.array([2.0, 1.9, 1.8, 0.05, 0.045, 0.04]) * np.exp(rng.normal(0, 0.05, (3, 6)))
    fit = scaling.fit_power_law(n, knee.mean(axis=0), bootstrap=0)
    F, p = scaling.lack_of_fit(n, knee, fit)
    assert F > 10 and p < 0.01
    with pytest.raises(ValueError, match="at least 2 seeds"):
        scaling.lack_of_fit(n, knee[:1], fit)


def test_parametric_fit_recovers_a_known_surface_and_its_exponent():
    rng = np.random.default_rng(0)
    n = np.repeat(np.geomspace(1e3, 1e5, 4), 4)
    d = np.tile(np.geomspace(1e6, 1e8, 4), 4)
    truth = scaling.chinchilla_loss(n, d, E=0.8, A=60.0, B=900.0, alpha=0.4, beta=0.35)
    fit = scaling.fit_parametric_loss(n, d, truth * np.exp(rng.normal(0, 0.002, len(n))))
    assert fit.alpha == pytest.approx(0.4, abs=0.05) and fit.beta == pytest.approx(0.35, abs=0.05)
    assert fit.a == pytest.approx(0.35 / 0.75, abs=0.04)
    assert len(fit.a_refits) == 200 and np.all(np.isfinite(fit.a_refits))
    assert np.quantile(fit.a_refits, 0.05) < fit.a < np.quantile(fit.a_refits, 0.95)
    with pytest.raises(ValueError, match="at least 6 points"):
        scaling.fit_parametric_loss(n[:5], d[:5], truth[:5])
