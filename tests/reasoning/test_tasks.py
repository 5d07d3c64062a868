"""The composition task: the table is S3, the scratchpad round-trips, the serial depth is what it says."""

import itertools

import numpy as np
import pytest

from emergent.reasoning import tasks
from emergent.reasoning.tasks import (
    Composition,
    composition_answer,
    composition_prompt,
    format_scratchpad,
    parse_answer,
    random_composition,
    running_effects,
    serial_depth,
)


def test_the_table_is_the_group_of_rearrangements_of_three_cards():
    table = np.array(tasks.TABLE)
    assert (table[0] == np.arange(6)).all() and (
        table[:, 0] == np.arange(6)
    ).all()  # 0 does nothing
    assert all(sorted(row) == list(range(6)) for row in table)  # every row and column a permutation
    for a, b, c in itertools.product(range(6), repeat=3):  # doing things in sequence is associative
        assert table[table[a, b], c] == table[a, table[b, c]]
    assert any(
        table[a, b] != table[b, a] for a, b in itertools.product(range(6), repeat=2)
    )  # not commutative


@pytest.mark.parametrize("length", range(1, tasks.STEPS + 1))
def test_generated_problems_have_the_stated_serial_depth(length):
    rng = np.random.default_rng(length)
    for _ in range(50):
        problem = random_composition(rng, length)
        assert problem.length == length == serial_depth(problem)
        assert problem.running[: tasks.STEPS - length] == "0" * (tasks.STEPS - length)
        assert problem.running[tasks.STEPS - length] != "0"  # the first real step changes something


def test_scratchpad_and_direct_answers_round_trip_through_the_parser():
    rng = np.random.default_rng(0)
    for _ in range(100):
        problem = random_composition(rng, int(rng.integers(1, 9)))
        scratch = parse_answer(composition_answer(problem, "scratchpad"), "scratchpad")
        assert (
            scratch.well_formed
            and scratch.lines == problem.running
            and scratch.answer == problem.answer
        )
        direct = parse_answer(composition_answer(problem, "direct"), "direct")
        assert direct.well_formed and direct.answer == problem.answer
        assert composition_prompt(problem, "scratchpad").endswith(problem.steps + "=")
    assert format_scratchpad("52") == running_effects("52") + ">" + running_effects("52")[-1] + "."
    assert not parse_answer("0123>4", "scratchpad").well_formed  # no '.'
    assert parse_answer("0000005>5.junk", "scratchpad").answer == "5"


def test_bad_input_says_what_to_fix():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="from 1 to 8 steps"):
        random_composition(rng, -1)
    with pytest.raises(ValueError, match="from 1 to 8 steps"):
        random_composition(rng, 9)
    with pytest.raises(ValueError, match="unknown format 'chain'"):
        composition_prompt(Composition("00000012"), "chain")
    with pytest.raises(ValueError, match="8 tokens"):
        Composition("012")
    with pytest.raises(ValueError, match="not a rearrangement"):
        running_effects("07")
    with pytest.raises(ValueError, match="at least one step"):
        format_scratchpad("")
    with pytest.raises(ValueError, match="not in the alphabet"):
        tasks.encode("D0000001=x")
