"""The published thresholds table and the composition of sub-steps."""

import math

import numpy as np
import pytest

from emergent.core.checks import CheckFailed
from emergent.emergence import exercises as emergence
from emergent.emergence.thresholds import (
    FAMILIES,
    composition_table,
    flops_rule_of_thumb,
    load_thresholds,
    parse_parameter_count,
    step_accuracy_needed,
    task_success,
)

# The two tables of seed 002 (after Wei et al., 2022, Table 1), transcribed by hand, row for row.
# A blank model/reference cell in the seed repeats the row above; it is filled in here.
FEW_SHOT = [
    ("Addition/subtraction (3 digit)", "2.3E+22", "13B", "GPT-3", "Brown et al. (2020)"),
    ("Addition/subtraction (4-5 digit)", "3.1E+23", "175B", "GPT-3", "Brown et al. (2020)"),
    ("MMLU Benchmark (57 topic avg.)", "3.1E+23", "175B", "GPT-3", "Hendrycks et al. (2021a)"),
    ("Toxicity classification (CivilComments)", "1.3E+22", "7.1B", "Gopher", "Rae et al. (2021)"),
    ("Truthfulness (Truthful QA)", "5.0E+23", "280B", "Gopher", "Rae et al. (2021)"),
    ("MMLU Benchmark (26 topics)", "5.0E+23", "280B", "Gopher", "Rae et al. (2021)"),
    ("Grounded conceptual mappings", "3.1E+23", "175B", "GPT-3", "Patel & Pavlick (2022)"),
    ("MMLU Benchmark (30 topics)", "5.0E+23", "70B", "Chinchilla", "Hoffmann et al. (2022)"),
    ("Word in Context (WiC) benchmark", "2.5E+24", "540B", "PaLM", "Chowdhery et al. (2022)"),
    ("Many BIG-Bench tasks (see Appendix E)", "Many", "Many", "Many", "BIG-Bench (2022)"),
]
AUGMENTED = [
    ("Instruction following (finetuning)", "1.3E+23", "68B", "FLAN", "Wei et al. (2022a)"),
    ("Scratchpad: 8-digit addition (finetuning)", "8.9E+19", "40M", "LaMDA", "Nye et al. (2021)"),
    (
        "Using open-book knowledge for fact checking",
        "1.3E+22",
        "7.1B",
        "Gopher",
        "Rae et al. (2021)",
    ),
    ("Chain-of-thought: Math word problems", "1.3E+23", "68B", "LaMDA", "Wei et al. (2022b)"),
    ("Chain-of-thought: StrategyQA", "2.9E+23", "62B", "PaLM", "Chowdhery et al. (2022)"),
    ("Differentiable search index", "3.3E+22", "11B", "T5", "Tay et al. (2022b)"),
    ("Self-consistency decoding", "1.3E+23", "68B", "LaMDA", "Wang et al. (2022b)"),
    ("Leveraging explanations in prompting", "5.0E+23", "280B", "Gopher", "Lampinen et al. (2022)"),
    ("Least-to-most prompting", "3.1E+23", "175B", "GPT-3", "Zhou et al. (2022)"),
    ("Zero-shot chain-of-thought reasoning", "3.1E+23", "175B", "GPT-3", "Kojima et al. (2022)"),
    ("Calibration via P(True)", "2.6E+23", "52B", "Anthropic", "Kadavath et al. (2022)"),
    ("Multilingual chain-of-thought reasoning", "2.9E+23", "62B", "PaLM", "Shi et al. (2022)"),
    ("Ask me anything prompting", "1.4E+22", "6B", "EleutherAI", "Arora et al. (2022)"),
]


@pytest.mark.parametrize(
    "family, seed_rows", [("few-shot prompting", FEW_SHOT), ("augmented prompting", AUGMENTED)]
)
def test_data_file_matches_the_seed_tables_row_for_row(family, seed_rows):
    rows = load_thresholds(family)
    assert len(rows) == len(seed_rows)
    for row, (ability, flops, params, model, reference) in zip(rows, seed_rows):
        assert row.ability == ability
        assert row.params_text == params
        assert row.model == model
        assert row.reference == reference
        if flops == "Many":
            assert row.train_flops is None and row.params is None
        else:
            assert row.train_flops == pytest.approx(float(flops), rel=1e-12)
            assert row.params == pytest.approx(parse_parameter_count(params), rel=1e-12)
        assert row.bibkey and row.bibkey.isidentifier()


def test_whole_table_in_order_and_families():
    rows = load_thresholds()
    assert [r.ability for r in rows] == [r[0] for r in FEW_SHOT + AUGMENTED]
    assert {r.family for r in rows} == set(FAMILIES)
    with pytest.raises(ValueError, match="family"):
        load_thresholds("zero-shot")


