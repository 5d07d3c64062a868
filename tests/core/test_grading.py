"""Grading a class's notebooks: a right one, a wrong one, one that raises, one that never ends."""

import csv

import nbformat
import pytest

from emergent.core import grading

EXERCISE = (
    "```{exercise} Find the phases\n:label: grokking-ex-phases\n\nWrite `first_step_reaching`.\n```"
)
RIGHT = """def first_step_reaching(steps, values, level=0.99):
    if len(steps) != len(values):
        raise ValueError("lengths differ")
    return next((int(s) for s, v in zip(steps, values) if v >= level), None)"""
WRONG = """def first_step_reaching(steps, values, level=0.99):
    return next((int(s) for s, v in zip(steps, values) if v > level), None)  # > where >= is asked"""
CHECK = "from emergent.grokking import exercises\nexercises.check_first_step_reaching(first_step_reaching)"
SECOND = "exercises.check_threshold_fraction(__import__('emergent.grokking.modular_addition', fromlist=['x']).threshold_fraction)"


def notebook(*cells):
    made = nbformat.v4.new_notebook()
    made.cells = [
        nbformat.v4.new_markdown_cell(c[3:])
        if c.startswith("md:")
        else nbformat.v4.new_code_cell(c)
        for c in cells
    ]
    return made


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    class_of = {
        "alice.ipynb": notebook("md:" + EXERCISE, RIGHT, CHECK, SECOND),
        "bob.ipynb": notebook("md:" + EXERCISE, WRONG, CHECK, SECOND),
        "carol.ipynb": notebook("import no_such_module_anywhere", "md:" + EXERCISE, CHECK, SECOND),
        "dave.ipynb": notebook(
            "md:" + EXERCISE, RIGHT, CHECK, "import time\ntime.sleep(10 ** 6)", SECOND
        ),
    }
    for name, made in class_of.items():
        nbformat.write(made, folder / name)
    out = tmp_path_factory.mktemp("grades")
    grades = grading.grade_folder(folder, out, time_limit=20)
    return grades, out


def outcomes(grades, name):
    return [(g.check, g.outcome) for g in grades if g.notebook == name]


@pytest.mark.slow
def test_a_right_notebook_passes_every_check(graded):
    grades, _ = graded
    assert outcomes(grades, "alice.ipynb") == [
        ("check_first_step_reaching", "pass"),
        ("check_threshold_fraction", "pass"),
    ]
    assert {g.exercise for g in grades if g.notebook == "alice.ipynb"} == {"grokking-ex-phases"}


@pytest.mark.slow
def test_a_wrong_answer_fails_with_the_case_and_the_hint_and_the_rest_still_runs(graded):
    grades, _ = graded
    first, second = [g for g in grades if g.notebook == "bob.ipynb"]
    assert first.outcome == "fail" and "Case" in first.detail and "Hint" in first.detail
    assert second.outcome == "pass"


@pytest.mark.slow
def test_a_notebook_that_raises_is_graded_and_does_not_stop_the_class(graded):
    grades, _ = graded
    first, second = [g for g in grades if g.notebook == "carol.ipynb"]
    assert (
        first.outcome == "error" and "NameError" in first.detail
    )  # the function was never written
    assert second.outcome == "pass"


@pytest.mark.slow
def test_a_notebook_that_never_ends_is_stopped_and_its_later_checks_not_run(graded):
    grades, _ = graded
    first, second = [g for g in grades if g.notebook == "dave.ipynb"]
    assert first.outcome == "pass"
    assert second.outcome == "not run" and "time limit" in second.detail


@pytest.mark.slow
def test_the_csv_and_the_summary(graded):
    grades, out = graded
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert len(rows) == len(grades) == 8 and set(rows[0]) == {
        "notebook",
        "exercise",
        "check",
        "outcome",
        "detail",
    }
    summary = (out / "summary.md").read_text()
    assert "| alice.ipynb | 2 | 0 | 0 | 0 | 2 |" in summary
    assert "| dave.ipynb | 1 | 0 | 0 | 1 | 2 |" in summary


def test_bad_input_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a folder"):
        grading.grade_folder(tmp_path / "missing", tmp_path / "out")
    with pytest.raises(ValueError, match="no .ipynb"):
        grading.grade_folder(tmp_path, tmp_path / "out")
