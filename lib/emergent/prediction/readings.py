"""Readings for the chapter "Can emergence be predicted?": the steps between the experiments and
the claims that are more than a line or two.

- the forecasts and what became of them: :data:`SOURCES`, :func:`other_low_data_limits`,
  :func:`loss_law`, :func:`names_or_none`;
- compression against ability on text: :func:`score_text_models`;
- memorisation with scale: :func:`memoriser_runs`, :func:`exposures_by_width`,
  :func:`bounded_by_rounds`, :func:`frequency_gap`, :func:`rounds_and_exposures`.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from emergent.core.models import count_parameters
from emergent.prediction import forecasts as fc
from emergent.prediction.evidence import Member
from emergent.prediction.memorisation import (
    FactBook,
    Memoriser,
    exposures_to_memorise,
    learning_rate_for,
    memorisation_curve,
    memoriser_run,
)
from emergent.prediction.text_abilities import text_abilities
from emergent.scaling.isoflop import ACCOUNTINGS, isoflop_grid, isoflop_run
from emergent.scaling.laws import PowerLawFit, fit_power_law, fit_pure_power_law

# --- the forecasts -------------------------------------------------------------------------------

# Whose idea each forecast tries, cited beside its error.
SOURCES = {
    "loss_extrapolation": "schaeffer2023mirage",
    "loss_threshold": "du2024understanding",
    "finetuning_law": "snell2024predicting",
    "naive_extrapolation": "wei2022emergent",
}
INFORMED = ("loss_extrapolation", "loss_threshold", "finetuning_law")  # (a), (b), (c): not the line


def other_low_data_limits(
    members: list[Member], finetuned: dict, target: int, limits
) -> list[fc.Forecast]:
    """Forecast (c) again with other low-data limits ``D0``, from the fine-tuning runs of ``members``
    only; each forecast's method names its limit (``"finetuning_law, D0 = 8"``)."""
    keep = np.isin(finetuned["parameters"], [m.parameters for m in members])
    if not keep.any():
        raise ValueError("none of the fine-tuned models is among the members the forecaster sees.")
    return [
        replace(
            fc.finetuning_law(
                finetuned["parameters"][keep],
                finetuned["examples"][keep],
                finetuned["exact"][keep],
                target,
                reference=d0,
            ),
            method=f"finetuning_law, D0 = {d0}",
        )
        for d0 in limits
    ]


def loss_law(members: list[Member], digits: int):
    """The power law through the members' per-digit loss on ``digits``-digit additions: ``E + A
    N^-alpha`` (no bootstrap), the law forecast (a) extrapolates, where four or more sizes fix it;
    ``A N^-alpha`` with no floor through fewer (a straight line on log-log axes)."""
    sizes = [m.parameters for m in members]
    losses = [m.score(f"loss_{digits}") for m in members]
    if len(set(sizes)) >= 4:
        return fit_power_law(sizes, losses, bootstrap=0)
    slope, scale = fit_pure_power_law(sizes, losses)
    nothing = (float("nan"), float("nan"))
    return PowerLawFit(0.0, scale, -slope, *nothing, nothing, nothing, np.empty((0, 3)))


def names_or_none(names) -> str:
    """``"a, b"`` for a list of names, ``"none"`` for an empty one (for a sentence of the page)."""
    return ", ".join(names) if names else "none"


# --- compression against ability -----------------------------------------------------------------


def score_text_models(text, half: int | None = None) -> list[dict]:
    """:func:`text_abilities` of every byte-level model of the scaling chapter's IsoFLOP sweeps, in
    the order of the sweeps; ``half`` (0 or 1) scores one half of the held-out windows."""
    extra = {} if half is None else {"half": half}
    return [
        text_abilities(isoflop_run(compute, n_layer, n_embd, text, accounting)[0], text, **extra)
        for accounting in ACCOUNTINGS
        for compute, sizes in isoflop_grid(accounting).items()
        for n_layer, n_embd in sizes
    ]


# --- memorisation --------------------------------------------------------------------------------


def memoriser_runs(widths, seeds, book: FactBook) -> dict:
    """``{(width, seed): (model, history)}``: every width with every seed, trained (or loaded) in
    that order, each with the learning rate of :func:`learning_rate_for` its width."""
    return {
        (w, s): memoriser_run(Memoriser(n_embd=w, learning_rate=learning_rate_for(w), seed=s), book)
        for w in widths
        for s in seeds
    }


def model_sizes(runs: dict, widths, seed: int = 0) -> dict[int, int]:
    """Non-embedding parameters of each width's model (the run with ``seed``)."""
    return {w: count_parameters(runs[w, seed][0], embeddings=False) for w in widths}


def exposures_by_width(runs: dict, widths, seeds, frequency: int = 1) -> dict[int, list]:
    """``T(N, 0.9)`` per width and seed, read off the group seen ``frequency`` times a round (None
    where the run never memorised 90% of it)."""
    return {
        w: [
            exposures_to_memorise(memorisation_curve(runs[w, s][1], frequency), frequency)
            for s in seeds
        ]
        for w in widths
    }


def bounded_by_rounds(exposures: dict[int, list], rounds: int) -> dict[int, list[int]]:
    """Each None (never reached 90%) counted as ``rounds + 1``: a bound from below."""
    return {
        w: [e if e is not None else rounds + 1 for e in values] for w, values in exposures.items()
    }


def frequency_gap(history, frequent: int = 8, rare: int = 1, q: float = 0.9) -> float:
    """At the round when the group seen ``frequent`` times a round is first ``q`` memorised (or the
    run's last round), its memorised fraction minus that of the group seen ``rare`` times."""
    often, seldom = memorisation_curve(history, frequent), memorisation_curve(history, rare)
    reached = np.flatnonzero(often >= q)
    when = int(reached[0]) if len(reached) else len(often) - 1
    return often[when] - seldom[when]


def rounds_and_exposures(reached, frequencies) -> tuple[bool, bool]:
    """For the exposures each group needed (None: never), whether more frequent groups needed
    strictly more exposures, and whether they needed strictly fewer rounds."""
    if None in reached:
        return False, False
    more_exposures = all(a < b for a, b in itertools.pairwise(reached))
    rounds = [e / f for e, f in zip(reached, frequencies)]
    fewer_rounds = all(a > b for a, b in itertools.pairwise(rounds))
    return more_exposures, fewer_rounds


def exposures_by_group(history, frequencies) -> list:
    """``T(N, 0.9)`` of each group of one run, the group seen ``f`` times a round read in exposures
    (rounds times ``f``); None where the group never reached 90%."""
    return [exposures_to_memorise(memorisation_curve(history, f), f) for f in frequencies]
