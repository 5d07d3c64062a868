"""The mixture readings on a constructed grid whose means and verdicts are known by hand."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from emergent.grokking import mixture_readings as readings

TASKS, WIDTHS, LOOKUPS, SEEDS = (100, 300), (16, 64), (0, 400), (0, 1)

# mean test accuracy by (width, addition examples): a threshold in the data, and at 300 examples
# the narrow network fails where the wide one generalises
TEST = {(16, 100): 0.1, (16, 300): 0.4, (64, 100): 0.2, (64, 300): 0.95}
LOOKUP = {16: 0.8, 64: 1.0}  # wider memorises more of the lookup table
COMPETITION = {0: 0.9, 400: 0.5}


def task_rows():
    rows = []
    for (h, t), mean in TEST.items():
        for seed, shift in zip(SEEDS, (-0.02, 0.02)):
            rows.append(
                {
                    "task_examples": t,
                    "hidden": h,
                    "seed": seed,
                    "test_acc": mean + shift,
                    "lookup_train_acc": LOOKUP[h],
                    "task_train_acc": 1.0 if h == 64 else 0.97,
                }
            )
    return rows


def competition_rows():
    return [
        {
            "lookup_examples": n,
            "seed": seed,
            "test_acc": mean + shift,
            "lookup_train_acc": float("nan") if n == 0 else 0.9,
        }
        for n, mean in COMPETITION.items()
        for seed, shift in zip(SEEDS, (-0.1, 0.1))
    ]


def read():
    return readings.read_mixture(task_rows(), competition_rows(), TASKS, WIDTHS, LOOKUPS)


def test_means_are_taken_over_seeds_and_ignore_missing_lookup_accuracy():
    assert readings.mean_over_seeds(
        task_rows(), "test_acc", task_examples=300, hidden=64
    ) == pytest.approx(0.95)
    assert readings.seed_values(competition_rows(), "test_acc", lookup_examples=0) == pytest.approx(
        [0.8, 1.0]
    )
    assert readings.mean_over_seeds(
        competition_rows(), "lookup_train_acc", lookup_examples=400
    ) == pytest.approx(0.9)


def test_read_mixture_lays_the_grid_out_by_width_then_addition_examples():
    means = read()
    assert means.test == pytest.approx(np.array([[0.1, 0.4], [0.2, 0.95]]))
    assert means.lookup_memorised == pytest.approx([0.8, 1.0])
    assert means.competition == pytest.approx([0.9, 0.5])
    assert means.emerging == (300,)
    assert means.task_memorised == pytest.approx(0.97)  # the narrow network holds 97%


def test_the_five_readings_follow_their_rules():
    verdicts = readings.supported(read())
    assert verdicts == {
        "threshold": False,  # the narrow network stays under 90% with the most data
        "memorise_more": True,
        "emergence_with_width": True,
        "width_not_data": True,
        "competition": True,
    }


def test_no_emergence_leaves_nothing_memorised_to_report():
    flat = [dict(r, test_acc=0.3) for r in task_rows()]
    means = readings.read_mixture(flat, competition_rows(), TASKS, WIDTHS, LOOKUPS)
    assert means.emerging == () and means.task_memorised is None
    assert readings.supported(means)["emergence_with_width"] is False


def test_paired_gaps_subtract_within_each_seed():
    gaps = readings.paired_gaps(
        task_rows(), SEEDS, {"hidden": 64}, {"hidden": 16}, task_examples=300
    )
    assert gaps == pytest.approx([0.55, 0.55])
    gaps = readings.paired_gaps(
        competition_rows(), SEEDS, {"lookup_examples": 0}, {"lookup_examples": 400}
    )
    assert gaps == pytest.approx([0.4, 0.4])


def test_text_forms():
    assert readings.percentages([0.1, 0.955]) == "10%, 96%"
    assert readings.percentages([0.9, 0.5], [0, 400]) == "0: 90%, 400: 50%"
    assert readings.point_changes([0.9, 0.85, 0.9]) == "-5.0, +5.0"
    table = readings.accuracy_table(read()).splitlines()
    assert len(table) == 3 and table[2].split()[-2:] == ["20%", "95%"]


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="no row has"):
        readings.seed_values(task_rows(), "test_acc", hidden=999)
    with pytest.raises(KeyError, match="no column"):
        readings.seed_values(task_rows(), "test_acc", depth=2)
    with pytest.raises(ValueError, match="at least two widths"):
        readings.read_mixture(task_rows(), competition_rows(), TASKS, (16,), LOOKUPS)
    with pytest.raises(ValueError, match="labels"):
        readings.percentages([0.1], [1, 2])
    with pytest.raises(ValueError, match="two values"):
        readings.point_changes([0.5])


def test_the_grid_is_drawn_in_percent():
    fig, ax = plt.subplots()
    image = readings.draw_accuracy_grid(ax, read())
    assert math.isclose(image.get_array()[1, 1], 95.0)
    plt.close(fig)
