"""Claims: a sentence about a measurement, judged by a rule written down before measuring.

A chapter states each claim about its own measurements once, with :func:`claim`:

- what the claim says, and whom it cites;
- the measured quantity as an :class:`Estimate` (a value with its 90% interval and how the
  interval was obtained: over seeds, by bootstrap, or exact because it is arithmetic);
- a :class:`Rule`, fixed in the chapter's text before the cell that measures runs.

The verdict is computed from the rule, shown to the reader beside the rule, and written to the
chapter's ledger. An interval that cannot decide gives ``inconclusive``.

Sentences of prose that state an outcome are either built from the numbers, or guarded by
:func:`guard`: in the default profile a contradicted sentence fails the build, naming the sentence
and the numbers; in any other profile the page shows a visible note instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from emergent.core import ledger
from emergent.core.profiles import profile_name

LEVEL = (
    0.9  # every interval in the book is a 90% interval (a leave-one-out range says it is a range)
)
METHODS = ("seeds", "bootstrap", "leave-one-out", "exact")
DEFAULT_PROFILE = "default"


class ClaimContradicted(AssertionError):
    """A sentence of the book is contradicted by the numbers this build measured."""


# --- estimates: a value with its interval -----------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A measured value with its interval ``[low, high]`` and how that interval was obtained."""

    value: float
    low: float
    high: float
    method: str  # one of METHODS
    samples: int  # seeds, resampled items, leave-one-out refits, or 1 for an exact value

    def __post_init__(self):
        if not all(np.isfinite([self.value, self.low, self.high])):
            raise ValueError(
                f"An estimate must be finite, got {self.value} in [{self.low}, {self.high}]."
            )
        if not self.low <= self.high:
            raise ValueError(f"An interval needs low <= high, got [{self.low}, {self.high}].")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}.")

    def describe(self, digits: int = 3) -> str:
        """``0.212 (90% interval 0.18 to 0.24, 5 seeds)``, or the value alone when it is exact."""
        value = f"{self.value:.{digits}g}"
        if self.method == "exact":
            return f"{value} (exact)"
        if self.method == "leave-one-out":
            return f"{value} (range {self.low:.{digits}g} to {self.high:.{digits}g} over {self.samples} leave-one-out refits)"
        how = {
            "seeds": f"{self.samples} seeds",
            "bootstrap": f"bootstrap over {self.samples} items",
        }[self.method]
        return (
            f"{value} ({LEVEL:.0%} interval {self.low:.{digits}g} to {self.high:.{digits}g}, {how})"
        )

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class Missing:
    """A quantity this run could not measure, and why: a claim given one is recorded as not measured."""

    reason: str


def missing(reason: str) -> Missing:
    """Stand in for an estimate that this run could not obtain (``reason`` says why)."""
    if not reason:
        raise ValueError("say why the quantity could not be measured.")
    return Missing(reason)


def over_seeds(
    values: Sequence[float | None], level: float = LEVEL, missing: str = ""
) -> Estimate | Missing:
    """The mean over independent seeds, with a Student-t interval for it.

    A t interval, not the min-max range: with three seeds the range would be a 50% interval.
    With ``missing`` given, a seed whose value is None makes the result :class:`Missing` for that
    reason, instead of an error.
    """
    from scipy.stats import t

    if missing and any(v is None for v in values):
        return Missing(missing)
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"over_seeds needs the values of at least 2 seeds, got {values.tolist()}.")
    mean = float(values.mean())
    half = float(
        t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    )
    return Estimate(mean, mean - half, mean + half, "seeds", len(values))


def bootstrap(
    items: Sequence,
    statistic: Callable[[np.ndarray], float] = np.mean,
    resamples: int = 2000,
    level: float = LEVEL,
    seed: int = 0,
) -> Estimate:
    """The statistic of ``items`` with a percentile bootstrap interval (items resampled with
    replacement; rows of a 2-D array are resampled together)."""
    items = np.asarray(items, dtype=float)
    if len(items) < 2:
        raise ValueError(f"bootstrap needs at least 2 items, got {len(items)}.")
    if resamples < 100:
        raise ValueError(
            f"resamples must be at least 100 for a {level:.0%} interval, got {resamples}."
        )
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(items), size=(resamples, len(items)))
    values = np.array([statistic(items[d]) for d in draws], dtype=float)
    low, high = np.quantile(values, [0.5 - level / 2, 0.5 + level / 2])
    value = float(statistic(items))
    return Estimate(value, float(min(low, value)), float(max(high, value)), "bootstrap", len(items))


