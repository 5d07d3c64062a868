"""Mistakes are sorted as defined on constructed answers; the in-context measure sees a planted copier."""

import types

import pytest
import torch

from emergent.core.checks import CheckFailed
from emergent.reasoning import exercises
from emergent.reasoning.errors import classify_error, error_counts
from emergent.reasoning.in_context import accuracy_by_examples, repeated_prompts
from emergent.reasoning.tasks import Composition, format_scratchpad, running_effects


def test_each_kind_of_mistake_is_recognised():
    problem = Composition("00031425")
    lines = problem.running
    assert classify_error(problem, format_scratchpad(problem.steps)) is None
    assert classify_error(problem, "0003") == "format"
    wrong_answer = next(s for s in "012345" if s != lines[-1])
    assert classify_error(problem, f"{lines}>{wrong_answer}.") == "copy"
    skipped = running_effects("00030425")  # the fifth step (a 1) carried over unchanged
    assert skipped[-1] != problem.answer
    assert classify_error(problem, f"{skipped}>{skipped[-1]}.") == "step missing"
    bad = (
        lines[:6]
        + next(s for s in "012345" if s not in (lines[6], running_effects("00031405")[6]))
        + lines[7]
    )
    assert classify_error(problem, f"{bad}>{wrong_answer}.") == "wrong step"
    counts = error_counts([problem, problem], [format_scratchpad(problem.steps), "0003"])
    assert counts == {"format": 1}
    with pytest.raises(ValueError, match="one answer per problem"):
        error_counts([problem], [])


def test_exercise_checks_accept_the_references_and_catch_a_commuting_formatter():
    assert exercises.check_format_scratchpad(format_scratchpad)
    assert exercises.check_classify_error(classify_error)

    def commuting(steps):  # applies the table the wrong way round
        from emergent.reasoning.tasks import TABLE

        effect, out = 0, ""
        for s in steps:
            effect = TABLE[int(s)][effect]
            out += str(effect)
        return f"{out}>{out[-1]}."

    with pytest.raises(CheckFailed, match="Case"):
        exercises.check_format_scratchpad(commuting)


class Copier(torch.nn.Module):
    """Predicts the token that followed the previous occurrence of the current one: a perfect induction model."""

    def __init__(self):
        super().__init__()
        self.shape = types.SimpleNamespace(vocab_size=16, context=64)

    def forward(self, tokens):
        logits = torch.zeros(*tokens.shape, 16)
        for b, row in enumerate(tokens.tolist()):
            for t, token in enumerate(row):
                earlier = [i for i in range(t) if row[i] == token]
                if earlier:
                    logits[b, t, row[earlier[-1] + 1]] = 1.0
        return logits


def test_in_context_accuracy_is_a_guess_without_examples_and_perfect_with_one_for_a_copier():
    accuracy = accuracy_by_examples(Copier(), period=6, copies=3, count=20)
    assert accuracy.shape == (20, 3)
    assert accuracy[:, 0].mean() < 0.2 and (accuracy[:, 1:] == 1.0).all()
    prompts = repeated_prompts(4, period=5, copies=2, vocab_size=16)
    assert (prompts[:, :5] == prompts[:, 5:]).all() and all(
        len(set(r[:5].tolist())) == 5 for r in prompts
    )
    with pytest.raises(ValueError, match="at least 7"):
        repeated_prompts(2, period=7, copies=2, vocab_size=6)
