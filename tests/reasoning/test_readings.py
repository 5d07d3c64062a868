"""The chapter's readings of scored answers, on answers constructed by hand (no model)."""

import numpy as np
import pytest
from emergent.core import claims
from emergent.core.claims import Missing
from emergent.reasoning import readings
from emergent.reasoning.readings import Answers
from emergent.reasoning.tasks import Composition, format_scratchpad, parse_answer

PROBLEM = Composition("00031425")
RIGHT = format_scratchpad(PROBLEM.steps)
WRONG_ANSWER = next(s for s in "012345" if s != PROBLEM.answer)


def scored(texts, form="scratchpad"):
    """What composition_scores returns, for one problem answered by each text."""
    written = [parse_answer(t, form) for t in texts]
    return {
        "problems": [PROBLEM] * len(texts),
        "written": written,
        "correct": np.array([w.answer == PROBLEM.answer for w in written], dtype=float),
    }


def answers():
    small, big = ("width", 8), ("width", 16)
    bad_line = PROBLEM.running[:5] + WRONG_ANSWER * 3
    return Answers(
        {
            (small, "direct", 1): scored([f"{PROBLEM.answer}.", f"{WRONG_ANSWER}."], "direct"),
            (small, "direct", 2): scored([f"{WRONG_ANSWER}.", f"{WRONG_ANSWER}."], "direct"),
            (small, "scratchpad", 1): scored([RIGHT, "0003"]),
            (small, "scratchpad", 2): scored([f"{bad_line}>{WRONG_ANSWER}.", RIGHT]),
            (big, "direct", 1): scored([f"{PROBLEM.answer}."] * 2, "direct"),
            (big, "direct", 2): scored([f"{PROBLEM.answer}."] * 2, "direct"),
            (big, "scratchpad", 1): scored([RIGHT, RIGHT]),
            (big, "scratchpad", 2): scored([RIGHT, RIGHT]),
        }
    )


def test_exact_match_correct_and_limit():
    a = answers()
    assert a.lengths == [1, 2]
    assert a.exact(("width", 8), "direct", 1) == 0.5
    assert a.correct(("width", 8), "scratchpad").tolist() == [1, 0, 0, 1]
    assert a.correct(("width", 8), "scratchpad", [2]).tolist() == [0, 1]
    assert a.limit(("width", 8), "direct") == 0  # never 90%
    assert a.limit(("width", 16), "direct") == 2
    assert a.limit(("width", 8), "direct", level=0.5) == 1
    with pytest.raises(KeyError, match="no scores"):
        a.exact(("width", 99), "direct", 1)
    with pytest.raises(ValueError, match="format"):
        Answers({(("width", 8), "chatty", 1): {}})


def test_well_formed_lines_and_mistakes():
    a = answers()
    assert a.well_formed(("width", 8)) == 0.75  # one answer of four is "0003"
    lines = a.line_by_line(("width", 8))
    assert lines[:5].tolist() == [1, 1, 1, 1, 1]  # the botched answer is right up to line 5
    assert lines[5] == pytest.approx(2 / 3)  # then one of the three well-formed answers goes wrong
    assert lines[6] == 1.0  # among those still right, the rest are right
    assert a.line_by_line(("width", 16)).tolist() == [1.0] * 8
    mistakes = a.mistakes(("width", 8))
    assert mistakes == {(1, 0): None, (1, 1): "format", (2, 0): "wrong step", (2, 1): None}
    assert readings.count_kinds(mistakes) == {
        "format": 1,
        "step missing": 0,
        "wrong step": 1,
        "copy": 0,
    }
    with pytest.raises(ValueError, match="unknown kinds"):
        readings.count_kinds({(1, 0): "typo"})


def test_crossover_names_the_first_paying_member_or_says_why_not():
    size = {8: 1_000, 16: 4_000, 32: 16_000}
    gain = {
        8: claims.exact(0.0),
        16: claims.Estimate(0.2, 0.1, 0.3, "bootstrap", 10),
        32: claims.Estimate(0.5, 0.4, 0.6, "bootstrap", 10),
    }
    assert readings.first_paying(gain) == 16
    assert readings.crossover(gain, size) == claims.exact(4_000)
    every = {w: claims.Estimate(0.2, 0.1, 0.3, "bootstrap", 10) for w in size}
    assert "every size tried" in readings.crossover(every, size).reason
    assert "1,000" in readings.crossover(every, size).reason
    none = {w: claims.exact(0.0) for w in size}
    assert readings.first_paying(none) is None
    assert isinstance(readings.crossover(none, size), Missing)
    with pytest.raises(ValueError, match="same members"):
        readings.crossover(gain, {8: 1})


def test_depth_gain_and_note():
    limits = {1: 2, 2: 3, 4: 0}
    assert readings.depth_gain(limits, [1, 2]) == claims.exact(1)
    assert isinstance(readings.depth_gain(limits, [1]), Missing)
    assert (
        readings.depth_note(limits, [1, 2])
        == "1 layer: 2, 2 layers: 3; left out, not trained: 4 layers"
    )
    assert readings.depth_note({1: 2, 2: 3}, [1, 2]) == "1 layer: 2, 2 layers: 3"


def test_share_fixed_and_sharpest_jump():
    assert readings.share_fixed([1, 0, 1, 1]).value == 0.75
    assert isinstance(readings.share_fixed([1]), Missing)
    assert readings.sharpest_jump({4: 0.0, 8: 0.05, 16: 0.8, 32: 0.9}) == (8, 16)
    assert readings.sharpest_jump({4: 0.0, 8: 0.3, 16: 0.8}) is None
