"""The three shapes of scaling, from one smooth skill combined three ways."""

import numpy as np
import pytest

from emergent.core.checks import CheckFailed
from emergent.emergence import exercises as emergence
from emergent.emergence.shapes import (
    multistep_accuracy,
    skill,
    smooth_accuracy,
    u_shape_bottom,
    u_shaped_accuracy,
)

SCALE = np.linspace(18, 26, 801)  # log10 training FLOPs


def steepest_slope(curve):
    return float(np.max(np.diff(curve) / np.diff(SCALE)))


def test_skill_is_a_logistic():
    assert skill(22.0, midpoint=22.0) == pytest.approx(0.5)
    assert np.all(np.diff(skill(SCALE, 22.0, 0.7)) > 0)
    with pytest.raises(ValueError, match="slope"):
        skill(SCALE, 22.0, slope=0)


def test_smooth_is_monotone_and_starts_at_chance():
    curve = smooth_accuracy(SCALE, chance=0.25)
    assert np.all(np.diff(curve) > 0)
    assert smooth_accuracy(12.0, chance=0.25) == pytest.approx(0.25, abs=0.01)


def test_more_steps_look_more_emergent():
    one, five, ten = (multistep_accuracy(SCALE, k=k) for k in (1, 5, 10))
    # flat for longer: at a middling scale the multi-step task is still near zero
    middle = np.searchsorted(SCALE, 21.0)
    assert ten[middle] < five[middle] < 0.05 < one[middle]
    # and steeper where it finally rises (relative to its final value)
    assert (
        steepest_slope(ten / ten[-1])
        > steepest_slope(five / five[-1])
        > steepest_slope(one / one[-1])
    )
    with pytest.raises(ValueError, match="sub-step"):
        multistep_accuracy(SCALE, k=0)


def test_u_shape_dips_below_chance_then_recovers():
    curve = u_shaped_accuracy(SCALE, chance=0.5)
    assert u_shaped_accuracy(14.0, chance=0.5) == pytest.approx(0.5, abs=0.01)
    assert curve.min() < 0.3
    assert curve[-1] > 0.95
    bottom, value = u_shape_bottom()
    assert 20.5 < bottom < 23.5
    assert value == pytest.approx(curve.min(), abs=1e-3)
    assert SCALE[np.argmin(curve)] == pytest.approx(bottom, abs=0.02)


def test_u_shape_needs_the_distractor_first():
    with pytest.raises(ValueError, match="no U-shape"):
        u_shape_bottom(true_midpoint=20.0, distractor_midpoint=22.0)
    with pytest.raises(ValueError, match="chance"):
        u_shaped_accuracy(SCALE, chance=1.5)


def test_check_u_shape_bottom():
    assert emergence.check_u_shape_bottom(lambda **kw: u_shape_bottom(**kw)[0])

    def midpoint_guess(true_midpoint, distractor_midpoint, slope, chance):
        return (true_midpoint + distractor_midpoint) / 2

    with pytest.raises(CheckFailed, match="minimise"):
        emergence.check_u_shape_bottom(midpoint_guess)
