"""Four ways to forecast a larger model's exact match from the records of smaller ones.

(a) :func:`loss_extrapolation`: fit a power law to the smaller models' per-token loss on the task,
    extrapolate it to the larger size, and turn it into exact match with ``p^L`` (Schaeffer et al.);
(b) :func:`loss_threshold`: exact match is zero above a threshold of the overall test loss and rises
    below it, whatever the size (Du et al. 2024); fit that hinge on every checkpoint of the smaller
    models and read it at the larger model's extrapolated loss;
(c) :func:`finetuning_law`: fine-tuning on the task moves emergence to smaller models; fit how far
    it moves with the amount of fine-tuning data, and extrapolate back to none (Snell et al. 2024);
(d) :func:`naive_extrapolation`: draw a straight line through the smaller models' exact match
    against log size, the forecast Wei et al.'s definition says will fail.

Each returns a :class:`Forecast`: a value with bootstrap draws. A method whose data cannot place the
rise at all says so: its forecast is the whole range [0, 1], with a note saying why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emergent.core.claims import Estimate, from_draws
from emergent.prediction.evidence import Member
from emergent.scaling.laws import fit_power_law, fit_pure_power_law, power_law

BOOTSTRAP = 300  # refits behind every interval
EMERGED = 0.05  # an exact match at or above this counts as "the ability is there"


@dataclass(frozen=True)
class Forecast:
    """One method's forecast for one size: ``value`` and its bootstrap ``draws``.

    ``draws`` is None when the method cannot place the rise (its forecast is then all of [0, 1]).
    """

    method: str
    target: int  # non-embedding parameters of the model forecast
    value: float
    draws: np.ndarray | None
    items: int  # how many data points the method resampled
    note: str = ""

    @property
    def decided(self) -> bool:
        return self.draws is not None

    def estimate(self) -> Estimate:
        """The forecast with its 90% interval; [0, 1] when the method could not decide."""
        if not self.decided:
            return Estimate(self.value, 0.0, 1.0, "bootstrap", self.items)
        return from_draws(self.value, self.draws, self.items)

    def error(self, measured: Estimate, measured_draws: np.ndarray) -> Estimate:
        """Forecast minus measurement, with an interval from both sides' draws (independent samples)."""
        if not self.decided:
            return Estimate(
                self.value - measured.value,
                -measured.high,
                1.0 - measured.low,
                "bootstrap",
                self.items,
            )
        rng = np.random.default_rng(0)
        paired = self.draws - rng.choice(np.asarray(measured_draws, float), size=len(self.draws))
        return from_draws(self.value - measured.value, paired, self.items)


def _undecided(method: str, target: int, items: int, why: str) -> Forecast:
    return Forecast(method, target, 0.5, None, items, note=why)


def exact_match_from_loss(loss_per_token, tokens):
    """``p^L`` with ``p = exp(-loss)``: the exact match an answer of ``tokens`` tokens gets if every token
    is right independently, with the geometric-mean probability that the per-token loss implies."""
    loss = np.asarray(loss_per_token, dtype=float)
    if np.isnan(loss).any() or (loss < 0).any():
        raise ValueError(
            f"a cross-entropy is a non-negative number of nats, got {loss_per_token!r}."
        )
    if isinstance(tokens, bool) or not isinstance(tokens, (int, np.integer)) or tokens < 1:
        raise ValueError(f"an answer has at least 1 token, got tokens={tokens!r}.")
    return np.exp(-tokens * loss)


def extrapolate_power_law(x, y, x_new):
    """Fit ``y = k x^a`` on log-log axes (a straight line) and read it at ``x_new``."""
    a, k = fit_pure_power_law(x, y)
    x_new = np.asarray(x_new, dtype=float)
    if (x_new <= 0).any():
        raise ValueError(f"a power law is read at positive x only, got {x_new!r}.")
    return k * x_new**a


def _sizes_and(members: list[Member], key: str, at_least: int):
    if len(members) < at_least:
        raise ValueError(
            f"this forecast needs at least {at_least} smaller models, got {len(members)}."
        )
    return (
        np.array([m.parameters for m in members], dtype=float),
        np.array([m.score(key) for m in members], dtype=float),
    )


TOO_FEW = "fewer than four sizes seen"  # a law with a floor and an exponent has three parameters


