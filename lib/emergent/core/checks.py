"""Exercise checks a student can call on their own answer.

In the spirit of ARENA's ``tests.py``: the student passes their function (or number); it is run
on fixed and edge cases and compared against the library's reference implementation - the same
code the book and the tests use. A pass says so; a failure names the case, what was expected,
what came back, and a hint.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np


class CheckFailed(AssertionError):
    """Raised when a student's answer disagrees with the reference; the message says where."""


def _shown(value: Any) -> str:
    """A value as a reader writes it: ``1.0``, not ``np.float64(1.0)`` (NumPy 2's repr of a scalar)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_shown(v) for v in value)
        return (
            f"[{inner}]"
            if isinstance(value, list)
            else f"({inner}{',' if len(value) == 1 else ''})"
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_shown(k)}: {_shown(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _same(expected: Any, got: Any, rtol: float, atol: float) -> bool:
    if isinstance(expected, (str, bytes, bool)) or expected is None:
        return expected == got
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and expected.keys() == got.keys()
            and all(_same(expected[k], got[k], rtol, atol) for k in expected)
        )
    try:
        e = np.asarray(expected, dtype=float)
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return expected == got
    return e.shape == g.shape and bool(np.allclose(e, g, rtol=rtol, atol=atol, equal_nan=True))


def _show_call(name: str, case) -> str:
    if isinstance(case, dict):
        inner = ", ".join(f"{k}={_shown(v)}" for k, v in case.items())
    else:
        inner = ", ".join(_shown(v) for v in case)
    text = f"{name}({inner})"
    return text if len(text) < 160 else text[:157] + "..."


def _call(fn: Callable, case):
    return fn(**case) if isinstance(case, dict) else fn(*case)


def check_function(
    student: Callable,
    reference: Callable,
    cases: Sequence,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    raises: Sequence = (),
) -> bool:
    """Compare ``student`` with ``reference`` on every case; each case is a tuple of args or a dict of kwargs.

    ``raises`` lists cases on which both must raise ``ValueError`` (bad input must be refused).
    Returns True and prints a one-line pass; raises :class:`CheckFailed` otherwise.
    """
    if not callable(student):
        raise CheckFailed(
            f"Expected a function, got {type(student).__name__}: pass the function itself, not its result."
        )
    name = getattr(student, "__name__", "your function")
    for index, case in enumerate(cases, start=1):
        expected = _call(reference, case)
        try:
            got = _call(student, case)
        except Exception as error:  # report any crash as a failed case
            raise CheckFailed(
                f"Case {index} of {len(cases)}: {_show_call(name, case)} raised {type(error).__name__}: {error}."
                + (f"\nHint: {hint}" if hint else "")
            ) from None
        if not _same(expected, got, rtol, atol):
            raise CheckFailed(
                f"Case {index} of {len(cases)}: {_show_call(name, case)} returned {_shown(got)}, expected {_shown(expected)}."
                + (f"\nHint: {hint}" if hint else "")
            )
    for index, case in enumerate(raises, start=1):
        try:
            _call(student, case)
        except ValueError:
            continue
        except Exception as error:
            raise CheckFailed(
                f"Bad-input case {index}: {_show_call(name, case)} raised {type(error).__name__}; "
                "it should raise ValueError with a message that says what to fix."
            ) from None
        raise CheckFailed(
            f"Bad-input case {index}: {_show_call(name, case)} returned normally; "
            "it should raise ValueError with a message that says what to fix."
        )
    total = len(cases) + len(raises)
    print(f"✔ {name} passes all {total} checks.")
    return True


def check_value(
    answer: Any, expected: Any, what: str, hint: str = "", rtol: float = 1e-3, atol: float = 1e-9
) -> bool:
    """Compare a student's number (or array) with the expected one, within a relative tolerance."""
    if not _same(expected, answer, rtol, atol):
        raise CheckFailed(
            f"{what}: you have {_shown(answer)}, which is not within {rtol:.1%} of the expected value."
            + (f"\nHint: {hint}" if hint else "")
        )
    print(f"✔ {what}: correct.")
    return True
