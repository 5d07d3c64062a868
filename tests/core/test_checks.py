import pytest

from emergent.core.checks import CheckFailed, check_function, check_value


def reference(k, p):
    if not 0 <= p <= 1:
        raise ValueError("p must lie in [0, 1]")
    return p**k


def test_a_correct_function_passes(capsys):
    assert check_function(
        lambda k, p: reference(k, p), reference, [(1, 0.5), {"k": 5, "p": 0.4}], raises=[(2, 1.5)]
    )
    assert "passes all 3 checks" in capsys.readouterr().out


def test_a_wrong_function_fails_naming_the_case_and_hint():
    def student(k, p):
        return p * k

    with pytest.raises(
        CheckFailed, match=r"Case 2 of 2: student\(k=5, p=0.4\) returned 2.0.*\n.*Hint: multiply"
    ):
        check_function(
            student, reference, [(1, 0.5), {"k": 5, "p": 0.4}], hint="multiply the probabilities"
        )


def test_a_crash_and_a_missing_error_are_reported():
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError"):
        check_function(lambda k, p: 1 / 0, reference, [(1, 0.5)])
    with pytest.raises(CheckFailed, match="should raise ValueError"):
        check_function(lambda k, p: p**k, reference, [(1, 0.5)], raises=[(1, 2.0)])


def test_passing_a_result_instead_of_a_function_is_explained():
    with pytest.raises(CheckFailed, match="pass the function itself"):
        check_function(0.5, reference, [(1, 0.5)])


def test_check_value_tolerance():
    assert check_value(4.33, 4.328, "bits per token")
    with pytest.raises(CheckFailed, match="bits per token"):
        check_value(3.0, 4.328, "bits per token", hint="divide by ln 2")


def test_numpy_scalars_are_shown_as_a_reader_writes_them():
    import numpy as np

    with pytest.raises(CheckFailed, match=r"\(0\.5\) returned 0\.0, expected 1\.0\.") as failure:
        check_function(lambda p: np.float64(0.0), lambda p: np.float64(1.0), [(np.float64(0.5),)])
    assert "np.float64" not in str(failure.value)