def _too_few_sizes(members: list[Member]) -> bool:
    """Too few sizes to fix E + A N^-alpha: three points are passed through exactly, whatever the truth."""
    return len({m.parameters for m in members}) < 4


def _check_target(members: list[Member], target: int) -> None:
    largest = max(m.parameters for m in members)
    if target <= largest:
        raise ValueError(
            f"the target ({target:,} parameters) must be larger than every model the forecaster "
            f"sees (the largest has {largest:,}): a forecast looks ahead."
        )


# (a) --------------------------------------------------------------------------------------------


def loss_extrapolation(
    members: list[Member], target: int, digits: int, bootstrap: int = BOOTSTRAP
) -> Forecast:
    """Extrapolate the per-token loss on ``digits``-digit answers with ``E + A N^-alpha``; exact match is ``p^L``.

    With fewer than four sizes the law's three parameters are not fixed by the data (three points
    are passed through exactly, whatever the truth), so the method abstains: undecided, 0 to 1.
    """
    _check_target(members, target)
    if _too_few_sizes(members):
        return _undecided(
            "loss_extrapolation", target, len(members), f"{TOO_FEW}: the law is not fixed by them"
        )
    n, loss = _sizes_and(members, f"loss_{digits}", at_least=4)
    fit = fit_power_law(n, loss, bootstrap=bootstrap)
    tokens = digits + 1
    draws = exact_match_from_loss(np.array([power_law(target, *s) for s in fit.samples]), tokens)
    return Forecast(
        "loss_extrapolation",
        target,
        float(exact_match_from_loss(fit(target), tokens)),
        draws,
        len(members),
        note=f"loss at the target extrapolated to {fit(target):.3f} nats per token",
    )


# (b) --------------------------------------------------------------------------------------------


def hinge(x, threshold: float, slope: float):
    """``min(1, slope * (threshold - x))`` below the threshold, 0 above: performance against loss."""
    return np.clip(slope * (threshold - np.asarray(x, dtype=float)), 0.0, 1.0)


