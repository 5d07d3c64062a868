"""Reading the circuit of a trained induction model: which heads do what, when the strongest one
formed, and how much in-context learning is left when heads are knocked out.

The chapter "What is emergence?" asks each seed two of Olsson et al.'s (2022) questions:

1. **Timing.** Does the strongest induction head form when the ICL score jumps? Both are located
   with :func:`~emergent.core.transitions.formation_step` (the step at which each has made half
   of its change), and their distance is a share of training.
2. **Knockouts.** Is in-context learning gone without the circuit, and spared without a head
   outside it? :func:`read_circuit` names the heads from their scores; :func:`knockout_shares`
   measures the share of the ICL score left with each set knocked out.

:func:`read_seed` does both for one trained run, :func:`shares_by_knockout` lines the seeds up for
a claim, and :func:`losses_along_sequence` and :func:`first_step_above` serve the figures and prose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from emergent.core.transitions import formation_step
from emergent.emergence.induction import (
    icl_without,
    prefix_matching_scores,
    previous_token_scores,
)

Head = tuple[int, int]  # (layer, head), both counting from 0
KNOCKOUTS = ("strongest", "induction", "previous", "others")  # what each seed knocks out, in order


# --------------------------------------------------------------------------------------------
# 1. Which heads do what
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Circuit:
    """The heads of a 2-layer attention-only model, sorted by the part they play."""

    strongest: Head  # the head with the highest prefix-matching score
    induction: list[Head]  # every head whose prefix-matching score exceeds the threshold
    previous: list[Head]  # every layer-1 head whose previous-token score exceeds it
    others: list[Head]  # every head in neither set: the control


def read_circuit(prefix_matching, previous_token, threshold: float = 0.3) -> Circuit:
    """Sort heads by their ``(layers, heads)`` prefix-matching and previous-token scores.

    An induction head scores above ``threshold`` on prefix matching (in any layer); a
    previous-token head scores above it on previous-token attention, in layer 1 (index 0), where
    it must sit to feed an induction head.
    """
    # compared as the model gives them (float32 tensors), so a score is above the threshold here
    # exactly when it is above it in the model's own dtype
    prefix, before = torch.as_tensor(prefix_matching), torch.as_tensor(previous_token)
    if prefix.ndim != 2 or prefix.shape != before.shape:
        raise ValueError(
            f"need two (layers, heads) score tables of one shape, got "
            f"{tuple(prefix.shape)} and {tuple(before.shape)}."
        )
    if not 0 < threshold < 1:
        raise ValueError(
            f"a head-score threshold is an attention weight in (0, 1), got {threshold}."
        )
    layers, heads = prefix.shape
    strongest = divmod(int(prefix.argmax()), heads)
    induction = [(l, h) for l in range(layers) for h in range(heads) if prefix[l, h] > threshold]
    previous = [(0, h) for h in range(heads) if before[0, h] > threshold]
    others = [
        (l, h) for l in range(layers) for h in range(heads) if (l, h) not in induction + previous
    ]
    return Circuit(strongest, induction, previous, others)


def circuit_of(model, threshold: float = 0.3) -> Circuit:
    """:func:`read_circuit` with the model's own scores on repeated random segments."""
    return read_circuit(prefix_matching_scores(model), previous_token_scores(model), threshold)


# --------------------------------------------------------------------------------------------
# 2. What is left without them
# --------------------------------------------------------------------------------------------


