"""Grade a folder of students' notebooks: run each one, read every exercise check's outcome.

    python -m emergent.core.grading submissions/ --out grades/ [--time-limit 1800]

A student edition notebook (``make student``) asks the student to write a function and call the
chapter's check on it, e.g. ``exercises.check_split(split)``. A check prints a line starting with
✔ when the function passes and raises :class:`~emergent.core.checks.CheckFailed`, whose message
names the failing case and a hint, when it does not. Grading runs every notebook from top to
bottom and reads those outcomes off the executed cells:

* each notebook runs in its own kernel, in its own process, under a wall-clock limit, so a
  notebook that raises, hangs or kills its kernel costs only its own grade;
* cells keep running after an error (``allow_errors``), so one wrong exercise does not hide the
  others; cells never reached (the limit ran out) are graded ``not run``;
* the result is one row per notebook and check call in ``grades.csv`` (the long format nbgrader
  exports: student, exercise, outcome, detail), and a table of totals per notebook in
  ``summary.md``.

Why not otter-grader or nbgrader: both expect notebooks authored in their own format (otter's
``# BEGIN QUESTION`` blocks and test files, nbgrader's cell metadata), while the book's checks are
plain functions called from a cell. Executing with ``nbclient``, which nbgrader itself uses, and
reading the checks' own output keeps one source of truth for what counts as right.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from emergent.core.notebooks import execute_notebook

CHECK_CALL = re.compile(r"\b(check_\w+)\s*\(")
EXERCISE_LABEL = re.compile(r"\{exercise\}[^\n]*\n(?::[a-z]+:[^\n]*\n)*?:label:\s*(\S+)")
PASSED_MARK = "✔"
OUTCOMES = ("pass", "fail", "error", "not run")


@dataclass
class Grade:
    """One check call in one notebook."""

    notebook: str
    exercise: str  # the exercise's label, or the check's name where the notebook has no label
    check: str
    outcome: str  # one of OUTCOMES
    detail: str  # the failing case and hint, the error, or why it did not run


def _label_before(cells: list, index: int) -> str | None:
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") == "markdown":
            found = EXERCISE_LABEL.findall("".join(cell.get("source", "")))
            if found:
                return found[-1]
    return None


def _text(output: dict) -> str:
    if output.get("output_type") == "stream":
        return "".join(output.get("text", ""))
    data = output.get("data", {})
    return "".join(data.get("text/plain", ""))


def grades_of(notebook: dict, name: str, finished: bool, reason: str = "") -> list[Grade]:
    """Every check call of an executed notebook, with its outcome read from the cell's outputs.

    ``finished`` says whether the run got to the end; where it did not, cells without an
    execution count were never reached and are graded ``not run`` with ``reason``.
    """
    grades, cells = [], notebook.get("cells", [])
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        checks = [c for c in CHECK_CALL.findall(source) if not source.lstrip().startswith("def ")]
        if not checks:
            continue
        exercise = _label_before(cells, index)
        outputs = cell.get("outputs", [])
        errors = [o for o in outputs if o.get("output_type") == "error"]
        passes = sum(_text(o).count(PASSED_MARK) for o in outputs)
        for position, check in enumerate(checks):
            if cell.get("execution_count") is None and not outputs:
                outcome, detail = "not run", reason or "the notebook stopped before this cell"
            elif position < passes:
                outcome, detail = "pass", ""
            elif errors and errors[0].get("ename") == "CheckFailed":
                outcome, detail = "fail", errors[0].get("evalue", "")
            elif errors:
                outcome, detail = (
                    "error",
                    f"{errors[0].get('ename')}: {errors[0].get('evalue', '')}",
                )
            else:
                outcome, detail = "error", "the check printed no result"
            grades.append(Grade(name, exercise or check, check, outcome, detail.strip()))
    if not grades:
        grades.append(
            Grade(
                name,
                "-",
                "-",
                "not run" if not finished else "error",
                reason or "the notebook calls no check",
            )
        )
    return grades


def execute_one(source: Path, target: Path, cell_timeout: int) -> None:
    """Run one notebook in a fresh kernel, cells continuing after errors; write it to ``target``.

    Runs in a child process (see :func:`grade_folder`); it writes the notebook after every cell,
    so whatever ran before a time limit struck is kept.
    """
    import nbformat

    notebook = nbformat.read(source, as_version=4)
    execute_notebook(notebook, source.parent, cell_timeout, allow_errors=True, write_to=target)


def _run_with_limit(source: Path, target: Path, time_limit: float) -> tuple[bool, str]:
    """Execute ``source`` in a child process group; kill the group if it outlives ``time_limit``."""
    command = [
        sys.executable,
        "-m",
        "emergent.core.grading",
        "--execute-one",
        str(source),
        str(target),
        "--time-limit",
        str(int(time_limit)),
    ]
    child = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output, _ = child.communicate(timeout=time_limit)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # the kernel is in the same group: it goes too
        child.communicate()
        return False, f"time limit of {time_limit:g} s reached"
    if child.returncode != 0:
        return (
            False,
            f"the run stopped: {(output or '').strip().splitlines()[-1:] or ['no message']}",
        )
    return True, ""


def grade_folder(folder: Path, out: Path, time_limit: float = 1800) -> list[Grade]:
    """Grade every ``*.ipynb`` in ``folder`` (sorted); write ``grades.csv`` and ``summary.md`` to ``out``."""
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise ValueError(
            f"{folder} is not a folder: give the folder that holds the students' notebooks."
        )
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(
            f"{folder} holds no .ipynb files: collect the students' notebooks there first."
        )
    if not time_limit > 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}.")
    out.mkdir(parents=True, exist_ok=True)
    grades: list[Grade] = []
    with tempfile.TemporaryDirectory() as scratch:
        for source in notebooks:
            target = Path(scratch) / source.name
            finished, reason = _run_with_limit(source, target, time_limit)
            executed = json.loads(target.read_text()) if target.exists() else {"cells": []}
            if not target.exists():
                executed = json.loads(source.read_text())
                for cell in executed.get(
                    "cells", []
                ):  # nothing ran: grade the student's cells as not run
                    cell["outputs"], cell["execution_count"] = [], None
            grades += grades_of(executed, source.name, finished, reason)
    write_grades(grades, out)
    return grades


def summary_rows(grades: list[Grade]) -> list[dict]:
    """One row per notebook: how many checks passed, failed, errored, did not run."""
    rows = {}
    for grade in grades:
        row = rows.setdefault(
            grade.notebook, {"notebook": grade.notebook, **{o: 0 for o in OUTCOMES}}
        )
        if grade.check != "-":  # "-": a notebook with no check to grade
            row[grade.outcome] += 1
    for row in rows.values():
        row["total"] = sum(row[o] for o in OUTCOMES)
    return list(rows.values())


def write_grades(grades: list[Grade], out: Path) -> None:
    with (out / "grades.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(asdict(grades[0])))
        writer.writeheader()
        writer.writerows(asdict(g) for g in grades)
    lines = [
        "| notebook | passed | failed | errors | not run | checks |",
        "|---|---|---|---|---|---|",
    ]
    for row in summary_rows(grades):
        lines.append(
            f"| {row['notebook']} | {row['pass']} | {row['fail']} | {row['error']} | {row['not run']} | {row['total']} |"
        )
    (out / "summary.md").write_text("\n".join(lines) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emergent.core.grading", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("folder", type=Path, help="the folder holding the students' .ipynb files")
    parser.add_argument("target", type=Path, nargs="?", help=argparse.SUPPRESS)
    parser.add_argument(
        "--out", type=Path, default=Path("grades"), help="where grades.csv and summary.md go"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=1800,
        help="seconds each notebook may run (default 1800)",
    )
    parser.add_argument("--execute-one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.execute_one:  # the child process of one notebook's run
        execute_one(args.folder, args.target, cell_timeout=int(args.time_limit))
        return 0
    try:
        grades = grade_folder(args.folder, args.out, args.time_limit)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print((args.out / "summary.md").read_text(), end="")
    print(f"{len(grades)} rows in {args.out / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