def fit_hinge(x, y) -> tuple[float, float]:
    """Least-squares ``(threshold, slope)`` of :func:`hinge` to points ``(loss, exact match)``, on a grid."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 3:
        raise ValueError(
            f"fit_hinge needs at least 3 points as two 1-D arrays of equal length, got {x.shape} and {y.shape}."
        )
    span = max(np.ptp(x), 1e-6)
    thresholds = np.linspace(x.min() - 0.5 * span, x.max() + 0.1 * span, 120)
    slopes = np.geomspace(0.05, 100, 40) / span
    predicted = np.clip(
        slopes[:, None, None] * (thresholds[None, :, None] - x[None, None, :]), 0, 1
    )
    cost = ((predicted - y) ** 2).sum(-1)  # (slopes, thresholds)
    s, t = np.unravel_index(np.argmin(cost), cost.shape)
    return float(thresholds[t]), float(slopes[s])


def loss_threshold(
    members: list[Member], target: int, digits: int, bootstrap: int = BOOTSTRAP, seed: int = 0
) -> Forecast:
    """Du et al.'s reading: exact match on ``digits``-digit problems is a function of the overall test
    loss alone, zero above a threshold. The hinge is fitted on every checkpoint of the smaller models;
    the target's loss comes from a power law through their final losses (so, like (a), it abstains
    when fewer than four sizes are seen)."""
    _check_target(members, target)
    if _too_few_sizes(members):
        return _undecided(
            "loss_threshold", target, len(members), f"{TOO_FEW}: the target's loss is not fixed"
        )
    n, final_loss = _sizes_and(members, "loss", at_least=4)
    rows = [row for m in members for row in m.checkpoints if row["step"] > 0]
    x = np.array([row["loss"] for row in rows], dtype=float)
    y = np.array([row[f"exact_{digits}"] for row in rows], dtype=float)
    loss_fit = fit_power_law(n, final_loss, bootstrap=bootstrap)
    target_loss = float(loss_fit(target))
    loss_draws = np.array([power_law(target, *s) for s in loss_fit.samples])
    if y.max() < EMERGED:
        # No checkpoint is past the threshold: all one knows is that it lies below every loss seen.
        if target_loss >= x.min() and (loss_draws >= x.min()).all():
            return Forecast(
                "loss_threshold",
                target,
                0.0,
                np.zeros(len(loss_draws)),
                len(rows),
                note="no checkpoint seen has passed the threshold, and the target's loss is not lower than theirs",
            )
        low, high = np.quantile(np.append(loss_draws, target_loss), [0.05, 0.95])
        return _undecided(
            "loss_threshold",
            target,
            len(rows),
            f"no checkpoint seen has passed the threshold, which lies somewhere below loss {x.min():.2f}; "
            f"the target's extrapolated loss ({target_loss:.2f}, 90% range {low:.2f} to {high:.2f}) "
            "may lie below it too, so the method cannot say",
        )
    threshold, slope = fit_hinge(x, y)
    rng = np.random.default_rng(seed)
    draws = []
    for loss_draw in loss_draws:
        pick = rng.integers(0, len(x), len(x))
        draws.append(float(hinge(loss_draw, *fit_hinge(x[pick], y[pick]))))
    return Forecast(
        "loss_threshold",
        target,
        float(hinge(target_loss, threshold, slope)),
        np.array(draws),
        len(rows),
        note=f"threshold {threshold:.2f} nats; target's loss extrapolated to {target_loss:.2f}",
    )


# (c) --------------------------------------------------------------------------------------------


def _check_reference(reference: float) -> None:
    if not reference > 0:
        raise ValueError(
            f"reference is the number of fine-tuning problems the law counts in (D / reference); "
            f"it must be positive, got {reference!r}."
        )


def emergence_law(
    log_size, finetuning_examples, onset: float, shift: float, slope: float, reference: float
):
    """Exact match after fine-tuning on ``finetuning_examples`` problems, against ``log10`` size.

    A ramp that leaves zero at ``onset - shift * log10(1 + D / reference)``: with no fine-tuning data
    it starts at ``onset``, and each tenfold more data (beyond ``reference``) moves it ``shift``
    decades of size to the left.
    """
    _check_reference(reference)
    moved = shift * np.log10(1 + np.asarray(finetuning_examples, dtype=float) / reference)
    return np.clip(slope * (np.asarray(log_size, dtype=float) - onset + moved), 0.0, 1.0)


def fit_emergence_law(
    log_size, finetuning_examples, exact, reference: float
) -> tuple[float, float, float]:
    """Least-squares ``(onset, shift, slope)`` of :func:`emergence_law`, on a grid."""
    x, d, y = (np.asarray(v, dtype=float) for v in (log_size, finetuning_examples, exact))
    if not (x.shape == d.shape == y.shape) or x.ndim != 1 or len(x) < 4:
        raise ValueError(
            "fit_emergence_law needs at least 4 points, as 1-D arrays of equal length."
        )
    _check_reference(reference)
    onsets = np.linspace(x.min() - 1.0, x.max() + 2.0, 90)
    shifts = np.linspace(0.0, 3.0, 31)
    slopes = np.geomspace(0.3, 30, 20)
    moved = np.log10(1 + d / reference)
    inside = (
        x[None, None, :] - onsets[:, None, None] + shifts[None, :, None] * moved[None, None, :]
    )  # (onset, shift, point)
    best, best_cost = None, np.inf
    for slope in slopes:
        cost = ((np.clip(slope * inside, 0, 1) - y) ** 2).sum(-1)
        o, s = np.unravel_index(np.argmin(cost), cost.shape)
        if cost[o, s] < best_cost:
            best, best_cost = (float(onsets[o]), float(shifts[s]), float(slope)), cost[o, s]
    return best


def finetuning_law(
    sizes,
    finetuning_examples,
    exact,
    target: int,
    reference: float,
    bootstrap: int = 200,
    seed: int = 0,
) -> Forecast:
    """Snell et al.'s idea in miniature: fit :func:`emergence_law` to the smaller models' exact match
    after fine-tuning on several amounts of task data (zero included), then read it at the target's
    size with no fine-tuning. Snell et al. place the rise on the pre-training-loss axis; here it is
    placed on log size, since the family's loss has a knee of its own."""
    sizes, d, y = (np.asarray(v, dtype=float) for v in (sizes, finetuning_examples, exact))
    if target <= sizes.max():
        raise ValueError(
            f"the target ({target:,}) must be larger than every model fine-tuned ({int(sizes.max()):,})."
        )
    x = np.log10(sizes)
    if y.max() < EMERGED:
        return _undecided(
            "finetuning_law",
            target,
            len(y),
            "even after fine-tuning no smaller model shows the "
            "ability, so there is no rise to follow",
        )
    onset, shift, slope = fit_emergence_law(x, d, y, reference)
    value = float(emergence_law(np.log10(target), 0.0, onset, shift, slope, reference))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(bootstrap):
        pick = rng.integers(0, len(y), len(y))
        if y[pick].max() < EMERGED:
            draws.append(0.0)
            continue
        draws.append(
            float(
                emergence_law(
                    np.log10(target),
                    0.0,
                    *fit_emergence_law(x[pick], d[pick], y[pick], reference),
                    reference,
                )
            )
        )
    return Forecast(
        "finetuning_law",
        target,
        value,
        np.array(draws),
        len(y),
        note=f"rise begins at N = {10**onset:,.0f} without fine-tuning; each tenfold more "
        f"fine-tuning data moves it {shift:.2f} decades smaller",
    )


