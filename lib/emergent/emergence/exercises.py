"""Checks for the exercises of the chapter "What is emergence?".

Each check runs the student's function against the library's reference implementation
(:mod:`emergent.emergence.thresholds`, :mod:`emergent.emergence.shapes`, :mod:`emergent.emergence.induction`) on fixed and edge
cases, and says which case failed.
"""

from __future__ import annotations

from typing import Callable

from emergent.core.checks import CheckFailed, check_function
from emergent.emergence.shapes import u_shape_bottom
from emergent.emergence.thresholds import step_accuracy_needed, task_success


def _reference_task_success(p, k):
    return task_success(p, k)


def check_task_success(student: Callable) -> bool:
    """``student(p, k)``: success of a task of ``k`` independent sub-steps, each right with probability ``p``."""
    cases = [(0.4, 5), (0.6, 5), (0.9, 1), (1.0, 7), (0.0, 3), (0.5, 10), (0.99, 100)]
    bad = [(0.5, 0), (0.5, -2), (1.2, 3), (-0.1, 2), (60, 5)]
    return check_function(
        student,
        _reference_task_success,
        cases,
        hint="every sub-step must succeed, independently: multiply k equal probabilities. "
        "Refuse k <= 0 and accuracies outside [0, 1] (e.g. 60 for 60%) with ValueError.",
        raises=bad,
    )


def check_step_accuracy_needed(student: Callable) -> bool:
    """``student(target, k)``: the per-step accuracy a k-step task needs to succeed with probability ``target``."""
    cases = [(0.5, 5), (0.078, 5), (0.9, 1), (0.01, 10), (1.0, 3), (0.0, 4)]
    bad = [(0.5, 0), (1.5, 2), (-0.2, 3)]
    return check_function(
        student,
        step_accuracy_needed,
        cases,
        hint="invert p ** k = target for p: take the k-th root.",
        raises=bad,
    )


def check_u_shape_bottom(student: Callable) -> bool:
    """``student(true_midpoint, distractor_midpoint, slope, chance)``: log10 scale at the bottom of the U."""

    def reference(true_midpoint, distractor_midpoint, slope, chance):
        return u_shape_bottom(true_midpoint, distractor_midpoint, slope, chance)[0]

    cases = [
        dict(true_midpoint=23.5, distractor_midpoint=20.5, slope=1.2, chance=0.5),
        dict(true_midpoint=24.0, distractor_midpoint=22.0, slope=2.0, chance=0.5),
        dict(true_midpoint=23.0, distractor_midpoint=19.0, slope=1.0, chance=0.25),
        dict(true_midpoint=22.0, distractor_midpoint=21.0, slope=3.0, chance=0.5),
    ]
    return check_function(
        student,
        reference,
        cases,
        hint="write the accuracy t + (1 - t)(1 - d) * chance as a function of the log scale and "
        "minimise it between the two midpoints (numerically, e.g. on a fine grid or with scipy).",
        rtol=0,
        atol=2e-3,
    )


def check_find_induction_head(student: Callable, model) -> bool:
    """``student(model) -> (layer, head)``: the head of a trained model with the highest prefix-matching score."""
    from emergent.emergence.induction import prefix_matching_scores

    scores = prefix_matching_scores(model)
    layer, head = divmod(int(scores.argmax()), scores.shape[1])
    try:
        got = student(model)
    except Exception as error:  # report any crash as a failed check
        raise CheckFailed(
            f"find_induction_head(model) raised {type(error).__name__}: {error}."
        ) from None
    try:
        got = tuple(int(v) for v in got)
    except (TypeError, ValueError):
        raise CheckFailed(
            f"find_induction_head(model) should return (layer, head) as two integers, got {got!r}."
        ) from None
    in_range = 0 <= got[0] < scores.shape[0] and 0 <= got[1] < scores.shape[1]
    # a probe on other random tokens may rank two near-equal heads the other way round: accept either
    if got != (layer, head) and not (in_range and float(scores[got]) >= float(scores.max()) - 0.05):
        raise CheckFailed(
            f"find_induction_head(model) returned {got}, but the head with the highest prefix-matching score is "
            f"(layer={layer}, head={head}) with a score of {float(scores[layer, head]):.2f}; yours scores "
            f"{float(scores[got]) if in_range else float('nan'):.2f}."
            "\nHint: layers and heads count from 0; feed a sequence that repeats a segment of distinct tokens, and for "
            "each query in the second copy read the attention to the position just after the earlier occurrence "
            "of the same token (t - period + 1)."
        )
    print(
        f"✔ find_induction_head: layer {got[0]}, head {got[1]} (prefix-matching score {float(scores[got]):.2f})."
    )
    return True


def check_knock_out(student: Callable, model, tokens, data) -> bool:
    """``student(model, tokens, layer, head) -> ICL score`` with that head's output zeroed (by a hook)."""
    import copy

    import torch

    from emergent.emergence.induction import icl_with_heads_ablated

    expected = icl_with_heads_ablated(model, tokens, data)
    untouched = copy.deepcopy(
        model
    )  # a copy made now carries none of the hooks the student may leave behind
    for layer in range(expected.shape[0]):
        for head in range(expected.shape[1]):
            try:
                got = float(student(model, tokens, layer, head))
            except Exception as error:  # report any crash as a failed check
                raise CheckFailed(
                    f"knock_out(model, tokens, {layer}, {head}) raised {type(error).__name__}: {error}."
                ) from None
            if abs(got - float(expected[layer, head])) > 1e-4:
                raise CheckFailed(
                    f"knock_out(model, tokens, {layer}, {head}) returned {got:.4f}, expected {float(expected[layer, head]):.4f}."
                    "\nHint: in a forward pre-hook on model.attention[layer].out, zero the slice "
                    "[head * d_head, (head + 1) * d_head) of the last dimension of its input, and remove the hook "
                    "afterwards; the ICL score is the loss predicting token late_position + 1 minus the loss predicting "
                    "token early_position + 1, averaged over the batch."
                )
    with torch.no_grad():
        left_alone = torch.equal(model(tokens[:2]), untouched(tokens[:2]))
    if not left_alone:
        raise CheckFailed(
            "the model still behaves differently after knock_out returned: remove your hook when done."
        )
    print(
        f"✔ knock_out matches the reference for all {expected.numel()} heads, and leaves the model as it was."
    )
    return True
