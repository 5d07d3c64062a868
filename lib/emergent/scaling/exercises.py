"""Checks for the exercises of the chapter "Scaling laws"."""

from __future__ import annotations

from emergent.core.checks import check_function
from emergent.scaling import laws as scaling


def check_fit_power_law(student) -> bool:
    """``student(x, y)`` returns ``(a, k)`` with ``y ~ k * x**a``, fitted on log-log axes."""
    cases = [
        (
            [1, 10, 100, 1000],
            [5.0, 5.0 * 10**-0.5, 5.0 * 100**-0.5, 5.0 * 1000**-0.5],
        ),  # exact: a = -0.5
        ([1e20, 1e21, 1e22], [1e9, 5.5e9, 3e10]),  # compute -> parameters, a > 0
        ([2, 3, 5, 8, 13], [1.1, 0.9, 0.85, 0.6, 0.55]),  # noisy: least squares, not two-point
    ]
    return check_function(
        student,
        scaling.fit_pure_power_law,
        cases,
        rtol=1e-6,
        hint="Take logarithms of both x and y, fit a straight line (np.polyfit(..., 1)); the slope is a "
        "and exp(intercept) is k. Refuse zero or negative values with a ValueError.",
        raises=[([1, 2, 3], [1.0, 0.0, 2.0]), ([0, 1, 2], [1.0, 2.0, 3.0])],
    )


def check_allocate(student) -> bool:
    """``student(compute_factor, n_exponent)`` returns ``(N factor, D factor)`` when C grows."""
    cases = [(10, 0.73), (10, 0.5), (100, 0.45), (1, 0.73), (2.5, 0.0)]
    return check_function(
        student,
        scaling.allocate,
        cases,
        rtol=1e-9,
        hint="With N_opt ~ C^a and C = 6 N D, D_opt ~ C^(1 - a): the two factors multiply to the compute factor.",
        raises=[(-10, 0.5), (10, 1.5)],
    )


def check_chinchilla_optimum(student) -> bool:
    """``student(compute)`` returns ``(N_opt, D_opt)`` for Chinchilla's fitted loss at ``6 N D = compute``."""
    cases = [(1e18,), (5.76e23,), (1e25,)]
    return check_function(
        student,
        scaling.chinchilla_optimum,
        cases,
        rtol=1e-6,
        hint="Substitute D = C / (6N) into E + A/N^alpha + B/D^beta, set the derivative in N to zero: "
        "N_opt = G (C/6)^(beta/(alpha+beta)) with G = (alpha A / (beta B))^(1/(alpha+beta)).",
        raises=[(0,), (-1e20,)],
    )