# (d) --------------------------------------------------------------------------------------------


def naive_extrapolation(
    members: list[Member],
    target: int,
    digits: int,
    last: int = 3,
    problems: int = 200,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
) -> Forecast:
    """A straight line through the ``last`` largest smaller models' exact match against log10 size,
    clipped to [0, 1]; draws resample each exact match as a score on ``problems`` test items."""
    _check_target(members, target)
    if last < 2:
        raise ValueError(f"a line needs at least 2 models, got last={last}.")
    n, exact = _sizes_and(members, f"exact_{digits}", at_least=last)
    x, y = np.log10(n[-last:]), exact[-last:]

    def line_at_target(values):
        slope, intercept = np.polyfit(x, values, 1)
        return float(np.clip(slope * np.log10(target) + intercept, 0.0, 1.0))

    rng = np.random.default_rng(seed)
    draws = [
        line_at_target(rng.binomial(problems, np.clip(y, 0, 1)) / problems)
        for _ in range(bootstrap)
    ]
    return Forecast("naive_extrapolation", target, line_at_target(y), np.array(draws), last)


def measured_exact_match(
    scores, resamples: int = 2000, seed: int = 0
) -> tuple[Estimate, np.ndarray]:
    """Exact match of a model from its 0/1 score per test problem: the estimate and its bootstrap draws."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or len(scores) < 2 or not np.isin(scores, (0.0, 1.0)).all():
        raise ValueError("scores must be one 0 or 1 per test problem, at least two of them.")
    rng = np.random.default_rng(seed)
    draws = scores[rng.integers(0, len(scores), (resamples, len(scores)))].mean(axis=1)
    return from_draws(float(scores.mean()), draws, len(scores)), draws


def forecast_all(
    members: list[Member],
    target: int,
    digits: int,
    finetuned: dict,
    reference: float,
    bootstrap: int = BOOTSTRAP,
) -> list[Forecast]:
    """The four forecasts of one target from the same smaller models. ``finetuned`` holds arrays
    ``parameters``, ``examples`` and ``exact`` (see :func:`emergent.prediction.finetuning.finetuning_table`)
    for those models only. ``bootstrap=0`` gives point forecasts (no intervals), for quick sweeps."""
    sizes = {m.parameters for m in members}
    keep = np.isin(finetuned["parameters"], list(sizes))
    return [
        loss_extrapolation(members, target, digits, bootstrap=bootstrap),
        loss_threshold(members, target, digits, bootstrap=bootstrap),
        finetuning_law(
            finetuned["parameters"][keep],
            finetuned["examples"][keep],
            finetuned["exact"][keep],
            target,
            reference,
            bootstrap=min(bootstrap, 200),
        ),
        naive_extrapolation(members, target, digits, bootstrap=bootstrap),
    ]


METHODS = {
    "loss_extrapolation": "(a) loss power law, then p^L",
    "loss_threshold": "(b) loss threshold (Du et al.)",
    "finetuning_law": "(c) fine-tuning emergence law (Snell et al.)",
    "naive_extrapolation": "(d) straight line through exact match",
}
