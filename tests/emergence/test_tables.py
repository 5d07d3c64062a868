"""The Markdown table of the published thresholds."""

import pytest
from emergent.emergence.tables import thresholds_table
from emergent.emergence.thresholds import Threshold, load_thresholds

GPT3 = Threshold(
    "few-shot prompting",
    "Addition (3 digit)",
    2.3e22,
    1.3e10,
    "13B",
    "GPT-3",
    "Brown et al. (2020)",
    "brown2020gpt3",
)
MANY = Threshold(
    "few-shot prompting",
    "BIG-Bench tasks",
    None,
    None,
    "Many",
    "Many",
    "BIG-Bench (2022)",
    "srivastava2022bigbench",
)


def test_one_row_per_ability_with_its_scale_and_citation():
    lines = thresholds_table([GPT3, MANY]).splitlines()
    assert len(lines) == 4 and lines[0].startswith("| family | ability |")
    assert lines[2] == (
        "| few-shot prompting | Addition (3 digit) | 2.3e+22 | 13B | GPT-3 "
        "| {cite:t}`brown2020gpt3` |"
    )
    assert "| many | Many |" in lines[3]  # no scale given: "many", not a number


def test_the_shipped_thresholds_make_a_full_table():
    rows = load_thresholds()
    assert len(thresholds_table(rows).splitlines()) == len(rows) + 2


def test_an_empty_table_is_refused():
    with pytest.raises(ValueError, match="load_thresholds"):
        thresholds_table([])
