"""The two text abilities are read at the right positions, and the noise ceiling behaves as a ceiling."""

import numpy as np
import pytest
import torch

from emergent.prediction.text_abilities import linear_fit, name_targets, reliability_ceiling


def test_a_repeated_name_is_scored_on_the_bytes_after_its_first():
    text = b"abcd = abcd + x; abcdef"
    targets = name_targets(torch.tensor([list(text)]))
    assert targets == [(0, 7, 9)]  # the second "abcd": positions 7..9 predict "bcd"
    row, first, last = targets[0]
    assert bytes(text[first + 1 : last + 2]) == b"bcd"


def test_a_name_cut_off_by_the_window_does_not_count():
    assert name_targets(torch.tensor([list(b"name = 1; nam")])) == []
    assert (
        name_targets(torch.tensor([list(b"name = 1; name")])) == []
    )  # it might go on past the window


def test_the_noise_ceiling_is_one_for_a_noiseless_measure_and_zero_when_halves_disagree():
    x = np.arange(10.0)
    assert reliability_ceiling(x, x) == pytest.approx(1.0)
    assert reliability_ceiling(x, -x) == 0.0
    rng = np.random.default_rng(0)
    truth = rng.normal(size=2000)
    halves = truth + rng.normal(size=2000), truth + rng.normal(size=2000)  # split-half r = 0.5
    assert reliability_ceiling(*halves) == pytest.approx(np.sqrt(2 * 0.5 / 1.5), abs=0.03)


def test_a_line_is_recovered_and_a_constant_is_refused():
    fit = linear_fit([0, 1, 2, 3], [1, 3, 5, 7])
    assert (
        fit["slope"] == pytest.approx(2.0)
        and fit["intercept"] == pytest.approx(1.0)
        and fit["r"] == pytest.approx(1.0)
    )
    with pytest.raises(ValueError, match="does not vary"):
        linear_fit([0, 1, 2], [1, 1, 1])