def test_table_is_consistent_with_six_n_d():
    # C = 6 N D: every model in the table saw between a quarter and one and a half trillion tokens
    # (Chinchilla, 1.4 T, is the most; the table rounds its compute down to Gopher's 5.0E+23).
    for row in load_thresholds():
        if row.params is None:
            continue
        tokens = row.train_flops / (6 * row.params)
        assert 2.5e11 < tokens < 1.5e12, row
    assert flops_rule_of_thumb(175e9, 300e9) == pytest.approx(3.15e23)
    with pytest.raises(ValueError):
        flops_rule_of_thumb(-1, 10)


def test_parse_parameter_count():
    assert parse_parameter_count("13B") == 13e9
    assert parse_parameter_count("40M") == 40e6
    assert parse_parameter_count("7.1B") == pytest.approx(7.1e9)
    assert parse_parameter_count("Many") is None
    for bad in ("13", "B", "thirteen B", ""):
        with pytest.raises(ValueError, match="parameter count"):
            parse_parameter_count(bad)


def test_five_steps_forty_to_sixty_percent():
    assert task_success(0.4, 5) == pytest.approx(0.01024)
    assert task_success(0.6, 5) == pytest.approx(0.07776)
    # the seed's "1.1%" is 0.4 ** 5 = 1.024% rounded up; 1.0% is right to one decimal
    assert round(100 * task_success(0.4, 5), 1) == 1.0
    assert round(100 * task_success(0.6, 5), 1) == 7.8


def test_task_success_forms_and_shapes():
    assert task_success([0.9, 0.8, 0.5]) == pytest.approx(0.36)
    assert task_success(0.7, 1) == pytest.approx(0.7)
    grid = np.linspace(0, 1, 11)
    assert task_success(grid, 3).shape == (11,)
    np.testing.assert_allclose(task_success(grid, 3), grid**3)
    # more steps: lower success, and a steeper relative rise (the point of the chapter)
    assert task_success(0.6, 10) / task_success(0.4, 10) > task_success(0.6, 5) / task_success(
        0.4, 5
    )


@pytest.mark.parametrize("k", [0, -1, -5])
def test_bad_number_of_steps(k):
    with pytest.raises(ValueError, match="at least one sub-step"):
        task_success(0.5, k)


@pytest.mark.parametrize("k", [2.5, "5", True, None.__class__])
def test_non_integer_steps(k):
    with pytest.raises(TypeError, match="integer"):
        task_success(0.5, k)


@pytest.mark.parametrize("p", [-0.01, 1.01, 60, float("nan"), [0.5, 1.5]])
def test_bad_probabilities(p):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        task_success(p, 3)


def test_bad_probability_lists():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        task_success([0.5, 2.0])
    with pytest.raises(ValueError, match="non-empty"):
        task_success([])
    with pytest.raises(TypeError):
        task_success("high", 2)


def test_step_accuracy_needed_inverts_task_success():
    for k in (1, 2, 5, 20):
        for target in (0.01, 0.078, 0.5, 0.99):
            assert task_success(step_accuracy_needed(target, k), k) == pytest.approx(target)
    with pytest.raises(ValueError):
        step_accuracy_needed(0.5, 0)
    with pytest.raises(ValueError):
        step_accuracy_needed(1.5, 3)


def test_composition_table():
    rows = composition_table(0.4, 0.6, [1, 5])
    assert rows[1]["low"] == pytest.approx(0.01024) and rows[1]["gain"] == pytest.approx(1.5**5)
    assert math.isinf(composition_table(0.0, 0.5, [2])[0]["gain"])
    with pytest.raises(ValueError):
        composition_table(0.4, 1.6, [2])


# -- exercise checks: the reference passes, wrong answers fail with a useful message ---------------


def test_check_task_success_accepts_reference():
    assert emergence.check_task_success(lambda p, k: task_success(p, k))


def test_check_task_success_rejects_wrong_and_lax_answers():
    with pytest.raises(CheckFailed, match=r"Case 1 .*returned.*expected"):
        emergence.check_task_success(lambda p, k: p * k)  # adds instead of multiplying
    with pytest.raises(CheckFailed, match="Bad-input case 1.*ValueError"):
        emergence.check_task_success(lambda p, k: p**k)  # right numbers, but accepts k = 0


def test_check_step_accuracy_needed():
    assert emergence.check_step_accuracy_needed(step_accuracy_needed)
    with pytest.raises(CheckFailed, match="k-th root"):
        emergence.check_step_accuracy_needed(lambda target, k: target / k)
