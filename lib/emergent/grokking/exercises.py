"""Checks for the exercises of the chapter "Grokking".

Each check runs your function on fixed and edge cases and compares it with the library's
reference implementation (:mod:`emergent.grokking`, :mod:`emergent.grokking.fourier`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from emergent.core.checks import CheckFailed, check_function
from emergent.grokking.fourier import key_frequencies, synthetic_embedding
from emergent.core.transitions import first_step_reaching
from emergent.grokking.modular_addition import (
    modular_addition_split,
    threshold_fraction,
)
from emergent.grokking.progress_measures import all_pairs, restricted_logits

__all__ = [
    "check_split",
    "check_first_step_reaching",
    "check_key_frequencies",
    "check_threshold_fraction",
    "check_restricted_logits",
]


def _split_as_lists(fn: Callable) -> Callable:
    """Wrap a split function so that its four tensors come back as plain nested lists (comparable)."""

    def split(p, fraction, seed):
        parts = fn(p, fraction, seed)
        if not isinstance(parts, (tuple, list)) or len(parts) != 4:
            raise TypeError(
                f"return the four parts (train_x, train_y, test_x, test_y), got {type(parts).__name__}"
            )
        names = ("train_x", "train_y", "test_x", "test_y")
        return {name: np.asarray(part).tolist() for name, part in zip(names, parts)}

    split.__name__ = getattr(fn, "__name__", "your function")
    return split


def check_split(student: Callable) -> bool:
    """Exercise "Write the dataset split": ``split(p, fraction, seed) -> (train_x, train_y, test_x, test_y)``."""
    if not callable(student):
        raise CheckFailed("Pass your function itself, e.g. check_split(my_split).")
    for p, fraction, seed in ((7, 0.5, 0), (13, 0.3, 2)):
        try:
            train_x, _, test_x, _ = student(p, fraction, seed)
        except Exception as error:
            raise CheckFailed(
                f"{student.__name__}({p}, {fraction}, {seed}) raised {type(error).__name__}: {error}."
            ) from None
        seen = {tuple(map(int, row)) for row in np.asarray(train_x)}
        leaked = [
            tuple(map(int, row)) for row in np.asarray(test_x) if tuple(map(int, row)) in seen
        ]
        if leaked:
            raise CheckFailed(
                f"With p={p}, fraction={fraction}: test pair {leaked[0]} (and {len(leaked) - 1} more) is also in the "
                "training set. Split a permutation of pair indices so that each pair lands in exactly one part."
            )
    return check_function(
        _split_as_lists(student),
        _split_as_lists(modular_addition_split),
        cases=[(5, 0.5, 0), (7, 0.3, 1), (11, 0.8, 3), (59, 0.5, 0)],
        raises=[(2, 0.5, 0), (7, 0.0, 0), (7, 1.0, 0), (7, -0.2, 0)],
        hint="pair i is (i // p, i % p); order = torch.randperm(p * p, generator=torch.Generator().manual_seed(seed)); "
        "the first round(fraction * p * p) pairs of that order train. Refuse p < 3 and fractions outside (0, 1) "
        "with ValueError.",
    )


def check_first_step_reaching(student: Callable) -> bool:
    """Exercise "Find the phases": ``first_step_reaching(steps, values, level)`` -> first step at or above level, or None."""
    steps = [0, 10, 20, 30, 40]
    return check_function(
        student,
        first_step_reaching,
        cases=[
            (steps, [0.1, 0.5, 0.99, 1.0, 1.0], 0.99),
            (steps, [0.1, 0.5, 0.98, 0.989, 0.9], 0.99),  # never reaches it
            (steps, [1.0, 0.2, 1.0, 1.0, 1.0], 0.99),  # already there at step 0
            (steps, [0.1, 0.995, 0.2, 0.999, 1.0], 0.99),  # the FIRST crossing counts
            ([5, 50, 500], [0.0, 0.6, 0.7], 0.5),
        ],
        raises=[([0, 1], [0.5], 0.9)],
        hint="walk through the pairs in order and return the step of the first value >= level "
        "(>=, not >); return None if there is none; raise ValueError if the lists differ in length.",
    )


def check_key_frequencies(student: Callable) -> bool:
    """Exercise "Find the key frequencies": ``key_frequencies(embedding, k)`` -> the k strongest frequencies, sorted."""
    cases = [
        (synthetic_embedding(59, [7], dim=16, seed=1), 1),
        (synthetic_embedding(59, [3, 17, 25], dim=32, noise=0.3, seed=2), 3),
        (synthetic_embedding(113, [14, 35, 41, 42, 52], dim=64, noise=0.2, seed=3), 5),
        (synthetic_embedding(31, [1, 15], dim=8, seed=4), 2),
        (synthetic_embedding(12, [2, 5], dim=8, seed=5), 2),  # even p: frequency p/2 exists too
    ]
    return check_function(
        student,
        key_frequencies,
        cases=cases,
        raises=[(synthetic_embedding(11, [2]), 0), (np.ones(5), 1)],
        hint="take np.fft.rfft(embedding, axis=0), drop row 0 (the mean), sum |coefficient|^2 over the columns, "
        "and return the k frequencies (row numbers, starting at 1) with the most energy, sorted ascending.",
    )


def check_threshold_fraction(student: Callable) -> bool:
    """Exercise "Predict the threshold": ``threshold_fraction(fractions, generalised)``."""
    return check_function(
        student,
        threshold_fraction,
        cases=[
            ([0.2, 0.3, 0.4, 0.5, 0.6], [None, None, None, 1800, 1000]),
            ([0.6, 0.2, 0.5, 0.4, 0.3], [1000, None, 1800, None, None]),  # unsorted input
            (
                [0.2, 0.3, 0.4, 0.5],
                [None, 3000, None, 900],
            ),  # a lucky run below the threshold does not count
            (
                [0.3, 0.5, 0.7],
                [None, None, None],
            ),  # nothing generalised: no threshold in the budget
            ([0.3, 0.5, 0.7], [True, True, True]),
        ],
        raises=[([0.3, 0.5], [None])],
        hint="sort by fraction; starting from the largest, walk down while runs generalised; the last "
        "fraction reached is the threshold (None if even the largest did not generalise).",
    )


def _restricted_case(p: int, neurons: int, seed: int, frequencies) -> tuple:
    """Random neurons over the grid, a random readout and the logits they make: a case with no tricks."""
    generator = torch.Generator().manual_seed(seed)
    pairs, _ = all_pairs(p)
    angle = 2 * torch.pi * pairs.double() / p
    acts = torch.relu(
        torch.cos(angle @ torch.randn(2, neurons, generator=generator, dtype=torch.double).round())
        + 0.3 * torch.randn(p * p, neurons, generator=generator, dtype=torch.double)
    )
    readout = torch.randn(neurons, p, generator=generator, dtype=torch.double)
    return acts, readout, acts @ readout + 1.5, p, frequencies


def _as_array(fn: Callable) -> Callable:
    def wrapped(*args):
        return np.asarray(torch.as_tensor(fn(*args)).double())

    wrapped.__name__ = getattr(fn, "__name__", "your function")
    return wrapped


def check_restricted_logits(student: Callable) -> bool:
    """Exercise "Write the restricted loss": ``restricted_logits(neurons, readout, logits, p, frequencies)``."""
    return check_function(
        _as_array(student),
        _as_array(restricted_logits),
        cases=[
            _restricted_case(7, 5, 0, [1]),
            _restricted_case(11, 8, 1, [2, 5]),
            _restricted_case(13, 16, 2, [1, 3, 6]),
        ],
        raises=[
            (*_restricted_case(7, 5, 0, [1])[:4], [4]),
            (*_restricted_case(7, 5, 0, [1])[:4], []),
        ],
        rtol=1e-6,
        atol=1e-8,
        hint="centre the neurons (subtract each one's mean over the grid), project them onto the unit vectors "
        "cos(w_k(a+b)) and sin(w_k(a+b)), add the mean back, multiply by the readout, then shift each class so that "
        "its mean over the grid equals the original logits' mean. Refuse frequencies outside 1..(p-1)//2 or none.",
    )
