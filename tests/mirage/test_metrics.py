import math

import numpy as np
import pytest

from emergent.mirage import metrics as mirage
from emergent.core.checks import CheckFailed
from emergent.mirage import exercises


def test_derivation_matches_closed_forms():
    n, c, alpha = np.array([1e3, 1e5, 1e7]), 1e4, -0.3
    ce = mirage.token_cross_entropy(n, c, alpha)
    assert np.allclose(ce, (n / c) ** alpha)
    p = mirage.token_probability(n, c, alpha)
    assert np.allclose(p, np.exp(-ce))
    assert np.allclose(mirage.exact_match_prediction(p, 5), np.exp(-5 * ce))
    assert np.allclose(mirage.edit_distance_prediction(p, 5), 5 * (1 - np.exp(-ce)))
    assert mirage.exact_match_prediction(0.9, 1) == pytest.approx(0.9)


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="at least 1"):
        mirage.exact_match_prediction(0.5, 0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mirage.exact_match_prediction(1.5, 3)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mirage.edit_distance_prediction(-0.1, 3)
    with pytest.raises(ValueError, match="negative"):
        mirage.token_cross_entropy(1e3, 1e2, 0.5)
    with pytest.raises(ValueError, match="empty"):
        mirage.score_family([], width=5, lengths=[1, 2])
    with pytest.raises(ValueError, match="at least 3 models"):
        mirage.emergence_score([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="empty"):
        mirage.exact_match(np.zeros((0, 3)), np.zeros((0, 3)))


def test_metrics_on_a_hand_made_example():
    target = np.array([[1, 2, 3], [4, 5, 6]])
    generated = np.array([[1, 2, 3], [5, 6, 0]])
    assert mirage.exact_match(generated, target) == 0.5
    assert mirage.per_token_accuracy(generated, target) == pytest.approx(0.5)
    assert mirage.token_edit_distance(generated, target) == pytest.approx(
        1.0
    )  # 456 -> 560: delete 4, add 0
    assert mirage.levenshtein("kitten", "sitting") == 3
    assert mirage.target_log_probability([[0.5, 0.5], [1.0, 1.0]]) == pytest.approx(
        math.log(0.25) / 2
    )


def test_emergence_score_separates_a_line_from_a_jump():
    x = np.arange(1, 8)
    assert mirage.emergence_score(x, x / 7) == pytest.approx(6.0)
    jump = np.array([0, 0, 0, 0, 0, 0.4, 1.0])
    assert mirage.emergence_score(x, jump, resolution=0.01) > 50
    assert mirage.emergence_score(x[::-1], jump, 0.01) == mirage.emergence_score(
        x, jump[::-1], 0.01
    )  # sorted by scale
    with pytest.raises(ValueError, match="resolution"):
        mirage.emergence_score(x, np.zeros(7) + np.array([0, 0, 0, 0, 0, 0, 1.0]))


def test_the_mirage_on_a_smooth_synthetic_family():
    """Independent tokens with p(N) from a power law: exact match looks emergent, edit distance does not."""
    rng = np.random.default_rng(0)
    n = np.geomspace(1e3, 1e6, 8)
    p = mirage.token_probability(n, 1e4, -0.5)  # p from 0.04 to 0.9: small models rarely right
    L, items = 10, 2000
    em, ed = [], []
    for p_i in p:
        correct = rng.random((items, L)) < p_i
        target = np.zeros((items, L), dtype=int)
        generated = np.where(correct, 0, 1)
        em.append(mirage.exact_match(generated, target))
        ed.append(mirage.token_edit_distance(generated, target))
    score_em = mirage.emergence_score(n, em, resolution=1 / items)
    score_ed = mirage.emergence_score(n, -np.array(ed), resolution=1 / items)
    assert score_em >= 3 * score_ed
    assert np.max(np.abs(np.array(em) - mirage.exact_match_prediction(p, L))) < 0.05


def test_independence_check_sees_correlated_errors():
    rng = np.random.default_rng(1)
    independent = rng.random((5000, 4)) < 0.8
    result = mirage.independence_check(independent)
    assert abs(result["measured"] - result["product_of_positions"]) < 0.02
    assert abs(result["error_correlation"]) < 0.05
    together = np.repeat(rng.random((5000, 1)) < 0.8, 4, axis=1)  # all right or all wrong
    result = mirage.independence_check(together)
    assert result["measured"] > result["product_of_positions"] + 0.3
    assert result["error_correlation"] > 0.9


def test_resolution_rule_of_three():
    assert mirage.items_to_resolve(0.5) == 5
    for a in (0.01, 0.001):
        assert abs(mirage.items_to_resolve(a) - 3 / a) / (3 / a) < 0.01
    small = mirage.sampled_accuracy(np.full(50, 0.002), items=30)
    assert (small == 0).mean() > 0.8  # a small test set mostly reads zero


def test_multiple_choice_grade_is_sharp_and_brier_smooth():
    scores = np.log(np.array([[0.4, 0.3, 0.2, 0.1], [0.2, 0.5, 0.2, 0.1]]))
    assert mirage.multiple_choice_grade(scores, np.array([0, 0])) == 0.5
    uniform = np.zeros((1, 4))
    assert mirage.brier_score(uniform, np.array([0])) == pytest.approx(0.75**2 + 3 * 0.25**2)


def test_exercise_checks_pass_the_reference_and_catch_mistakes():
    assert exercises.check_exact_match_prediction(mirage.exact_match_prediction)
    assert exercises.check_levenshtein(mirage.levenshtein)
    assert exercises.check_emergence_score(mirage.emergence_score)
    assert exercises.check_items_to_resolve(mirage.items_to_resolve)
    with pytest.raises(CheckFailed, match="Bad-input case"):
        exercises.check_exact_match_prediction(lambda p, L: p**L)
    with pytest.raises(CheckFailed, match="1234"):
        exercises.check_levenshtein(
            lambda a, b: sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
        )
    with pytest.raises(CheckFailed, match="Sort by scale"):
        exercises.check_emergence_score(
            lambda x, y: (max(y) - min(y)) / math.sqrt(np.median(np.diff(y) ** 2))
        )
    with pytest.raises(CheckFailed, match="3 / a"):
        exercises.check_items_to_resolve(lambda a: math.ceil(3 / a) if 0 < a <= 1 else int("x"))


@pytest.mark.slow
def test_vision_sweep_all_k_of_k_stays_at_zero_while_accuracy_climbs():
    from emergent.mirage.induced_emergence import (
        DigitsRecipe,
        digits_split,
        vision_resolution,
        width_sweep,
    )
    from emergent.core.seeding import seed_everything

    seed_everything(0)  # fixes torch threads: oversubscribed cores make tiny models crawl

    result = width_sweep([1, 3, 16], k=20, recipe=DigitsRecipe(steps=150))
    assert result["accuracy"][0] < result["accuracy"][1] < result["accuracy"][2]
    assert result["accuracy"][1] > 0.5 and result["all_k_correct"][1] < 0.1
    assert result["all_k_correct"][2] > result["all_k_correct"][1]
    # one floor for both vision metrics: one test image
    test_images = len(digits_split(DigitsRecipe().test_fraction, DigitsRecipe().seed)[3])
    assert vision_resolution(result) == 1 / test_images


@pytest.mark.slow
def test_on_the_trained_family_exact_match_looks_emergent_and_edit_distance_does_not(book_models):
    """The chapter's claim on the default-profile family itself, from (or into) the book's cache."""
    from emergent.mirage.readings import largest_step_share
    from emergent.scaling.family import default_data, family_runs

    data = default_data()
    with book_models():
        family = family_runs(progress=False)
    lengths = list(range(data.min_digits, data.max_digits + 1))
    scores = mirage.score_family(family, data.width, lengths, count=500, progress=False)
    # the shape, which no test-set resolution decides: exact match makes more of its change in
    # one step between neighbouring members than edit distance does
    sharp = largest_step_share(scores["exact_match"][:, -1])
    smooth = largest_step_share(-scores["edit_distance"][:, -1])
    assert sharp > smooth + 0.1, (sharp, smooth)
    assert (
        scores["exact_match"][0, -1] < 0.05 < scores["exact_match"][-1, -1]
    )  # near zero, then a jump
    mean_error = np.mean(np.abs(scores["accuracy_to_the_L"] - scores["exact_match"]))
    assert mean_error < 0.1, mean_error  # exact match ≈ p^L
    # the theorem's p^L is the geometric mean over items of each item's chance of being sampled
    # right; the sampled exact match is their arithmetic mean, so it is never smaller
    assert np.all(scores["p_geometric_to_the_L"] <= scores["sampled_exact_match"] + 1e-9)
    assert np.all((scores["sampled_exact_match"] >= 0) & (scores["sampled_exact_match"] <= 1))


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(
    log_n=st.floats(0, 12),
    log_c=st.floats(0, 8),
    alpha=st.floats(-2, -0.05),
    length=st.integers(1, 60),
)
def test_exact_match_at_length_L_is_the_one_token_curve_shifted_along_log_N(
    log_n, log_c, alpha, length
):
    n, c = 10.0**log_n, 10.0**log_c
    at_length = mirage.exact_match_prediction(mirage.token_probability(n, c, alpha), length)
    shifted = mirage.token_probability(n * length ** (1 / alpha), c, alpha)
    assert at_length == pytest.approx(shifted, rel=1e-9, abs=1e-300)
    assert mirage.length_shift_decades(length, alpha) == pytest.approx(-math.log10(length) / alpha)


@pytest.mark.parametrize("alpha", [-0.5, -0.2])
def test_the_rise_has_the_same_width_in_decades_for_every_length(alpha):
    n = np.logspace(-2, 40, 400_001)
    measured = []
    for length in (1, 5, 30):
        curve = mirage.exact_match_prediction(mirage.token_probability(n, 1e3, alpha), length)
        measured.append(np.log10(n[np.argmax(curve >= 0.9)] / n[np.argmax(curve >= 0.1)]))
    assert np.ptp(measured) < 1e-3
    assert measured[0] == pytest.approx(mirage.rise_width_decades(alpha), abs=1e-3)
    assert mirage.rise_width_decades(-0.5) == pytest.approx(
        2.68, abs=0.01
    )  # the value the chapter prints


def test_carry_free_digits_are_the_ones_without_a_carry_from_below():
    # 15 + 17 = 32: units 5+7 carries, so the tens digit is not carry-free; 21 + 13 = 34: none carries.
    mask = mirage.needs_no_carry(np.array([15, 21]), np.array([17, 13]), 2)
    assert mask.tolist() == [[True, False], [True, True]]
    target = np.array([[2, 3, 0], [4, 3, 0]])  # answers units first, then the carry-out digit
    generated = np.array(
        [[2, 9, 9], [4, 9, 0]]
    )  # only the tens digit of the second answer is wrong
    all_right, fraction = mirage.carry_free_scores(
        generated, target, np.array([15, 21]), np.array([17, 13])
    )
    assert all_right.tolist() == [True, False] and fraction.tolist() == [1.0, 0.5]


def test_carry_free_scores_need_the_operands_of_the_answers():
    with pytest.raises(ValueError, match="operands of these answers"):
        mirage.carry_free_scores(np.zeros((2, 3)), np.zeros((2, 3)), np.array([1]), np.array([2]))
    with pytest.raises(ValueError, match="low < high"):
        mirage.rise_width_decades(-0.5, low=0.9, high=0.1)
