"""The addition source has the entropy we claim, and the standard-library split is fixed and disjoint."""

import math
import re

import numpy as np
import pytest

from emergent.compression import sources
from emergent.core import text_corpus


def test_addition_lines_are_correct_sums_with_the_claimed_entropy():
    text = sources.addition_lines(2000, seed=0).decode()
    lines = text.splitlines()
    assert len(lines) == 2000
    for line in lines:
        a, b, c = map(int, re.fullmatch(r"(\d\d)\+(\d\d)=(\d\d\d)", line).groups())
        assert a + b == c
    assert len(text) == 2000 * sources.addition_line_length(2)
    assert sources.addition_entropy_rate(2) == pytest.approx(2 * math.log2(100) / 10)
    # the operands really are uniform: the empirical entropy of the tens digit is close to log2 10
    tens = np.array([int(line[0]) for line in lines])
    counts = np.bincount(tens, minlength=10) / len(tens)
    assert -(counts * np.log2(counts)).sum() == pytest.approx(math.log2(10), abs=0.02)


def test_addition_lines_are_reproducible_and_refuse_bad_input():
    assert sources.addition_lines(50, seed=3) == sources.addition_lines(50, seed=3)
    assert sources.addition_lines(50, seed=3) != sources.addition_lines(50, seed=4)
    with pytest.raises(ValueError, match="digits"):
        sources.addition_lines(5, seed=0, digits=0)
    with pytest.raises(ValueError, match="count"):
        sources.addition_lines(-1, seed=0)


def test_stdlib_split_is_disjoint_and_sized():
    assert not set(text_corpus.STDLIB_TRAIN) & set(text_corpus.STDLIB_TEST)
    train, test = text_corpus.stdlib_split(100_000, 20_000)
    assert len(train) == 100_000 and len(test) == 20_000
    assert test not in train
