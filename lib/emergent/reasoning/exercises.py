"""Checks for the exercises of the chapter "Thinking out loud"."""

from __future__ import annotations

from emergent.core.checks import check_function
from emergent.reasoning.errors import classify_error
from emergent.reasoning.tasks import Composition, format_scratchpad, parse_answer


def check_format_scratchpad(student) -> bool:
    """``student(steps)`` writes the scratchpad for a string of rearrangements: running effects, '>', answer, '.'."""
    cases = [("5",), ("52",), ("00000005",), ("21",), ("12",), ("33333333",), ("20001435",)]
    return check_function(
        student,
        format_scratchpad,
        cases,
        hint="Start from the do-nothing effect 0; after each step the effect becomes TABLE[effect][step]. "
        "Write every effect, then '>', the last effect again, and '.'. Note 21 and 12 differ: S3 does not commute.",
        raises=[("",), ("7",), ("2a",)],
    )


def _exact_match(outputs: list[str], problems: list[Composition], with_steps: bool) -> float:
    """The reference: the share of scratchpad outputs whose answer (or answer and every line) is right."""
    if len(outputs) != len(problems) or not outputs:
        raise ValueError("give one output per problem, at least one.")
    right = [
        (parse_answer(o, "scratchpad").answer == p.answer)
        and (not with_steps or o == format_scratchpad(p.steps))
        for o, p in zip(outputs, problems)
    ]
    return sum(right) / len(right)


def check_exact_match(student) -> bool:
    """``student(outputs, problems, with_steps)``: exact match of the answer, or of the answer and every line."""
    problems = [Composition("00000052"), Composition("00000021"), Composition("12345012")]
    right = [format_scratchpad(p.steps) for p in problems]
    lucky = "00000053>" + problems[0].answer + "."  # a wrong line, the right answer
    cases = [
        (right, problems, False),
        (right, problems, True),
        ([lucky, right[1], right[2]], problems, False),
        ([lucky, right[1], right[2]], problems, True),
        (["x", right[1], "00000000>0."], problems, False),
    ]
    return check_function(
        student,
        _exact_match,
        cases,
        hint="Read the answer after the last '>'. Without the steps only the answer counts; with them the whole "
        "output must equal the scratchpad. Refuse lists of different lengths with ValueError.",
        raises=[(right[:2], problems, False), ([], [], True)],
    )


def check_classify_error(student) -> bool:
    """``student(problem, text)`` names the mistake in a scratchpad answer, or returns None if the answer is right."""
    problem = Composition("00005231")
    good = format_scratchpad(problem.steps)
    lines = problem.running
    skipped = format_scratchpad("00000231")[
        :-3
    ]  # the first real step carried over: one step missing
    cases = [
        (problem, good),
        (problem, "0000" + "5" + "3" + "4" + "0"),  # no '>' or '.': format
        (
            problem,
            lines + ">" + ("1" if lines[-1] != "1" else "2") + ".",
        ),  # every line right, answer not copied
        (problem, skipped + ">" + skipped[-1] + "."),
        (
            problem,
            lines[:5] + "0" + lines[6:] + ">" + lines[-1] + ".",
        ),  # a wrong line, the right answer: no error
        (problem, "00004444>4."),
    ]
    return check_function(
        student,
        classify_error,
        cases,
        hint="Check in order: a right answer is no error; then format (parse_answer's well_formed), copy (every line "
        "right), step missing (the lines equal the running effects with one real step replaced by '0'), and "
        "otherwise wrong step.",
    )