def difference(
    first: Sequence[float],
    second: Sequence[float],
    resamples: int = 2000,
    level: float = LEVEL,
    seed: int = 0,
) -> Estimate:
    """mean(first) - mean(second) for two independent samples, with a percentile bootstrap interval
    (each sample resampled on its own, as two models traced on different facts are)."""
    first, second = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if len(first) < 2 or len(second) < 2:
        raise ValueError(
            f"difference needs at least 2 items on each side, got {len(first)} and {len(second)}."
        )
    rng = np.random.default_rng(seed)
    draws = first[rng.integers(0, len(first), (resamples, len(first)))].mean(1) - second[
        rng.integers(0, len(second), (resamples, len(second)))
    ].mean(1)
    return from_draws(first.mean() - second.mean(), draws, len(first) + len(second), level)


def from_draws(value: float, draws: Sequence[float], items: int, level: float = LEVEL) -> Estimate:
    """A value with the percentile interval of bootstrap ``draws`` made elsewhere (e.g. a residual
    bootstrap of a fit); ``items`` is how many data points were resampled."""
    draws = np.asarray(draws, dtype=float)
    if len(draws) < 100:
        raise ValueError(
            f"need at least 100 bootstrap draws for a {level:.0%} interval, got {len(draws)}."
        )
    low, high = np.quantile(draws, [0.5 - level / 2, 0.5 + level / 2])
    return Estimate(
        float(value), float(min(low, value)), float(max(high, value)), "bootstrap", int(items)
    )


def leave_one_out(value: float, refits: Sequence[float]) -> Estimate:
    """A value with the full range of refits that each leave out one data point: where there are too
    few points to resample (three budgets of an IsoFLOP sweep), the range shows how much one point moves it."""
    refits = np.asarray(refits, dtype=float)
    if len(refits) < 2:
        raise ValueError(f"leave_one_out needs at least 2 refits, got {len(refits)}.")
    return Estimate(
        float(value),
        float(min(refits.min(), value)),
        float(max(refits.max(), value)),
        "leave-one-out",
        len(refits),
    )


def exact(value: float) -> Estimate:
    """A number with no sampling noise: arithmetic, a count, a property of a configuration."""
    return Estimate(float(value), float(value), float(value), "exact", 1)


# --- rules: how a verdict follows from an estimate --------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A decision rule: its text for the reader, and the function that applies it."""

    text: str
    decide: Callable[[Estimate], str]
    marks: tuple[float, ...] = ()  # the values the verdict turns on (drawn on the results page)
    judges: bool = True  # False for new() and identity(): a number reported, not a verdict

    def __str__(self) -> str:
        return self.text


def _interval_words() -> str:
    return "the interval"


def contains(target: float, *, excludes: float | None = None, otherwise: str = "differs") -> Rule:
    """Confirmed if the interval contains ``target`` (and excludes ``excludes``, when given);
    ``otherwise`` if it excludes ``target``; inconclusive if it contains both."""
    also = f" and excludes {excludes:g}" if excludes is not None else ""
    text = (
        f"confirmed if {_interval_words()} contains {target:g}{also}; {otherwise} if it excludes "
        f"{target:g}; inconclusive otherwise"
    )

    def decide(e: Estimate) -> str:
        if not e.low <= target <= e.high:
            return otherwise
        if excludes is not None and e.low <= excludes <= e.high:
            return "inconclusive"
        return "confirmed"

    return Rule(text, decide, (target,) if excludes is None else (target, excludes))


def above(threshold: float, *, otherwise: str = "refuted") -> Rule:
    """Confirmed if the whole interval lies above ``threshold``; ``otherwise`` if it lies below."""
    text = (
        f"confirmed if {_interval_words()} lies above {threshold:g}; {otherwise} if it lies below; "
        "inconclusive if it straddles it"
    )
    return Rule(
        text,
        lambda e: (
            "confirmed"
            if e.low > threshold
            else otherwise
            if e.high < threshold
            else "inconclusive"
        ),
        (threshold,),
    )


