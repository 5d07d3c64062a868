"""What went wrong in a scratchpad: the miniature of Wei et al.'s error analysis of chain of thought.

Wei et al. (2022) read 45 wrong chains of thought of PaLM 62B on math word problems and sorted
them: semantic understanding (20), one step missing (18), other (7); PaLM 540B fixed 6, 12 and 4 of
them. A composition's scratchpad can be sorted the same way, mechanically:

* **format**: what was written cannot be read as eight running effects, '>' and an answer;
* **step missing**: the lines are exactly the running effects with one step left out (the model
  carried the effect over one step unchanged), a step skipped rather than botched;
* **wrong step**: some line is not the previous line combined with its step, a wrong look-up;
* **copy**: every line is right, but the answer is not the last line.
"""

from __future__ import annotations

from collections import Counter

from emergent.reasoning.tasks import STEPS, Composition, Written, parse_answer, running_effects

ERROR_TYPES = ("format", "step missing", "wrong step", "copy")


def classify_error(problem: Composition, written: Written | str) -> str | None:
    """The kind of mistake in a scratchpad answer, or None if its answer is right.

    ``written`` is the parsed answer or the raw text the model wrote after the prompt.
    """
    if isinstance(written, str):
        written = parse_answer(written, "scratchpad")
    if written.answer == problem.answer:
        return None
    if not written.well_formed:
        return "format"
    if written.lines == problem.running:
        return "copy"
    for skipped in range(STEPS):
        without = problem.steps[:skipped] + "0" + problem.steps[skipped + 1 :]  # "0" does nothing
        if problem.steps[skipped] != "0" and written.lines == running_effects(without):
            return "step missing"
    return "wrong step"


def error_counts(problems, written) -> Counter:
    """How many answers of each kind of mistake (right answers are not counted)."""
    if len(problems) != len(written):
        raise ValueError(
            f"{len(problems)} problems but {len(written)} answers: pass one answer per problem."
        )
    return Counter(
        kind
        for kind in (classify_error(p, w) for p, w in zip(problems, written))
        if kind is not None
    )
