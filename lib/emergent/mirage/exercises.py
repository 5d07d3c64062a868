"""Checks for the exercises of the chapter "The metric mirage"."""

from __future__ import annotations

from emergent.core.checks import check_function
from emergent.mirage import metrics as mirage


def check_exact_match_prediction(student) -> bool:
    """``student(p, L)`` returns ``p**L``, refusing p outside [0, 1] and L < 1."""
    cases = [(0.9, 1), (0.9, 6), (0.5, 10), (1.0, 30), (0.0, 3), (0.99, 100)]
    return check_function(
        student,
        mirage.exact_match_prediction,
        cases,
        hint="Every one of the L tokens must be right, each with probability p, independently.",
        raises=[(1.2, 3), (-0.1, 3), (0.5, 0)],
    )


def check_levenshtein(student) -> bool:
    """``student(a, b)`` returns the edit distance between two token sequences."""
    cases = [
        ("", ""),
        ("abc", "abc"),
        ("abc", "abd"),
        ("kitten", "sitting"),
        ("1234", "2341"),
        ([1, 2, 3], [3, 2, 1]),
        ("", "12345"),
        ("00", "0"),
    ]
    return check_function(
        student,
        mirage.levenshtein,
        cases,
        hint="Dynamic programming over prefixes: d[i][j] = min(d[i-1][j] + 1, d[i][j-1] + 1, "
        "d[i-1][j-1] + (a[i-1] != b[j-1])). Note '1234' -> '2341' needs 2 edits, not 4.",
    )


def check_emergence_score(student) -> bool:
    """``student(scale, score)`` returns the BIG-bench emergence (breakthroughness) score."""
    cases = [
        ([1, 2, 3, 4, 5], [0.0, 0.1, 0.2, 0.3, 0.4]),  # a straight line: n - 1 = 4
        ([1, 2, 3, 4, 5], [0.0, 0.01, 0.02, 0.9, 0.95]),  # a jump
        (
            [5, 4, 3, 2, 1],
            [0.95, 0.9, 0.02, 0.01, 0.0],
        ),  # same, listed largest first: sort by scale
        ([1, 2, 3, 4], [1.0, 0.7, 0.4, 0.1]),  # getting worse: negative
    ]
    return check_function(
        student,
        mirage.emergence_score,
        cases,
        hint="Sort by scale first. sign(argmax - argmin) * (max - min) / sqrt(median of squared steps "
        "between neighbours).",
    )


def check_items_to_resolve(student) -> bool:
    """``student(accuracy)`` returns the test items needed to see one success with 95 % probability."""
    cases = [(0.5,), (0.1,), (0.01,), (0.001,), (1.0,)]
    return check_function(
        student,
        lambda a: mirage.items_to_resolve(a),
        cases,
        hint="Solve 1 - (1 - a)^n >= 0.95 for the smallest integer n; for small a it is close to 3 / a.",
        raises=[(0.0,), (1.5,)],
    )


def check_patch_effect(student) -> bool:
    """``patch_effect(clean, corrupt, patched)``: the share of the clean-to-corrupted gap a patch moves."""
    from emergent.mirage.carry_circuit import patch_effect

    return check_function(
        student,
        patch_effect,
        cases=[
            ([0.0, 0.0], [2.0, 4.0], [1.0, 2.0]),  # half the gap, pair by pair
            ([-1.0, 1.0, 0.0], [3.0, 1.0, 2.0], [-1.0, 1.0, 0.0]),  # nothing moved
            ([-1.0, 1.0, 0.0], [3.0, 1.0, 2.0], [3.0, 1.0, 2.0]),  # everything moved
            ([0.0, 0.0], [1.0, 3.0], [3.0, -1.0]),  # a ratio of means, not a mean of ratios
            ([1.0, 2.0], [2.0, 3.0], [3.0, 4.0]),  # overshooting gives more than 1
        ],
        raises=[([0.0], [0.0], [1.0]), ([0.0, 1.0], [1.0], [1.0, 1.0]), ([], [], [])],
        hint="divide the mean of (patched - clean) by the mean of (corrupt - clean); refuse arrays of different "
        "lengths, empty arrays and a gap that is not positive with ValueError.",
    )