def below(threshold: float, *, otherwise: str = "refuted") -> Rule:
    """Confirmed if the whole interval lies below ``threshold``; ``otherwise`` if it lies above."""
    text = (
        f"confirmed if {_interval_words()} lies below {threshold:g}; {otherwise} if it lies above; "
        "inconclusive if it straddles it"
    )
    return Rule(
        text,
        lambda e: (
            "confirmed"
            if e.high < threshold
            else otherwise
            if e.low > threshold
            else "inconclusive"
        ),
        (threshold,),
    )


def within(low: float, high: float, *, otherwise: str = "differs") -> Rule:
    """Confirmed if the interval lies inside ``[low, high]``; ``otherwise`` if the two are disjoint."""
    if not low < high:
        raise ValueError(f"within needs low < high, got {low} and {high}.")
    text = (
        f"confirmed if {_interval_words()} lies inside [{low:g}, {high:g}]; {otherwise} if it lies "
        "wholly outside; inconclusive if it overlaps an end"
    )

    def decide(e: Estimate) -> str:
        if low <= e.low and e.high <= high:
            return "confirmed"
        return otherwise if e.high < low or e.low > high else "inconclusive"

    return Rule(text, decide, (low, high))


def closer_to(target: float, rival: float, *, otherwise: str = "differs") -> Rule:
    """Confirmed if the whole interval is nearer ``target`` than ``rival``; ``otherwise`` if the
    whole interval is nearer ``rival``; inconclusive if it spans the midpoint."""
    if target == rival:
        raise ValueError("closer_to needs two different values.")
    middle = (target + rival) / 2
    text = (
        f"confirmed if {_interval_words()} lies on {target:g}'s side of {middle:g} (halfway to {rival:g}); "
        f"{otherwise} if it lies on {rival:g}'s side; inconclusive if it spans {middle:g}"
    )

    def decide(e: Estimate) -> str:
        near_target = (e.high < middle) if target < rival else (e.low > middle)
        near_rival = (e.low > middle) if target < rival else (e.high < middle)
        return "confirmed" if near_target else otherwise if near_rival else "inconclusive"

    return Rule(text, decide, (middle,))


def identity(why: str) -> Rule:
    """Not a finding: the number follows from arithmetic (``why`` says from what)."""
    return Rule(f"an identity, not a finding: {why}", lambda e: "identity", judges=False)


def new() -> Rule:
    """A number with no published counterpart: reported with its interval, not judged."""
    return Rule(
        "no published counterpart: reported with its interval, not judged",
        lambda e: "new",
        judges=False,
    )


# --- evidence: what a judged verdict rests on --------------------------------------------------

MIN_SEEDS = 3  # a verdict on trained models needs its interval over at least this many seeds
EVIDENCE = {
    "seeds": "an interval over independent training seeds",
    "one model": "one trained model per condition: an illustration, not a finding",
    "no training": "no model trained in the book: arithmetic, an algorithm or published numbers",
}


def over_enough_seeds(estimate: Estimate) -> bool:
    """Whether the interval is a t-interval over at least :data:`MIN_SEEDS` training seeds."""
    return estimate.method == "seeds" and estimate.samples >= MIN_SEEDS


def check_evidence(key: str, estimate: Estimate, rule: Rule, evidence: str | None) -> str | None:
    """What a claim's verdict rests on; refuses a judged verdict on trained models without seeds.

    A quantity measured on trained models varies from one training seed to the next, so a rule may
    judge it only over :data:`MIN_SEEDS` seeds or more (``evidence`` may then be left out). One
    trained model is declared with ``evidence="one model"``: the claim is then an *illustration*,
    shown with what the rule reads on that model, and no verdict. ``"no training"`` declares a
    quantity no trained model enters (arithmetic, an algorithm's own property, published numbers).
    Unjudged rules (``new``, ``identity``) need no evidence.
    """
    if evidence is not None and evidence not in EVIDENCE:
        raise ValueError(
            f"claim {key!r}: evidence must be one of {', '.join(map(repr, EVIDENCE))}, "
            f"got {evidence!r}."
        )
    if not rule.judges:
        return evidence
    if evidence is None:
        if over_enough_seeds(estimate):
            return "seeds"
        raise ValueError(
            f"claim {key!r}: a rule may judge a quantity measured on trained models only over "
            f"{MIN_SEEDS} or more training seeds, and this interval is {estimate.describe()}. "
            "Give the interval over seeds (claims.over_seeds), or declare what it rests on: "
            "evidence='one model' reports it as an illustration, evidence='no training' says "
            "that no trained model enters the number."
        )
    if evidence == "seeds" and not over_enough_seeds(estimate):
        raise ValueError(
            f"claim {key!r}: evidence='seeds' needs an interval over {MIN_SEEDS} or more seeds "
            f"(claims.over_seeds), got {estimate.describe()}."
        )
    return evidence


