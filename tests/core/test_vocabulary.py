"""The shared vocabulary in core: one head-count rule, one character tokenizer, one set of
readings of a jump off a curve."""

import pytest

from emergent.core.models import head_count
from emergent.core.tokens import CharTokenizer
from emergent.core.transitions import first_step_reaching, phase_change_step


@pytest.mark.parametrize(
    "width, heads", [(4, 1), (8, 1), (16, 2), (24, 3), (28, 2), (32, 4), (40, 4), (48, 4), (512, 4)]
)
def test_head_count_aims_for_eight_dimensions_and_divides_the_width(width, heads):
    assert head_count(width) == heads and width % heads == 0


def test_head_count_refuses_a_width_that_is_not_a_positive_whole_number():
    for bad in (0, -8, 8.0, True):
        with pytest.raises(ValueError, match="positive whole number"):
            head_count(bad)


def test_the_tokenizer_round_trips_and_names_a_stranger():
    digits = CharTokenizer("0123456789+=.")
    assert digits.encode("12+3=") == [1, 2, 10, 3, 11] and len(digits) == 13
    assert digits.decode(digits.encode("907+15=922.")) == "907+15=922."
    with pytest.raises(ValueError, match="'x' is not in the alphabet"):
        digits.encode("1x")
    with pytest.raises(ValueError, match="distinct"):
        CharTokenizer("aab")


def test_jump_readings_find_the_step_and_the_level():
    assert phase_change_step([0, 10, 20, 30], [0.0, -0.1, -0.8, -1.0]) == 20
    assert first_step_reaching([0, 10, 20], [0.2, 0.995, 1.0]) == 10
    assert first_step_reaching([0, 10], [0.2, 0.3]) is None