def knockout_shares(icl_with: Callable[[list[Head]], float], circuit: Circuit) -> dict:
    """The share of the intact ICL score left with each set of heads knocked out.

    ``icl_with(heads)`` is the model's ICL score with ``heads`` knocked out (``[]``: intact).
    Returns ``{"strongest", "induction", "previous", "others"}``: the strongest induction head
    alone, every induction head, every previous-token head (None if there is none), and the mean
    over the heads in neither set, each knocked out alone (None if there is none). A share below
    zero means the damaged model predicts late tokens worse than early ones.
    """
    intact = icl_with([])
    if intact >= 0:
        raise ValueError(
            f"the intact ICL score is {intact:.3f} >= 0: the model does not use its "
            "context, so there is no share of that use to knock out."
        )

    def left(heads: list[Head]) -> float:
        return icl_with(heads) / intact

    return {
        "strongest": left([circuit.strongest]),
        "induction": left(circuit.induction),
        "previous": left(circuit.previous) if circuit.previous else None,
        "others": float(np.mean([left([h]) for h in circuit.others])) if circuit.others else None,
    }


# --------------------------------------------------------------------------------------------
# 3. One seed, and the seeds together
# --------------------------------------------------------------------------------------------


def _share(value: float | None) -> str:
    return "(no such head)" if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class SeedReading:
    """What one trained seed shows: its circuit, its timing and its knockouts."""

    circuit: Circuit
    formed: int  # step at which the strongest head's prefix-matching score made half its rise
    jumped: int  # step at which the ICL score made half its change
    offset: float  # (formed - jumped) / training steps
    shares: dict  # knockout -> share of the ICL score left (see knockout_shares)

    def __str__(self) -> str:
        (layer, head), c, s = self.circuit.strongest, self.circuit, self.shares
        return (
            f"strongest induction head (layer {layer + 1}, head {head}) half-formed at step "
            f"{self.formed}, ICL score half-way at step {self.jumped}; {len(c.induction)} "
            f"induction heads, {len(c.previous)} previous-token heads; share left without the "
            f"strongest {s['strongest']:.2f}, without every induction head "
            f"{s['induction']:.2f}, without every previous-token head {_share(s['previous'])}, "
            f"without one of the {len(c.others)} other heads {_share(s['others'])} on average"
        )


def read_seed(
    model, history, tokens: torch.Tensor, data, training_steps: int, threshold: float = 0.3
) -> SeedReading:
    """Read a trained 2-layer run: its circuit, when its strongest induction head formed against
    the ICL score's jump (from ``history``'s evaluations), and its knockouts on ``tokens``."""
    circuit = circuit_of(model, threshold)
    layer, head = circuit.strongest
    steps = history.column("step")
    head_curve = [row[layer][head] for row in history.column("prefix_matching")]
    formed = formation_step(steps, head_curve)
    jumped = formation_step(steps, history.column("icl_score"))
    shares = knockout_shares(lambda heads: icl_without(model, tokens, data, heads), circuit)
    return SeedReading(circuit, formed, jumped, (formed - jumped) / training_steps, shares)


def shares_by_knockout(readings: Iterable[SeedReading]) -> dict[str, list]:
    """``{knockout: [share of each seed]}``, ready for ``claims.over_seeds`` (None: no such head)."""
    readings = list(readings)
    if not readings:
        raise ValueError("no seeds were read.")
    return {name: [r.shares[name] for r in readings] for name in KNOCKOUTS}


# --------------------------------------------------------------------------------------------
# 4. For the figures and the prose
# --------------------------------------------------------------------------------------------


@torch.no_grad()
def losses_along_sequence(model, tokens: torch.Tensor, knocked_out: Iterable[Head] = ()):
    """(T-1,) mean loss (nats) of predicting each next token, with ``knocked_out`` heads zeroed."""
    logits = model(tokens, ablate=list(knocked_out))[:, :-1]  # (B, T-1, V)
    return F.cross_entropy(logits.transpose(1, 2), tokens[:, 1:], reduction="none").mean(0)


def first_step_above(eval_steps: Sequence[int], values, level: float) -> int | None:
    """The first evaluated step at which ``values`` exceeds ``level``; None if it never does."""
    values = np.asarray(values, dtype=float)
    if len(eval_steps) != len(values) or len(values) == 0:
        raise ValueError("eval_steps and values must be non-empty and of equal length.")
    above = values > level
    return int(eval_steps[int(np.argmax(above))]) if above.any() else None