# --- claims ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A claim as judged: shown as a short block in the chapter (its ``_repr_markdown_``)."""

    key: str
    says: str
    source: str
    estimate: Estimate
    unit: str
    rule: Rule
    verdict: str
    note: str = ""
    reading: str = ""  # what the rule reads on the estimate (an illustration's only reading)

    def _repr_markdown_(self) -> str:
        cite = f" {{cite:p}}`{self.source}`" if self.source else ""
        note = f" ({self.note})" if self.note else ""
        if self.verdict == "illustration":
            last = (
                "**Illustration, not a verdict**: one trained model per condition, so the interval "
                "leaves out the variation from one training seed to the next; on these models the "
                f"rule reads *{self.reading}*"
            )
        else:
            last = f"**Verdict: {self.verdict}**"
        return (
            f"**Claim**{cite}: {self.says}  \n"
            f"**Measured**: {self.estimate} {self.unit}{note}  \n"
            f"**Rule, fixed before measuring**: {self.rule}  \n" + last
        )

    def __repr__(self) -> str:
        return f"Claim({self.key!r}: {self.estimate} {self.unit} -> {self.verdict})"


def claim(
    chapter: str,
    key: str,
    says: str,
    estimate: Estimate,
    rule: Rule,
    unit: str,
    source: str = "",
    note: str = "",
    evidence: str | None = None,
) -> Claim:
    """Judge one claim by its rule, record it in the chapter's ledger, and return it for display.

    ``evidence`` says what a judged verdict rests on (see :func:`check_evidence`): left out for an
    interval over seeds, ``"one model"`` for an illustration, ``"no training"`` where no trained
    model enters the number."""
    if not isinstance(estimate, Estimate):
        raise TypeError(
            f"claim {key!r} needs an Estimate (over_seeds, bootstrap or exact), got {type(estimate).__name__}."
        )
    if not isinstance(rule, Rule):
        raise TypeError(
            f"claim {key!r} needs a Rule (contains, above, below, within, closer_to, identity, new)."
        )
    evidence = check_evidence(key, estimate, rule, evidence)
    reading = rule.decide(estimate)
    verdict = "illustration" if evidence == "one model" else reading
    ledger.record(
        chapter,
        key,
        estimate.value,
        unit,
        claim=says,
        source=source,
        verdict=verdict,
        note=note,
        low=estimate.low,
        high=estimate.high,
        method=estimate.method,
        samples=estimate.samples,
        rule=rule.text,
        rule_marks=[float(m) for m in rule.marks],
        evidence=evidence or "",
        reading=reading,
    )
    return Claim(key, says, source, estimate, unit, rule, verdict, note, reading)


# --- guarded prose ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contradiction:
    """The visible note a page shows, outside the default profile, under a contradicted sentence."""

    sentence: str
    numbers: str

    def _repr_markdown_(self) -> str:
        return (
            f"```{{warning}}\nThis run contradicts the sentence “{self.sentence}”: {self.numbers}. "
            "The text describes the default profile; this profile measured otherwise.\n```"
        )


def guard(sentence: str, holds: bool, numbers: str) -> Contradiction | None:
    """Check a sentence of the prose against this build's numbers.

    Returns None when it holds. When it does not: in the default profile, raise
    :class:`ClaimContradicted` (the build fails, naming the sentence and the numbers); in any
    other profile, return a :class:`Contradiction` that the page shows as a warning.
    """
    if bool(holds):
        return None
    if profile_name() == DEFAULT_PROFILE:
        raise ClaimContradicted(
            f"The book says “{sentence}”, but this build measured {numbers}. "
            "Change the sentence or find out why the numbers moved."
        )
    return Contradiction(sentence, numbers)
