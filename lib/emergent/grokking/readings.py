"""Readings of finished grokking runs, in the words the chapter uses for them.

A training run leaves a :class:`~emergent.core.training.History`; the chapter reads a few numbers
off it (when a loss first fell below a level, how much the excluded loss rose over the plateau)
and states them as claims. The functions here do that reading, so that the page shows what is
read rather than how, and they say "not measured" where a run never got there:

- :func:`exact_or_missing`: one run's step as an exact estimate, or the reason it is missing;
- :func:`phase_line`: one seed's memorisation and generalisation, as a line of text;
- :func:`first_below` and :func:`excluded_at`: single readings off the log;
- :func:`progress_reading` and :func:`describe_progress`: Nanda et al.'s restricted-loss lead
  and excluded-loss rise for one run;
- :func:`measured_text`: a stated claim's value and interval (or "not measured") for the prose.
"""

from __future__ import annotations

from emergent.core import claims
from emergent.core.training import History
from emergent.core.transitions import first_step_reaching
from emergent.grokking.modular_addition import phases


def exact_or_missing(value: float | None, reason: str) -> claims.Estimate | claims.Missing:
    """``value`` as an exact estimate (one run: nothing to average), or ``claims.missing(reason)``
    when the run never got there (``value`` is None)."""
    if value is None:
        return claims.missing(reason)
    return claims.exact(value)


def phase_line(seed: int, found: dict) -> str:
    """``seed 0: memorised at step 300, generalised at step 2400 (3.1 s of training on this
    machine)`` from the dict that :func:`~emergent.grokking.modular_addition.phases` returns."""
    for key in ("steps_to_memorise", "steps_to_generalise", "seconds_to_generalise"):
        if key not in found:
            raise KeyError(f"found must come from grokking.phases(history); it has no {key!r}.")
    seconds = found["seconds_to_generalise"]
    took = "not in budget" if seconds is None else f"{seconds:.1f} s of training on this machine"
    return (
        f"seed {seed}: memorised at step {found['steps_to_memorise']}, "
        f"generalised at step {found['steps_to_generalise']} ({took})"
    )


def first_below(history: History, column: str, level: float = 1.0) -> int | None:
    """The first logged step at which ``column`` is at most ``level`` (None if it never is)."""
    return first_step_reaching(history.column("step"), [-v for v in history.column(column)], -level)


def excluded_at(history: History, step: int) -> float:
    """The excluded loss logged at ``step`` (a step that was evaluated)."""
    steps = history.column("step")
    if step not in steps:
        raise ValueError(
            f"step {step} was not evaluated; evaluated steps run {steps[0]}..{steps[-1]}."
        )
    return history.column("excluded_loss")[steps.index(step)]


def progress_reading(history: History, level: float = 1.0) -> dict:
    """Nanda et al.'s two progress readings of one run logged with restricted and excluded loss.

    ``lead``: the step where the test loss first falls to ``level`` nats over the step where the
    restricted loss does (above 1: the circuit is in place before the test set shows it).
    ``rise``: the excluded loss at the generalisation step minus at the memorisation step. Either
    is None when the run never got there; the other keys hold the steps and losses behind them.
    """
    found = phases(history)
    memorise, generalise = found["steps_to_memorise"], found["steps_to_generalise"]
    test_step = first_below(history, "test_loss", level)
    restricted_step = first_below(history, "restricted_loss", level)
    both = memorise is not None and generalise is not None
    reading = {
        "lead": (
            None
            if test_step is None or restricted_step is None
            else test_step / max(restricted_step, 1)
        ),
        "excluded_at_memorise": excluded_at(history, memorise) if both else None,
        "excluded_at_generalise": excluded_at(history, generalise) if both else None,
        "restricted_end": history.column("restricted_loss")[-1],
        "test_end": history.column("test_loss")[-1],
        "restricted_step": restricted_step,
        "test_step": test_step,
    }
    reading["rise"] = (
        reading["excluded_at_generalise"] - reading["excluded_at_memorise"] if both else None
    )
    return reading


def describe_progress(reading: dict) -> str:
    """One line of text for a :func:`progress_reading`."""
    steps = (
        f"test loss < 1 nat at step {reading['test_step']}, "
        f"restricted loss at step {reading['restricted_step']}; "
    )
    if reading["rise"] is None:
        return steps + "it did not both memorise and generalise"
    return steps + (
        f"excluded loss {reading['excluded_at_memorise']:.3f} at memorisation -> "
        f"{reading['excluded_at_generalise']:.3f} at generalisation"
    )


def measured_text(judged, digits: int = 2, signed: bool = False, unit: str = "") -> str:
    """A stated claim's estimate for a sentence of prose: ``1.85 (90% interval 1.60 to 2.10)``,
    ``212`` for an exact value, or ``not measured (why)``; ``unit`` follows the value.

    ``judged`` is what :meth:`Chapter.claim` stored (``ch.claims[key]``): a judged claim with an
    estimate, or a claim that was not measured, with a reason.
    """
    if hasattr(judged, "reason") and not hasattr(judged, "estimate"):
        return f"not measured ({judged.reason})"
    if not hasattr(judged, "estimate"):
        raise TypeError(f"expected a stated claim (ch.claims[key]), got {type(judged).__name__}.")
    e, spec = judged.estimate, f"{'+' if signed else ''}.{digits}f"
    value = f"{e.value:{spec}}" + (f" {unit}" if unit else "")
    if e.method == "exact":
        return value
    return f"{value} ({claims.LEVEL:.0%} interval {e.low:{spec}} to {e.high:{spec}})"
